"""A 202 only once the job is on a replica: Redis `WAIT` after the submission's writes.

Redis replicates asynchronously: a primary that dies a moment after a write
takes the write with it. With `REDIS_WAIT_REPLICAS` set, a submission is
answered `202` only after that many replicas hold every write made before
the answer (the job record and its queue message among them), so a failover
cannot lose an accepted job; else it is answered `503` with `Retry-After`.
"""

from __future__ import annotations

from flask import current_app
from redis import Redis

from tasks.job.store import replicated
from webapp.errors import STORE_RETRY_AFTER_SECONDS, ApiError


def await_replicas(redis: Redis) -> None:
    """Return once `REDIS_WAIT_REPLICAS` replicas hold every write so far; `ApiError` 503 if they do not in time."""
    wanted: int = current_app.config["REDIS_WAIT_REPLICAS"]
    if wanted <= 0 or replicated(redis, wanted, current_app.config["REDIS_WAIT_TIMEOUT"]):
        return
    raise ApiError(
        503,
        "not_replicated",
        f"The job was stored but not yet copied to {wanted} Redis replica(s), so it may not survive a "
        "failover. Send it again (with the same Idempotency-Key to get the same job).",
        headers={"Retry-After": str(STORE_RETRY_AFTER_SECONDS)},
    )
