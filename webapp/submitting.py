"""Submitting a job: from a submission read once to the job it made, in one function a test can call without HTTP.

The view (webapp/jobs.py) only reads the request and answers it; what a submission becomes — a repeat
of an earlier one, a copy of a stored PDF, or a new render queued whole, split or as a batch — is
decided here, once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from celery import Celery
from flask import current_app
from redis import Redis
from redis.exceptions import RedisError

from tasks.job import metrics
from tasks.job.record import BATCH, new_job_id, queued, routed, to_json, webhook_record
from tasks.job.store import JobStore, part_fields
from tasks.sending import broker_redis, dispatch
from webapp import backpressure, reuse, splitting
from webapp.intake import Submission
from webapp.quota import admit, stored_bytes
from webapp.webhooks import deliver_if_ended

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accepted:
    """What a submission made: its job (as JSON), whether it is a new render (so it can be undone), and the
    broker's node its render was queued on (for the 202's replica check), when that is Redis."""

    job_id: str
    json: str
    queued: bool
    broker: Redis | None = None


def submit(submission: Submission, client: str) -> Accepted:
    """Store `submission` from `client` as a job and queue its render, or answer it from an earlier job.

    A submission with the Idempotency-Key of an earlier one gets that job; the same content as a
    PDF still stored for the same client gets a copy of it; else a new job is queued. Raises
    `ApiError` for a quota, a full queue or a reused key.
    """
    store: JobStore = current_app.extensions["job_store"]
    webhook = webhook_record(submission.callback_url) if submission.callback_url is not None else None
    job = queued(new_job_id(), submission.filename, parts=len(submission.parts), webhook=webhook)
    digest = reuse.fingerprint(submission)
    earlier = reuse.idempotent_job(store, client, submission.idempotency_key, digest, job)
    if earlier is not None:
        return Accepted(earlier.job["id"], earlier.json, queued=False)
    quota = admit(store.redis, client, job["id"], stored_bytes(submission))
    reusable = submission.reuse and reuse.reusable(submission)
    copied = reuse.stored_result(store, client, digest, job, quota) if reusable else None
    if copied is not None:
        store.own(client, copied)
        deliver_if_ended(copied)
        return Accepted(job["id"], to_json(copied), queued=False)
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
        fields["finishing:steps"] = ",".join(submission.finishing.steps())
    store.create(job, html, submission.options.as_dict(), submission.assets, fields)
    store.own(client, job)
    celery: Celery = current_app.extensions["celery"]
    try:
        with celery.producer_or_acquire() as producer:
            if route is None:
                sent = dispatch(celery, job["id"], len(submission.parts), BATCH, producer)
                parts = [f"{job['id']}.{index}" for index in range(len(submission.parts))]
            else:
                sent = celery.send_task(route.task, args=route.args, task_id=job["id"], producer=producer)
                parts = []
            broker = broker_redis(producer)
        _let_go(celery, [sent.id, *parts])
    except Exception:
        store.delete(job["id"])
        raise
    _count_submitted(store)
    if reuse.reusable(submission):
        reuse.remember_result(store, client, digest, job["id"])
    return Accepted(job["id"], to_json(job), queued=True, broker=broker)


def forget(job_id: str) -> None:
    """Delete job `job_id`, queued but not accepted after all (no replica holds it): its render finds no record."""
    store: JobStore = current_app.extensions["job_store"]
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
