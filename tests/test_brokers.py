"""RabbitMQ as the broker, by configuration alone: Redis still carries job records, PDFs and events."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from kombu.connection import Connection
from prometheus_client.parser import text_string_to_metric_families

from tests.support import RedisServer, SseStream, pdf_pages, report_html, start_web, start_worker, wait_until

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"
TIMEOUT = 10


def rabbitmq_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture
def amqp_stack(tmp_path: Path) -> Iterator[str]:
    """A worker and gunicorn on RabbitMQ, with a private Redis; a queue of their own, deleted afterwards."""
    if not rabbitmq_answers():
        message = f"no RabbitMQ answers on 127.0.0.1:5672 ({AMQP_URL})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Other test runs may share this RabbitMQ: a queue and node name of our own keep their jobs apart.
    queue = f"pdf-test-{uuid.uuid4().hex[:12]}"
    env = {"CELERY_BROKER_URL": AMQP_URL, "CELERY_QUEUE": queue}
    redis = RedisServer(tmp_path / "redis")
    worker = start_worker(redis.url, tmp_path / "worker.log", "--concurrency", "1", "-n", f"{queue}@%h", env=env)
    web, base = start_web(redis.url, tmp_path / "web.log", env=env)
    try:
        assert "Connected to amqp://" in worker.output()
        yield base
    finally:
        web.stop()
        worker.stop()
        redis.stop()
        with Connection(AMQP_URL, connect_timeout=5) as connection:  # type: ignore[no-untyped-call]
            connection.default_channel.queue_delete(queue)


def test_a_job_goes_through_rabbitmq_and_its_pdf_through_redis(amqp_stack: str) -> None:
    base = amqp_stack
    html = report_html(5)
    response = requests.post(f"{base}/api/jobs", json={"html": html, "filename": "rabbit.pdf"}, timeout=TIMEOUT)
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    with SseStream(f"{base}/api/jobs/{job_id}/events") as stream:
        events = list(stream.events(deadline=90))
    assert events[-1].type == "end"
    assert events[-1].job["state"] == "SUCCESS"
    pdf = requests.get(f"{base}/api/jobs/{job_id}/pdf", timeout=TIMEOUT)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf_pages(pdf.content) == events[-1].job["pdf"]["pages"]

    # The web tier's broker calls work over AMQP too: ping (health), revoke (cancel), queue depth (metrics).
    workers = wait_until(lambda: requests.get(f"{base}/healthz", timeout=TIMEOUT).json()["workers"], 30, "a ping")
    assert workers >= 1
    long_id = requests.post(f"{base}/api/jobs", json={"html": report_html(100)}, timeout=TIMEOUT).json()["id"]
    wait_until(
        lambda: requests.get(f"{base}/api/jobs/{long_id}", timeout=TIMEOUT).json()["state"] == "PROGRESS",
        60,
        "the long job to run",
    )
    cancelled = requests.delete(f"{base}/api/jobs/{long_id}", timeout=TIMEOUT)
    assert cancelled.status_code == 202 and cancelled.json()["state"] == "REVOKED"
    after = requests.post(f"{base}/api/jobs", json={"html": "<p>after</p>"}, timeout=TIMEOUT).json()["id"]
    wait_until(
        lambda: requests.get(f"{base}/api/jobs/{after}", timeout=TIMEOUT).json()["state"] == "SUCCESS",
        60,
        "the next job after a cancel",
    )
    families = {family.name: family for family in text_string_to_metric_families(_scrape(base))}
    assert [sample.value for sample in families["pdf_queue_depth"].samples] == [0.0]
    assert families["pdf_jobs_succeeded"].samples[0].value == 2.0


def _scrape(base: str) -> str:
    response = requests.get(f"{base}/metrics", timeout=TIMEOUT)
    assert response.status_code == 200
    return response.text
