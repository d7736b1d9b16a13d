"""A 202 only once the job is on the replicas there are: Redis `WAIT` after the submission's writes.

Redis replicates asynchronously: a primary that dies a moment after a write
takes the write with it. With `REDIS_WAIT_REPLICAS` set, a submission is
answered `202` only after that many replicas hold every write made before
the answer (the job record and its queue message among them), or as many as
are connected when fewer are, but never fewer than `REDIS_MIN_REPLICAS`; else
it is answered `503` with `Retry-After` (tasks/job/replication.py).
"""

from __future__ import annotations

from flask import current_app
from redis import Redis

from tasks.job.replication import Replicas, replicated
from webapp.errors import STORE_RETRY_AFTER_SECONDS, ApiError


def await_replicas(redis: Redis, broker: Redis | None = None) -> None:
    """Return once the replicas hold every write so far, on the job store's node and on the broker's node the
    render was queued on (the same one, but for a moment after two failovers in a row); `ApiError` 503 if
    they do not in time."""
    replicas = Replicas.configured(current_app.config)
    timeout = current_app.config["REDIS_WAIT_TIMEOUT"]
    nodes = [redis] if broker is None else [redis, broker]
    if replicas.wanted <= 0 or all(replicated(node, replicas, timeout) for node in nodes):
        return
    raise ApiError(
        503,
        "not_replicated",
        "The job was stored but not yet copied to a Redis replica, so it may not survive a "
        "failover. Send it again (with the same Idempotency-Key to get the same job).",
        headers={"Retry-After": str(STORE_RETRY_AFTER_SECONDS)},
    )
