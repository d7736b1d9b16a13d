"""The JSON API for jobs: submit, list, look up, download, cancel or delete."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, request, send_file

from tasks.job.record import (
    PROGRESS,
    RETRY,
    STARTED,
    Job,
    cancelled,
    is_terminal,
    lost,
)
from tasks.job.store import JobStore, Snapshot
from webapp import listing, submitting
from webapp.access import client_identity, require_token
from webapp.disposition import content_disposition
from webapp.durability import await_replicas
from webapp.errors import ApiError
from webapp.intake import read_submission

bp = Blueprint("jobs", __name__, url_prefix="/api/jobs")
log = logging.getLogger(__name__)
bp.before_request(require_token)

# The hard time limit is the soft one plus 30 s; past that and a little more,
# a job still "running" has lost its worker for good.
STALE_GRACE_SECONDS = 90


def job_store() -> JobStore:
    store: JobStore = current_app.extensions["job_store"]
    return store


def find_job(job_id: str) -> Snapshot:
    """The job's latest snapshot, or a 404 that says why it may be missing."""
    store = job_store()
    snapshot = store.snapshot(job_id)
    if snapshot is not None:
        snapshot = _noticed_lost(store, snapshot)
    if snapshot is None:
        hours = current_app.config["RESULT_TTL"] / 3600
        raise ApiError(
            404,
            "job_not_found",
            f"No job {job_id!r}. Job ids are kept for {hours:g} h after a job ends; "
            "this one is unknown, expired or deleted.",
        )
    return snapshot


def _noticed_lost(store: JobStore, snapshot: Snapshot) -> Snapshot:
    """`snapshot`, or the job's FAILURE (`worker_lost`) if it had run silent too long; as it was if gone since."""
    if not _lost(snapshot.job):
        return snapshot
    store.advance(lost(snapshot.job))
    return store.snapshot(snapshot.job["id"]) or snapshot


def _lost(job: Job) -> bool:
    """A running job with no news for longer than any render may take: its worker is gone."""
    if job["state"] not in (STARTED, RETRY, PROGRESS):
        return False
    silent = datetime.now(UTC) - datetime.fromisoformat(job["updated_at"])
    limit: int = current_app.config["RENDER_TIME_LIMIT"]
    return silent.total_seconds() > limit + STALE_GRACE_SECONDS


def _job_response(snapshot: Snapshot, status: int = 200) -> Response:
    return current_app.response_class(snapshot.json, status=status, mimetype="application/json")


@bp.post("")
def submit() -> Response:
    """Accept HTML, store it with a new job record, queue the render: 202 (webapp/submitting.py decides how)."""
    config = current_app.config
    submission = read_submission(request, config["MAX_HTML_BYTES"], config["MAX_DEPTH"])
    accepted = submitting.submit(submission, client_identity())
    try:
        await_replicas(job_store().redis, accepted.broker)
        return _accepted(accepted.json, accepted.job_id)
    except ApiError:
        if accepted.queued:
            submitting.forget(accepted.job_id)  # not accepted, so not run either: the render finds no record
        raise


def _accepted(job_json: str, job_id: str) -> Response:
    response = current_app.response_class(job_json, status=202, mimetype="application/json")
    response.headers["Location"] = f"/api/jobs/{job_id}"
    return response


@bp.get("")
def list_jobs() -> Response:
    """The caller's own jobs, newest first, a page at a time (`limit`, `cursor`), by `state`."""
    store = job_store()
    page = listing.owned_jobs(request, store)
    jobs = [_noticed_lost(store, snapshot).json for snapshot in page.jobs]
    return current_app.response_class(listing.page_json(page, jobs), mimetype="application/json")


@bp.get("/<job_id>")
def status(job_id: str) -> Response:
    return _job_response(find_job(job_id))


@bp.get("/<job_id>/pdf")
def pdf(job_id: str) -> Response:
    job = find_job(job_id).job
    data = job_store().pdf(job_id) if job["pdf"] else None
    if data is None:
        raise ApiError(
            409,
            "not_ready",
            f"The PDF is not ready: the job is {job['state']}. Wait for SUCCESS (watch /events or poll the job).",
        )
    # ?disposition=inline lets a browser show it in a frame, under its own name.
    inline = request.args.get("disposition") == "inline"
    response = send_file(io.BytesIO(data), mimetype="application/pdf", max_age=0)
    response.headers["Content-Disposition"] = content_disposition(job["filename"], inline=inline)
    return response


@bp.delete("/<job_id>")
def cancel_or_delete(job_id: str) -> Response:
    """Cancel a queued or running job (202), or delete an ended one (204)."""
    if _cancel(job_id):
        return _job_response(find_job(job_id), status=202)
    job_store().delete(job_id)
    return current_app.response_class(status=204)


@bp.post("/<job_id>/cancel")
def cancel(job_id: str) -> Response:
    """Cancel a queued or running job (202); an ended job is left as it is (409)."""
    if _cancel(job_id):
        return _job_response(find_job(job_id), status=202)
    state = find_job(job_id).job["state"]
    raise ApiError(409, "already_ended", f"The job has already ended ({state}); there is nothing to cancel.")


def _cancel(job_id: str) -> bool:
    """End the job as REVOKED if it is still queued or running; False if it had ended."""
    store = job_store()
    job = find_job(job_id).job
    if is_terminal(job):
        return False
    if store.advance(cancelled(job)) < 0:
        return False
    # The worker notices at its next progress step; a queued message is
    # dropped when a worker picks it up and sees the job has ended.
    current_app.extensions["celery"].control.revoke(job_id)
    return True
