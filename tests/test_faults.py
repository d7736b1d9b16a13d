"""Faults: workers killed, Redis restarted, jobs expired, a flood of jobs; nothing lost or stuck."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import psutil
import pytest
import requests
from flask.testing import FlaskClient

from tests.support import (
    ENDED,
    AppFactory,
    Process,
    RedisServer,
    SseEvent,
    SseStream,
    get_job,
    report_html,
    start_web,
    start_worker,
    submit_job,
    wait_for_job,
    wait_until,
)

TIMEOUT = 10


def submit(base: str, html: str) -> str:
    # reuse=False: each of these tests needs a real render, not a copy of an earlier PDF.
    job_id: str = submit_job(base, {"html": html, "reuse": False})["id"]
    return job_id


def parse_time(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


def rendering_child(worker: Process) -> psutil.Process:
    children = psutil.Process(worker.pid).children()
    assert len(children) == 1, "the test worker runs one pool process"
    return children[0]


def kill_when_rendering(base: str, job_id: str, worker: Process) -> None:
    wait_until(
        lambda: (job := get_job(base, job_id))["state"] == "PROGRESS" and job["progress"]["percent"] > 5,
        60,
        "the render to be under way",
    )
    rendering_child(worker).send_signal(signal.SIGKILL)


def test_a_worker_killed_mid_render_loses_nothing(live_server: str, worker: Process) -> None:
    job_id = submit(live_server, report_html(200))
    events: list[SseEvent] = []
    with SseStream(f"{live_server}/api/jobs/{job_id}/events") as stream:
        reader = threading.Thread(target=lambda: events.extend(stream.events(deadline=120)))
        reader.start()
        kill_when_rendering(live_server, job_id, worker)
        reader.join(120)
    job = get_job(live_server, job_id)
    assert job["state"] == "SUCCESS"
    states = [event.job["state"] for event in events]
    assert "RETRY" in states, "viewers see the job start over"
    assert states[-1] == "SUCCESS"
    assert worker.alive()


def test_a_job_that_keeps_killing_its_worker_ends_as_failed(live_server: str, worker: Process) -> None:
    job_id = submit(live_server, report_html(200))
    for _ in range(3):
        kill_when_rendering(live_server, job_id, worker)
        # The next delivery restarts the render from zero, or gives up on it.
        wait_until(
            lambda: (job := get_job(live_server, job_id))["state"] in ENDED or job["progress"]["percent"] <= 5,
            60,
            "the redelivery",
        )
    job = wait_for_job(live_server, job_id, *ENDED)
    assert job["state"] == "FAILURE"
    assert job["error"]["code"] == "worker_lost"
    assert "stopped unexpectedly 3 times" in job["error"]["message"]
    after = submit(live_server, "<p>next</p>")
    assert wait_for_job(live_server, after, *ENDED)["state"] == "SUCCESS"


def test_200_jobs_at_once_are_all_done_once_in_order(live_server: str) -> None:
    def timed_submit(number: int) -> tuple[float, float, str]:
        sent = time.monotonic()
        job_id = submit(live_server, f"<h1>Job {number}</h1>")
        return sent, time.monotonic(), job_id

    with ThreadPoolExecutor(max_workers=20) as pool:
        submitted = list(pool.map(timed_submit, range(200)))
    assert len({job_id for _, _, job_id in submitted}) == 200
    ended = [wait_for_job(live_server, job_id, *ENDED, timeout=180) for _, _, job_id in submitted]
    assert [job["state"] for job in ended] == ["SUCCESS"] * 200
    for (_, _, job_id), job in zip(submitted, ended, strict=True):
        pdf = requests.get(f"{live_server}/api/jobs/{job_id}/pdf", timeout=TIMEOUT)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert job["pdf"]["bytes"] == len(pdf.content)
    # One worker process takes them in the order they arrived: a job whose
    # 202 came back before another was even sent finished before it.
    finished = [parse_time(job["updated_at"]) for job in ended]
    for (sent, _, _), done in zip(submitted, finished, strict=True):
        before = [other_done for (_, acked, _), other_done in zip(submitted, finished, strict=True) if acked < sent]
        assert all(other_done <= done for other_done in before)


def test_records_expire_after_their_ttl(redis_url: str, make_app: AppFactory) -> None:
    client: FlaskClient = make_app(
        {"REDIS_URL": redis_url.replace("/0", "/1"), "RESULT_TTL": "1", "RATE_LIMIT": "1000 per minute"}
    ).test_client()
    job_id = client.post("/api/jobs", json={"html": "<p>x</p>"}).get_json()["id"]
    assert client.get(f"/api/jobs/{job_id}").status_code == 200
    wait_until(lambda: client.get(f"/api/jobs/{job_id}").status_code == 404, 10, "the record to expire")
    gone = client.get(f"/api/jobs/{job_id}/pdf")
    assert gone.status_code == 404
    assert "expired" in gone.get_json()["error"]["message"]


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[tuple[RedisServer, Process, str]]:
    """A stack of its own whose Redis (persistent, fixed port) can be stopped and started again."""
    redis = RedisServer(tmp_path / "redis", persistent=True)
    worker = start_worker(redis.url, tmp_path / "worker.log", "--concurrency", "1")
    web, base = start_web(redis.url, tmp_path / "web.log")
    yield redis, worker, base
    web.stop()
    worker.stop()
    redis.stop()


def test_a_redis_restart_is_survived(restartable: tuple[RedisServer, Process, str]) -> None:
    redis, worker, base = restartable
    job_id = submit(base, report_html(200))
    wait_for_job(base, job_id, "PROGRESS", timeout=60)
    with SseStream(f"{base}/api/jobs/{job_id}/events") as stream:
        events = stream.events(deadline=30)
        first = next(events)
        redis.stop()
        start = time.monotonic()
        rest = list(events)  # the stream ends, so the browser reconnects with Last-Event-ID
    assert time.monotonic() - start < 10
    assert first.type == "progress" and all(event.type == "progress" for event in rest)

    for response in (
        requests.get(f"{base}/healthz", timeout=TIMEOUT),
        requests.post(f"{base}/api/jobs", json={"html": "<p>x</p>"}, timeout=TIMEOUT),
        requests.get(f"{base}/api/jobs/{job_id}", timeout=TIMEOUT),
    ):
        assert response.status_code == 503
        assert response.headers["Retry-After"]
        assert response.elapsed.total_seconds() < 5

    redis.start()
    wait_until(lambda: requests.get(f"{base}/healthz", timeout=TIMEOUT).status_code == 200, 30, "health again")
    # The interrupted render went on once Redis was back; new work flows too.
    assert wait_for_job(base, job_id, *ENDED, timeout=120)["state"] == "SUCCESS"
    after = submit(base, "<p>after the restart</p>")
    assert wait_for_job(base, after, *ENDED, timeout=60)["state"] == "SUCCESS"
    with SseStream(f"{base}/api/jobs/{job_id}/events", {"Last-Event-ID": str(first.id)}) as resumed:
        assert [event.type for event in resumed.events(deadline=10)] == ["end"]
    assert worker.alive()
