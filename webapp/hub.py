"""One Redis subscription per web process, fanned out to every open event stream."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass

from flask_sse import Message
from redis import Redis
from redis.client import PubSub
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.sentinel import SentinelConnectionPool

from tasks.job import keys

log = logging.getLogger(__name__)

CHANNEL_PATTERN = keys.CHANNEL_PATTERN
# With Sentinel, how often the subscription checks it is still on the primary: a primary
# demoted by a failover, or cut off from the others, goes on serving it and never says so.
PRIMARY_CHECK_SECONDS = 5.0


@dataclass(frozen=True)
class Event:
    """A job event, encoded once as SSE text for every stream that sends it."""

    id: int
    type: str
    text: bytes


# Put on every stream's queue when the subscription drops: the stream ends,
# and its browser reconnects with Last-Event-ID once Redis is back.
DISCONNECTED = Event(0, "disconnected", b"")


def encode(message: Message) -> Event:
    return Event(int(message.id or 0), str(message.type), str(message).encode())


class EventHub:
    """Listens on `job:*` once and hands each event to the streams of that job.

    flask-sse opens one pub/sub connection per client; a process with a
    thousand viewers would hold a thousand connections. Here there is one.
    """

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._lock = threading.Lock()
        self._streams: dict[str, set[queue.Queue[Event]]] = {}
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False
        # Set whenever a stream opens or ends, so the count can be reported at once (webapp/metrics.py).
        self.changed = threading.Event()

    def subscribe(self, channel: str, timeout: float = 5.0) -> queue.Queue[Event] | None:
        """A queue of `channel`'s events from now on; None if Redis is unreachable."""
        events: queue.Queue[Event] = queue.Queue()
        with self._lock:
            if self._closed:
                # The process is stopping: send the state, end, let the browser reconnect elsewhere.
                events.put(DISCONNECTED)
                return events
            self._streams.setdefault(channel, set()).add(events)
            self.changed.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._listen, name="event-hub", daemon=True)
                self._thread.start()
        if not self._ready.wait(timeout):
            self.unsubscribe(channel, events)
            return None
        return events

    def unsubscribe(self, channel: str, events: queue.Queue[Event]) -> None:
        with self._lock:
            streams = self._streams.get(channel)
            if streams is not None:
                streams.discard(events)
                self.changed.set()
                if not streams:
                    del self._streams[channel]

    def close(self, wait: float = 0.0) -> None:
        """End every open stream now, and every later one at once: this process is stopping.

        The subscription ends within a second; `wait` seconds are given to see it go.
        """
        with self._lock:
            self._closed = True
            thread = self._thread
        self._drop_all()
        if wait and thread is not None:
            thread.join(wait)

    @property
    def open_streams(self) -> int:
        with self._lock:
            return sum(len(streams) for streams in self._streams.values())

    def _listen(self) -> None:
        backoff = 0.1
        while not self._closed:
            pubsub = self._redis.pubsub()  # type: ignore[no-untyped-call]
            try:
                pubsub.psubscribe(CHANNEL_PATTERN)
                self._await_confirmation(pubsub)
                self._ready.set()
                backoff = 0.1
                checked = time.monotonic()
                while not self._closed:
                    message = pubsub.get_message(timeout=1.0)
                    if message is not None and message["type"] == "pmessage":
                        self._dispatch(message["channel"].decode(), message["data"])
                    if time.monotonic() - checked >= PRIMARY_CHECK_SECONDS:
                        checked = time.monotonic()
                        self._check_primary(pubsub)
            except (RedisError, OSError) as exc:
                log.warning("event subscription lost (%s); reconnecting", exc)
            finally:
                self._ready.clear()
                self._drop_all()
                pubsub.close()
            time.sleep(backoff)
            backoff = min(backoff * 2, 2.0)

    def _check_primary(self, pubsub: PubSub) -> None:
        """Raise if the Sentinels name another primary than the one the subscription is on."""
        pool = self._redis.connection_pool
        connection = pubsub.connection
        if not isinstance(pool, SentinelConnectionPool) or connection is None:
            return
        primary = pool.get_master_address()
        if (connection.host, connection.port) != tuple(primary):
            raise RedisConnectionError(f"the subscription's Redis is no longer the primary, {primary} is")

    @staticmethod
    def _await_confirmation(pubsub: PubSub, timeout: float = 5.0) -> None:
        """Return once Redis has confirmed the subscription: from then on no event is missed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = pubsub.get_message(timeout=0.5)
            if message is not None and message["type"] == "psubscribe":
                return
        raise RedisTimeoutError("no confirmation of the event subscription")

    def _dispatch(self, channel: str, data: bytes) -> None:
        with self._lock:
            streams = tuple(self._streams.get(channel, ()))
        if not streams:
            return
        event = encode(Message(**json.loads(data)))
        for events in streams:
            events.put(event)

    def _drop_all(self) -> None:
        with self._lock:
            streams = [events for group in self._streams.values() for events in group]
            self._streams.clear()
        for events in streams:
            events.put(DISCONNECTED)
