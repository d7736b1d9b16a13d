"""Stopping with SIGTERM loses nothing: a worker finishes its job, a web process hands its streams on."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support import RedisServer, SseStream, report_html, start_web, start_worker, wait_until

TIMEOUT = 10
GRACEFUL_TIMEOUT = 20  # gunicorn.conf.py


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    redis = RedisServer(tmp_path / "redis")
    yield redis
    redis.stop()


def submit(base: str, html: str) -> str:
    response = requests.post(f"{base}/api/jobs", json={"html": html}, timeout=TIMEOUT)
    assert response.status_code == 202, response.text
    job_id: str = response.json()["id"]
    return job_id


def get_job(base: str, job_id: str) -> dict[str, Any]:
    job: dict[str, Any] = requests.get(f"{base}/api/jobs/{job_id}", timeout=TIMEOUT).json()
    return job


@pytest.mark.parametrize("group", [False, True], ids=["main-process", "process-group"])
def test_sigterm_to_a_worker_finishes_the_job_in_hand(private_redis: RedisServer, tmp_path: Path, group: bool) -> None:
    worker = start_worker(private_redis.url, tmp_path / "worker.log", "--concurrency", "1")
    web, base = start_web(private_redis.url, tmp_path / "web.log")
    try:
        job_id = submit(base, report_html(80))  # a render of a few seconds
        running = wait_until(
            lambda: (job := get_job(base, job_id))["state"] == "PROGRESS" and job["progress"]["percent"] > 5 and job,
            60,
            "the render to be under way",
        )
        # Docker and Kubernetes signal the main process; Heroku and systemd every process of the worker.
        (os.killpg if group else os.kill)(worker.pid, signal.SIGTERM)
        assert running["progress"]["percent"] < 100
        worker.popen.wait(120)  # warm shutdown: the worker leaves once the job is done
        job = get_job(base, job_id)
        assert job["state"] == "SUCCESS", job
        assert requests.get(f"{base}/api/jobs/{job_id}/pdf", timeout=TIMEOUT).content.startswith(b"%PDF")
        log = worker.output()
        assert log.index("Warm shutdown") < log.index(f"tasks.convert[{job_id}] succeeded"), "stopped mid-render"
    finally:
        web.stop()
        worker.stop()


def test_sigterm_to_the_web_ends_its_streams_and_another_web_resumes_them(
    private_redis: RedisServer, tmp_path: Path
) -> None:
    worker = start_worker(private_redis.url, tmp_path / "worker.log", "--concurrency", "1")
    first, base = start_web(private_redis.url, tmp_path / "web-1.log")
    second = None
    try:
        job_id = submit(base, report_html(150))  # renders for longer than this web process takes to stop
        with SseStream(f"{base}/api/jobs/{job_id}/events") as stream:
            events = stream.events(deadline=90)
            seen = [next(events)]
            while seen[-1].job["state"] != "PROGRESS":
                seen.append(next(events))
            os.kill(first.pid, signal.SIGTERM)
            stopped = time.monotonic()
            seen.extend(events)  # until the server closes the stream
            ended_after = time.monotonic() - stopped
        # Cut short, not ended by the job: the browser reconnects, soon, well within gunicorn's graceful_timeout.
        assert [event.type for event in seen] == ["progress"] * len(seen)
        assert ended_after < GRACEFUL_TIMEOUT / 2, ended_after
        first.popen.wait(GRACEFUL_TIMEOUT)
        assert time.monotonic() - stopped < GRACEFUL_TIMEOUT * 3 / 4, "gunicorn left without waiting for the timeout"

        second, base = start_web(private_redis.url, tmp_path / "web-2.log")
        last = seen[-1].id or 0
        with SseStream(f"{base}/api/jobs/{job_id}/events", {"Last-Event-ID": str(last)}) as resumed:
            rest = list(resumed.events(deadline=120))
        ids = [event.id or 0 for event in rest]
        assert ids == sorted(ids) and ids[0] > last, "resumed without repeating"
        assert rest[-1].type == "end" and rest[-1].job["state"] == "SUCCESS"
    finally:
        if second is not None:
            second.stop()
        first.stop()
        worker.stop()
