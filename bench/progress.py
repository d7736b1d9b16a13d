"""Target 2: rendering through the real reporting path against no callback; cost of one publish."""

from __future__ import annotations

import multiprocessing
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.documents import pages_html
from bench.report import Result, at_most, info
from bench.stack import Stack

TITLE = "progress cost: update_state + JobStore.advance per step, against no callback"


@dataclass(frozen=True)
class Sizes:
    pages: tuple[int, ...]
    rounds: int
    calls: int
    blocks: int


FULL = Sizes(pages=(20, 1), rounds=15, calls=200, blocks=15)
QUICK = Sizes(pages=(2,), rounds=2, calls=20, blocks=2)


def run(directory: Path, quick: bool = False) -> Result:
    """Run the measurements in a spawned process, like a worker's child, against a private Redis."""
    sizes = QUICK if quick else FULL
    result = Result("progress", TITLE, quick=quick)
    context = multiprocessing.get_context("spawn")
    with Stack(directory, concurrency=None, web=False) as stack, ProcessPoolExecutor(1, mp_context=context) as pool:
        for pages in sizes.pages:
            plain, reported, steps, same = pool.submit(compare_renders, stack.redis_url, pages, sizes.rounds).result(
                900
            )
            ratio = statistics.median(reported) / statistics.median(plain)
            label = f"{pages}-page"
            result.figures.append(
                at_most(f"{label}: with progress / without", ratio, "x", 1.02)
                if pages == sizes.pages[0]
                else info(f"{label}: with progress / without", ratio, "x")
            )
            result.checks[f"{label}: progress was published and stored"] = steps > 0 and same
            result.details.append(
                f"- **{label}**, {sizes.rounds} alternating pairs: render_pdf without callback "
                f"{statistics.median(plain) * 1000:.1f} ms, with the Reporter "
                f"{statistics.median(reported) * 1000:.1f} ms (medians), {steps} progress steps published per render."
            )
        costs = pool.submit(publish_costs, stack.redis_url, sizes.calls, sizes.blocks).result(900)
    for name, seconds in costs.items():
        result.figures.append(info(f"per publish: {name}", seconds * 1e6, "µs"))
    result.checks["every publish variant ran"] = all(value > 0 for value in costs.values())
    stock, ours = costs["flask-sse sse.publish (new connection)"], costs["JobStore.advance (Lua)"]
    result.details.append(
        f"- Per call, median of {sizes.blocks} blocks of {sizes.calls}: "
        f"JobStore.advance {ours * 1e6:.0f} µs vs flask-sse's "
        f"sse.publish {stock * 1e6:.0f} µs ({stock / ours:.1f}x); the whole step (update_state + advance) "
        f"{costs['Reporter step (update_state + advance)'] * 1e6:.0f} µs."
    )
    return result


def _app(redis_url: str) -> Any:
    from webapp import create_app

    return create_app({"REDIS_URL": redis_url})


def compare_renders(redis_url: str, pages: int, rounds: int) -> tuple[list[float], list[float], int, bool]:
    """In a worker-like process: alternate render_pdf alone and render_pdf through a Reporter."""
    from tasks.convert import convert
    from tasks.job import new_job, new_job_id
    from tasks.renderer import render_pdf
    from tasks.reporting import Reporter

    app = _app(redis_url)
    html = pages_html(pages)
    plain: list[float] = []
    reported: list[float] = []
    steps = 0
    stored = True
    with app.app_context():
        store = app.extensions["job_store"]

        def with_progress() -> float:
            nonlocal steps, stored
            job = new_job(new_job_id(), "bench.pdf")
            store.create(job, html)
            convert.push_request(id=job["id"], called_directly=False)
            try:
                reporter = Reporter(convert, store, job)
                started = time.perf_counter()
                render_pdf(html, reporter.progress)
                elapsed = time.perf_counter() - started
            finally:
                convert.pop_request()
            # Both transports got the steps: the job's event counter and Celery's state.
            steps = store.snapshot(job["id"]).seq - 1
            stored = stored and convert.AsyncResult(job["id"]).state == "PROGRESS"
            return elapsed

        def without() -> float:
            started = time.perf_counter()
            render_pdf(html)
            return time.perf_counter() - started

        with_progress(), without()  # warm both paths
        for round_ in range(rounds):
            first, second = (without, with_progress) if round_ % 2 else (with_progress, without)
            for measure in (first, second):
                (plain if measure is without else reported).append(measure())
    return plain, reported, steps, stored


def publish_costs(redis_url: str, calls: int, blocks: int) -> dict[str, float]:
    """Seconds per call of each way to publish one progress step, blocks alternated."""
    from flask_sse import sse

    from tasks.convert import convert
    from tasks.job import PROGRESS, channel, new_job, new_job_id
    from tasks.progress import Progress
    from tasks.reporting import Reporter

    app = _app(redis_url)
    with app.app_context():
        store = app.extensions["job_store"]
        redis = app.extensions["redis"]
        job = new_job(new_job_id(), "bench.pdf")
        store.create(job, "<p>x</p>")
        job.update(state=PROGRESS)
        text = store.snapshot(job["id"]).json
        convert.push_request(id=job["id"], called_directly=False)
        reporter = Reporter(convert, store, dict(job))
        step = Progress("layout", 50.0, 3, 10, 20)
        variants: dict[str, Callable[[], object]] = {
            "JobStore.advance (Lua)": lambda: store.advance(job),
            "update_state (result backend)": lambda: convert.update_state(state=PROGRESS, meta=job),
            "Reporter step (update_state + advance)": lambda: reporter.progress(step),
            "pooled redis.publish": lambda: redis.publish(channel(job["id"]), text),
            "flask-sse sse.publish (new connection)": lambda: sse.publish(
                text, type="progress", channel=channel(job["id"])
            ),
        }
        samples: dict[str, list[float]] = {name: [] for name in variants}
        try:
            for block in range(blocks):
                names = list(variants)
                names = names[block % len(names) :] + names[: block % len(names)]
                for name in names:
                    call = variants[name]
                    started = time.perf_counter()
                    for _ in range(calls):
                        call()
                    samples[name].append((time.perf_counter() - started) / calls)
        finally:
            convert.pop_request()
    return {name: statistics.median(values) for name, values in samples.items()}
