"""The job model: the one JSON shape the API, the page and every event share, and the named
transitions that are the only way a job's state changes (each returns the job as it is after it)."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any, Literal, NotRequired, TypedDict

from tasks.document.stages import ProgressRecord, Stage
from tasks.job import keys


class PdfRecord(TypedDict):
    """Where a finished job's PDF is and what it holds."""

    url: str
    bytes: int
    pages: int


class Job(TypedDict):
    """A job, as stored, answered and sent in every event."""

    id: str
    state: str
    filename: str
    progress: ProgressRecord
    error: dict[str, str] | None  # {"code", "message"}: the shape of every HTTP error
    pdf: PdfRecord | None
    # What may look different from a browser's rendering: FidelityReport.as_dict(), once rendered.
    fidelity: dict[str, Any] | None
    created_at: str
    updated_at: str
    render: NotRequired[dict[str, Any]]  # whole or in parts, and why (tasks/split_render.py)
    webhook: NotRequired[dict[str, Any]]  # the callback and how its delivery went (tasks/webhooks.py)


# What a job rendered in parts is made of, said in its tasks' arguments:
# a batch's documents (each given the job's page options, joined with a
# bookmark each) or the pieces of one split document (prepared whole before
# the cut, joined under one set of page numbers).
Parts = Literal["batch", "split"]
BATCH: Parts = "batch"
SPLIT: Parts = "split"

PENDING = "PENDING"
STARTED = "STARTED"
PROGRESS = "PROGRESS"
RETRY = "RETRY"
SUCCESS = "SUCCESS"
FAILURE = "FAILURE"
REVOKED = "REVOKED"
TERMINAL_STATES = frozenset({SUCCESS, FAILURE, REVOKED})


def new_job_id() -> str:
    """An unguessable id: 144 random bits, URL-safe, never beginning with "-", which a command line
    (the client's `status <id>`) would take for an option: one id in 64 did."""
    while True:
        job_id = secrets.token_urlsafe(18)
        if not job_id.startswith("-"):
            return job_id


def utc_now() -> str:
    """The current time as ISO 8601 in UTC with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def progress(stage: Stage, percent: float = 0.0, pages: int = 0, current: int = 0, total: int = 0) -> ProgressRecord:
    """A job's `progress`."""
    return {"percent": percent, "stage": stage, "pages": pages, "current": current, "total": total}


# --- Transitions: the only ways a job's state changes ------------------------------------------------


def queued(job_id: str, filename: str, *, parts: int = 0, webhook: dict[str, Any] | None = None) -> Job:
    """A job just submitted; a batch of `parts` documents counts them in `current`/`total` from the start."""
    now = utc_now()
    job: Job = {
        "id": job_id,
        "state": PENDING,
        "filename": filename,
        "progress": progress(Stage.QUEUED, total=parts),
        "error": None,
        "pdf": None,
        "fidelity": None,
        "created_at": now,
        "updated_at": now,
    }
    if webhook is not None:
        job["webhook"] = webhook
    return job


#: A webhook not delivered yet (nor given up on): tasks/webhooks.py moves it on.
WEBHOOK_PENDING = "pending"


def webhook_record(url: str) -> dict[str, Any]:
    """The `webhook` object of a new job's JSON: nothing sent yet."""
    return {"url": url, "state": WEBHOOK_PENDING, "attempts": 0, "last_status": None, "last_error": None}


def routed(job: Job, render: dict[str, Any]) -> Job:
    """The job with the route its document takes (whole, or in parts) and why."""
    return {**job, "render": render}


def started(job: Job, *, retrying: bool = False, total: int = 0) -> Job:
    """The render begins (again, after a worker was lost, when `retrying`); `total` parts, if in parts."""
    return _moved(job, RETRY if retrying else STARTED, progress(Stage.PARSING, total=total))


def advanced(job: Job, step: ProgressRecord) -> Job:
    """The render has got to `step`."""
    return _moved(job, PROGRESS, step)


def succeeded(job: Job, pdf_bytes: int, pages: int, fidelity: dict[str, Any]) -> Job:
    """The PDF is made: every unit of work it counted is done."""
    total = job["progress"]["total"]
    ended = _moved(job, SUCCESS, progress(Stage.DONE, 100.0, pages, total, total))
    ended["pdf"] = {"url": pdf_url(job["id"]), "bytes": pdf_bytes, "pages": pages}
    ended["fidelity"] = fidelity
    return ended


def failed(job: Job, error: dict[str, str]) -> Job:
    """The job failed with `error` ({"code", "message"}), its bar left where it stopped."""
    return {**_moved(job, FAILURE, {**job["progress"], "stage": Stage.FAILED}), "error": error}


def cancelled(job: Job) -> Job:
    """Cancelled by its submitter while queued or running."""
    return _moved(job, REVOKED, {**job["progress"], "stage": Stage.CANCELLED})


LOST = {
    "code": "worker_lost",
    "message": "The worker rendering this document stopped responding and the job was abandoned. Submit it again.",
}


def lost(job: Job) -> Job:
    """A running job whose worker has not been heard from for longer than any render may take."""
    return {**_moved(job, FAILURE, job["progress"]), "error": LOST}


def reused_from(job: Job, done: Job) -> Job:
    """`job`, ended at once as a copy of `done`, an earlier job of the same content that succeeded."""
    assert done["pdf"] is not None, "only a job with a PDF is reused"
    copy = _moved(job, SUCCESS, done["progress"])
    copy["pdf"] = {**done["pdf"], "url": pdf_url(job["id"])}
    copy["fidelity"] = done["fidelity"]
    return copy


def _moved(job: Job, state: str, step: ProgressRecord) -> Job:
    return {**job, "state": state, "progress": step, "updated_at": utc_now()}


def to_json(value: object) -> str:
    """Compact JSON, as stored and sent."""
    return json.dumps(value, separators=(",", ":"))


#: What a task returns: the job without its fidelity report (`receipt`).
Receipt = dict[str, Any]


def receipt(job: Job) -> Receipt:
    """What a task returns, so what Celery's result backend keeps: the job without its fidelity report.

    The report is the part of the record a document fills; the job store
    holds it once, counted against its client's storage (webapp/quota.py).
    """
    return {name: value for name, value in job.items() if name != "fidelity"}


def is_terminal(job: Job) -> bool:
    return job["state"] in TERMINAL_STATES


def pdf_url(job_id: str) -> str:
    return f"/api/jobs/{job_id}/pdf"


def channel(job_id: str) -> str:
    """The pub/sub channel a job's events travel on."""
    return keys.CHANNEL_PREFIX + job_id
