"""The bound on queued work: past MAX_QUEUED_JOBS waiting in the broker, a new job is refused with 503."""

from __future__ import annotations

from celery import Celery
from flask import current_app

from webapp.errors import QUEUE_RETRY_AFTER_SECONDS, ApiError
from webapp.metrics import queue_depth


def refuse_when_full() -> None:
    """Raise a 503 `queue_full` with Retry-After when the job queue holds MAX_QUEUED_JOBS or more (0: no bound)."""
    bound: int = current_app.config["MAX_QUEUED_JOBS"]
    if bound <= 0:
        return
    celery: Celery = current_app.extensions["celery"]
    depth = queue_depth(celery)  # None: the broker is unreachable, and queueing will say so itself
    if depth is not None and depth >= bound:
        raise ApiError(
            503,
            "queue_full",
            f"{depth} jobs are waiting for a worker, as many as this service queues (MAX_QUEUED_JOBS). "
            "Wait for the number of seconds in the Retry-After header, then try again.",
            headers={"Retry-After": str(QUEUE_RETRY_AFTER_SECONDS)},
        )
