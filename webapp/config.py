"""The one place that reads the environment: turns it into the app's settings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from webapp.redis_client import (
    DEFAULT_MASTER_NAME,
    RedisTarget,
    celery_transport_options,
    celery_url,
    parse_sentinels,
)

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
MiB = 1024 * 1024


def load_config(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Settings from `environ` (the process environment by default).

    `REDIS_URL` is the knob most deployments touch: the broker, the result
    backend, job storage and the event channels all derive from it unless
    `CELERY_BROKER_URL` or `CELERY_RESULT_BACKEND` say otherwise. With
    `REDIS_SENTINELS` every one of them finds the primary through Sentinel.
    """
    env = os.environ if environ is None else environ
    redis_url = env.get("REDIS_URL") or DEFAULT_REDIS_URL
    target = RedisTarget(
        redis_url,
        parse_sentinels(env.get("REDIS_SENTINELS", "")),
        env.get("REDIS_MASTER_NAME") or DEFAULT_MASTER_NAME,
        env.get("REDIS_SENTINEL_PASSWORD", ""),
    )
    max_html = _int(env, "MAX_HTML_BYTES", 10 * MiB)
    max_upload = _int(env, "MAX_UPLOAD_BYTES", 20 * MiB)
    render_limit = _int(env, "RENDER_TIME_LIMIT", 300)
    wait_replicas = _int(env, "REDIS_WAIT_REPLICAS", 0)
    config: dict[str, Any] = {
        "REDIS_URL": redis_url,
        "REDIS_SENTINELS": target.sentinels,
        "REDIS_MASTER_NAME": target.master_name,
        "REDIS_SENTINEL_PASSWORD": target.sentinel_password,
        # A 202 only once the job's record and queue message are on this many replicas
        # (Redis WAIT), or on as many as are connected when fewer are but at least
        # REDIS_MIN_REPLICAS, or a 503 after REDIS_WAIT_TIMEOUT seconds: 0 answers at once.
        "REDIS_WAIT_REPLICAS": wait_replicas,
        "REDIS_MIN_REPLICAS": min(_int(env, "REDIS_MIN_REPLICAS", 0), wait_replicas),
        "REDIS_WAIT_TIMEOUT": float(env.get("REDIS_WAIT_TIMEOUT") or "1"),
        "MAX_HTML_BYTES": max_html,
        # Room for multipart framing and a JSON envelope around the HTML;
        # the HTML itself is measured again after decoding.
        "MAX_CONTENT_LENGTH": max(max_html, max_upload) + 64 * 1024,
        "MAX_UPLOAD_BYTES": max_upload,
        "MAX_UNPACKED_BYTES": _int(env, "MAX_UNPACKED_BYTES", 50 * MiB),
        # A request body must arrive whole within this many seconds; one address may send this many
        # at once to one web process (webapp/slow_clients.py).
        "REQUEST_BODY_TIMEOUT": float(env.get("REQUEST_BODY_TIMEOUT") or "30"),
        "UPLOADS_PER_CLIENT": max(_int(env, "UPLOADS_PER_CLIENT", 8), 1),
        "RESULT_TTL": _int(env, "RESULT_TTL", 24 * 3600),
        "RENDER_TIME_LIMIT": render_limit,
        "MAX_ATTEMPTS": _int(env, "MAX_ATTEMPTS", 3),
        "MAX_DEPTH": _int(env, "MAX_DEPTH", 200),
        "MAX_PAGES": _int(env, "MAX_PAGES", 2000),
        "MAX_PDF_BYTES": _int(env, "MAX_PDF_BYTES", 100 * MiB),
        # Bytes one client may keep in Redis (webapp/quota.py): 0 for no quota.
        "CLIENT_STORAGE_BYTES": _int(env, "CLIENT_STORAGE_BYTES", 256 * MiB),
        # Most parts one long document is rendered in at once (tasks/split_render.py); 1: no automatic split.
        "SPLIT_MAX_PARTS": max(_int(env, "SPLIT_MAX_PARTS", 8), 1),
        "WORKER_MEMORY_MB": _int(env, "WORKER_MEMORY_MB", 2048),
        # Directories of *.ttf embedded for characters the built-in fonts lack (tasks/fonts/fallback.py).
        "FONT_DIRS": tuple(folder for folder in env.get("FONT_DIRS", "").split(os.pathsep) if folder.strip()),
        "API_TOKENS": frozenset(token.strip() for token in env.get("API_TOKENS", "").split(",") if token.strip()),
        # Per-client submission limits are opt-in: the queue absorbs bursts, and
        # MAX_QUEUED_JOBS bounds it (webapp/backpressure.py).
        "RATE_LIMIT": env.get("RATE_LIMIT", "").strip(),
        "MAX_QUEUED_JOBS": _int(env, "MAX_QUEUED_JOBS", 1000),
        # Proxies in front of the service that append to X-Forwarded-For; 0: the
        # header is ignored and the client is the connection's address.
        "TRUSTED_PROXY_COUNT": _int(env, "TRUSTED_PROXY_COUNT", 0),
        "ALLOWED_HOSTS": frozenset(
            host.strip().lower() for host in env.get("ALLOWED_HOSTS", "").split(",") if host.strip()
        ),
        "SSE_KEEPALIVE": float(env.get("SSE_KEEPALIVE", "15")),
        # A stream opened while Redis is away (a Sentinel switch) is held open this long, waiting for it,
        # rather than answered 503, which makes a browser's EventSource give up for good.
        "SSE_STORE_WAIT": float(env.get("SSE_STORE_WAIT", "30")),
        # Per web process: streams share one subscription, and their snapshot
        # reads wait their turn for one of these rather than open more.
        "REDIS_MAX_CONNECTIONS": _int(env, "REDIS_MAX_CONNECTIONS", 8),
        # Webhooks (tasks/webhooks.py): the signing secret, and whether callbacks
        # may go to private, loopback or link-local addresses (off: SSRF).
        "WEBHOOK_SECRET": env.get("WEBHOOK_SECRET", ""),
        "WEBHOOK_ALLOW_PRIVATE": env.get("WEBHOOK_ALLOW_PRIVATE", "").strip().lower() in ("1", "true", "yes", "on"),
        "WEBHOOK_RETRY_DELAY": float(env.get("WEBHOOK_RETRY_DELAY") or "10"),
        "WEBHOOK_MAX_ATTEMPTS": _int(env, "WEBHOOK_MAX_ATTEMPTS", 5),
        # Deliveries in flight to one receiver (host and port) at once, across every webhook worker.
        "WEBHOOK_PER_RECEIVER": max(_int(env, "WEBHOOK_PER_RECEIVER", 2), 1),
        # The operator's signing identity (options.sign, tasks/finishing/sign.py): a PKCS#12 file and its
        # passphrase, or a PEM key (and its passphrase) with a PEM chain, the signer's certificate first.
        # Secrets: never logged, never in a job. With TIMESTAMP_URL, signatures are PAdES B-T, else B-B.
        "SIGNING_PKCS12": env.get("SIGNING_PKCS12", "").strip(),
        "SIGNING_PKCS12_PASSPHRASE": env.get("SIGNING_PKCS12_PASSPHRASE", ""),
        "SIGNING_KEY": env.get("SIGNING_KEY", "").strip(),
        "SIGNING_KEY_PASSPHRASE": env.get("SIGNING_KEY_PASSPHRASE", ""),
        "SIGNING_CERT_CHAIN": env.get("SIGNING_CERT_CHAIN", "").strip(),
        "TIMESTAMP_URL": env.get("TIMESTAMP_URL", "").strip(),
        "CELERY": celery_settings(env, target, render_limit),
    }
    return config


