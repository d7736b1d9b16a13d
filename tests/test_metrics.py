"""GET /metrics: Prometheus text with the service's totals, whichever web process is asked."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis

from tasks.job import metrics
from tests.support import (
    UNRENDERABLE_HTML,
    AppFactory,
    Process,
    RedisServer,
    SseStream,
    report_html,
    start_web,
    start_worker,
    wait_until,
)
from webapp.hub import EventHub
from webapp.metrics import REPORT_SECONDS, STREAMS_KEY, StreamCensus

TIMEOUT = 10
COUNTERS = ("pdf_jobs_submitted", "pdf_jobs_succeeded", "pdf_jobs_failed", "pdf_jobs_cancelled")
TYPES = {
    **dict.fromkeys(COUNTERS, "counter"),
    "pdf_render_seconds": "histogram",
    "pdf_render_pages": "histogram",
    "pdf_queue_depth": "gauge",
    "pdf_sse_streams_open": "gauge",
    "pdf_workers_alive": "gauge",
    "pdf_webhook_workers_alive": "gauge",
}


@pytest.fixture
def two_webs(tmp_path: Path) -> Iterator[tuple[RedisServer, str, str]]:
    """Two gunicorns (think: two machines) on one private Redis, and no worker yet."""
    redis = RedisServer(tmp_path / "redis")
    first, one = start_web(redis.url, tmp_path / "web-1.log")
    second, two = start_web(redis.url, tmp_path / "web-2.log")
    yield redis, one, two
    second.stop()
    first.stop()
    redis.stop()


def scrape(base: str) -> dict[str, float]:
    """Every sample by name (and `le` label), after checking each family's type."""
    response = requests.get(f"{base}/metrics", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(response.text):
        assert TYPES[family.name] == family.type, family.name
        for sample in family.samples:
            le = sample.labels.get("le")
            samples[f"{sample.name}[{le}]" if le else sample.name] = sample.value
    return samples


def submit(base: str, html: str) -> str:
    response = requests.post(f"{base}/api/jobs", json={"html": html}, timeout=TIMEOUT)
    assert response.status_code == 202, response.text
    job_id: str = response.json()["id"]
    return job_id


def state(base: str, job_id: str) -> str:
    value: str = requests.get(f"{base}/api/jobs/{job_id}", timeout=TIMEOUT).json()["state"]
    return value


def test_a_jobs_life_moves_the_right_counters_on_every_web_process(
    two_webs: tuple[RedisServer, str, str], tmp_path: Path
) -> None:
    redis, one, two = two_webs
    start = scrape(two)
    assert [start[f"{name}_total"] for name in COUNTERS] == [0, 0, 0, 0]
    assert start["pdf_queue_depth"] == 0 and start["pdf_workers_alive"] == 0

    fine = submit(one, "<p>fine</p>")
    broken = submit(two, UNRENDERABLE_HTML)
    dropped = submit(one, "<p>cancelled while queued</p>")
    assert requests.delete(f"{one}/api/jobs/{dropped}", timeout=TIMEOUT).status_code == 202
    queued = scrape(two)
    assert queued["pdf_jobs_submitted_total"] == 3 and queued["pdf_jobs_cancelled_total"] == 1
    assert queued["pdf_queue_depth"] == 3, "no worker yet: every message waits"

    worker: Process | None = None
    try:
        worker = start_worker(redis.url, tmp_path / "worker.log", "--concurrency", "1")
        wait_until(lambda: state(one, fine) == "SUCCESS" and state(one, broken) == "FAILURE", 60, "both ends")
        # A viewer on one web process counts in the open-streams gauge of every process.
        # Long enough to outlast any wait below: the cancel, not the render, ends it.
        running = submit(two, report_html(600))
        with SseStream(f"{one}/api/jobs/{running}/events") as stream:
            events = stream.events(deadline=90)
            while next(events).job["state"] != "PROGRESS":
                pass
            wait_until(lambda: scrape(two)["pdf_sse_streams_open"] == 1, 30, "the other process to count the stream")
            assert requests.delete(f"{two}/api/jobs/{running}", timeout=TIMEOUT).status_code == 202
            assert [event.type for event in events][-1:] == ["end"]
        after = wait_until(
            lambda: (m := scrape(one))["pdf_workers_alive"] == 1 and m["pdf_queue_depth"] == 0 and m,
            30,
            "a drained queue",
        )
    finally:
        if worker is not None:
            worker.stop()
    assert [after[f"{name}_total"] for name in COUNTERS] == [4, 1, 1, 2]
    assert after["pdf_sse_streams_open"] == 0
    for histogram in ("pdf_render_seconds", "pdf_render_pages"):
        assert after[f"{histogram}_count"] == after[f"{histogram}_bucket[+Inf]"] == 1
        buckets = [value for name, value in after.items() if name.startswith(f"{histogram}_bucket")]
        assert buckets == sorted(buckets), "cumulative buckets"
    assert after["pdf_render_pages_sum"] == 1 and after["pdf_render_seconds_sum"] > 0


def test_every_accepted_job_is_submitted_once_whatever_renders_it(client: FlaskClient, app: Flask) -> None:
    redis: Redis = app.extensions["redis"]

    def submitted() -> int:
        return metrics.read_counts(redis).get(metrics.SUBMITTED, 0)

    before = submitted()
    unique = f"<p>{time.time_ns()}</p>"
    bodies: list[dict[str, Any]] = [
        {"html": unique},
        {"html": unique + "<h1 style='page-break-before: always'>2</h1>", "split": "always"},
        {"documents": [unique, unique + "<p>second</p>"]},
    ]
    for body in bodies:
        assert client.post("/api/jobs", json=body).status_code == 202
    assert submitted() == before + 3
    # A repeat answered from a stored PDF or an Idempotency-Key retry is no new render.
    keyed = {"Idempotency-Key": f"k{time.time_ns()}"}
    first = client.post("/api/jobs", json={"html": unique + "<p>keyed</p>"}, headers=keyed)
    again = client.post("/api/jobs", json={"html": unique + "<p>keyed</p>"}, headers=keyed)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert submitted() == before + 4


def test_submissions_read_the_queue_depth_over_the_pooled_broker_connection(
    redis_url: str, make_app: AppFactory
) -> None:
    """The bound on queued jobs is read on every POST; a connection of its own per read cost a handshake."""
    app = make_app({"REDIS_URL": redis_url.replace("/0", "/1"), "MAX_QUEUED_JOBS": "100000"})
    client = app.test_client()
    redis: Redis = app.extensions["redis"]

    def connections() -> int:  # every connection Redis has accepted so far
        return int(redis.info("stats")["total_connections_received"])

    assert client.post("/api/jobs", json={"html": "<p>first</p>"}).status_code == 202
    before = connections()
    for number in range(5):
        assert client.post("/api/jobs", json={"html": f"<p>{number}</p>"}).status_code == 202
    assert connections() == before


def test_a_stream_is_reported_as_soon_as_it_opens_and_ends(redis: Redis) -> None:
    """Reported only every few seconds, a short stream was never seen by the other processes."""
    hub = EventHub(redis)
    census = StreamCensus(redis, hub)

    def reported() -> int | None:
        value = redis.hget(STREAMS_KEY, census.name)
        return None if value is None else int(metrics.text(value).split()[0])

    reporter = threading.Thread(target=census.keep_reporting, name="census-under-test", daemon=True)
    reporter.start()
    try:
        wait_until(lambda: reported() == 0, 2, "the first report")
        events = hub.subscribe("job:census-test")
        assert events is not None
        wait_until(lambda: reported() == 1, REPORT_SECONDS / 5, "the open stream to be reported at once")
        hub.unsubscribe("job:census-test", events)
        wait_until(lambda: reported() == 0, REPORT_SECONDS / 5, "the ended stream to be reported at once")
    finally:
        census.forget()
        reporter.join(2)
        hub.close(wait=2)
    assert not reporter.is_alive() and reported() is None, "forgotten for good"
