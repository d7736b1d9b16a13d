"""Many documents into one PDF: parts rendered in parallel on free workers, merged in order."""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

import pypdf
import pytest
import requests

from tasks.document.failures import RenderFailed
from tasks.job.record import BATCH, new_job_id, queued
from tasks.job.store import JobStore, key, part_fields
from tasks.merge_parts import merge_parts
from tasks.render.renderer import render_pdf
from tests.support import (
    BROKEN_FONT,
    UNRENDERABLE_MESSAGE,
    AppFactory,
    SseEvent,
    SseStream,
    assert_one_story,
    pdf_text,
    report_html,
    start_worker,
    wait_for_job,
    wait_until,
)

TIMEOUT = 10


def chapters(count: int, sections: int = 6) -> list[dict[str, str]]:
    return [
        {"name": f"Chapter {n}", "html": f"<h1>Chapter {n} of {count}</h1>" + report_html(sections)}
        for n in range(1, count + 1)
    ]


def test_ten_documents_merge_in_order_with_progress_across_all_parts(live_server: str) -> None:
    documents = chapters(10)
    response = requests.post(
        f"{live_server}/api/jobs", json={"documents": documents, "filename": "book.pdf", "reuse": False}, timeout=10
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    with SseStream(f"{live_server}/api/jobs/{job_id}/events") as stream:
        events = list(stream.events(deadline=180))
    percents = [event.job["progress"]["percent"] for event in events]
    assert percents == sorted(percents), "the bar never goes back, whichever part reports"
    assert len(set(percents)) >= 10
    assert events[-1].type == "end" and events[-1].job["state"] == "SUCCESS", events[-1].job["error"]
    assert percents[-1] == 100.0
    assert_one_story([event.job for event in events], parts=10)
    assert {event.job["progress"]["total"] for event in events} == {10}, "counted in parts from the start"
    pdf = requests.get(f"{live_server}{events[-1].job['pdf']['url']}", timeout=TIMEOUT).content
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = pdf_text(pdf)
    positions = [text.index(f"Chapter {n} of 10") for n in range(1, 11)]
    assert positions == sorted(positions), "the parts are in the order they were sent"
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles == [f"Chapter {n}" for n in range(1, 11)]
    assert len(reader.pages) == events[-1].job["pdf"]["pages"]


def test_several_uploaded_files_become_one_pdf(live_server: str) -> None:
    files = [
        ("file", (f"part{n}.html", f"<h1>Upload {n}</h1><!-- {n} batch upload -->".encode(), "text/html"))
        for n in (1, 2, 3)
    ]
    response = requests.post(f"{live_server}/api/jobs", files=files, timeout=TIMEOUT)
    assert response.status_code == 202, response.text
    job = wait_for_job(live_server, response.json()["id"])
    assert job["state"] == "SUCCESS" and job["filename"] == "part1.pdf"
    text = pdf_text(requests.get(f"{live_server}{job['pdf']['url']}", timeout=TIMEOUT).content)
    assert text.index("Upload 1") < text.index("Upload 2") < text.index("Upload 3")


def test_a_failing_part_fails_the_job_naming_it(live_server: str) -> None:
    documents = [
        {"name": "Intro", "html": "<p>Intro, batch failure test</p>"},
        {"name": "Appendix", "html": f"<p>x</p>{BROKEN_FONT}"},
    ]
    response = requests.post(f"{live_server}/api/jobs", json={"documents": documents}, timeout=TIMEOUT)
    job = wait_for_job(live_server, response.json()["id"])
    assert job["state"] == "FAILURE"
    assert job["error"]["code"] == "part_failed"
    assert job["error"]["message"].startswith("Part 2 (Appendix) failed:")
    assert UNRENDERABLE_MESSAGE in job["error"]["message"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"documents": ["<p>only one</p>"]}, "bad_documents"),
        ({"documents": "<p>x</p>"}, "bad_documents"),
        ({"documents": ["<p>a</p>", 7]}, "bad_documents"),
        ({"documents": ["<p>a</p>", "<p>b</p>"], "html": "<p>c</p>"}, "html_and_documents"),
        ({"documents": ["<p>a</p>", "  "]}, "empty_html"),
    ],
)
def test_bad_document_lists_are_400(live_server: str, body: dict[str, Any], code: str) -> None:
    response = requests.post(f"{live_server}/api/jobs", json=body, timeout=TIMEOUT)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_parts_run_on_several_workers_at_once(redis_url: str, live_server: str, tmp_path: Path) -> None:
    """With a second worker process free, the parts spread over both (and the merge waits for all)."""
    from redis import Redis

    extra = start_worker(redis_url, tmp_path / "second.log", "--concurrency", "1", "-n", "second@%h")
    try:
        response = requests.post(
            f"{live_server}/api/jobs", json={"documents": chapters(6, sections=12), "reuse": False}, timeout=10
        )
        job = wait_for_job(live_server, response.json()["id"])
        assert job["state"] == "SUCCESS"
        with Redis.from_url(redis_url) as redis:
            workers = {redis.hget(key(job["id"]), f"part:{n}:worker") for n in range(6)}
        assert len(workers) == 2, f"parts ran in {workers}"
    finally:
        extra.stop()


