"""The job record: the one JSON shape the API, the page and every event share."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any, Literal

Job = dict[str, Any]

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
    """An unguessable id: 144 random bits, URL-safe."""
    return secrets.token_urlsafe(18)


def utc_now() -> str:
    """The current time as ISO 8601 in UTC with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_job(job_id: str, filename: str) -> Job:
    """A freshly queued job."""
    now = utc_now()
    return {
        "id": job_id,
        "state": PENDING,
        "filename": filename,
        "progress": {"percent": 0.0, "stage": "queued", "pages": 0, "current": 0, "total": 0},
        "error": None,
        "pdf": None,
        # What may look different from a browser's rendering: FidelityReport.as_dict(), once rendered.
        "fidelity": None,
        "created_at": now,
        "updated_at": now,
    }


def to_json(value: object) -> str:
    """Compact JSON, as stored and sent."""
    return json.dumps(value, separators=(",", ":"))


def receipt(job: Job) -> Job:
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
    return f"job:{job_id}"
