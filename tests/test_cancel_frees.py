"""A cancel frees the worker at once, whatever the engine is doing: one worker process, one long call."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import pytest
import requests
from redis import Redis

from tasks.document.failures import RenderFailed
from tasks.job.store import key
from tasks.reporting import JobEnded
from tasks.watchdog import Cancellable
from tests.support import Stack, get_job, private_stack, slow_preparation_html, submit_job, wait_for_job, wait_until

TIMEOUT = 10
# One paragraph of about 9 MB: ReportLab breaks it into lines in one call that lasts minutes,
# so the progress callback gets no chance to see the cancel.
ONE_PARAGRAPH = "<p>" + "lorem ipsum dolor sit amet " * 340_000 + "</p>"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with private_stack(tmp_path_factory.mktemp("cancel"), processes=1) as service:
        yield service


def cancel_in(stack: Stack, stage: str) -> None:
    """Submit the paragraph, cancel it once it is in `stage`; the next job must start within 2 s."""
    job = submit_job(stack.base, {"html": ONE_PARAGRAPH, "reuse": False})
    wait_until(lambda: get_job(stack.base, job["id"])["progress"]["stage"] == stage, 240, f"the {stage} stage", 0.2)
    cancel_frees_the_worker(stack, job["id"])


def cancel_frees_the_worker(stack: Stack, job_id: str) -> None:
    """Cancel job `job_id`: the next job starts within 2 s and succeeds, and the job ends REVOKED."""
    response = requests.post(f"{stack.base}/api/jobs/{job_id}/cancel", timeout=TIMEOUT)
    assert response.status_code == 202
    cancelled = time.monotonic()
    after = submit_job(stack.base, {"html": "<p>After the cancel</p>", "reuse": False})
    wait_for_job(stack.base, after["id"], "STARTED", "PROGRESS", "SUCCESS", timeout=2)
    assert time.monotonic() - cancelled < 2.5
    assert wait_for_job(stack.base, after["id"], timeout=30)["state"] == "SUCCESS"
    assert get_job(stack.base, job_id)["state"] == "REVOKED"


def test_a_cancel_in_one_long_layout_call_frees_the_worker_at_once(stack: Stack) -> None:
    cancel_in(stack, "layout")
    assert "interrupting the render" in stack.worker.output()


def test_a_cancel_while_parsing_frees_the_worker_at_once(stack: Stack) -> None:
    cancel_in(stack, "parsing")


def test_a_cancel_while_a_split_prepares_frees_the_worker_at_once(stack: Stack) -> None:
    # Issue 19, item 4: the split's preparation ran before its watchdog, so a cancel waited for it.
    job = submit_job(stack.base, {"html": slow_preparation_html(), "reuse": False, "split": "always"})
    wait_until(lambda: f"tasks.split_render[{job['id']}]" in stack.worker.output(), 30, "the split task to start", 0.1)
    cancel_frees_the_worker(stack, job["id"])


def test_the_watchdog_stops_a_block_at_its_time_limit_whatever_it_catches(redis: Redis) -> None:
    redis.hset(key("running"), mapping={"json": "{}"})
    started = time.monotonic()
    with pytest.raises(RenderFailed) as failed, Cancellable(redis, "running", time_limit=0.3, poll=0.01):
        while time.monotonic() - started < 10:
            # A library that takes every Exception for its own (Celery's soft limit is one).
            with contextlib.suppress(Exception):
                sum(range(1000))
    assert failed.value.code == "render_timeout"
    assert time.monotonic() - started < 2
    redis.delete(key("running"))


def test_the_watchdog_interrupts_only_inside_its_block(redis: Redis) -> None:
    redis.hset(key("running"), mapping={"json": "{}"})
    with Cancellable(redis, "running", poll=0.01):
        time.sleep(0.1)  # a job still running: nothing is raised
    deadline = time.monotonic() + 5
    with pytest.raises(JobEnded), Cancellable(redis, "gone", poll=0.01):
        while time.monotonic() < deadline:  # a long pure-Python loop, like a layout
            sum(range(1000))
    assert time.monotonic() < deadline
    redis.hset(key("running"), "final", "1")
    with pytest.raises(JobEnded), Cancellable(redis, "running", poll=0.01):
        time.sleep(1)  # a C call runs to its end; the exception lands right after
    time.sleep(0.1)  # and nothing lands after the block
    redis.delete(key("running"))
