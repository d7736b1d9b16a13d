"""Live progress of one job as Server-Sent Events, on flask-sse's blueprint and message."""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Iterator

from flask import Response, current_app, request, stream_with_context
from flask_sse import Message, ServerSentEventsBlueprint
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from tasks.job.record import channel, is_terminal
from tasks.job.store import Snapshot
from webapp.errors import ApiError
from webapp.hub import DISCONNECTED, Event, EventHub
from webapp.jobs import find_job

RECONNECT_MS = 3000
#: While the store is away, how often a held stream tries it again (and says so in a comment).
HOLD_RETRY_SECONDS = 0.5
log = logging.getLogger(__name__)


class JobEventsBlueprint(ServerSentEventsBlueprint):
    """flask-sse's blueprint, streaming from the process's shared subscription.

    On connect the stream subscribes first, then sends the job's current
    snapshot, then every newer event; it closes after the `end` event. The
    channel comes from the URL, so a client cannot name another one.
    """

    def stream(self, job_id: str) -> Response:
        hub: EventHub = current_app.extensions["event_hub"]
        last_seen = _last_event_id()
        try:
            events, snapshot = _open(hub, job_id)
        except RedisError as exc:
            log.warning("event stream of %s held until the store is back: %s", job_id, exc)
            return _held(hub, job_id, last_seen)
        if is_terminal(snapshot.job) and snapshot.seq <= last_seen:
            # The client has seen the end already: 204 tells EventSource to stop.
            hub.unsubscribe(channel(job_id), events)
            return current_app.response_class(status=204)
        keepalive = current_app.config["SSE_KEEPALIVE"]

        def generate() -> Iterator[bytes]:
            try:
                yield from _events(snapshot, events, last_seen, keepalive)
            finally:
                hub.unsubscribe(channel(job_id), events)

        return _event_stream(generate())


def _event_stream(body: Iterator[bytes]) -> Response:
    response = current_app.response_class(body, mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response


def _open(hub: EventHub, job_id: str, timeout: float = 5.0) -> tuple[queue.Queue[Event], Snapshot]:
    """The job's events from now on, and its snapshot; a RedisError while the store is away."""
    events = hub.subscribe(channel(job_id), timeout)
    if events is None:
        raise RedisConnectionError("the event subscription is not available")
    try:
        return events, find_job(job_id)
    except BaseException:
        hub.unsubscribe(channel(job_id), events)
        raise


def _held(hub: EventHub, job_id: str, last_seen: int) -> Response:
    """A stream opened while the store is away (a Sentinel switch, a restart): `200`, a `retry:` hint and a
    comment every `HOLD_RETRY_SECONDS` until the store is back, then the stream as usual from `last_seen`.

    A browser's EventSource stops for good on any answer but 200, so a 503 here would end live progress on
    the page; past `SSE_STORE_WAIT` the stream ends and the browser reconnects after `retry`, as it does
    after any stream that ends. A job unknown once the store is back ends it too: the reconnect gets 404.
    """
    keepalive = current_app.config["SSE_KEEPALIVE"]
    deadline = time.monotonic() + current_app.config["SSE_STORE_WAIT"]

    def generate() -> Iterator[bytes]:
        yield f"retry:{RECONNECT_MS}\n: the job store is away, waiting for it\n\n".encode()
        while time.monotonic() < deadline:
            try:
                events, snapshot = _open(hub, job_id, timeout=HOLD_RETRY_SECONDS)
            except RedisError:
                yield b": waiting for the job store\n\n"
                time.sleep(HOLD_RETRY_SECONDS)
                continue
            except ApiError:
                return
            try:
                if not (is_terminal(snapshot.job) and snapshot.seq <= last_seen):
                    yield from _events(snapshot, events, last_seen, keepalive)
            finally:
                hub.unsubscribe(channel(job_id), events)
            return

    return _event_stream(stream_with_context(generate()))


def _events(snapshot: Snapshot, events: queue.Queue[Event], last_seen: int, keepalive: float) -> Iterator[bytes]:
    ended = is_terminal(snapshot.job)
    first = Message(snapshot.json, type="end" if ended else "progress", id=snapshot.seq, retry=RECONNECT_MS)
    if snapshot.seq > last_seen:
        yield str(first).encode()
        last_seen = snapshot.seq
    else:
        yield f"retry:{RECONNECT_MS}\n\n".encode()
    if ended:
        return
    while True:
        try:
            event = events.get(timeout=keepalive)
        except queue.Empty:
            yield b": keepalive\n\n"
            continue
        if event is DISCONNECTED:
            return
        if event.id <= last_seen:
            continue
        yield event.text
        last_seen = event.id
        if event.type == "end":
            return


def _last_event_id() -> int:
    value = request.headers.get("Last-Event-ID") or request.args.get("lastEventId") or "0"
    try:
        return max(int(value), 0)
    except ValueError:
        return 0


bp = JobEventsBlueprint("events", __name__, url_prefix="/api/jobs")
bp.add_url_rule("/<job_id>/events", endpoint="stream", view_func=bp.stream)
