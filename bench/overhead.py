"""Target 1: submit → `end` event → PDF downloaded, against xhtml2pdf alone on the same HTML."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench.baseline import Baseline
from bench.client import Api, watch
from bench.documents import pages_html
from bench.report import Result, at_most, info
from bench.stack import Stack
from bench.timeline import timeline
from harness.pdf import pdf_pages

TITLE = "service overhead: submit → SSE end → PDF, over xhtml2pdf alone"


@dataclass(frozen=True)
class Sizes:
    small: int
    large: int
    rounds_small: int
    rounds_large: int
    timeline: int


FULL = Sizes(small=1, large=20, rounds_small=31, rounds_large=15, timeline=15)
QUICK = Sizes(small=1, large=2, rounds_small=3, rounds_large=2, timeline=2)


@dataclass
class Trip:
    """One job through the service, timed from the client, split where it can be."""

    total: float
    submit: float
    until_end: float
    download: float
    in_worker: float
    delivery: float
    events: int
    pages: int
    cpu: dict[str, float]


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def through_service(stack: Stack, api: Api, html: str) -> Trip:
    """POST the document, read its event stream to `end`, download the PDF."""
    cpu = stack.cpu_seconds()
    started = time.perf_counter()
    job_id = api.submit(html)
    submitted = time.perf_counter()
    events = watch(api.base, job_id)
    ended = time.perf_counter()
    ended_wall = time.time()
    pdf = api.pdf(job_id)
    done = time.perf_counter()
    # The worker's child stamps SUCCESS before it tells the worker; give it a moment to be idle.
    time.sleep(0.02)
    used = {name: seconds - cpu[name] for name, seconds in stack.cpu_seconds().items()}
    end = events[-1]
    assert end.type == "end" and end.job["state"] == "SUCCESS", end
    job = end.job
    return Trip(
        total=done - started,
        submit=submitted - started,
        until_end=ended - submitted,
        download=done - ended,
        in_worker=_epoch(job["updated_at"]) - _epoch(job["created_at"]),
        delivery=ended_wall - _epoch(job["updated_at"]),
        events=len(events),
        pages=pdf_pages(pdf),
        cpu=used,
    )


def compare(
    stack: Stack, api: Api, baseline: Baseline, html: str, rounds: int
) -> tuple[list[Trip], list[float], list[float]]:
    """Alternate service and baseline runs (A/B, B/A, ...) after one warm-up of each; return trips, wall, CPU."""
    through_service(stack, api, html)
    baseline.render(html)
    trips: list[Trip] = []
    alone: list[float] = []
    alone_cpu: list[float] = []
    for round_ in range(rounds):
        if round_ % 2:
            wall, cpu = baseline.render(html)
            trips.append(through_service(stack, api, html))
        else:
            trips.append(through_service(stack, api, html))
            wall, cpu = baseline.render(html)
        alone.append(wall)
        alone_cpu.append(cpu)
    return trips, alone, alone_cpu


def run(directory: Path, quick: bool = False) -> Result:
    """Measure both document sizes against the same stack and the same baseline process."""
    sizes = QUICK if quick else FULL
    result = Result("overhead", TITLE, quick=quick)
    with Stack(directory, concurrency=1) as stack, Baseline(1) as baseline, Api(stack.base) as api:
        for pages, rounds in ((sizes.small, sizes.rounds_small), (sizes.large, sizes.rounds_large)):
            calls = stack.redis_calls()
            trips, alone, alone_cpu = compare(stack, api, baseline, pages_html(pages), rounds)
            per_job = {name: count / (rounds + 1) for name, count in (stack.redis_calls() - calls).items()}
            service = statistics.median(trip.total for trip in trips)
            floor = statistics.median(alone)
            ratio = service / floor
            label = f"{pages}-page"
            overhead = info(f"{label}: overhead (median service − median alone)", (service - floor) * 1000, "ms")
            factor = info(f"{label}: service / xhtml2pdf alone", ratio, "x")
            if pages == sizes.small:
                overhead = at_most(overhead.label, overhead.value, "ms", 30)
            else:
                factor = at_most(factor.label, ratio, "x", 1.05)
            result.figures += [overhead, factor]
            result.checks[f"{label}: every job ended SUCCESS with {pages} page(s)"] = all(
                trip.pages == pages for trip in trips
            )
            # A copy of an earlier PDF would end at once, without progress events.
            result.checks[f"{label}: every job was rendered, not copied"] = all(trip.events >= 3 for trip in trips)
            result.details.append(_breakdown(label, rounds, trips, alone))
            result.details.append(_cpu(label, trips, alone_cpu))
            result.details.append(_commands(label, per_job))
            segments = timeline(stack, api, pages_html(pages), sizes.timeline)
            listed = "; ".join(f"{segment} {ms:.1f}" for segment, ms in segments.items())
            result.details.append(
                f"- **{label}** timeline (Redis MONITOR, medians of {sizes.timeline} jobs, ms): {listed}."
            )
    return result


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f}"


def _breakdown(label: str, rounds: int, trips: list[Trip], alone: list[float]) -> str:
    ratios = sorted(trip.total / floor for trip, floor in zip(trips, alone, strict=True))
    return (
        f"- **{label}**, {rounds} alternating pairs (medians, ms): service {_ms([t.total for t in trips])} "
        f"(POST {_ms([t.submit for t in trips])}, POST→end {_ms([t.until_end for t in trips])}, "
        f"download {_ms([t.download for t in trips])}; "
        f"worker-stamped created→SUCCESS {_ms([t.in_worker for t in trips])}, "
        f"SUCCESS stamp→end received {_ms([t.delivery for t in trips])}); xhtml2pdf alone {_ms(alone)}; "
        f"per-pair ratio min/median/max {ratios[0]:.3f}/{statistics.median(ratios):.3f}/{ratios[-1]:.3f}; "
        f"events per job {statistics.median(t.events for t in trips):.0f}."
    )


def _cpu(label: str, trips: list[Trip], alone_cpu: list[float]) -> str:
    tiers = {name: [trip.cpu[name] for trip in trips] for name in trips[0].cpu}
    parts = ", ".join(f"{name} {_ms(values)}" for name, values in tiers.items())
    child = statistics.median(tiers["worker children"]) / statistics.median(alone_cpu)
    return (
        f"- **{label}** CPU per job (medians, ms; less sensitive to a busy machine than wall time): {parts}; "
        f"xhtml2pdf alone {_ms(alone_cpu)}. The rendering child uses {child:.3f}x the CPU of xhtml2pdf alone."
    )


def _commands(label: str, per_job: dict[str, float]) -> str:
    listed = ", ".join(f"{name} {count:.1f}" for name, count in sorted(per_job.items(), key=lambda item: -item[1]))
    return f"- **{label}** Redis commands per job (INFO commandstats): {sum(per_job.values()):.0f} in all: {listed}."
