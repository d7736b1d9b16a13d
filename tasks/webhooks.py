"""Webhooks: when a job ends, POST its JSON to the job's callback_url, signed, retried with backoff.

Deliveries go to a queue of their own (WEBHOOK_QUEUE), served by a worker of
their own (Procfile `webhooks`, a pool of threads): a receiver that never
answers holds a thread of that worker for the 10 s timeout, never a render
process, and at most WEBHOOK_PER_RECEIVER of them at once.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import time
from typing import Any

from celery import Task, shared_task
from flask import current_app

from tasks.delivery.http import Refused, post, signature
from tasks.delivery.slots import acquire, release
from tasks.job.record import WEBHOOK_PENDING, Job, is_terminal
from tasks.job.store import JobStore
from tasks.sending import DELIVER_WEBHOOK

log = logging.getLogger(__name__)

PENDING = WEBHOOK_PENDING
DELIVERED = "delivered"
FAILED = "failed"
MAX_RETRY_DELAY_SECONDS = 3600.0
# A delivery that finds its receiver busy looks again after 1-2 times this.
BUSY_RETRY_SECONDS = 1.0
USER_AGENT = "html2pdf-live-webhook/1"


def body_of(job: Job) -> bytes:
    """The bytes POSTed: the job JSON without its `webhook` object, the same on every attempt."""
    return json.dumps({name: value for name, value in job.items() if name != "webhook"}, separators=(",", ":")).encode()


def retry_delay(base: float, attempts: int) -> float:
    """Seconds before the next try: `base` doubled after each failed attempt, at most an hour."""
    return float(min(base * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY_SECONDS))


@shared_task(bind=True, name=DELIVER_WEBHOOK, ignore_result=True, max_retries=None)
def deliver_webhook(self: Task, job_id: str) -> None:
    """Make one delivery attempt for job `job_id`'s webhook; retry later unless it succeeded or gave up."""
    config = current_app.config
    store: JobStore = current_app.extensions["job_store"]
    snapshot = store.snapshot(job_id)
    if snapshot is None:
        return  # deleted or expired: nobody to tell about
    job = snapshot.job
    hook = job.get("webhook")
    if not is_terminal(job) or not hook or hook["state"] != PENDING:
        return  # nothing to send, or a duplicate of a delivery that is over
    slot = acquire(store.redis, hook["url"], config["WEBHOOK_PER_RECEIVER"])
    if slot is None:
        # That receiver has its share of deliveries in flight: wait, without counting an attempt.
        raise self.retry(countdown=BUSY_RETRY_SECONDS * (1 + random.random()))
    try:
        attempt(job, config["WEBHOOK_SECRET"], config["WEBHOOK_ALLOW_PRIVATE"], config["WEBHOOK_MAX_ATTEMPTS"])
    finally:
        release(store.redis, hook["url"], slot)
    if not store.rewrite_ended(job):
        return  # deleted meanwhile
    if hook["state"] == PENDING:
        raise self.retry(countdown=retry_delay(config["WEBHOOK_RETRY_DELAY"], hook["attempts"]))


def attempt(job: Job, secret: str, allow_private: bool, max_attempts: int) -> None:
    """POST `job` to its callback URL once; update its `webhook` object with the outcome."""
    hook: dict[str, Any] = job["webhook"]
    body = body_of(job)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Webhook-Id": job["id"],
        "X-Webhook-Attempt": str(hook["attempts"] + 1),
        "X-Webhook-Timestamp": timestamp,
        "X-Signature-SHA256": signature(secret, timestamp, body),
    }
    status: int | None = None
    try:
        status = post(hook["url"], body, headers, allow_private)
    except Refused as exc:
        # Permanent, and no request was made: no retry, no attempt counted.
        hook.update(state=FAILED, last_status=None, last_error=f"refused: {exc}")
        return
    except (OSError, http.client.HTTPException) as exc:
        error: str | None = _network_error(exc)
    else:
        error = None if 200 <= status < 300 else f"the callback answered HTTP {status}"
    hook.update(attempts=hook["attempts"] + 1, last_status=status, last_error=error)
    if error is None:
        hook["state"] = DELIVERED
    elif hook["attempts"] >= max_attempts:
        hook["state"] = FAILED


def _network_error(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "the callback did not answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return "the callback refused the connection"
    return f"could not reach the callback ({type(exc).__name__})"
