"""Liveness and readiness: is Redis reachable, and how many workers answer."""

from __future__ import annotations

import time

from celery import Celery
from flask import Blueprint, Response, current_app, jsonify
from redis import Redis

from webapp.errors import RETRY_AFTER_SECONDS

bp = Blueprint("health", __name__)

WORKER_CACHE_SECONDS = 5.0
_workers_seen: dict[str, tuple[float, int]] = {}


@bp.get("/healthz")
def healthz() -> Response:
    redis: Redis = current_app.extensions["redis"]
    try:
        redis.ping()
    except Exception:
        response = jsonify(status="unavailable", redis="unreachable", workers=None)
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return jsonify(status="ok", redis="ok", workers=live_workers(current_app.extensions["celery"]))


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
