"""Stopping with SIGTERM loses nothing: a worker finishes its job, a web process hands its streams on."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import requests

from tests.support import (
    RedisServer,
    SseEvent,
    SseStream,
    get_job,
    report_html,
    start_web,
    start_worker,
    submit_job,
    wait_until,
)

TIMEOUT = 10
GRACEFUL_TIMEOUT = 20  # gunicorn.conf.py


def submit(base: str, html: str) -> str:
    job_id: str = submit_job(base, {"html": html})["id"]
    return job_id


def follow_to_the_end(base: str, job_id: str, last: int, timeout: float = 120) -> list[SseEvent]:
    """What EventSource does: reconnect with Last-Event-ID until the `end` event, never seeing one twice."""
    deadline = time.monotonic() + timeout
    events: list[SseEvent] = []
    while not events or events[-1].type != "end":
        assert time.monotonic() < deadline, "the stream never reached its end"
        # A process that is stopping may still take a connection, and ends it at once.
        with SseStream(f"{base}/api/jobs/{job_id}/events", {"Last-Event-ID": str(last)}) as stream:
            events.extend(stream.events(deadline=deadline - time.monotonic()))
        last = events[-1].id or last if events else last
    ids = [event.id or 0 for event in events]
    assert ids == sorted(set(ids)), "resumed without repeating"
    return events


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
        rest = follow_to_the_end(base, job_id, seen[-1].id or 0)
        assert rest[-1].job["state"] == "SUCCESS"
    finally:
        if second is not None:
            second.stop()
        first.stop()
        worker.stop()


def test_a_web_process_recycled_after_max_requests_hands_its_streams_on(
    private_redis: RedisServer, tmp_path: Path
) -> None:
    worker = start_worker(private_redis.url, tmp_path / "worker.log", "--concurrency", "1")
    # gunicorn replaces a web process after max_requests without any signal: the same quick hand-over.
    recycled = {"GUNICORN_CMD_ARGS": "--max-requests 3 --max-requests-jitter 0"}
    web, base = start_web(private_redis.url, tmp_path / "web.log", env=recycled)
    try:
        job_id = submit(base, report_html(150))  # request 1
        with SseStream(f"{base}/api/jobs/{job_id}/events") as stream:  # request 2
            events = stream.events(deadline=90)
            seen = [next(events)]
            while seen[-1].job["state"] != "PROGRESS":
                seen.append(next(events))
            assert requests.get(f"{base}/healthz", timeout=TIMEOUT).status_code == 200  # request 3: the last
            recycling = time.monotonic()
            seen.extend(events)
            ended_after = time.monotonic() - recycling
        assert [event.type for event in seen] == ["progress"] * len(seen)
        assert ended_after < GRACEFUL_TIMEOUT / 2, ended_after
        # The next web process of the same gunicorn carries the stream on.
        assert follow_to_the_end(base, job_id, seen[-1].id or 0)[-1].job["state"] == "SUCCESS"
        assert "Autorestarting worker" in web.output()
    finally:
        web.stop()
        worker.stop()
