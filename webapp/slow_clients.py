"""Request bodies must arrive within a deadline, and one client may send only a few at once (per web process)."""

from __future__ import annotations

import contextlib
import json
import socket
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from typing import IO, Any

import gevent
from werkzeug.wsgi import ClosingIterator

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
_CHUNK = 64 * 1024
# Bodies up to this size stay in memory while they are read; larger ones go to a temporary file.
_SPOOL_BYTES = 1024 * 1024


class BodyGuard:
    """WSGI middleware: read a request's body whole, within `seconds`, before the app sees it.

    A gevent web process holds one greenlet and one of gunicorn's
    `worker_connections` per connection; a client that sends headers and then
    trickles (or never sends) its body would hold them for as long as it
    likes, and a thousand such connections starve every other request,
    /healthz included. Here a body not complete within `seconds` is answered
    `408`, and a client (by address) already sending `per_client` bodies to
    this process is answered `429` at once; either way the connection is closed.
    """

    def __init__(self, app: WsgiApp, seconds: float, per_client: int, max_bytes: int) -> None:
        self.app = app
        self.seconds = seconds
        self.per_client = per_client
        self.max_bytes = max_bytes
        self.reading: Counter[str] = Counter()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = _length(environ)
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not chunked and (length is None or length == 0 or length > self.max_bytes):
            return self.app(environ, start_response)  # no body; or one the app refuses (413) unread
        client = str(environ.get("REMOTE_ADDR") or "")
        if self.reading[client] >= self.per_client:
            return _refuse(
                environ,
                start_response,
                "429 Too Many Requests",
                "too_many_uploads",
                f"This address is already sending {self.per_client} request bodies to this server; "
                "wait for them to finish.",
            )
        self.reading[client] += 1
        try:
            body = self._read(environ["wsgi.input"], self.max_bytes + 1 if chunked else length or 0)
        except gevent.Timeout:
            return _refuse(
                environ,
                start_response,
                "408 Request Timeout",
                "body_timeout",
                f"The request body did not arrive within {self.seconds:g} s. Send it again, all at once.",
            )
        finally:
            self.reading[client] -= 1
            if not self.reading[client]:
                del self.reading[client]
        size = body.seek(0, 2)
        body.seek(0)
        environ["wsgi.input"] = body
        environ["CONTENT_LENGTH"] = str(size)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        try:
            # Flask handles the request whole inside this call: the body is read by its end.
            return self.app(environ, start_response)
        finally:
            body.close()

    def _read(self, stream: IO[bytes], limit: int) -> IO[bytes]:
        """At most `limit` bytes of `stream`, all of them within the deadline (gevent.Timeout past it)."""
        # Closed once the app has answered (__call__), or here when the body is late.
        body = tempfile.SpooledTemporaryFile(_SPOOL_BYTES)  # noqa: SIM115
        try:
            with gevent.Timeout(self.seconds):
                left = limit
                while left > 0:
                    chunk = stream.read(min(_CHUNK, left))
                    if not chunk:
                        break
                    body.write(chunk)
                    left -= len(chunk)
        except BaseException:
            body.close()
            raise
        return body


def _length(environ: dict[str, Any]) -> int | None:
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def _refuse(
    environ: dict[str, Any], start_response: StartResponse, status: str, code: str, message: str
) -> Iterable[bytes]:
    """An error in the API's shape; then the connection is closed, its unread body with it."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    connection = environ.get("gunicorn.socket")
    # gunicorn would otherwise read the rest of the body before the connection's next request.
    return ClosingIterator([body], [lambda: _shut(connection)])


def _shut(connection: socket.socket | None) -> None:
    if connection is not None:
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RDWR)
