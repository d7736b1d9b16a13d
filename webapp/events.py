"""Live progress of one job as Server-Sent Events, on flask-sse's blueprint and message."""

from __future__ import annotations

import queue
from collections.abc import Iterator

from flask import Response, current_app, request
from flask_sse import Message, ServerSentEventsBlueprint
from redis.exceptions import ConnectionError as RedisConnectionError

from tasks.job.record import channel, is_terminal
from tasks.job.store import Snapshot
from webapp.hub import DISCONNECTED, Event, EventHub
from webapp.jobs import find_job

RECONNECT_MS = 3000


class JobEventsBlueprint(ServerSentEventsBlueprint):
    """flask-sse's blueprint, streaming from the process's shared subscription.

    On connect the stream subscribes first, then sends the job's current
    snapshot, then every newer event; it closes after the `end` event. The
    channel comes from the URL, so a client cannot name another one.
    """

    def stream(self, job_id: str) -> Response:
        hub: EventHub = current_app.extensions["event_hub"]
        last_seen = _last_event_id()
        events = hub.subscribe(channel(job_id))
        if events is None:
            raise RedisConnectionError("the event subscription is not available")
        try:
            snapshot = find_job(job_id)
        except BaseException:
            hub.unsubscribe(channel(job_id), events)
            raise
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

        response = current_app.response_class(generate(), mimetype="text/event-stream")
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Accel-Buffering"] = "no"
        return response


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
