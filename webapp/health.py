"""Liveness and readiness: is Redis reachable, and how many workers answer."""

from __future__ import annotations

import time

from celery import Celery
from flask import Blueprint, Response, current_app, jsonify
from redis import Redis
from redis.exceptions import ReadOnlyError
from redis.sentinel import MasterNotFoundError

from webapp.errors import STORE_RETRY_AFTER_SECONDS, refuses_for_replicas

bp = Blueprint("health", __name__)

WORKER_CACHE_SECONDS = 5.0
_workers_seen: dict[str, tuple[float, int]] = {}


@bp.get("/healthz")
def healthz() -> Response:
    redis: Redis = current_app.extensions["redis"]
    try:
        # A write, not a PING: a demoted primary still answers PING.
        redis.set(PROBE_KEY, "1", px=PROBE_TTL_MS)
    except Exception as exc:
        response = jsonify(status="unavailable", redis=_outage(exc), workers=None)
        response.status_code = 503
        response.headers["Retry-After"] = str(STORE_RETRY_AFTER_SECONDS)
        return response
    return jsonify(status="ok", redis="ok", workers=live_workers(current_app.extensions["celery"]))


PROBE_KEY = "healthz:probe"
PROBE_TTL_MS = 60_000


def _outage(exc: Exception) -> str:
    """What stands in the way: no primary (Sentinel is failing over), a read-only one, one short of replicas,
    or no answer."""
    if isinstance(exc, MasterNotFoundError):
        return "no_primary"
    if refuses_for_replicas(exc):
        return "no_replicas"
    if isinstance(exc, ReadOnlyError) or "now a slave" in str(exc):
        return "read_only"
    return "unreachable"


def live_workers(celery: Celery) -> int:
    """How many Celery workers answered a ping, cached for a few seconds."""
    cached = _workers_seen.get(celery.main or "")
    now = time.monotonic()
    if cached is not None and now - cached[0] < WORKER_CACHE_SECONDS:
        return cached[1]
    try:
        count = len(celery.control.ping(timeout=0.5) or [])
    except Exception:
        count = 0
    _workers_seen[celery.main or ""] = (now, count)
    return count
