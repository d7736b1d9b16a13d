"""Stop a render the moment its job ends or its time is up: a watchdog thread raises into the rendering thread."""

from __future__ import annotations

import ctypes
import logging
import threading
import time
from types import TracebackType

from redis import Redis
from redis.exceptions import RedisError

from tasks.document.failures import timed_out
from tasks.job.store import has_ended
from tasks.reporting import JobEnded

log = logging.getLogger(__name__)
# How often the watchdog looks at the job: a cancel stops the render within about this.
POLL_SECONDS = 0.2


class Interrupted(BaseException):
    """Raised into the rendering thread. A BaseException, so that no `except Exception` in
    xhtml2pdf or ReportLab (there are many) swallows it; it leaves the block as `JobEnded`."""


class OutOfTime(Interrupted):
    """Raised into the rendering thread past the block's time limit; it leaves the block as `timed_out`.

    Celery's own soft limit is an `Exception` raised from a signal handler, wherever the process is:
    any `except Exception` on the way (the libraries have many) turns it into a render that goes on."""


class Cancellable:
    """A block of work on job `job_id` that stops within ~POLL_SECONDS of the job ending, or of
    `time_limit` seconds passing since it was entered.

    The progress callback notices a cancel only between two calls, and one
    ReportLab call (breaking one 9 MB paragraph into lines, say) can last
    minutes; `revoke(terminate=True)` would signal whatever the pool process
    runs by the time it arrives, perhaps the next job. Here a thread of this
    process watches the job's record and, once the job has ended (cancelled,
    failed elsewhere, deleted, expired), raises `Interrupted` into the thread
    that entered the block, at its next Python instruction. Leaving the block
    disarms it first, so the exception never lands outside it.
    """

    def __init__(self, redis: Redis, job_id: str, time_limit: float | None = None, poll: float = POLL_SECONDS) -> None:
        self._redis = redis
        self._job_id = job_id
        self._time_limit = time_limit
        self._deadline = float("inf")
        self._poll = poll
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._fired: type[Interrupted] | None = None
        self._target = 0
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Cancellable:
        self._target = threading.get_ident()
        if self._time_limit is not None:
            self._deadline = time.monotonic() + self._time_limit
        self._thread = threading.Thread(target=self._watch, name=f"cancel-watch {self._job_id}", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            with self._lock:
                self._done.set()
                if self._fired:  # fired but perhaps not raised yet: take it back
                    _raise_in(self._target, None)
        except Interrupted as pending:
            kind = type(pending)
        if self._thread is not None:
            self._thread.join(5)
        if kind is not None and issubclass(kind, OutOfTime):
            raise timed_out(self._time_limit or 0) from None
        if kind is not None and issubclass(kind, Interrupted):
            raise JobEnded(self._job_id) from None

    def _watch(self) -> None:
        while not self._done.wait(self._poll):
            if time.monotonic() >= self._deadline:
                self._fire(OutOfTime, "ran past its time limit")
                return
            try:
                if not has_ended(self._redis, self._job_id):
                    continue
            except RedisError:
                continue  # Redis away: the render's own next write waits for it (tasks/reporting.py)
            self._fire(Interrupted, "ended while it rendered")
            return

    def _fire(self, exception: type[Interrupted], why: str) -> None:
        with self._lock:
            if not self._done.is_set():
                self._fired = exception
                _raise_in(self._target, exception)
                log.info("job %s %s: interrupting the render", self._job_id, why)


def _raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    """Raise `exception` in thread `thread_id` at its next bytecode (None: cancel a pending one)."""
    target = ctypes.py_object(exception) if exception is not None else None
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), target)