def test_cancel_stops_every_part(live_server: str) -> None:
    response = requests.post(
        f"{live_server}/api/jobs", json={"documents": chapters(4, sections=40), "reuse": False}, timeout=10
    )
    job_id = response.json()["id"]
    events: list[SseEvent] = []
    with SseStream(f"{live_server}/api/jobs/{job_id}/events") as stream:
        reader = threading.Thread(target=lambda: events.extend(stream.events(deadline=60)))
        reader.start()
        wait_until(
            lambda: requests.get(f"{live_server}/api/jobs/{job_id}", timeout=TIMEOUT).json()["state"] == "PROGRESS",
            60,
            "the batch to start",
        )
        assert requests.post(f"{live_server}/api/jobs/{job_id}/cancel", timeout=TIMEOUT).status_code == 202
        reader.join(10)
    assert events[-1].job["state"] == "REVOKED"
    after = requests.post(f"{live_server}/api/jobs", json={"html": "<p>after batch cancel</p>"}, timeout=10).json()
    assert wait_for_job(live_server, after["id"], timeout=60)["state"] == "SUCCESS"


ONE_PAGE = render_pdf("<p>One page</p>").pdf


@pytest.mark.parametrize(
    ("appendix", "env", "code", "words"),
    [
        (None, {}, "part_failed", "Part 2 (Appendix) failed: its PDF is missing"),
        (b"%PDF-1.4 not a PDF at all", {}, "part_failed", "Part 2 (Appendix) failed: its PDF could not be read"),
        (ONE_PAGE, {"MAX_PAGES": "1"}, "too_many_pages", "runs past 1 pages"),
        (ONE_PAGE, {"MAX_PDF_BYTES": "1000"}, "pdf_too_large", "this service keeps"),
    ],
)
def test_joining_a_batch_has_the_guards_of_every_render(
    redis_url: str, make_app: AppFactory, appendix: bytes | None, env: dict[str, str], code: str, words: str
) -> None:
    """A missing or unreadable part, or a joined PDF past the limits, ends the job at once, naming the part."""
    app = make_app({"REDIS_URL": redis_url.replace("/0", "/1"), **env})
    store: JobStore = app.extensions["job_store"]
    job = queued(new_job_id(), "book.pdf")
    store.create(job, "", {}, None, part_fields([("Cover", "<p>a</p>"), ("Appendix", "<p>b</p>")]))
    store.redis.hset(key(job["id"]), "part:0:pdf", ONE_PAGE)
    if appendix is not None:
        store.redis.hset(key(job["id"]), "part:1:pdf", appendix)
    with pytest.raises(RenderFailed):
        merge_parts(job["id"], BATCH)
    snapshot = store.snapshot(job["id"])
    assert snapshot is not None
    ended = snapshot.job
    assert ended["state"] == "FAILURE", ended
    assert ended["error"] is not None
    assert ended["error"]["code"] == code
    assert words in ended["error"]["message"]
