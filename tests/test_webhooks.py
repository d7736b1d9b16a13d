"""Webhooks: signed, retried with backoff, recorded in the job JSON; private addresses refused."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import requests
from flask import Flask

import tasks.webhooks  # noqa: F401  # registers its task, as a worker's include does (tasks/worker.py)
from tasks.delivery.http import address_refused, url_problem
from tests.support import AppFactory, Process, report_html, start_web, start_webhook_worker, start_worker, wait_until

SECRET = "test-webhook-secret"
TIMEOUT = 10


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class HookServer:
    """A callback receiver on 127.0.0.1 that answers the scripted statuses in turn, then 200."""

    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def hook_server() -> Iterator[HookServer]:
    state = HookServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.received.append(Received(dict(self.headers.items()), body, time.monotonic()))
            self.send_response(state.statuses.pop(0) if state.statuses else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.fixture(scope="module")
def webhook_stack(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A worker and a web server of their own on database 2, with webhooks to loopback allowed and quick retries."""
    url = redis_url.replace("/0", "/2")
    env = {"WEBHOOK_SECRET": SECRET, "WEBHOOK_ALLOW_PRIVATE": "1", "WEBHOOK_RETRY_DELAY": "0.3"}
    logs = tmp_path_factory.mktemp("webhooks")
    worker: Process = start_worker(url, logs / "worker.log", "--concurrency", "1", env=env)
    hooks: Process | None = None
    try:
        hooks = start_webhook_worker(url, logs / "webhooks.log", env)
        web, base = start_web(url, logs / "web.log", env)
        yield base
        web.stop()
    finally:
        if hooks is not None:
            hooks.stop()
        worker.stop()


def submit(base: str, html: str, callback_url: str) -> dict[str, Any]:
    response = requests.post(f"{base}/api/jobs", json={"html": html, "callback_url": callback_url}, timeout=TIMEOUT)
    assert response.status_code == 202, response.text
    job: dict[str, Any] = response.json()
    assert job["webhook"] == {
        "url": callback_url,
        "state": "pending",
        "attempts": 0,
        "last_status": None,
        "last_error": None,
    }
    return job


def job_json(base: str, job_id: str) -> dict[str, Any]:
    body: dict[str, Any] = requests.get(f"{base}/api/jobs/{job_id}", timeout=TIMEOUT).json()
    return body


def assert_signed(request: Received) -> None:
    timestamp = request.headers["X-Webhook-Timestamp"]
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["X-Signature-SHA256"], expected)
    assert abs(int(timestamp) - time.time()) < 300
    assert request.headers["Content-Type"] == "application/json"


def test_a_finished_job_is_posted_signed_and_retried_until_delivered(
    webhook_stack: str, hook_server: HookServer
) -> None:
    hook_server.statuses = [500]
    job = submit(webhook_stack, f"<h1>Hook</h1><p>{uuid.uuid4()}</p>", hook_server.url)
    final = wait_until(
        lambda: (got := job_json(webhook_stack, job["id"]))["webhook"]["state"] != "pending" and got,
        60,
        "the webhook to be delivered",
    )
    assert final["state"] == "SUCCESS"
    assert final["webhook"] == {
        "url": hook_server.url,
        "state": "delivered",
        "attempts": 2,
        "last_status": 200,
        "last_error": None,
    }
    first, second = hook_server.received
    for request in (first, second):
        assert_signed(request)
        assert request.headers["X-Webhook-Id"] == job["id"]
        # The body is the final job JSON, without the delivery's own record.
        assert json.loads(request.body) == {name: value for name, value in final.items() if name != "webhook"}
    assert first.body == second.body
    assert [first.headers["X-Webhook-Attempt"], second.headers["X-Webhook-Attempt"]] == ["1", "2"]
    assert second.at - first.at >= 0.25  # the retry waited for its backoff


def test_a_cancelled_job_is_posted_too(webhook_stack: str, hook_server: HookServer) -> None:
    html = report_html(150).replace("</body>", f"<!-- {uuid.uuid4()} --></body>")
    job = submit(webhook_stack, html, hook_server.url)
    assert requests.delete(f"{webhook_stack}/api/jobs/{job['id']}", timeout=TIMEOUT).status_code == 202
    wait_until(lambda: hook_server.received, 60, "the cancelled job's webhook")
    assert_signed(hook_server.received[0])
    assert json.loads(hook_server.received[0].body)["state"] == "REVOKED"
    wait_until(lambda: job_json(webhook_stack, job["id"])["webhook"]["state"] == "delivered", 30, "delivered")


