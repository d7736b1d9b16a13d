"""A reader of a real text/event-stream over HTTP, every read bounded by a deadline."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass
class SseEvent:
    type: str
    id: int | None
    data: str
    received_at: float

    @property
    def job(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.data)
        return loaded


class SseStream:
    """Reads a real text/event-stream over HTTP, every read bounded by a deadline."""

    def __init__(self, url: str, headers: dict[str, str] | None = None, timeout: float = 30) -> None:
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
        self.connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        self.response = self.connection.getresponse()
        self.comments: list[str] = []
        self.retry: int | None = None

    @property
    def status(self) -> int:
        return self.response.status

    def events(self, deadline: float = 60) -> Iterator[SseEvent]:
        """Events until the server closes the stream; fails past `deadline` seconds."""
        end = time.monotonic() + deadline
        fields: dict[str, str] = {}
        data: list[str] = []
        while True:
            assert time.monotonic() < end, "the event stream did not end in time"
            raw = self.response.readline()
            if not raw:
                return
            line = raw.decode().rstrip("\n")
            if line == "":
                if data or fields:
                    event_id = fields.get("id")
                    yield SseEvent(
                        fields.get("event", "message"),
                        int(event_id) if event_id else None,
                        "\n".join(data),
                        time.monotonic(),
                    )
                fields, data = {}, []
            elif line.startswith(":"):
                self.comments.append(line)
            else:
                name, _, value = line.partition(":")
                if name == "data":
                    data.append(value)
                elif name == "retry":
                    self.retry = int(value)
                else:
                    fields[name] = value

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> SseStream:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