def celery_settings(env: Mapping[str, str], target: RedisTarget, render_limit: int) -> dict[str, Any]:
    """Celery's settings: late acks, no prefetch, time limits, JSON only."""
    hard_limit = render_limit + 30
    # A message unacknowledged for this long is handed to another worker:
    # shorter than a render and the same job runs twice.
    visibility = max(3600, 2 * hard_limit)
    sentinel = celery_transport_options(target)  # empty without Sentinel
    broker = env.get("CELERY_BROKER_URL")
    backend = env.get("CELERY_RESULT_BACKEND")
    transport = {"visibility_timeout": visibility, "socket_timeout": 10, "socket_connect_timeout": 5}
    return {
        "broker_url": broker or celery_url(target),
        "result_backend": backend or celery_url(target),
        "broker_transport_options": {**transport, **({} if broker else sentinel)},
        "result_backend_transport_options": {"visibility_timeout": visibility, **({} if backend else sentinel)},
        "broker_connection_retry_on_startup": True,
        # Several deployments (or test runs) can share one RabbitMQ vhost by
        # giving each its own queue.
        "task_default_queue": env.get("CELERY_QUEUE") or "pdf",
        # Webhook deliveries wait on other people's servers: never in a render process
        # (tasks/webhooks.py). The Procfile's `webhooks` worker serves this queue.
        "task_routes": {"tasks.deliver_webhook": {"queue": webhook_queue(env)}},
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_soft_time_limit": render_limit,
        "task_time_limit": hard_limit,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_expires": _int(env, "RESULT_TTL", 24 * 3600),
        "worker_prefetch_multiplier": 1,
        # Rendering processes per worker; `--concurrency` on the command line wins.
        "worker_concurrency": _int(env, "WORKER_CONCURRENCY", os.cpu_count() or 1),
        # Fonts from @font-face register process-wide: recycle the renderer.
        "worker_max_tasks_per_child": _int(env, "WORKER_MAX_TASKS_PER_CHILD", 100),
        # Through a Redis restart a render waits at its next progress step and
        # then finishes (tasks/reporting.py). Cancelling it instead would leave
        # the job to a redelivery an hour later; a late duplicate is harmless,
        # as a job that has ended takes no further state.
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "worker_hijack_root_logger": False,
        # Task events, for Flower and `celery events`: each task's state as it
        # happens (a few small messages per job), and when the web tier sends it.
        "worker_send_task_events": True,
        "task_send_sent_event": True,
    }


def webhook_queue(env: Mapping[str, str]) -> str:
    """The queue webhook deliveries go to: `WEBHOOK_QUEUE`, else the jobs' queue's name + "-webhooks"."""
    return env.get("WEBHOOK_QUEUE") or f"{env.get('CELERY_QUEUE') or 'pdf'}-webhooks"


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
