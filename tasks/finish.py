"""How every task renders and ends a job, one way: attempts, limits, failure messages, metrics.

A whole job (`tasks.convert`, `tasks.split_render`, `tasks.merge_parts`)
fails as `FAILURE` and raises the failure, so Celery's own record says the
same words. A part (`tasks.convert_part`) fails its job naming the part and
raises Celery's `Ignore`: the chord's join must never run for a job that has
ended.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, NoReturn

from celery.exceptions import Ignore, SoftTimeLimitExceeded
from redis.exceptions import RedisError

from tasks.document.failures import (
    RenderFailed,
    describe,
    part_failed,
    pdf_too_large,
    timed_out,
    too_many_pages,
    worker_lost,
)
from tasks.document.finishing import Finishing
from tasks.job.metrics import record_render
from tasks.render.renderer import RenderResult
from tasks.reporting import JobEnded, Reporter
from tasks.watchdog import Cancellable

log = logging.getLogger(__name__)


class RenderPolicy:
    """The limits a job's render answers to, and what a failure says to the user; `fail` says how it ends."""

    def __init__(self, reporter: Reporter, config: Mapping[str, Any]) -> None:
        self.reporter = reporter
        self.max_attempts: int = config["MAX_ATTEMPTS"]
        self.max_pages: int = config["MAX_PAGES"]
        self.max_pdf_bytes: int = config["MAX_PDF_BYTES"]
        self.time_limit: float = config["RENDER_TIME_LIMIT"]

    def check_attempts(self, attempts: int) -> None:
        """Raise `worker_lost` past MAX_ATTEMPTS deliveries: what it renders kills workers."""
        if attempts > self.max_attempts:
            raise worker_lost(attempts - 1)

    def check_pages(self, pages: int) -> None:
        if pages > self.max_pages:
            raise too_many_pages(self.max_pages)

    def check_size(self, size: int) -> None:
        if size > self.max_pdf_bytes:
            raise pdf_too_large(size, self.max_pdf_bytes)

    def reason(self, exc: BaseException) -> RenderFailed:
        """Why the render failed, in words for the user."""
        return timed_out(self.time_limit) if isinstance(exc, SoftTimeLimitExceeded) else describe(exc)

    def watched(self) -> Cancellable:
        """A block that stops when the job ends (a cancel) or runs past the render's time limit."""
        return Cancellable(self.reporter.store.redis, self.reporter.job["id"], self.time_limit)

    @contextmanager
    def guard(self, doing: str = "render") -> Iterator[None]:
        """Whatever goes wrong inside, but the job ending, fails it; `doing` names the step in the log."""
        try:
            yield
        except JobEnded:
            raise
        except Exception as exc:
            self._log(exc, doing)
            self.fail(self.reason(exc))

    def _log(self, exc: BaseException, doing: str) -> None:
        if not isinstance(exc, RenderFailed | SoftTimeLimitExceeded):
            log.warning("job %s failed to %s", self.reporter.job["id"], doing, exc_info=True)

    def fail(self, failure: RenderFailed) -> NoReturn:
        raise NotImplementedError


class Finish(RenderPolicy):
    """The policy for a whole job: a failure ends it and is raised; a success stores the PDF and is observed."""

    def __init__(self, reporter: Reporter, config: Mapping[str, Any]) -> None:
        super().__init__(reporter, config)
        self.began = time.monotonic()
        self.config = config

    def fail(self, failure: RenderFailed) -> NoReturn:
        """End the job as `FAILURE` and raise `failure`: Celery's own record says the same words.

        Raised without the exception it replaces: Celery keeps the traceback
        with the result for RESULT_TTL, and a library's message can quote the
        document (at any length); that one goes to the worker's log only.
        """
        self.reporter.failed(failure)
        raise failure from None

    def succeed(self, result: RenderResult) -> None:
        """Store the job's PDF and end it as `SUCCESS`, unless the PDF is past the limits; observe the render."""
        with self.guard():
            self.check_pages(result.pages)
            self.check_size(len(result.pdf))
        result = self._finished(result)
        self.reporter.storing(result)
        self.reporter.succeeded(result)
        self._observe(result)

    def _finished(self, result: RenderResult) -> RenderResult:
        """`result` stamped, encrypted and signed as the job asked (tasks/finishing), its `finishing` stage reported."""
        stored = self.reporter.store.finishing(self.reporter.job["id"])
        if not stored:
            return result
        # Imported here: the web tier imports this module (through tasks.convert) and needs no pyHanko.
        from tasks.finishing import Identity, finish_pdf, signing_identity

        self.reporter.finishing(result)
        with self.guard("finish the PDF"), self.watched():
            finishing = Finishing.from_dict(stored)
            identity: Identity | None = signing_identity(self.config) if finishing.sign is not None else None
            pdf = finish_pdf(result.pdf, finishing, identity, lambda done: self.reporter.finishing(result, done))
            self.check_size(len(pdf))
        return replace(result, pdf=pdf)

    def _observe(self, result: RenderResult) -> None:
        """Log the render and add it to the render histograms (tasks/job/metrics.py)."""
        seconds = time.monotonic() - self.began
        log.info("rendered %d page(s) in %.2f s", result.pages, seconds)
        try:
            record_render(self.reporter.store.redis, seconds, result.pages)
        except RedisError:
            # The job has succeeded already: a lost observation must not fail it.
            log.warning("could not record the render in the metrics", exc_info=True)


class FinishPart(RenderPolicy):
    """The policy for part `index` (named `name`) of a job rendered in parts: a failure ends the job naming the part."""

    def __init__(self, reporter: Reporter, config: Mapping[str, Any], index: int, name: str) -> None:
        super().__init__(reporter, config)
        self.index = index
        self.name = name

    def _log(self, exc: BaseException, doing: str) -> None:
        log.warning("part %d of job %s failed", self.index, self.reporter.job["id"], exc_info=True)

    def fail(self, failure: RenderFailed) -> NoReturn:
        """End the job as `FAILURE` unless it has ended already (cancelled, or another part failed first)."""
        with contextlib.suppress(JobEnded):
            self.reporter.failed(part_failed(self.index, self.name, failure))
        raise Ignore() from None
