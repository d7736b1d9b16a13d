"""Fixtures: a private Redis, the app, a real Celery worker, a real gunicorn and a real Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, sync_playwright
from redis import Redis

from tests.support import AppFactory, Process, RedisServer, close_app, start_web, start_worker
from webapp import create_app

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server of the suite's own, on a free port."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of one test's own, for tests that stop or share it differently."""
    redis = RedisServer(tmp_path / "redis")
    yield redis
    redis.stop()


@pytest.fixture
def redis(redis_url: str) -> Iterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def make_app() -> Iterator[AppFactory]:
    """Apps built from an environment; everything they opened is closed after the test."""
    apps: list[Flask] = []

    def make(environ: dict[str, str]) -> Flask:
        # No worker consumes database 1: its queue only grows through a run, so the
        # bound on queued jobs is off unless a test sets it (tests/test_limits.py).
        apps.append(create_app({"MAX_QUEUED_JOBS": "0", **environ}))
        return apps[-1]

    yield make
    for built in apps:
        close_app(built)


@pytest.fixture
def app(redis_url: str, make_app: AppFactory) -> Flask:
    """The app on database 1 of the suite's Redis, where no worker consumes jobs."""
    return make_app({"REDIS_URL": redis_url.replace("/0", "/1"), "RATE_LIMIT": "100000 per minute"})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def worker(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    """One real Celery worker process (prefork, one child) on the suite's Redis."""
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    process = start_worker(redis_url, log, "--concurrency", "1")
    yield process
    process.stop()


@pytest.fixture(scope="session")
def live_server(redis_url: str, worker: Process, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service under gunicorn (gevent), as the Procfile runs it; yields its base URL."""
    log: Path = tmp_path_factory.mktemp("web") / "web.log"
    web, base = start_web(redis_url, log)
    yield base
    web.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); set CI=1 to make this a failure")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            headless=True,
        )
        yield launched
        launched.close()
