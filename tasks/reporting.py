"""Report a job's progress on both transports: Celery's state and the job's channel."""

from __future__ import annotations

from celery import Task

from tasks.job import FAILURE, PROGRESS, REVOKED, STARTED, SUCCESS, Job, pdf_url, utc_now
from tasks.progress import Progress
from tasks.renderer import RenderResult
from tasks.store import JobStore


class JobEnded(Exception):
    """The job was cancelled, deleted or expired while it ran."""


class Reporter:
    """Writes each new state of one job through `update_state` and a publish."""

    def __init__(self, task: Task, store: JobStore, job: Job) -> None:
        self.task = task
        self.store = store
        self.job = job

    def started(self) -> None:
        self._write(STARTED, {**self.job["progress"], "stage": "parsing"})

    def progress(self, step: Progress) -> None:
        self._write(PROGRESS, step.as_dict())

    def storing(self, result: RenderResult) -> None:
        self._write(PROGRESS, {**self.job["progress"], "stage": "storing", "pages": result.pages})

    def succeeded(self, result: RenderResult) -> None:
        self.job["pdf"] = {
            "url": pdf_url(self.job["id"]),
            "bytes": len(result.pdf),
            "pages": result.pages,
        }
        progress = {"percent": 100.0, "stage": "done", "pages": result.pages, "current": 0, "total": 0}
        self._write(SUCCESS, progress, pdf=result.pdf)

    def failed(self, message: str) -> None:
        self.job["error"] = message
        self._write(FAILURE, {**self.job["progress"], "stage": "failed"})

    def cancelled(self) -> None:
        self._write(REVOKED, {**self.job["progress"], "stage": "cancelled"})

    def _write(self, state: str, progress: dict[str, object], pdf: bytes = b"") -> None:
        self.job.update(state=state, progress=progress, updated_at=utc_now())
        if state in (STARTED, PROGRESS) and not self.task.request.called_directly:
            self.task.update_state(state=state, meta=self.job)
        if self.store.advance(self.job, pdf) < 0:
            raise JobEnded(self.job["id"])
