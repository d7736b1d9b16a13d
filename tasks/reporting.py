"""Report a job's progress on both transports: Celery's state and the job's channel."""

from __future__ import annotations

import logging
import time

from celery import Task
from celery.exceptions import Ignore
from flask import current_app
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from tasks.document.failures import RenderFailed
from tasks.document.stages import ProgressRecord, Stage
from tasks.job import record
from tasks.job.record import PROGRESS, RETRY, STARTED, Job, is_terminal
from tasks.job.replication import NO_REPLICAS, Replicas, replicated
from tasks.job.store import JobStore
from tasks.render.progress import Progress, Shares
from tasks.render.renderer import RenderResult

OUTAGE_GRACE_SECONDS = 60
CELERY_STATE_INTERVAL = 0.5
log = logging.getLogger(__name__)


class JobEnded(Exception):
    """The job was cancelled, deleted or expired while it ran."""


def open_job(task: Task, job_id: str) -> Reporter:
    """The reporter of job `job_id`, which a task is about to work on.

    Raises Celery's `Ignore` when there is nothing to do: the job was deleted,
    expired, cancelled while queued, or ended by an earlier delivery.
    """
    store: JobStore = current_app.extensions["job_store"]
    snapshot = store.snapshot(job_id)
    if snapshot is None or is_terminal(snapshot.job):
        raise Ignore()
    config = current_app.config
    return Reporter(task, store, snapshot.job, Replicas.configured(config), config["REDIS_WAIT_TIMEOUT"])


class Reporter:
    """Writes each new state of one job through `update_state` and a publish.

    Every step is published (the bar and the API read the job store); Celery's
    own record, which only `AsyncResult` readers see, takes a step at most every
    `CELERY_STATE_INTERVAL` seconds or when the stage changes: `update_state`
    costs two round trips, twice the publish, and was half of all progress cost.

    With `replicas`, the job's end is written until the replicas hold it (as many as
    are connected, up to the number wanted and at least its floor; each wait up to
    `replica_timeout` seconds): a primary demoted before it copied the write takes
    the write with it, so it is written again on the new one.
    """

    def __init__(
        self, task: Task, store: JobStore, job: Job, replicas: Replicas = NO_REPLICAS, replica_timeout: float = 1.0
    ) -> None:
        self.task = task
        self.store = store
        self.job = job
        self.replicas = replicas
        self.replica_timeout = replica_timeout
        self._celery_told: tuple[float, object] = (float("-inf"), None)
        self._event_id = 0  # the last this reporter handed out
        self._shares: Shares | None = None

    @property
    def shares(self) -> Shares:
        """How the job's bar is shared between its render and its finishing steps (read once)."""
        if self._shares is None:
            self._shares = Shares(self.store.finishing_steps(self.job["id"]))
        return self._shares

    def started(self, retrying: bool = False, total: int = 0) -> None:
        """The render begins; again, after a worker was lost, when `retrying`; `total` parts, if in parts."""
        self.commit(record.started(self.job, retrying=retrying, total=total))

    def progress(self, step: Progress) -> None:
        """The render has got to `step` (its percent scaled to the render's share of the bar)."""
        self.commit(record.advanced(self.job, {**step.as_dict(), "percent": self.shares.render(step.percent)}))

    def finishing(self, result: RenderResult, done: int = 0) -> None:
        """`done` of the job's finishing steps are done: the bar moves through their share."""
        percent = max(self.job["progress"]["percent"], self.shares.finishing(done))
        step: ProgressRecord = {
            **self.job["progress"],
            "stage": Stage.FINISHING,
            "percent": percent,
            "pages": result.pages,
        }
        self.commit(record.advanced(self.job, step))

    def storing(self, result: RenderResult) -> None:
        self.commit(record.advanced(self.job, {**self.job["progress"], "stage": Stage.STORING, "pages": result.pages}))

    def succeeded(self, result: RenderResult) -> None:
        ended = record.succeeded(self.job, len(result.pdf), result.pages, result.fidelity.as_dict())
        self.commit(ended, pdf=result.pdf)

    def failed(self, failure: RenderFailed) -> None:
        self.commit(record.failed(self.job, failure.error))

    def commit(self, job: Job, pdf: bytes = b"", forward_only: bool = False) -> None:
        """Make `job` (the outcome of one of tasks/job/record.py's transitions) the job's state, on both
        transports; `JobEnded` if the job ended meanwhile."""
        self.job = job
        if self._store(pdf, forward_only) < 0:
            raise JobEnded(self.job["id"])
        if is_terminal(self.job) and self.replicas.wanted > 0:
            self._until_replicated(pdf)

    def _store(self, pdf: bytes, forward_only: bool) -> int:
        """`JobStore.advance` of the job as it is now, waiting out a Redis restart."""
        state = self.job["state"]
        # Through a Redis restart the render waits at its next step rather
        # than failing a job that would have succeeded a few seconds later.
        deadline = time.monotonic() + OUTAGE_GRACE_SECONDS
        while True:
            try:
                if self._celery_due(state):
                    # Celery reads a RETRY result as an exception: its own record says PROGRESS.
                    self.task.update_state(state=PROGRESS if state == RETRY else state, meta=self.job)
                    self._celery_told = (time.monotonic(), self.job["progress"].get("stage"))
                written = self.store.advance(self.job, pdf, forward_only, after=self._event_id)
                break
            except (RedisError, OperationalError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        self._event_id = max(self._event_id, written)
        return written

    def _until_replicated(self, pdf: bytes) -> None:
        """Write the job's end again until the replicas hold it, or give up after `OUTAGE_GRACE_SECONDS`."""
        deadline = time.monotonic() + OUTAGE_GRACE_SECONDS
        while not self._replicated():
            if time.monotonic() > deadline:
                log.warning("job %s ended, but its replicas did not acknowledge its end", self.job["id"])
                return
            self._store(pdf, forward_only=False)  # -1: the primary holds the end already

    def _replicated(self) -> bool:
        try:
            return replicated(self.store.redis, self.replicas, self.replica_timeout)
        except RedisError:
            return False

    def _celery_due(self, state: str) -> bool:
        if state not in (STARTED, RETRY, PROGRESS) or self.task.request.called_directly:
            return False
        told_at, told_stage = self._celery_told
        stage = self.job["progress"].get("stage")
        return state != PROGRESS or stage != told_stage or time.monotonic() - told_at >= CELERY_STATE_INTERVAL
