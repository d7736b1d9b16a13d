"""A private local stack for one benchmark: redis-server, Celery worker(s) and gunicorn."""

from __future__ import annotations

import contextlib
import http.client
import os
import resource
import signal
import subprocess
from collections import Counter
from pathlib import Path
from types import TracebackType

import psutil  # type: ignore[import-untyped, unused-ignore]
from redis import Redis

from harness.processes import BIN, Process, RedisServer, free_port, start_worker, wait_until

DEADLINE = 60.0
# The benchmarks measure capacity, not the per-client submission limit: one
# client submits hundreds of jobs a minute here. The limiter still runs.
WEB_ENV = {"RATE_LIMIT": "1000000 per minute", "API_TOKENS": ""}


def raise_fd_limit(wanted: int = 65536) -> int:
    """Raise this process's open-file limit (children inherit it); return the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def healthy(base: str) -> bool:
    """True once the web process answers /healthz and Redis is reachable (a worker may start later)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        body = response.read()
        return response.status == 200 or b'"no_render_worker"' in body
    finally:
        connection.close()


class Stack:
    """Redis, then (optionally) gunicorn and a worker; `close()` stops all of them.

    Every process runs in its own session and is stopped through its process
    group, so pool children and gunicorn workers go with their parent.
    """

    # What gunicorn serves, and extra environment for web and worker (experiments override these).
    web_app = "wsgi:app"
    web_env: dict[str, str] = {}  # noqa: RUF012
    worker_env: dict[str, str] = {}  # noqa: RUF012

    def __init__(
        self, directory: Path, *, concurrency: int | None = 1, web: bool = True, web_args: list[str] | None = None
    ) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        raise_fd_limit()
        self.redis = RedisServer(directory / "redis")
        self.web: Process | None = None
        self.worker: Process | None = None
        self.base = ""
        self._starts = 0
        try:
            if web:
                self.start_web(web_args or [])
            if concurrency:
                self.start_worker(concurrency)
        except BaseException:
            self.close()
            raise

    @property
    def redis_url(self) -> str:
        return self.redis.url

    def start_web(self, extra: list[str]) -> None:
        """gunicorn as the Procfile runs it, one gevent worker process, plus `extra` options."""
        port = free_port()
        command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--workers", "1", *extra, self.web_app]
        env = {"REDIS_URL": self.redis_url, "HOST": "127.0.0.1", "PORT": str(port), "ACCESS_LOG": ""}
        env |= WEB_ENV | self.web_env
        self.web = Process(command, self.directory / "web.log", env)
        self.base = f"http://127.0.0.1:{port}"
        web = self.web
        wait_until(lambda: not web.alive() or _answers(self.base), DEADLINE, "gunicorn to answer /healthz")
        assert web.alive(), web.output()

    def start_worker(self, concurrency: int) -> Process:
        """A Celery worker with `concurrency` prefork children on the stack's Redis."""
        self.stop_worker()
        self._starts += 1
        log = self.directory / f"worker-{self._starts}.log"
        self.worker = start_worker(self.redis_url, log, "--concurrency", str(concurrency), env=self.worker_env)
        wait_until(lambda: len(self.pool_pids()) >= concurrency, DEADLINE, "the worker's pool children")
        return self.worker

    def stop_worker(self, timeout: float = 60) -> None:
        """Warm shutdown: SIGTERM to the main process only, so a running task finishes and
        its result is stored (the whole group is killed only if that takes too long)."""
        if self.worker is not None:
            if self.worker.alive():
                os.kill(self.worker.pid, signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.worker.popen.wait(timeout)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.worker.pid, signal.SIGKILL)  # any pool child left behind
            self.worker.stop(signal.SIGKILL, timeout=10)
            self.worker = None

    def pool_pids(self) -> list[int]:
        """The worker's prefork children: the processes that render."""
        if self.worker is None or not self.worker.alive():
            return []
        try:
            return [child.pid for child in psutil.Process(self.worker.pid).children()]
        except psutil.NoSuchProcess:
            return []

    def web_pids(self) -> list[int]:
        """gunicorn's master and its worker process(es)."""
        if self.web is None or not self.web.alive():
            return []
        master = psutil.Process(self.web.pid)
        return [master.pid, *(child.pid for child in master.children())]

    def web_worker_pid(self) -> int:
        """The one gunicorn worker process that serves the requests."""
        assert self.web is not None
        children = psutil.Process(self.web.pid).children()
        assert len(children) == 1, f"expected one gunicorn worker, found {len(children)}"
        return int(children[0].pid)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds used so far by each tier's processes (user + system)."""
        groups = {
            "worker children": self.pool_pids(),
            "worker main": [self.worker.pid] if self.worker else [],
            "web": self.web_pids(),
            "redis": [self.redis.pid],
        }
        return {name: sum(cpu_of(pid) for pid in pids) for name, pids in groups.items()}

    def redis_calls(self) -> Counter[str]:
        """Commands the private Redis has run so far, by name (INFO commandstats)."""
        client = Redis.from_url(self.redis_url)
        try:
            stats = client.info("commandstats")
        finally:
            client.close()
        return Counter({name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in stats.items()})

    def close(self) -> None:
        """Stop web, worker and Redis, in that order; never raises for a dead process."""
        try:
            if self.web is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    self.web.stop(signal.SIGTERM, timeout=30)
                self.web = None
            with contextlib.suppress(ProcessLookupError, PermissionError):
                self.stop_worker(timeout=30)
        finally:
            self.redis.stop()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def cpu_of(pid: int) -> float:
    """CPU seconds of every thread of `pid`, to the nanosecond (/proc/<pid>/schedstat of each task)."""
    total = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                total += int((task / "schedstat").read_text().split()[0])
    except OSError:
        return 0.0
    return total / 1e9


def _answers(base: str) -> bool:
    try:
        return healthy(base)
    except (OSError, http.client.HTTPException):
        return False
