"""A small stdlib HTTP client for the service's JSON API and its event stream."""

from __future__ import annotations

import http.client
import json
import time
from typing import Any
from urllib.parse import urlsplit

from harness.sse import SseEvent, SseStream

# gunicorn closes an idle keep-alive connection after 5 s (gunicorn.conf.py).
IDLE_RECONNECT = 4.0


class ApiError(Exception):
    """The service answered with an unexpected status."""


class Api:
    """One keep-alive connection to the service, as a script would hold it."""

    def __init__(self, base: str, timeout: float = 30) -> None:
        parts = urlsplit(base)
        self.base = base
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._timeout = timeout
        self._connection: http.client.HTTPConnection | None = None
        self._used = 0.0
        self._submitted = 0

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None or time.monotonic() - self._used > IDLE_RECONNECT:
            self.close()
            self._connection = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        return self._connection

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        """Send one request and read the whole answer; reconnect once if the server closed the connection."""
        for attempt in (1, 2):
            connection = self._connect()
            try:
                connection.request(method, path, body=body, headers=headers or {})
                response = connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt == 2:
                    raise
                continue
            self._used = time.monotonic()
            if response.will_close:
                self.close()
            return response.status, data
        raise AssertionError("unreachable")

    def submit(self, html: str, filename: str = "bench.pdf") -> str:
        """POST the document; return the new job's id.

        Every submission is rendered: the service hands out a stored copy for
        HTML it has converted before, so each one carries a comment of its own
        (and asks for no reuse).
        """
        self._submitted += 1
        unique = f"{html}<!-- bench {time.time_ns()} {self._submitted} -->"
        body = json.dumps({"html": unique, "filename": filename, "reuse": False}).encode()
        status, data = self.request("POST", "/api/jobs", body, {"Content-Type": "application/json"})
        if status != 202:
            raise ApiError(f"POST /api/jobs answered {status}: {data[:200]!r}")
        job_id: str = json.loads(data)["id"]
        return job_id

    def job(self, job_id: str) -> dict[str, Any]:
        status, data = self.request("GET", f"/api/jobs/{job_id}")
        if status != 200:
            raise ApiError(f"GET /api/jobs/{job_id} answered {status}")
        job: dict[str, Any] = json.loads(data)
        return job

    def pdf(self, job_id: str) -> bytes:
        status, data = self.request("GET", f"/api/jobs/{job_id}/pdf")
        if status != 200:
            raise ApiError(f"GET /api/jobs/{job_id}/pdf answered {status}")
        return data

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def watch(base: str, job_id: str, deadline: float = 120) -> list[SseEvent]:
    """Every event of one job's stream, until the server closes it after `end`."""
    with SseStream(f"{base}/api/jobs/{job_id}/events", timeout=deadline) as stream:
        if stream.status != 200:
            raise ApiError(f"GET /api/jobs/{job_id}/events answered {stream.status}")
        return list(stream.events(deadline=deadline))
