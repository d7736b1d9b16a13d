"""Liveness and readiness: is Redis reachable, and how many workers consume the render and webhook queues."""

from __future__ import annotations

import time
from dataclasses import dataclass

from celery import Celery
from flask import Blueprint, Response, current_app, jsonify
from redis import Redis
from redis.exceptions import ReadOnlyError
from redis.sentinel import MasterNotFoundError

from tasks.job import keys
from webapp.errors import STORE_RETRY_AFTER_SECONDS, refuses_for_replicas

bp = Blueprint("health", __name__)

WORKER_CACHE_SECONDS = 5.0
# Without a render worker the count is asked again sooner: one that starts is seen within a second.
NO_WORKER_CACHE_SECONDS = 1.0
INSPECT_TIMEOUT = 0.5
#: A worker that answered within this many seconds still counts when it misses a broadcast: a worker busy
#: under load may answer later than INSPECT_TIMEOUT, and health must not flap to 503 for it.
FORGET_SECONDS = 15.0
#: What a service without a render worker says: it takes jobs, but none will run.
NO_RENDER_WORKER = "no_render_worker"


@dataclass(frozen=True)
class Workers:
    """Workers that answered, by the queue they consume (a worker of both counts in both)."""

    render: int
    webhooks: int


_workers_seen: dict[str, tuple[float, Workers]] = {}
#: Per app: each worker's last answer (monotonic time) and the queues it consumes.
_answers: dict[str, dict[str, tuple[float, frozenset[str]]]] = {}


@bp.get("/healthz")
def healthz() -> Response:
    redis: Redis = current_app.extensions["redis"]
    try:
        # A write, not a PING: a demoted primary still answers PING.
        redis.set(PROBE_KEY, "1", px=PROBE_TTL_MS)
    except Exception as exc:
        response = jsonify(status="unavailable", redis=_outage(exc), workers=None, webhook_workers=None)
        response.status_code = 503
        response.headers["Retry-After"] = str(STORE_RETRY_AFTER_SECONDS)
        return response
    workers = live_workers(current_app.extensions["celery"])
    status = "ok" if workers.render else NO_RENDER_WORKER
    response = jsonify(status=status, redis="ok", workers=workers.render, webhook_workers=workers.webhooks)
    if not workers.render:
        # Not ready: a job accepted now would wait for a worker that may never come.
        response.status_code = 503
        response.headers["Retry-After"] = str(STORE_RETRY_AFTER_SECONDS)
    return response


PROBE_KEY = keys.HEALTH_PROBE
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


def live_workers(celery: Celery) -> Workers:
    """The workers that answered, counted by the queues they consume, cached for a few seconds; one that
    answered within FORGET_SECONDS still counts.

    One broadcast, as a ping is: each worker answers with its queues, so the webhook
    worker (which renders nothing) is not taken for a render worker."""
    # Per app and broker: tests build many apps, on Redis servers of their own.
    app_key = f"{celery.main}|{celery.conf.broker_url}"
    cached = _workers_seen.get(app_key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < (WORKER_CACHE_SECONDS if cached[1].render else NO_WORKER_CACHE_SECONDS):
        return cached[1]
    render_queue = celery.conf.task_default_queue
    webhook_queue = celery.conf.task_routes["tasks.deliver_webhook"]["queue"]
    try:
        replies = celery.control.inspect(timeout=INSPECT_TIMEOUT).active_queues() or {}
    except Exception:
        replies = {}
    answers = _answers.setdefault(app_key, {})
    for node, queues in replies.items():
        answers[node] = (now, frozenset(str(queue.get("name")) for queue in queues or ()))
    for node in [node for node, (when, _) in answers.items() if now - when > FORGET_SECONDS]:
        del answers[node]
    consumed = [names for _, names in answers.values()]
    workers = Workers(
        render=sum(render_queue in names for names in consumed),
        webhooks=sum(webhook_queue in names for names in consumed),
    )
    _workers_seen[app_key] = (now, workers)
    return workers
