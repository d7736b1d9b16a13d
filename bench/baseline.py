"""The floor: xhtml2pdf alone, in warm pool processes like a Celery worker's children."""

from __future__ import annotations

import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from types import TracebackType

from bench.documents import pages_html
from bench.stack import cpu_of
from harness.pdf import xhtml2pdf_alone


def render_alone(html: str) -> tuple[float, float, int]:
    """Render `html` with xhtml2pdf's public API; return (wall seconds, CPU seconds, PDF bytes)."""
    started, cpu = time.perf_counter(), time.process_time()
    pdf = xhtml2pdf_alone(html)
    return time.perf_counter() - started, time.process_time() - cpu, len(pdf)


def render_alone_peak(html: str) -> tuple[float, int]:
    """Render `html` alone; return (seconds, this process's peak resident memory in bytes)."""
    seconds, _, _ = render_alone(html)
    return seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _warm() -> None:
    # The worker's children have rendered before; so have these.
    xhtml2pdf_alone(pages_html(1))


class Baseline:
    """A pool of `processes` warm processes (spawned, so no state is shared with the caller)."""

    def __init__(self, processes: int = 1) -> None:
        self.processes = processes
        self.pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"), initializer=_warm)
        # Start every process now (in the background), so no timed call pays for a start.
        self._starting = [self.pool.submit(time.sleep, 0.2) for _ in range(processes * 2)]

    def ready(self, timeout: float = 120) -> None:
        """Wait until every pool process has started and rendered once."""
        for future in self._starting:
            future.result(timeout)

    def render(self, html: str, timeout: float = 600) -> tuple[float, float]:
        """(wall, CPU) seconds xhtml2pdf took for `html` in one pool process."""
        self.ready()
        seconds, cpu, size = self.pool.submit(render_alone, html).result(timeout)
        assert size > 0
        return seconds, cpu

    def render_with_peak(self, html: str, timeout: float = 900) -> tuple[float, int]:
        """(seconds, peak RSS bytes of the pool process) for `html` rendered alone."""
        self.ready()
        return self.pool.submit(render_alone_peak, html).result(timeout)

    def batch(self, documents: list[str], timeout: float = 600) -> float:
        """Wall seconds to render all `documents` on the pool, as many at once as it has processes."""
        self.ready()
        started = time.perf_counter()
        futures = [self.pool.submit(render_alone, html) for html in documents]
        for future in futures:
            future.result(max(timeout - (time.perf_counter() - started), 0.001))
        return time.perf_counter() - started

    def cpu_seconds(self) -> float:
        """CPU seconds the pool's processes have used so far."""
        processes = self.pool._processes or {}
        return sum(cpu_of(pid) for pid in processes)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Baseline:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
