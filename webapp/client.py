"""Command-line client: convert a file with a live progress bar, look up or cancel a job (standard library only)."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import time
import uuid
from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, urlsplit

DEFAULT_SERVER = "http://127.0.0.1:8000"
READ_TIMEOUT = 60.0  # longer than the server's 15 s keep-alive comments
EXIT_JOB_FAILED = 1
EXIT_HTTP_ERROR = 3
TERMINAL = ("SUCCESS", "FAILURE", "REVOKED")


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


class ProgressView:
    """One redrawn line on a terminal (\\r), one line per change otherwise."""

    def __init__(self, out: TextIO, width: int = 30) -> None:
        self.out = out
        self.tty = out.isatty()
        self.width = width
        self.shown = ""
        self.length = 0

    def show(self, job: dict[str, Any]) -> None:
        progress = job["progress"]
        percent = float(progress["percent"])
        pages = int(progress["pages"])
        text = f"{percent:5.1f}%  {progress['stage']:<9} {pages} page{'' if pages == 1 else 's'}"
        if text == self.shown:
            return
        self.shown = text
        if self.tty:
            filled = round(self.width * percent / 100)
            line = f"[{'#' * filled}{'-' * (self.width - filled)}] {text}"
            self.out.write("\r" + line.ljust(self.length))
            self.length = len(line)
        else:
            self.out.write(text + "\n")
        self.out.flush()

    def close(self) -> None:
        if self.tty and self.length:
            self.out.write("\n")
            self.out.flush()
            self.length = 0


def multipart(path: Path, html: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with the file as the field 'file'."""
    boundary = uuid.uuid4().hex
    name = path.name.replace('"', "%22").replace("\r", "").replace("\n", "")
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/html\r\n\r\n"
    ).encode()
    return head + html + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def follow(api: Api, job: dict[str, Any], view: ProgressView, deadline: float) -> dict[str, Any]:
    """The job once it has ended, showing its progress; reconnects if the stream drops."""
    last_id = 0
    view.show(job)
    while job["state"] not in TERMINAL:
        if time.monotonic() > deadline:
            raise ClientError(f"gave up waiting for job {job['id']} (still {job['state']}); see --timeout")
        try:
            with closing(api.events(job["id"], last_id, deadline)) as events:
                for kind, event_id, data in events:
                    job, last_id = data, max(last_id, event_id)
                    view.show(job)
                    if kind == "end":
                        return job
        except (OSError, http.client.HTTPException, ValueError):
            pass  # the stream broke off: resume from the last event seen
        time.sleep(0.5)
        reply = api.call("GET", f"/api/jobs/{quote(job['id'], safe='')}")
        if reply.status != 200:
            raise ClientError(reply.error())
        job = reply.json()
        view.show(job)
    return job


def convert(api: Api, source: Path, output: Path | None, timeout: float, out: TextIO) -> int:
    """Submit `source`, show its progress, save the PDF; 0 on success, 1 if the job did not succeed."""
    try:
        html = source.read_bytes()
    except OSError as exc:
        raise ClientError(f"cannot read {source}: {exc.strerror}") from None
    body, content_type = multipart(source, html)
    reply = api.call("POST", "/api/jobs", body, {"Content-Type": content_type})
    if reply.status != 202:
        raise ClientError(reply.error())
    job: dict[str, Any] = reply.json()
    out.write(f"job {job['id']}\n")
    view = ProgressView(out)
    try:
        job = follow(api, job, view, time.monotonic() + timeout)
    finally:
        view.close()
    if job["state"] == "FAILURE":
        print(f"error: the conversion failed: {job['error']}", file=sys.stderr)
        return EXIT_JOB_FAILED
    if job["state"] == "REVOKED":
        print(f"error: job {job['id']} was cancelled", file=sys.stderr)
        return EXIT_JOB_FAILED
    pdf = api.call("GET", f"/api/jobs/{quote(job['id'], safe='')}/pdf")
    if pdf.status != 200:
        raise ClientError(pdf.error())
    target = output or source.with_suffix(".pdf")
    target.write_bytes(pdf.body)
    pages = job["pdf"]["pages"]
    out.write(f"saved {target} ({pages} page{'' if pages == 1 else 's'}, {len(pdf.body)} bytes)\n")
    return 0


def show(reply: Reply, out: TextIO) -> int:
    if reply.status >= 400:
        raise ClientError(reply.error())
    out.write(json.dumps(reply.json(), indent=2, ensure_ascii=False) + "\n")
    return 0


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--server", help=f"the service's address (default: $PDF_SERVER or {DEFAULT_SERVER})")
    common.add_argument("--token", help="API token for services with API_TOKENS (default: $PDF_TOKEN)")
    main = argparse.ArgumentParser(prog="python -m webapp.client", description="Convert HTML to PDF with the service.")
    commands = main.add_subparsers(dest="command", required=True)
    run = commands.add_parser("convert", parents=[common], help="convert an HTML file, showing progress")
    run.add_argument("file", type=Path, help="the .html file")
    run.add_argument("-o", "--output", type=Path, help="where to save the PDF (default: FILE with .pdf)")
    run.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for the job (default: 900)")
    look = commands.add_parser("status", parents=[common], help="print a job's JSON")
    look.add_argument("job_id")
    stop = commands.add_parser("cancel", parents=[common], help="cancel a running job, or delete an ended one")
    stop.add_argument("job_id")
    return main


def main(argv: list[str] | None = None) -> int:
    """Run the command in `argv`; the exit status: 0 done, 1 the job failed or was cancelled, 3 HTTP error."""
    args = parser().parse_args(argv)
    server = args.server or os.environ.get("PDF_SERVER") or DEFAULT_SERVER
    try:
        api = Api(server, args.token or os.environ.get("PDF_TOKEN"))
        if args.command == "convert":
            return convert(api, args.file, args.output, args.timeout, sys.stdout)
        if args.command == "status":
            return show(api.call("GET", f"/api/jobs/{quote(args.job_id, safe='')}"), sys.stdout)
        reply = api.call("DELETE", f"/api/jobs/{quote(args.job_id, safe='')}")
        if reply.status == 204:
            print(f"deleted job {args.job_id}")
            return 0
        return show(reply, sys.stdout)
    except ClientError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_HTTP_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
