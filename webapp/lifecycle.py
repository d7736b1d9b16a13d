"""A web process's life under gunicorn: its log, its stream count for /metrics, a quick clean stop."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

import gevent

from webapp.hub import EventHub
from webapp.logs import log_to_stderr
from webapp.metrics import StreamCensus

log = logging.getLogger(__name__)


def worker_started(worker: Any) -> None:
    """Called by gunicorn (post_worker_init) in each web process, with its app loaded."""
    log_to_stderr()
    extensions = getattr(worker.wsgi, "extensions", {})
    hub: EventHub | None = extensions.get("event_hub")
    census: StreamCensus | None = extensions.get("stream_census")
    if census is not None:
        threading.Thread(target=census.keep_reporting, name="stream-census", daemon=True).start()
    handle_exit = worker.handle_exit

    def on_sigterm(sig: int, frame: FrameType | None) -> None:
        stopping = not worker.alive
        handle_exit(sig, frame)
        if stopping:
            return  # a second SIGTERM (the master forwards its own)
        # On SIGTERM gunicorn's gevent worker stops accepting, then waits up
        # to graceful_timeout for open requests. An event stream never ends
        # by itself, so it would hold the process for the whole timeout and
        # then be cut. End the streams now instead: each sends nothing more
        # and closes, and EventSource reconnects with Last-Event-ID to a web
        # process that is still running. Not in the signal handler itself:
        # the hub takes locks, which may switch greenlets.
        gevent.spawn(_stop, hub, census)

    signal.signal(signal.SIGTERM, on_sigterm)


def _stop(hub: EventHub | None, census: StreamCensus | None) -> None:
    if hub is not None:
        log.info("stopping: ending %d open event streams", hub.open_streams)
        hub.close()
    if census is not None:
        try:
            census.forget()
        except Exception:
            log.debug("could not withdraw this process's stream count", exc_info=True)
