"""GET /metrics: Prometheus text with the service's totals, whichever web process is asked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support import (
    UNRENDERABLE_HTML,
    Process,
    RedisServer,
    SseStream,
    report_html,
    start_web,
    start_worker,
    wait_until,
)

TIMEOUT = 10
COUNTERS = ("pdf_jobs_submitted", "pdf_jobs_succeeded", "pdf_jobs_failed", "pdf_jobs_cancelled")
TYPES = {
    **dict.fromkeys(COUNTERS, "counter"),
    "pdf_render_seconds": "histogram",
    "pdf_render_pages": "histogram",
    "pdf_queue_depth": "gauge",
    "pdf_sse_streams_open": "gauge",
    "pdf_workers_alive": "gauge",
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
        running = submit(two, report_html(150))
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
