"""Target 5: a very long document through the service, progress flowing all the way, memory watched."""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import psutil  # type: ignore[import-untyped, unused-ignore]

from bench.baseline import Baseline
from bench.client import Api, watch
from bench.documents import pages_html
from bench.report import Result, at_most, info
from bench.stack import Stack
from harness.pdf import pdf_pages
from harness.sse import SseEvent
from tasks.document.stages import Stage
from webapp.config import load_config

TITLE = "big document: progress all the way, worker memory, no time-out at the defaults"
MiB = 2**20
STAGES = (Stage.PARSING, Stage.LAYOUT, Stage.WRITING, Stage.STORING, Stage.DONE)


@dataclass(frozen=True)
class Sizes:
    pages: int


FULL = Sizes(pages=300)
QUICK = Sizes(pages=10)


class PeakMemory:
    """Polls the RSS of the worker's pool children and keeps the highest value seen."""

    def __init__(self, stack: Stack, interval: float = 0.02) -> None:
        self.stack = stack
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="peak-memory", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            for pid in self.stack.pool_pids():
                with contextlib.suppress(psutil.NoSuchProcess):
                    self.peak = max(self.peak, psutil.Process(pid).memory_info().rss)
            self._stop.wait(self.interval)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def __enter__(self) -> PeakMemory:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def run(directory: Path, quick: bool = False) -> Result:
    """Render the document through the service, then alone, and compare."""
    sizes = QUICK if quick else FULL
    limit = load_config({})["RENDER_TIME_LIMIT"]  # the service's default, in seconds
    html = pages_html(sizes.pages)
    result = Result("bigdoc", TITLE, quick=quick)
    with Stack(directory, concurrency=1) as stack, Api(stack.base) as api:
        watch(stack.base, api.submit(pages_html(1)))  # the pool child has rendered once
        idle = max(psutil.Process(pid).memory_info().rss for pid in stack.pool_pids())
        with PeakMemory(stack) as memory:
            started = time.monotonic()
            job_id = api.submit(html)
            events = watch(stack.base, job_id, deadline=900)
            elapsed = time.monotonic() - started
        pdf = api.pdf(job_id)
    with Baseline(1) as baseline:
        alone, alone_peak = baseline.render_with_peak(html)
    gaps = [(later.received_at - earlier.received_at, earlier, later) for earlier, later in itertools.pairwise(events)]
    worst, before, after = max(gaps, key=lambda gap: gap[0])
    _check(result, events, pdf, sizes.pages)
    result.figures += [
        at_most(f"{sizes.pages}-page: submit → end (limit: default RENDER_TIME_LIMIT)", elapsed, "s", limit),
        info(f"{sizes.pages}-page: service / xhtml2pdf alone", elapsed / alone, "x"),
        info(f"{sizes.pages}-page: events received", len(events), ""),
        info(f"{sizes.pages}-page: longest gap between events", worst, "s"),
        info(f"{sizes.pages}-page: worker child peak RSS", memory.peak / MiB, "MiB"),
        info(f"{sizes.pages}-page: xhtml2pdf alone peak RSS", alone_peak / MiB, "MiB"),
    ]
    first = events[0].received_at - started
    result.details.append(
        f"- {sizes.pages} pages ({len(html) / 1024:.0f} KiB of HTML, {len(pdf) / 1024:.0f} KiB of PDF): "
        f"{elapsed:.1f} s through the service against {alone:.1f} s for xhtml2pdf alone; "
        f"{len(events)} events, the first {first * 1000:.0f} ms after submit; longest gap {worst:.2f} s, "
        f"between {_where(before)} and {_where(after)}. "
        f"Worker pool child RSS {idle / MiB:.0f} MiB idle, {memory.peak / MiB:.0f} MiB at peak "
        f"(xhtml2pdf alone in a fresh process: {alone_peak / MiB:.0f} MiB peak)."
    )
    return result


def _where(event: SseEvent) -> str:
    progress = event.job["progress"]
    return f"{event.job['state']} {progress['stage']} {progress['percent']:g}%"


def _check(result: Result, events: list[SseEvent], pdf: bytes, pages: int) -> None:
    percents = [event.job["progress"]["percent"] for event in events]
    stages = {event.job["progress"]["stage"] for event in events}
    end = events[-1].job
    result.checks.update(
        {
            "the job ended SUCCESS (no time-out at the defaults)": events[-1].type == "end"
            and end["state"] == "SUCCESS",
            f"the PDF has {pages} pages": pdf_pages(pdf) == pages,
            "percent never went backwards": percents == sorted(percents),
            "every stage was reported": all(stage in stages for stage in STAGES),
        }
    )
