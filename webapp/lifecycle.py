"""A web process's life under gunicorn: its log, its stream count for /metrics, a quick clean stop."""

from __future__ import annotations

import logging
import threading
from typing import Any

import gevent

from webapp.hub import EventHub
from webapp.logs import log_to_stderr
from webapp.metrics import StreamCensus

log = logging.getLogger(__name__)
STOP_CHECK_SECONDS = 0.25


def worker_started(worker: Any) -> None:
    """Called by gunicorn (post_worker_init) in each web process, with its app loaded."""
    log_to_stderr()
    extensions = getattr(worker.wsgi, "extensions", {})
    hub: EventHub | None = extensions.get("event_hub")
    census: StreamCensus | None = extensions.get("stream_census")
    if census is not None:
        threading.Thread(target=census.keep_reporting, name="stream-census", daemon=True).start()
    gevent.spawn(_end_streams_when_stopping, worker, hub, census)


def _end_streams_when_stopping(worker: Any, hub: EventHub | None, census: StreamCensus | None) -> None:
    """Once gunicorn has told this process to stop, end its event streams at once.

    On SIGTERM (and after max_requests) gunicorn's gevent worker stops
    accepting, then waits up to graceful_timeout for open requests. An event
    stream never ends by itself, so it would hold the process for the whole
    timeout and then be cut. Ending the streams lets the process leave at
    once, and EventSource reconnects with Last-Event-ID to a web process that
    is still running. Watching `worker.alive` covers every way gunicorn stops
    a worker, without taking over its signal handlers.
    """
    while worker.alive:
        gevent.sleep(STOP_CHECK_SECONDS)
    _stop(hub, census)


def _stop(hub: EventHub | None, census: StreamCensus | None) -> None:
    if hub is not None:
        log.info("stopping: ending %d open event streams", hub.open_streams)
        hub.close()
    if census is not None:
        try:
            census.forget()
        except Exception:
            log.debug("could not withdraw this process's stream count", exc_info=True)
