"""The JSON API contract, every route and error code, against a real Redis (no worker)."""

from __future__ import annotations

import io
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import AppFactory, free_port
from webapp.disposition import ascii_name, content_disposition


def submit(client: FlaskClient, **kwargs: object) -> tuple[int, dict[str, object], dict[str, str]]:
    response = client.post("/api/jobs", **kwargs)
    return response.status_code, response.get_json(), dict(response.headers)


def assert_error(response_json: object, code: str) -> None:
    assert isinstance(response_json, dict)
    assert response_json["error"]["code"] == code
    assert response_json["error"]["message"]


def test_json_submission_is_queued(client: FlaskClient) -> None:
    status, job, headers = submit(client, json={"html": "<p>Hello</p>", "filename": "hello.pdf"})
    assert status == 202
    assert headers["Location"] == f"/api/jobs/{job['id']}"
    assert job["state"] == "PENDING"
    assert job["filename"] == "hello.pdf"
    assert job["progress"] == {"percent": 0.0, "stage": "queued", "pages": 0, "current": 0, "total": 0}
    assert job["error"] is None and job["pdf"] is None
    assert str(job["created_at"]).endswith("Z")
    assert client.get(headers["Location"]).get_json() == job


def test_file_upload_is_queued_with_its_name(client: FlaskClient) -> None:
    upload = (io.BytesIO("<p>안녕하세요</p>".encode("euc-kr")), "보고서.html", "text/html; charset=euc-kr")
    status, job, _ = submit(client, data={"file": upload}, content_type="multipart/form-data")
    assert status == 202
    assert job["filename"] == "보고서.pdf"


def test_raw_html_body_is_queued(client: FlaskClient) -> None:
    status, job, _ = submit(client, data=b"<h1>Raw</h1>", content_type="text/html; charset=utf-8")
    assert status == 202
    assert job["filename"] == "document.pdf"


def test_the_stored_html_is_the_decoded_upload(app: Flask, client: FlaskClient) -> None:
    upload = (io.BytesIO('<meta charset="euc-kr"><p>분기 보고서</p>'.encode("euc-kr")), "k.html")
    _, job, _ = submit(client, data={"file": upload}, content_type="multipart/form-data")
    assert "<p>분기 보고서</p>" in (app.extensions["job_store"].html(str(job["id"])) or "")


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"json": {"html": ""}}, 400, "empty_html"),
        ({"json": {"html": "   \n"}}, 400, "empty_html"),
        ({"data": b"", "content_type": "text/html"}, 400, "empty_html"),
        ({"data": b"{not json", "content_type": "application/json"}, 400, "bad_json"),
        ({"json": {"filename": "x.pdf"}}, 400, "missing_html"),
        ({"json": {"html": "<p>x</p>", "filename": 7}}, 400, "bad_filename"),
        ({"data": {}, "content_type": "multipart/form-data"}, 400, "missing_file"),
        ({"data": b"\x89PNG\r\n\x1a\n", "content_type": "text/html"}, 415, "not_html"),
        ({"data": b"hello", "content_type": "image/png"}, 415, "unsupported_media_type"),
        (
            {"data": {"file": (io.BytesIO(b"PK\x03\x04zip"), "site.zip")}, "content_type": "multipart/form-data"},
            400,
            "bad_zip",
        ),
        (
            {"data": {"file": (io.BytesIO(b"GIF89a..."), "logo.gif")}, "content_type": "multipart/form-data"},
            415,
            "not_html",
        ),
        (
            {"data": {"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n"), "a.html")}, "content_type": "multipart/form-data"},
            415,
            "not_html",
        ),
    ],
)
def test_bad_submissions_get_clear_errors(
    client: FlaskClient, kwargs: dict[str, object], status: int, code: str
) -> None:
    response = client.post("/api/jobs", **kwargs)
    assert response.status_code == status
    assert_error(response.get_json(), code)


def test_html_over_the_limit_is_413(redis_url: str, make_app: AppFactory) -> None:
    client = make_app({"REDIS_URL": redis_url.replace("/0", "/1"), "MAX_HTML_BYTES": "1000"}).test_client()
    response = client.post("/api/jobs", json={"html": "<p>" + "x" * 5000 + "</p>"})
    assert response.status_code == 413
    assert_error(response.get_json(), "html_too_large")


def test_a_body_over_the_limit_is_refused_before_it_is_read(redis_url: str, make_app: AppFactory) -> None:
    limits = {"MAX_HTML_BYTES": "1000", "MAX_UPLOAD_BYTES": "1000"}
    client = make_app({"REDIS_URL": redis_url.replace("/0", "/1"), **limits}).test_client()
    body = b"<p>" + b"x" * 200_000
    response = client.post("/api/jobs", data=body, content_type="text/html")
    assert response.status_code == 413
    assert_error(response.get_json(), "request_entity_too_large")


