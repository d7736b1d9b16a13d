"""/healthz and the workers gauges count the workers of each queue: the webhook worker renders nothing."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support import Process, RedisServer, start_web, start_webhook_worker, start_worker, wait_until
from webapp.health import FORGET_SECONDS, WORKER_CACHE_SECONDS

TIMEOUT = 10


def health(base: str) -> tuple[int, dict[str, object]]:
    response = requests.get(f"{base}/healthz", timeout=TIMEOUT)
    return response.status_code, response.json()


def gauges(base: str) -> dict[str, float]:
    text = requests.get(f"{base}/metrics", timeout=TIMEOUT).text
    return {
        family.name: family.samples[0].value
        for family in text_string_to_metric_families(text)
        if family.name in ("pdf_workers_alive", "pdf_webhook_workers_alive")
    }


def test_health_is_ready_only_with_a_render_worker(tmp_path: Path) -> None:
    redis = RedisServer(tmp_path / "redis")
    web, base = start_web(redis.url, tmp_path / "web.log")
    started: list[Process] = []
    try:
        status, body = health(base)
        assert (status, body["status"], body["workers"], body["webhook_workers"]) == (503, "no_render_worker", 0, 0)

        started.append(start_webhook_worker(redis.url, tmp_path / "webhooks.log"))
        status, body = wait_until(
            lambda: (answer := health(base))[1]["webhook_workers"] == 1 and answer, 15, "the webhook worker counted"
        )
        assert (status, body["status"], body["redis"], body["workers"]) == (503, "no_render_worker", "ok", 0)
        assert gauges(base) == {"pdf_workers_alive": 0, "pdf_webhook_workers_alive": 1}

        started.append(start_worker(redis.url, tmp_path / "worker.log", "--concurrency", "1"))
        # A worker says "ready." once it consumes: from then on health is ready within the short cache.
        status, body = wait_until(
            lambda: (answer := health(base))[0] == 200 and answer, 5, "ready with a render worker"
        )
        assert body == {"status": "ok", "redis": "ok", "workers": 1, "webhook_workers": 1}
        assert gauges(base) == {"pdf_workers_alive": 1, "pdf_webhook_workers_alive": 1}
    finally:
        web.stop()
        for process in reversed(started):
            process.stop()
        redis.stop()


def test_a_worker_that_misses_one_broadcast_is_not_taken_for_gone(tmp_path: Path) -> None:
    """A render worker slow to answer under load (here: stopped for longer than the health cache) kept health
    ready, where it flapped to 503 `no_render_worker` for one broadcast; one silent for FORGET_SECONDS is gone."""
    redis = RedisServer(tmp_path / "redis")
    web, base = start_web(redis.url, tmp_path / "web.log")
    worker = start_worker(redis.url, tmp_path / "worker.log", "--concurrency", "1")
    try:
        wait_until(lambda: health(base)[0] == 200, 15, "ready with a render worker")
        assert worker.popen is not None
        worker.popen.send_signal(signal.SIGSTOP)
        silent_since = time.monotonic()
        try:
            # Past the cache, so the web broadcasts again and hears nothing back.
            deadline = silent_since + WORKER_CACHE_SECONDS + 2
            while time.monotonic() < deadline:
                assert health(base) == (200, {"status": "ok", "redis": "ok", "workers": 1, "webhook_workers": 0})
                time.sleep(0.5)
            wait_until(
                lambda: health(base)[0] == 503, FORGET_SECONDS + WORKER_CACHE_SECONDS + 5, "the silent worker forgotten"
            )
            assert time.monotonic() - silent_since >= FORGET_SECONDS
        finally:
            worker.popen.send_signal(signal.SIGCONT)
    finally:
        web.stop()
        worker.stop()
        redis.stop()
