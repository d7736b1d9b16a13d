"""The whole service as the Procfile runs it: gunicorn (gevent), a Celery worker, Redis."""

from __future__ import annotations

import threading
import time
from typing import Any

import requests

from tests.support import (
    UNRENDERABLE_HTML,
    UNRENDERABLE_MESSAGE,
    SseEvent,
    SseStream,
    get_job,
    pdf_pages,
    pdf_text,
    report_html,
    submit_job,
    wait_for_job,
    wait_until,
    xhtml2pdf_alone,
)

TIMEOUT = 10


def submit(base: str, html: str, filename: str = "report.pdf") -> dict[str, Any]:
    return submit_job(base, {"html": html, "filename": filename})


def read_all(base: str, job_id: str, headers: dict[str, str] | None = None) -> tuple[SseStream, list[SseEvent]]:
    stream = SseStream(f"{base}/api/jobs/{job_id}/events", headers)
    assert stream.status == 200
    assert stream.response.getheader("Content-Type", "").startswith("text/event-stream")
    assert stream.response.getheader("X-Accel-Buffering") == "no"
    with stream:
        events = list(stream.events(deadline=120))
    return stream, events


def test_a_report_streams_rising_progress_and_ends_with_the_right_pdf(live_server: str) -> None:
    html = report_html(40)
    job = submit(live_server, html, "quarterly.pdf")
    _, events = read_all(live_server, job["id"])

    progress = [event for event in events if event.type == "progress"]
    percents = [event.job["progress"]["percent"] for event in progress]
    assert len(progress) >= 10
    assert percents == sorted(percents)
    assert len(set(percents)) >= 10
    ids = [event.id or 0 for event in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids), "event ids must increase"
    end = events[-1]
    assert end.type == "end"
    assert end.job["state"] == "SUCCESS"
    assert end.job["progress"]["percent"] == 100.0

    response = requests.get(f"{live_server}{end.job['pdf']['url']}", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert "quarterly.pdf" in response.headers["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    assert len(response.content) == end.job["pdf"]["bytes"]
    assert pdf_pages(response.content) == end.job["pdf"]["pages"] == pdf_pages(xhtml2pdf_alone(html))
    assert "Section 40" in pdf_text(response.content)
    inline = requests.get(f"{live_server}{end.job['pdf']['url']}?disposition=inline", timeout=TIMEOUT)
    assert inline.headers["Content-Disposition"].startswith("inline;")
    assert inline.content == response.content


def test_a_late_subscriber_gets_the_end_at_once(live_server: str) -> None:
    job = submit(live_server, "<h1>Short</h1>")
    done = wait_for_job(live_server, job["id"], "SUCCESS")
    start = time.monotonic()
    stream, events = read_all(live_server, job["id"])
    assert time.monotonic() - start < 2
    assert [event.type for event in events] == ["end"]
    assert events[0].job == done
    assert stream.retry == 3000


def test_a_subscriber_joining_mid_render_gets_a_snapshot_at_once(live_server: str) -> None:
    job = submit(live_server, report_html(150))
    seen = wait_until(
        lambda: (state := get_job(live_server, job["id"]))["progress"]["percent"] > 0 and state,
        60,
        "the render to make progress",
    )
    with SseStream(f"{live_server}/api/jobs/{job['id']}/events") as stream:
        start = time.monotonic()
        events = stream.events(deadline=120)
        first = next(events)
        assert time.monotonic() - start < 1
        rest = list(events)
    assert first.type == "progress"
    assert first.job["state"] == "PROGRESS"
    assert first.job["progress"]["percent"] >= seen["progress"]["percent"] > 0
    assert rest[-1].type == "end"
    assert all(event.id and first.id and event.id > first.id for event in rest)


def test_last_event_id_resumes_without_repeating(live_server: str) -> None:
    job = submit(live_server, report_html(60))
    seen = []
    with SseStream(f"{live_server}/api/jobs/{job['id']}/events") as stream:
        for event in stream.events(deadline=60):
            seen.append(event)
            if event.job["state"] == "PROGRESS" and len(seen) >= 3:
                break
    last_id = seen[-1].id
    assert last_id is not None
    _, resumed = read_all(live_server, job["id"], {"Last-Event-ID": str(last_id)})
    assert resumed, "a resumed stream must continue"
    assert all(event.id is not None and event.id > last_id for event in resumed)
    assert resumed[-1].type == "end"
    # Once the client has the end, reconnecting is told to stop (204).
    with SseStream(f"{live_server}/api/jobs/{job['id']}/events", {"Last-Event-ID": str(resumed[-1].id)}) as final:
        assert final.status == 204


def test_a_failing_document_fails_cleanly_and_the_worker_serves_the_next(live_server: str) -> None:
    bad = submit(live_server, UNRENDERABLE_HTML)
    _, events = read_all(live_server, bad["id"])
    failed = events[-1].job
    assert events[-1].type == "end"
    assert failed["state"] == "FAILURE"
    assert failed["error"]["code"] == "bad_font"
    message = failed["error"]["message"]
    assert UNRENDERABLE_MESSAGE in message
    assert "Traceback" not in message and "Flowable" not in message
    assert requests.get(f"{live_server}/api/jobs/{bad['id']}/pdf", timeout=TIMEOUT).status_code == 409

    good = submit(live_server, "<p>Next one</p>")
    assert wait_for_job(live_server, good["id"], "SUCCESS", "FAILURE")["state"] == "SUCCESS"


def test_cancelling_a_running_job_ends_it_revoked_quickly(live_server: str) -> None:
    job = submit(live_server, report_html(300))
    events: list[SseEvent] = []
    with SseStream(f"{live_server}/api/jobs/{job['id']}/events") as stream:
        reader = threading.Thread(target=lambda: events.extend(stream.events(deadline=60)))
        reader.start()
        wait_for_job(live_server, job["id"], "PROGRESS")
        start = time.monotonic()
        response = requests.delete(f"{live_server}/api/jobs/{job['id']}", timeout=TIMEOUT)
        assert response.status_code == 202
        reader.join(10)
    assert not reader.is_alive(), "the stream must end after the cancel"
    assert events[-1].type == "end"
    assert events[-1].job["state"] == "REVOKED"
    assert time.monotonic() - start < 2
    # The worker lets go of it and serves the next job.
    after = submit(live_server, "<p>After the cancel</p>")
    assert wait_for_job(live_server, after["id"], "SUCCESS", timeout=30)["state"] == "SUCCESS"
    assert get_job(live_server, job["id"])["state"] == "REVOKED"


def test_an_euc_kr_upload_is_converted(live_server: str) -> None:
    html = '<html><head><meta charset="euc-kr"><title>보고서</title></head><body><p>Total 1,234 원</p></body></html>'
    files = {"file": ("보고서.html", html.encode("euc-kr"), "text/html")}
    response = requests.post(f"{live_server}/api/jobs", files=files, timeout=TIMEOUT)
    assert response.status_code == 202, response.text
    job = wait_for_job(live_server, response.json()["id"], "SUCCESS", "FAILURE")
    assert job["state"] == "SUCCESS"
    assert job["filename"] == "보고서.pdf"
    pdf = requests.get(f"{live_server}/api/jobs/{job['id']}/pdf", timeout=TIMEOUT)
    assert "1,234" in pdf_text(pdf.content)
    # Clients that ignore filename* save under the ASCII name, never ".pdf".
    assert pdf.headers["Content-Disposition"] == (
        "attachment; filename=document.pdf; filename*=UTF-8''%EB%B3%B4%EA%B3%A0%EC%84%9C.pdf"
    )


def test_health_counts_the_worker(live_server: str) -> None:
    health = wait_until(
        lambda: (body := requests.get(f"{live_server}/healthz", timeout=TIMEOUT).json())["workers"] >= 1 and body,
        20,
        "the worker to answer the health check",
        interval=1,
    )
    assert health == {
        "status": "ok",
        "redis": "ok",
        "workers": 1,
        "webhook_workers": 0,
    }  # the suite runs no webhook worker
