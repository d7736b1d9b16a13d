"""One long document split across the workers through the live service: one job, one PDF, the single render's."""

from __future__ import annotations

import io
import re
import threading
import time
from pathlib import Path
from typing import Any

import pypdf
import pytest
import requests
from flask import Flask
from redis import Redis

from tasks.document.page_setup import PageOptions
from tasks.job.store import key
from tests.support import (
    BROKEN_FONT,
    UNRENDERABLE_MESSAGE,
    AppFactory,
    Process,
    SseEvent,
    SseStream,
    assert_one_story,
    start_worker,
    submit_job,
    wait_for_job,
    wait_until,
)
from tests.test_faults import kill_when_rendering
from tests.test_security import tiny_png
from tests.test_split import document, single, texts
from webapp import capacity

TIMEOUT = 10
PLAIN_HEAD = "<html><head><title>Report</title><style>h1 { color: #234 }</style></head><body>"
FOOTER = {"footer_html": "Page {page} of {pages}"}
HTML = {"Content-Type": "text/html"}


def report(chapters: int, note: str) -> str:
    """A report whose chapters start new pages, unique to the test (the service reuses stored PDFs)."""
    return document("inline", chapters, head=PLAIN_HEAD).replace("</body>", f"<p>{note} {time.time_ns()}</p></body>")


def events_of(base: str, job_id: str, deadline: float = 120) -> list[SseEvent]:
    with SseStream(f"{base}/api/jobs/{job_id}/events") as stream:
        return list(stream.events(deadline=deadline))


def test_a_long_document_split_on_request_is_one_job_and_the_single_render(live_server: str, redis: Redis) -> None:
    html = report(24, "split always")
    job = submit_job(live_server, {"html": html, "options": FOOTER, "split": "always", "filename": "r.pdf"})
    assert "render" not in job, "decided on a worker, once it has looked at the document"
    events = events_of(live_server, job["id"])

    end = events[-1].job
    assert events[-1].type == "end" and end["state"] == "SUCCESS", end["error"]
    assert end["render"] == {"path": "split", "parts": 2}
    assert_one_story([event.job for event in events], parts=2)
    percents = [event.job["progress"]["percent"] for event in events]
    assert percents == sorted(percents) and percents[-1] == 100.0
    assert len(set(percents)) >= 5, "the bar moves with the parts"
    pdf = requests.get(f"{live_server}{end['pdf']['url']}", timeout=TIMEOUT).content
    expected = texts(single(PageOptions(**FOOTER).apply(html)))
    assert texts(pdf) == expected
    assert end["pdf"]["pages"] == len(expected)
    assert all(page.startswith(f"Page {n} of {len(expected)}") for n, page in enumerate(expected, start=1))
    assert redis.hget(key(job["id"]), "part:0:pdf") is None, "the parts' PDFs are dropped once joined"


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ("<pdf:toc />", 'split "always" was asked, but the document has a table of contents (<pdf:toc>)'),
        (
            "<a href='#last'>to the end</a>",
            'split "always" was asked, but a link (href="#last") points into another part of the document',
        ),
    ],
)
def test_what_a_split_would_get_wrong_renders_whole_and_says_why(live_server: str, extra: str, reason: str) -> None:
    html = report(6, "fallback").replace("<body>", f"<body>{extra}", 1)
    html = html.replace(
        "<h1 style='page-break-before: always'>Chapter 6", "<h1 id='last' style='page-break-before: always'>Chapter 6"
    )
    job = submit_job(live_server, {"html": html, "split": "always"})
    end = wait_for_job(live_server, job["id"])
    assert end["state"] == "SUCCESS", end["error"]
    assert end["render"] == {"path": "single", "reason": reason}


def test_never_and_short_documents_render_whole_and_the_answer_says_so(live_server: str) -> None:
    never = submit_job(live_server, {"html": report(6, "never"), "split": "never"})
    assert never["render"] == {"path": "single", "reason": 'split "never" was asked'}
    short = requests.post(
        f"{live_server}/api/jobs?split=auto", data="<p>short</p>", headers={"Content-Type": "text/html"}
    )
    assert short.json()["render"]["reason"] == "it is too short to gain from splitting (12 bytes of HTML)"
    assert wait_for_job(live_server, never["id"])["state"] == "SUCCESS"


