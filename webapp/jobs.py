"""The JSON API for jobs: submit, look up, download, cancel or delete."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime

from celery import Celery
from flask import Blueprint, Response, current_app, request, send_file
from redis.exceptions import RedisError

from tasks.job import metrics
from tasks.job.record import (
    BATCH,
    PROGRESS,
    RETRY,
    STARTED,
    Job,
    cancelled,
    is_terminal,
    lost,
    new_job_id,
    queued,
    routed,
    to_json,
    webhook_record,
)
from tasks.job.store import JobStore, Snapshot, part_fields
from tasks.sending import dispatch
from webapp import backpressure, reuse, splitting
from webapp.access import require_token
from webapp.disposition import content_disposition
from webapp.durability import await_replicas
from webapp.errors import ApiError
from webapp.intake import read_submission
from webapp.quota import admit, stored_bytes
from webapp.webhooks import deliver_if_ended

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
    if snapshot is not None and _lost(snapshot.job):
        store.advance(lost(snapshot.job))
        snapshot = store.snapshot(job_id)
    if snapshot is None:
        hours = current_app.config["RESULT_TTL"] / 3600
        raise ApiError(
            404,
            "job_not_found",
            f"No job {job_id!r}. Job ids are kept for {hours:g} h after a job ends; "
            "this one is unknown, expired or deleted.",
        )
    return snapshot


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
    """Accept HTML, store it with a new job record, queue the render: 202.

    A retried POST with the same Idempotency-Key gets the job the first one
    made; the same HTML and options as a PDF still stored get a copy of it.
    """
    config = current_app.config
    submission = read_submission(request, config["MAX_HTML_BYTES"], config["MAX_DEPTH"])
    webhook = webhook_record(submission.callback_url) if submission.callback_url is not None else None
    job = queued(new_job_id(), submission.filename, parts=len(submission.parts), webhook=webhook)
    store = job_store()
    digest = reuse.fingerprint(submission)
    earlier = reuse.idempotent_job(store, submission.idempotency_key, digest, job)
    if earlier is not None:
        return _accepted(earlier.json, earlier.job["id"])
    quota = admit(store.redis, request, job["id"], stored_bytes(submission))
    copied = reuse.stored_result(store, digest, job, quota) if submission.reuse and reuse.reusable(submission) else None
    if copied is not None:
        deliver_if_ended(copied)
        return _accepted(to_json(copied), job["id"])
    backpressure.refuse_when_full()  # only new renders add to the queue: repeats and copies above do not
    fields: dict[str, str | int] = part_fields(submission.parts) if submission.parts else {}
    if quota:
        fields["quota"] = quota
    html = "" if submission.parts else submission.html  # a batch's HTML lives in its parts
    route = None if submission.parts else splitting.route(job["id"], html, submission.split)
    if route is not None and route.render is not None:
        job = routed(job, route.render)
    if not submission.finishing.is_empty():
        # Deleted when the job ends (tasks/job/store.py): it holds the passwords.
        fields["finishing"] = to_json(submission.finishing.as_dict())
    store.create(job, html, submission.options.as_dict(), submission.assets, fields)
    celery: Celery = current_app.extensions["celery"]
    try:
        if route is None:
            sent = dispatch(celery, job["id"], len(submission.parts), BATCH)
            parts = [f"{job['id']}.{index}" for index in range(len(submission.parts))]
        else:
            sent, parts = celery.send_task(route.task, args=route.args, task_id=job["id"]), []
        _let_go(celery, [sent.id, *parts])
    except Exception:
        store.delete(job["id"])
        raise
    _count_submitted(store)
    if reuse.reusable(submission):
        reuse.remember_result(store, digest, job["id"])
    try:
        return _accepted(to_json(job), job["id"])
    except ApiError:
        _forget(store, job["id"])  # not accepted, so not run either: the render finds no record
        raise


def _forget(store: JobStore, job_id: str) -> None:
    try:
        store.delete(job_id)
    except RedisError:
        log.warning("could not delete job %s, which was not accepted", job_id)


def _let_go(celery: Celery, task_ids: list[str]) -> None:
    """Stop listening for Celery's results of the tasks just queued: the job store says how a job went.

    Sending a task subscribes this process to its result; left to the garbage
    collector, the unsubscribe ran in AsyncResult.__del__, at any later time,
    and opened a Redis connection there that nothing closed.
    """
    consumer = getattr(celery.backend, "result_consumer", None)
    if consumer is not None:
        for task_id in task_ids:
            consumer.cancel_for(task_id)


def _count_submitted(store: JobStore) -> None:
    """The one place a job queued for rendering is counted (copies and Idempotency-Key repeats are not renders)."""
    try:
        metrics.count_submitted(store.redis)
    except RedisError:
        # The job is queued: a lost count must not refuse it.
        log.warning("could not count a submitted job", exc_info=True)


def _accepted(job_json: str, job_id: str) -> Response:
    await_replicas(job_store().redis)
    response = current_app.response_class(job_json, status=202, mimetype="application/json")
    response.headers["Location"] = f"/api/jobs/{job_id}"
    return response


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
