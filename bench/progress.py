"""Target 2: rendering through the real reporting path against no callback; cost of one publish."""

from __future__ import annotations

import gc
import multiprocessing
import statistics
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.documents import pages_html
from bench.report import Result, at_most, info
from bench.stack import Stack
from harness.apps import close_app

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
            renders = pool.submit(compare_renders, stack.redis_url, pages, sizes.rounds).result(900)
            _renders(result, f"{pages}-page", renders, sizes.rounds, target=pages == sizes.pages[0])
        costs = pool.submit(publish_costs, stack.redis_url, sizes.calls, sizes.blocks).result(900)
    for name, (wall, _) in costs.items():
        result.figures.append(info(f"per publish: {name}", wall * 1e6, "µs"))
    result.checks["every publish variant ran"] = all(wall > 0 for wall, _ in costs.values())
    stock, ours = costs["flask-sse sse.publish (new connection)"][0], costs["JobStore.advance (Lua)"][0]
    each = "; ".join(f"{name} {wall * 1e6:.0f} µs wall, {cpu * 1e6:.0f} µs CPU" for name, (wall, cpu) in costs.items())
    result.details.append(
        f"- Per call, median of {sizes.blocks} blocks of {sizes.calls} (CPU is the calling process's own): {each}. "
        f"JobStore.advance is {stock / ours:.1f}x cheaper than flask-sse's stock sse.publish."
    )
    return result


def _renders(result: Result, label: str, renders: Renders, rounds: int, target: bool) -> None:
    wall = {arm: statistics.median(values) for arm, values in renders.wall.items()}
    cpu = {arm: statistics.median(values) for arm, values in renders.cpu.items()}
    ratio = wall[REPORTER] / wall[NONE]
    figure = info(f"{label}: with progress / without", ratio, "x")
    result.figures.append(at_most(figure.label, ratio, "x", 1.02) if target else figure)
    result.figures.append(info(f"{label}: same, CPU time of the rendering process", cpu[REPORTER] / cpu[NONE], "x"))
    result.figures.append(info(f"{label}: advance only (no update_state) / without", wall[ADVANCE] / wall[NONE], "x"))
    result.checks[f"{label}: progress was published and stored"] = renders.steps > 0 and renders.stored
    arms = "; ".join(f"{arm} {wall[arm] * 1000:.1f} ms wall, {cpu[arm] * 1000:.1f} ms CPU" for arm in wall)
    result.details.append(
        f"- **{label}**, {rounds} rounds of the three arms in rotating order (medians): {arms}. "
        f"{renders.steps} progress steps published per render."
    )


@contextmanager
def _app(redis_url: str) -> Iterator[Any]:
    """The app in its context; its connections closed afterwards."""
    from webapp import create_app

    app = create_app({"REDIS_URL": redis_url})
    try:
        with app.app_context():
            yield app
    finally:
        close_app(app)


NONE, REPORTER, ADVANCE = "render_pdf without callback", "with the Reporter", "with JobStore.advance only"


@dataclass
class Renders:
    """Wall and CPU seconds per render for each arm; steps per render; Celery saw the progress."""

    wall: dict[str, list[float]]
    cpu: dict[str, list[float]]
    steps: int
    stored: bool


def compare_renders(redis_url: str, pages: int, rounds: int) -> Renders:
    """In a worker-like process: render_pdf alone, through a Reporter, and with only the job store's publish."""
    from tasks.convert import convert
    from tasks.job.record import PROGRESS, Job, advanced, new_job_id, queued
    from tasks.render.progress import Progress
    from tasks.render.renderer import render_pdf
    from tasks.reporting import Reporter

    html = pages_html(pages)
    renders = Renders({NONE: [], REPORTER: [], ADVANCE: []}, {NONE: [], REPORTER: [], ADVANCE: []}, 0, True)
    with _app(redis_url) as app:
        store = app.extensions["job_store"]

        def reporter(job: Job) -> Callable[[Progress], None]:
            return Reporter(convert, store, job).progress

        def advance_only(job: Job) -> Callable[[Progress], None]:
            def publish(step: Progress) -> None:
                store.advance(advanced(job, step.as_dict()))

            return publish

        def measure(arm: str) -> None:
            job = queued(new_job_id(), "bench.pdf")
            store.create(job, html)
            convert.push_request(id=job["id"], called_directly=False)
            callback = {NONE: None, REPORTER: reporter, ADVANCE: advance_only}[arm]
            try:
                started, cpu = time.perf_counter(), time.process_time()
                render_pdf(html, callback(job) if callback else None)
                renders.wall[arm].append(time.perf_counter() - started)
                renders.cpu[arm].append(time.process_time() - cpu)
            finally:
                convert.pop_request()
            if arm == REPORTER:
                # Both transports got the steps: the job's event counter and Celery's state.
                renders.steps = store.snapshot(job["id"]).seq - 1
                renders.stored = renders.stored and convert.AsyncResult(job["id"]).state == PROGRESS

        arms = [NONE, REPORTER, ADVANCE]
        for arm in arms:
            measure(arm)  # warm every path
        for round_ in range(rounds):
            for arm in arms[round_ % 3 :] + arms[: round_ % 3]:
                measure(arm)
        for values in (*renders.wall.values(), *renders.cpu.values()):
            del values[0]
    return renders


def publish_costs(redis_url: str, calls: int, blocks: int) -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds per call of each way to publish one progress step, blocks alternated."""
    from flask_sse import sse

    from tasks.convert import convert
    from tasks.document.stages import Stage
    from tasks.job.record import PROGRESS, advanced, channel, new_job_id, queued
    from tasks.render.progress import Progress
    from tasks.reporting import Reporter

    with _app(redis_url) as app:
        store = app.extensions["job_store"]
        redis = app.extensions["redis"]
        job = queued(new_job_id(), "bench.pdf")
        store.create(job, "<p>x</p>")
        job = advanced(job, job["progress"])
        text = store.snapshot(job["id"]).json
        convert.push_request(id=job["id"], called_directly=False)
        reporter = Reporter(convert, store, job)
        step = Progress(Stage.LAYOUT, 50.0, 3, 10, 20)
        variants: dict[str, Callable[[], object]] = {
            "JobStore.advance (Lua)": lambda: store.advance(job),
            "update_state (result backend)": lambda: convert.update_state(state=PROGRESS, meta=job),
            "Reporter.progress, one step as the task sends it": lambda: reporter.progress(step),
            "pooled redis.publish": lambda: redis.publish(channel(job["id"]), text),
            "flask-sse sse.publish (new connection)": lambda: sse.publish(
                text, type="progress", channel=channel(job["id"])
            ),
        }
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
        try:
            for block in range(blocks):
                names = list(variants)
                names = names[block % len(names) :] + names[: block % len(names)]
                for name in names:
                    call = variants[name]
                    started, cpu = time.perf_counter(), time.process_time()
                    for _ in range(calls):
                        call()
                    samples[name].append(((time.perf_counter() - started) / calls, (time.process_time() - cpu) / calls))
        finally:
            convert.pop_request()
            # flask-sse's publish leaves one open client per call to the garbage
            # collector (the cost measured here): reap them now, where they come from.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                gc.collect()
    return {
        name: (statistics.median(wall for wall, _ in values), statistics.median(cpu for _, cpu in values))
        for name, values in samples.items()
    }