def test_auto_splits_only_with_two_worker_processes(live_server: str, redis_url: str, tmp_path: Path) -> None:
    html = report(60, "auto")
    alone = submit_job(live_server, {"html": html, "split": "auto"})
    assert alone["render"] == {"path": "single", "reason": "fewer than two worker processes are running (1)"}
    requests.post(f"{live_server}/api/jobs/{alone['id']}/cancel", timeout=TIMEOUT)
    extra = start_worker(redis_url, tmp_path / "second.log", "--concurrency", "1", "-n", "second@%h")
    try:
        with Redis.from_url(redis_url) as redis:
            wait_until(lambda: capacity.worker_processes(redis) >= 2, 30, "the second worker to register")
            job = submit_job(live_server, {"html": html, "split": "auto", "reuse": False})
            end = wait_for_job(live_server, job["id"], timeout=180)
            workers = {redis.hget(key(job["id"]), f"part:{n}:worker") for n in range(2)}
        assert end["state"] == "SUCCESS" and end["render"] == {"path": "split", "parts": 2}
        assert len(workers) == 2, f"the parts ran in {workers}"
    finally:
        extra.stop()
    with Redis.from_url(redis_url) as redis:
        wait_until(lambda: capacity.worker_processes(redis) == 1, 30, "the second worker to unregister")


@pytest.mark.parametrize("how", ["json", "form", "query"])
def test_a_bad_split_value_is_400(live_server: str, how: str) -> None:
    url = f"{live_server}/api/jobs"
    if how == "json":
        response = requests.post(url, json={"html": "<p>x</p>", "split": "yes"}, timeout=TIMEOUT)
    elif how == "form":
        response = requests.post(
            url, data={"html": "<p>x</p>", "split": "sometimes"}, files={"a": ("", b"")}, timeout=TIMEOUT
        )
    else:
        response = requests.post(
            f"{url}?split=1", data="<p>x</p>", headers={"Content-Type": "text/html"}, timeout=TIMEOUT
        )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_split"


def test_a_failing_part_fails_the_job_naming_it(live_server: str) -> None:
    # Nothing in a document's body fails a render any more (what is too large is scaled): a font that
    # is no font does, but every part carries the document's styles, so any part may be the first to fail.
    html = report(6, "failing part").replace("Paragraph 0 of chapter 5.", f"{BROKEN_FONT}x")
    end = wait_for_job(live_server, submit_job(live_server, {"html": html, "split": "always"})["id"])
    assert end["state"] == "FAILURE"
    assert end["error"]["code"] == "part_failed", end["error"]
    assert re.match(r"Part \d+ \(Chapter \d+\) failed:", end["error"]["message"]), end["error"]
    assert UNRENDERABLE_MESSAGE in end["error"]["message"]


def test_cancel_stops_every_part(live_server: str) -> None:
    job = submit_job(live_server, {"html": report(60, "cancel"), "split": "always"})
    events: list[SseEvent] = []
    with SseStream(f"{live_server}/api/jobs/{job['id']}/events") as stream:
        reader = threading.Thread(target=lambda: events.extend(stream.events(deadline=60)))
        reader.start()
        wait_for_job(live_server, job["id"], "PROGRESS", timeout=60)
        assert requests.post(f"{live_server}/api/jobs/{job['id']}/cancel", timeout=TIMEOUT).status_code == 202
        reader.join(30)
    assert events[-1].job["state"] == "REVOKED"
    after = submit_job(live_server, {"html": f"<p>after a split cancel {time.time_ns()}</p>"})
    assert wait_for_job(live_server, after["id"], timeout=60)["state"] == "SUCCESS"


def test_a_worker_killed_mid_part_loses_nothing(live_server: str, worker: Process, redis: Redis) -> None:
    html = report(60, "killed")
    job = submit_job(live_server, {"html": html, "split": "always"})
    kill_when_rendering(live_server, job["id"], worker)
    end = wait_for_job(live_server, job["id"], timeout=180)
    assert end["state"] == "SUCCESS", end["error"]
    assert worker.alive()
    attempts = [int(redis.hget(key(job["id"]), f"part:{n}:attempts") or 0) for n in range(2)]
    assert sorted(attempts) == [1, 2], "the killed part was delivered again, the other once"
    pdf = requests.get(f"{live_server}{end['pdf']['url']}", timeout=TIMEOUT).content
    assert texts(pdf) == texts(single(html))