def test_a_reused_result_is_posted_at_once(webhook_stack: str, hook_server: HookServer) -> None:
    html = f"<h1>Twice</h1><p>{uuid.uuid4()}</p>"
    first = submit(webhook_stack, html, hook_server.url)
    wait_until(lambda: job_json(webhook_stack, first["id"])["webhook"]["state"] == "delivered", 60, "the first")
    again = submit(webhook_stack, html, hook_server.url)
    if again["state"] != "SUCCESS":
        pytest.skip("this service renders repeated documents afresh")
    wait_until(lambda: job_json(webhook_stack, again["id"])["webhook"]["state"] == "delivered", 30, "the copy")
    assert [request.headers["X-Webhook-Id"] for request in hook_server.received] == [first["id"], again["id"]]


@pytest.fixture
def guarded_app(redis_url: str, make_app: AppFactory) -> Flask:
    """The app on database 3 (no worker), signing webhooks, private addresses refused (the default)."""
    return make_app(
        {"REDIS_URL": redis_url.replace("/0", "/3"), "RATE_LIMIT": "100000 per minute", "WEBHOOK_SECRET": SECRET}
    )


@pytest.mark.parametrize(
    "callback_url",
    [
        "http://127.0.0.1:9/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "ftp://example.com/hook",
        "http://user:pass@example.com/hook",
        "https://example.com/" + "x" * 2100,
        "not a url",
    ],
)
def test_a_private_or_malformed_callback_url_is_refused_at_submission(guarded_app: Flask, callback_url: str) -> None:
    response = guarded_app.test_client().post("/api/jobs", json={"html": "<p>x</p>", "callback_url": callback_url})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_callback_url"
    assert "callback_url" in error["message"]


def test_callback_url_comes_as_a_form_field_and_needs_a_secret(
    guarded_app: Flask, redis_url: str, make_app: AppFactory
) -> None:
    upload = {"file": (io.BytesIO(b"<p>form</p>"), "a.html"), "callback_url": "https://example.com/hook"}
    response = guarded_app.test_client().post("/api/jobs", data=upload, content_type="multipart/form-data")
    assert response.status_code == 202
    assert response.get_json()["webhook"]["url"] == "https://example.com/hook"
    assert "webhook" not in guarded_app.test_client().post("/api/jobs", json={"html": "<p>x</p>"}).get_json()
    unsigned = make_app({"REDIS_URL": redis_url.replace("/0", "/3"), "RATE_LIMIT": "100000 per minute"})
    refused = unsigned.test_client().post(
        "/api/jobs", json={"html": "<p>x</p>", "callback_url": "https://example.com/"}
    )
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "webhooks_disabled"


def test_a_name_that_resolves_to_loopback_is_marked_failed_without_a_request(
    guarded_app: Flask, hook_server: HookServer
) -> None:
    callback = hook_server.url.replace("127.0.0.1", "localhost")
    submitted = guarded_app.test_client().post("/api/jobs", json={"html": "<p>x</p>", "callback_url": callback})
    assert submitted.status_code == 202  # a name is checked when it is resolved, at delivery
    job = submitted.get_json()
    store = guarded_app.extensions["job_store"]
    with guarded_app.app_context():
        assert store.advance({**job, "state": "FAILURE", "error": "stopped for the test"}) > 0
    guarded_app.extensions["celery"].tasks["tasks.deliver_webhook"].apply(args=[job["id"]])
    snapshot = store.snapshot(job["id"])
    assert snapshot is not None
    hook = snapshot.job["webhook"]
    assert hook["state"] == "failed"
    assert hook["attempts"] == 0
    assert hook["last_error"].startswith("refused: localhost resolves to")
    assert hook_server.received == []


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("93.184.215.14", False),
        ("2606:4700::1111", False),
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),
        ("0.0.0.0", True),
        ("::1", True),
        ("fe80::1%eth0", True),
        ("fd00::1", True),
        ("::ffff:10.0.0.1", True),
        ("224.0.0.1", True),
    ],
)
def test_which_addresses_are_refused(address: str, refused: bool) -> None:
    assert address_refused(address, allow_private=False) is refused


def test_allowing_private_addresses_still_refuses_multicast_and_unspecified() -> None:
    assert not address_refused("127.0.0.1", allow_private=True)
    assert address_refused("0.0.0.0", allow_private=True)
    assert address_refused("ff02::1", allow_private=True)
    assert url_problem("https://example.com:99999/") is not None
    assert url_problem("https://example.com/ok?x=1") is None