def test_unknown_jobs_are_404_everywhere(client: FlaskClient) -> None:
    for method, path in [
        ("GET", "/api/jobs/nope"),
        ("GET", "/api/jobs/nope/pdf"),
        ("GET", "/api/jobs/nope/events"),
        ("DELETE", "/api/jobs/nope"),
    ]:
        response = client.open(path, method=method)
        assert response.status_code == 404, path
        assert_error(response.get_json(), "job_not_found")


def test_the_pdf_of_a_queued_job_is_409(client: FlaskClient) -> None:
    _, job, _ = submit(client, json={"html": "<p>x</p>"})
    response = client.get(f"/api/jobs/{job['id']}/pdf")
    assert response.status_code == 409
    assert_error(response.get_json(), "not_ready")


def test_cancelling_a_queued_job_revokes_it_then_delete_removes_it(client: FlaskClient) -> None:
    _, job, _ = submit(client, json={"html": "<p>x</p>"})
    cancelled = client.delete(f"/api/jobs/{job['id']}")
    assert cancelled.status_code == 202
    assert cancelled.get_json()["state"] == "REVOKED"
    assert client.get(f"/api/jobs/{job['id']}").get_json()["state"] == "REVOKED"
    assert client.delete(f"/api/jobs/{job['id']}").status_code == 204
    assert client.get(f"/api/jobs/{job['id']}").status_code == 404


def test_the_event_stream_of_an_ended_job_sends_end_at_once(client: FlaskClient) -> None:
    _, job, _ = submit(client, json={"html": "<p>x</p>"})
    client.delete(f"/api/jobs/{job['id']}")
    response = client.get(f"/api/jobs/{job['id']}/events")
    assert response.status_code == 200
    assert response.headers["X-Accel-Buffering"] == "no"
    assert response.headers["Cache-Control"] == "no-cache"
    text = response.get_data(as_text=True)
    assert text.startswith("event:end\n")
    data = json.loads(text.split("data:", 1)[1].split("\n", 1)[0])
    assert data["state"] == "REVOKED"
    again = client.get(f"/api/jobs/{job['id']}/events", headers={"Last-Event-ID": "999"})
    assert again.status_code == 204


def test_health_without_a_render_worker_is_not_ready(client: FlaskClient) -> None:
    response = client.get("/healthz")  # no worker consumes this app's queue
    assert response.status_code == 503 and response.headers["Retry-After"]
    body = response.get_json()
    assert body == {"status": "no_render_worker", "redis": "ok", "workers": 0, "webhook_workers": 0}


def test_with_redis_down_the_api_answers_503_at_once(make_app: AppFactory) -> None:
    client = make_app({"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}).test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.headers["Retry-After"]
    for response in (client.post("/api/jobs", json={"html": "<p>x</p>"}), client.get("/api/jobs/abc")):
        assert response.status_code == 503
        assert response.headers["Retry-After"]
        assert_error(response.get_json(), "unavailable")


def test_unknown_api_routes_and_methods_answer_json(client: FlaskClient) -> None:
    assert_error(client.get("/api/nothing").get_json(), "not_found")
    response = client.put("/api/jobs")
    assert response.status_code == 405
    assert_error(response.get_json(), "method_not_allowed")


def test_a_running_job_silent_past_the_time_limit_is_reported_failed(app: Flask, client: FlaskClient) -> None:
    _, job, _ = submit(client, json={"html": "<p>x</p>"})
    store = app.extensions["job_store"]
    running = {**job, "state": "PROGRESS", "updated_at": "2020-01-01T00:00:00.000Z"}
    store.advance(running)
    lost = client.get(f"/api/jobs/{job['id']}").get_json()
    assert lost["state"] == "FAILURE"
    assert lost["error"]["code"] == "worker_lost"
    assert "stopped responding" in lost["error"]["message"]


def test_cancel_only_never_deletes_an_ended_job(client: FlaskClient) -> None:
    _, job, _ = submit(client, json={"html": "<p>x</p>"})
    first = client.post(f"/api/jobs/{job['id']}/cancel")
    assert first.status_code == 202 and first.get_json()["state"] == "REVOKED"
    again = client.post(f"/api/jobs/{job['id']}/cancel")
    assert again.status_code == 409
    assert_error(again.get_json(), "already_ended")
    assert client.get(f"/api/jobs/{job['id']}").status_code == 200


@pytest.mark.parametrize(
    ("filename", "fallback"),
    [
        ("보고서.pdf", "document.pdf"),
        ("분기 보고서 2024.pdf", "2024.pdf"),
        ("Café.pdf", "Cafe.pdf"),
        ("報告", "document.pdf"),
    ],
)
def test_a_non_ascii_file_name_keeps_a_useful_ascii_fallback(filename: str, fallback: str) -> None:
    assert ascii_name(filename) == fallback
    assert f"filename={fallback};" in content_disposition(filename)