def test_parts_read_the_documents_own_images_and_the_form_field_asks_for_the_split(live_server: str) -> None:
    html = report(6, "assets").replace(">Chapter 6</h1>", ">Chapter 6</h1><img src='img/logo.png'>")
    pdfs = []
    for split in ("always", "never"):
        files = [
            ("file", ("report.html", html.encode(), "text/html")),
            ("assets", ("img/logo.png", tiny_png(60, 30), "image/png")),
        ]
        response = requests.post(
            f"{live_server}/api/jobs", files=files, data={"split": split, "reuse": "0"}, timeout=TIMEOUT
        )
        assert response.status_code == 202, response.text
        end = wait_for_job(live_server, response.json()["id"])
        assert end["state"] == "SUCCESS", end["error"]
        assert end["render"]["path"] == ("split" if split == "always" else "single")
        pdfs.append(requests.get(f"{live_server}{end['pdf']['url']}", timeout=TIMEOUT).content)
    split_pdf, whole_pdf = pdfs
    assert texts(split_pdf) == texts(whole_pdf)
    images = [[len(page.images) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages] for pdf in pdfs]
    assert images[0] == images[1] and images[0][-1] == 1, "the last part drew the image from the job's assets"


def test_auto_decides_at_submission_from_size_breaks_and_processes(redis_url: str, make_app: AppFactory) -> None:
    """The web tier's look, without a worker: the app on a database no worker reads."""
    url = redis_url.replace("/0", "/2")
    long = report(40, "auto look")
    apps = [make_app({"REDIS_URL": url, "RATE_LIMIT": "100000 per minute", "SPLIT_MAX_PARTS": n}) for n in "81"]

    def render(html: str, app: Flask = apps[0]) -> Any:
        response = app.test_client().post("/api/jobs", json={"html": html, "reuse": False})
        assert response.status_code == 202, response.text
        return response.get_json().get("render")

    with Redis.from_url(url) as redis:
        try:
            redis.delete(capacity.KEY)
            assert render(long) == {"path": "single", "reason": "fewer than two worker processes are running (0)"}
            flowing = long.replace("page-break-before: always", "color: #234")
            assert render(flowing) == {"path": "single", "reason": "nothing in it starts a new page"}
            redis.hset(capacity.KEY, "a@host", f"2 {time.time():.0f}")
            redis.hset(capacity.KEY, "gone@host", f"4 {time.time() - 3600:.0f}")
            assert capacity.worker_processes(redis) == 2, "a worker not heard from for an hour does not count"
            assert render(long) is None, "left to a worker to look at the document"
            reason = "this service does not split documents (SPLIT_MAX_PARTS=1)"
            assert render(long, apps[1]) == {"path": "single", "reason": reason}
        finally:
            redis.flushdb()


def test_a_browser_documents_margin_boxes_number_the_pages_of_a_split_render(live_server: str) -> None:
    css = (
        "@page { margin: 2cm; @bottom-center { content: 'Page ' counter(page) ' of ' counter(pages) } }"
        " :root { --ink: #234 } h1 { color: var(--ink); font-size: 1.5rem } .chapter { break-before: page }"
    )
    head = f"<!DOCTYPE html><html><head><title>Report</title><style>{css}</style></head><body>"
    html = document("class", 24, head=head).replace("</body>", f"<p>margin boxes {time.time_ns()}</p></body>")
    job = submit_job(live_server, {"html": html, "split": "always", "filename": "r.pdf"})
    end = wait_for_job(live_server, job["id"], "SUCCESS", "FAILURE", timeout=120)
    assert end["state"] == "SUCCESS", end["error"]
    assert end["render"] == {"path": "split", "parts": 2}
    assert end["fidelity"]["mode"] == "browser"
    pages = texts(requests.get(f"{live_server}{end['pdf']['url']}", timeout=TIMEOUT).content)
    assert len(pages) == end["pdf"]["pages"] >= 24
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))
