"""The command-line client's transport: the JSON API and the event stream over http.client (standard library only)."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

READ_TIMEOUT = 60.0  # longer than the server's 15 s keep-alive comments


class ClientError(Exception):
    """The server could not be reached, or refused the request; the message says why."""


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def error(self) -> str:
        """The API's error message, or the status line when the body is not an API error."""
        try:
            message = str(self.json()["error"]["message"])
        except (ValueError, KeyError, TypeError):
            message = self.body.decode("utf-8", "replace").strip()[:200] or "no details"
        return f"HTTP {self.status}: {message}"


class Api:
    """The service's JSON API and event stream over http.client."""

    def __init__(self, server: str, token: str | None = None) -> None:
        parts = urlsplit(server if "://" in server else f"http://{server}")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ClientError(f"{server!r} is not an http:// or https:// server address")
        self.server = server
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port
        self.prefix = parts.path.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def connect(self, timeout: float = READ_TIMEOUT) -> http.client.HTTPConnection:
        if self.https:
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def call(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Reply:
        connection = self.connect()
        try:
            connection.request(method, self.prefix + path, body=body, headers={**self.headers, **(headers or {})})
            response = connection.getresponse()
            return Reply(response.status, response.read())
        except OSError as exc:
            raise ClientError(f"cannot reach {self.server}: {exc}") from None
        finally:
            connection.close()

    def events(self, job_id: str, last_event_id: int, deadline: float) -> Generator[tuple[str, int, dict[str, Any]]]:
        """(type, id, job) for each event of the job's stream until the server closes it."""
        connection = self.connect()
        try:
            headers = {**self.headers, "Accept": "text/event-stream", "Last-Event-ID": str(last_event_id)}
            connection.request("GET", f"{self.prefix}/api/jobs/{quote(job_id, safe='')}/events", headers=headers)
            response = connection.getresponse()
            if response.status == 204:
                return
            if response.status != 200:
                raise ClientError(Reply(response.status, response.read()).error())
            fields: dict[str, str] = {}
            data: list[str] = []
            while time.monotonic() < deadline:
                line = response.readline()
                if not line:
                    return
                text = line.decode("utf-8").rstrip("\r\n")
                if text == "":
                    if data:
                        yield fields.get("event", "message"), int(fields.get("id") or 0), json.loads("\n".join(data))
                    fields, data = {}, []
                elif not text.startswith(":"):
                    name, _, value = text.partition(":")
                    value = value.removeprefix(" ")
                    if name == "data":
                        data.append(value)
                    else:
                        fields[name] = value
        finally:
            connection.close()
