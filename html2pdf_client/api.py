"""The service's one API client: the JSON API and the event stream over http.client (standard library only).

The command line, the benchmarks (bench/client.py) and the tests (tests/support.py) all speak to the service through it.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

READ_TIMEOUT = 60.0  # longer than the server's 15 s keep-alive comments
# gunicorn closes an idle keep-alive connection after 5 s (gunicorn.conf.py): a kept one is reopened before.
IDLE_RECONNECT = 4.0
# What a kept-alive connection the server has closed raises: the request is sent again, once, on a new one.
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


class ClientError(Exception):
    """The server could not be reached, or refused the request; the message says why."""


class Unreachable(ClientError, ConnectionError):
    """The server could not be reached: a connection error, so what retries on OSError retries it."""


def job_path(job_id: str, tail: str = "") -> str:
    """The API's path of job `job_id` (`tail`: "/pdf", "/events", ...)."""
    return f"/api/jobs/{quote(job_id, safe='')}{tail}"


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
    """The service's JSON API and event stream over http.client.

    Each call opens a connection of its own, unless `keep_alive` holds one across calls, as a script
    submitting many jobs would; `timeout` bounds each call (an event stream waits `READ_TIMEOUT`).
    """

    def __init__(
        self, server: str, token: str | None = None, *, timeout: float = READ_TIMEOUT, keep_alive: bool = False
    ) -> None:
        parts = urlsplit(server if "://" in server else f"http://{server}")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ClientError(f"{server!r} is not an http:// or https:// server address")
        self.server = server
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port
        self.prefix = parts.path.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.timeout = timeout
        self.keep_alive = keep_alive
        self._connection: http.client.HTTPConnection | None = None
        self._used = 0.0

    def connect(self, timeout: float = READ_TIMEOUT) -> http.client.HTTPConnection:
        if self.https:
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def call(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Reply:
        """Send one request and read the whole answer; `Unreachable` if the server cannot be reached."""
        for attempt in (1, 2):
            connection = self._open()
            try:
                connection.request(method, self.prefix + path, body=body, headers={**self.headers, **(headers or {})})
                response = connection.getresponse()
                reply = Reply(response.status, response.read())
            except BaseException as exc:
                self.close()
                if self.keep_alive and attempt == 1 and isinstance(exc, _STALE):
                    continue
                if isinstance(exc, OSError):
                    raise Unreachable(f"cannot reach {self.server}: {exc}") from None
                raise
            if self.keep_alive and not response.will_close:
                self._used = time.monotonic()
            else:
                self.close()
            return reply
        raise AssertionError("unreachable")

    def submit(self, body: bytes, content_type: str, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
        """POST a submission; the new job's JSON (the 202's), or `ClientError` saying why not."""
        reply = self.call("POST", "/api/jobs", body, {"Content-Type": content_type, **(headers or {})})
        if reply.status != 202:
            raise ClientError(reply.error())
        job: dict[str, Any] = reply.json()
        return job

    def submit_json(self, fields: Mapping[str, Any], headers: Mapping[str, str] | None = None) -> dict[str, Any]:
        """POST a JSON submission (`{"html": ..., "filename": ...}` and any other field); the new job's JSON."""
        return self.submit(json.dumps(fields).encode(), "application/json", headers)

    def job(self, job_id: str) -> dict[str, Any]:
        """The job's JSON, or `ClientError` (404: unknown or expired)."""
        reply = self.call("GET", job_path(job_id))
        if reply.status != 200:
            raise ClientError(reply.error())
        job: dict[str, Any] = reply.json()
        return job

    def pdf(self, job_id: str) -> bytes:
        """The job's PDF, or `ClientError` (409: not ready)."""
        reply = self.call("GET", job_path(job_id, "/pdf"))
        if reply.status != 200:
            raise ClientError(reply.error())
        return reply.body

    def close(self) -> None:
        """Close the connection kept alive, if any."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _open(self) -> http.client.HTTPConnection:
        if self._connection is None or time.monotonic() - self._used > IDLE_RECONNECT:
            self.close()
            self._connection = self.connect(self.timeout)
        return self._connection

    def events(self, job_id: str, last_event_id: int, deadline: float) -> Generator[tuple[str, int, dict[str, Any]]]:
        """(type, id, job) for each event of the job's stream until the server closes it."""
        connection = self.connect()
        try:
            headers = {**self.headers, "Accept": "text/event-stream", "Last-Event-ID": str(last_event_id)}
            connection.request("GET", self.prefix + job_path(job_id, "/events"), headers=headers)
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
