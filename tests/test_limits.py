"""Configured limits end jobs with clear words; tokens and the rate limit guard submissions."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from tests.support import (
    AppFactory,
    report_html,
    slow_preparation_html,
    start_web,
    start_worker,
    submit_job,
    wait_for_job,
)

TIMEOUT = 10


@pytest.fixture(scope="module")
def strict_stack(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A worker and web of their own (Redis database 3) with tight limits."""
    url = redis_url.replace("/0", "/3")
    env = {"RENDER_TIME_LIMIT": "2", "MAX_PAGES": "5"}
    directory: Path = tmp_path_factory.mktemp("strict")
    worker = start_worker(url, directory / "worker.log", "--concurrency", "1", env=env)
    web, base = start_web(url, directory / "web.log", env=env)
    yield base
    web.stop()
    worker.stop()


def ended(base: str, html: str) -> dict[str, Any]:
    return wait_for_job(base, submit_job(base, {"html": html, "reuse": False})["id"])


def test_a_render_past_the_time_limit_fails_saying_so(strict_stack: str) -> None:
    job = ended(strict_stack, report_html(600))
    assert job["state"] == "FAILURE"
    assert job["error"]["code"] == "render_timeout"
    assert "took longer than 2 s" in job["error"]["message"]
    assert ended(strict_stack, "<p>quick one</p>")["state"] == "SUCCESS"


def test_the_time_limit_is_never_taken_for_a_document_the_preparation_could_not_read(strict_stack: str) -> None:
    # Issue 19, item 3: the preparation stage caught Celery's soft limit as a failure to prepare and
    # rendered the document as written, past the limit, to SUCCESS.
    for split in ("never", "always"):
        job = submit_job(strict_stack, {"html": slow_preparation_html(), "reuse": False, "split": split})
        submitted = time.monotonic()
        ended = wait_for_job(strict_stack, job["id"], timeout=60)
        assert ended["state"] == "FAILURE", (split, ended)
        assert ended["error"]["code"] == "render_timeout", (split, ended)
        assert time.monotonic() - submitted < 2 + 10, "stopped at its limit, not at the hard one"


def test_a_document_past_the_page_limit_fails_saying_so(strict_stack: str) -> None:
    job = ended(strict_stack, report_html(20))
    assert job["state"] == "FAILURE"
    assert job["error"]["code"] == "too_many_pages"
    assert "past 5 pages" in job["error"]["message"]


def test_api_tokens_guard_submissions_and_cancels(redis_url: str, make_app: AppFactory) -> None:
    client = make_app({"REDIS_URL": redis_url.replace("/0", "/1"), "API_TOKENS": "alpha,beta"}).test_client()
    refused = client.post("/api/jobs", json={"html": "<p>x</p>"})
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "unauthorized"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = client.post("/api/jobs", json={"html": "<p>x</p>"}, headers={"Authorization": "Bearer gamma"})
    assert wrong.status_code == 401
    accepted = client.post("/api/jobs", json={"html": "<p>x</p>"}, headers={"Authorization": "Bearer beta"})
    assert accepted.status_code == 202
    job_id = accepted.get_json()["id"]
    assert client.get(f"/api/jobs/{job_id}").status_code == 200, "reading needs only the unguessable id"
    assert client.delete(f"/api/jobs/{job_id}").status_code == 401
    assert client.delete(f"/api/jobs/{job_id}", headers={"Authorization": "Bearer alpha"}).status_code == 202


def test_too_many_submissions_get_429_with_retry_after(redis_url: str, make_app: AppFactory) -> None:
    client = make_app({"REDIS_URL": redis_url.replace("/0", "/1"), "RATE_LIMIT": "3 per minute"}).test_client()
    environ = {"REMOTE_ADDR": "203.0.113.7"}  # an address no other test uses
    answers = [client.post("/api/jobs", json={"html": f"<p>{n}</p>"}, environ_base=environ) for n in range(4)]
    assert [answer.status_code for answer in answers] == [202, 202, 202, 429]
    assert "Retry-After" not in answers[0].headers
    assert 0 < int(answers[3].headers["Retry-After"]) <= 60
    assert answers[3].get_json()["error"]["code"] == "too_many_requests"
    other = client.post("/api/jobs", json={"html": "<p>x</p>"}, environ_base={"REMOTE_ADDR": "203.0.113.8"})
    assert other.status_code == 202, "the limit is per client"


def empty_database(redis_url: str) -> str:
    """Database 4 of the suite's Redis, emptied: no worker consumes it, so its queue holds only this test's jobs."""
    url = redis_url.replace("/0", "/4")
    with Redis.from_url(url) as redis:
        redis.flushdb()
    return url


def test_a_burst_from_one_address_is_accepted_by_default(redis_url: str, make_app: AppFactory) -> None:
    """The queue absorbs bursts: 200 submissions at once from one backend are all queued."""
    client = make_app({"REDIS_URL": empty_database(redis_url), "MAX_QUEUED_JOBS": "1000"}).test_client()  # defaults
    answers = [client.post("/api/jobs", json={"html": f"<p>burst {n}</p>"}).status_code for n in range(200)]
    assert answers == [202] * 200


def test_past_the_queue_bound_new_jobs_get_503_with_retry_after(redis_url: str, make_app: AppFactory) -> None:
    client = make_app({"REDIS_URL": empty_database(redis_url), "MAX_QUEUED_JOBS": "3"}).test_client()
    keyed = {"Idempotency-Key": "first"}
    first = client.post("/api/jobs", json={"html": "<p>0</p>"}, headers=keyed)
    answers = [first] + [client.post("/api/jobs", json={"html": f"<p>{n}</p>"}) for n in (1, 2, 3)]
    assert [answer.status_code for answer in answers] == [202, 202, 202, 503]
    assert answers[3].headers["Retry-After"] == "30"
    error = answers[3].get_json()["error"]
    assert error["code"] == "queue_full" and "3 jobs are waiting" in error["message"]
    again = client.post("/api/jobs", json={"html": "<p>0</p>"}, headers=keyed)
    assert again.status_code == 202 and again.get_json()["id"] == first.get_json()["id"], "a retry adds no work"


@pytest.mark.parametrize(("proxies", "limited"), [("0", True), ("1", False)])
def test_x_forwarded_for_names_the_client_only_behind_trusted_proxies(
    redis_url: str, make_app: AppFactory, proxies: str, limited: bool
) -> None:
    settings = {"REDIS_URL": empty_database(redis_url), "RATE_LIMIT": "2 per minute", "TRUSTED_PROXY_COUNT": proxies}
    client = make_app(settings).test_client()
    environ = {"REMOTE_ADDR": "10.0.0.2"}  # the load balancer
    answers = [
        client.post(
            "/api/jobs",
            json={"html": f"<p>{n}</p>"},
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
            environ_base=environ,
        ).status_code
        for n in range(3)
    ]
    assert answers == ([202, 202, 429] if limited else [202, 202, 202])
