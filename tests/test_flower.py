"""Flower against the running service: the workers' task events show each job's task and its state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support import BIN, Process, free_port, submit_job, wait_for_job, wait_until

TIMEOUT = 10


@pytest.fixture
def flower(redis_url: str, live_server: str, tmp_path: Path) -> Iterator[str]:
    """`celery -A wsgi:celery_app flower` on the suite's broker, as docs/operations.md runs it; yields its URL.

    Flower would otherwise ask the workers to turn their events on itself:
    with that off, it sees tasks only if the service's own settings send them.
    """
    port = free_port()
    command = [str(BIN / "celery"), "-A", "wsgi:celery_app", "flower", "--address=127.0.0.1", f"--port={port}"]
    command.append("--enable_events=False")
    # Flower 2 serves its API only with authentication, or with this set.
    env = {"REDIS_URL": redis_url, "FLOWER_UNAUTHENTICATED_API": "true"}
    process = Process(command, tmp_path / "flower.log", env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(f"{base}/api/workers") or not process.alive(), 60, "Flower")
        assert process.alive(), process.output()
        yield base
    finally:
        process.stop()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=TIMEOUT).status_code == 200
    except requests.ConnectionError:
        return False


def test_flower_lists_the_workers_and_the_task_each_job_ran(flower: str, live_server: str) -> None:
    workers = wait_until(lambda: requests.get(f"{flower}/api/workers", timeout=TIMEOUT).json(), 30, "a worker")
    assert workers, "Flower lists the worker by node name"
    job = submit_job(live_server, {"html": "<p>Seen by Flower</p>", "reuse": False})
    assert wait_for_job(live_server, job["id"])["state"] == "SUCCESS"

    def task() -> dict[str, Any] | None:
        tasks: dict[str, dict[str, Any]] = requests.get(f"{flower}/api/tasks", timeout=TIMEOUT).json()
        found = tasks.get(job["id"])
        return found if found and found.get("state") == "SUCCESS" else None

    seen = wait_until(task, 30, "Flower to see the job's task succeed", interval=0.5)
    assert seen["name"] == "tasks.convert"
    assert seen["worker"] in workers
