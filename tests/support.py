"""Helpers for the tests: the shared ones from `harness` (real processes, bounded waits, an SSE reader,
PDFs read back, sample documents), and the test-only ones: the live API with its checks, job stories,
failing documents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from harness.apps import close_app
from harness.documents import report_html, slow_preparation_html
from harness.pdf import pdf_pages, pdf_text, xhtml2pdf_alone
from harness.processes import (
    BIN,
    ROOT,
    Process,
    RedisServer,
    Stack,
    free_port,
    private_stack,
    redis_server_binary,
    start_web,
    start_webhook_worker,
    start_worker,
    wait_until,
)
from harness.sse import SseEvent, SseStream
from html2pdf_client.api import Api
from tasks.document.stages import Stage

__all__ = [
    "BIN",
    "BROKEN_FONT",
    "ENDED",
    "HTTP_TIMEOUT",
    "ROOT",
    "STAGES",
    "UNRENDERABLE_HTML",
    "UNRENDERABLE_MESSAGE",
    "AppFactory",
    "Process",
    "RedisServer",
    "SseEvent",
    "SseStream",
    "Stack",
    "assert_one_story",
    "close_app",
    "free_port",
    "get_job",
    "pdf_pages",
    "pdf_text",
    "private_stack",
    "redis_server_binary",
    "report_html",
    "slow_preparation_html",
    "start_web",
    "start_webhook_worker",
    "start_worker",
    "submit_job",
    "wait_for_job",
    "wait_until",
    "xhtml2pdf_alone",
]


ENDED = ("SUCCESS", "FAILURE", "REVOKED")
# The `make_app` fixture: an app from an environment, closed after the test.
AppFactory = Callable[[dict[str, str]], Flask]
HTTP_TIMEOUT = 10


def submit_job(base: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    """POST a JSON submission to a live service; the 202's job JSON (the API client raises on any other answer)."""
    return Api(base, timeout=HTTP_TIMEOUT).submit_json(body, headers)


def get_job(base: str, job_id: str) -> dict[str, Any]:
    """The job's JSON from a live service (a 200; the API client raises on any other answer)."""
    return Api(base, timeout=HTTP_TIMEOUT).job(job_id)


def wait_for_job(base: str, job_id: str, *states: str, timeout: float = 90) -> dict[str, Any]:
    """The job once it is in one of `states` (by default, once it has ended)."""
    wanted = states or ENDED
    return wait_until(
        lambda: (job := get_job(base, job_id))["state"] in wanted and job, timeout, f"job {job_id} in {wanted}"
    )


# The way forward, without the ends that stop it; `fonts` is a pause within `parsing`.
STAGES = tuple(stage for stage in Stage if stage != Stage.FONTS)[: list(Stage).index(Stage.DONE)]


def assert_one_story(jobs: list[dict[str, Any]], parts: int) -> None:
    """A job in parts told one story: stages only forward, pages never past the final count,
    `current`/`total` counting the parts, `current` never past `total`, both whole at the end."""
    stages = [
        STAGES.index(Stage.PARSING if job["progress"]["stage"] == Stage.FONTS else job["progress"]["stage"])
        for job in jobs
    ]
    assert stages == sorted(stages), [job["progress"]["stage"] for job in jobs]
    final = jobs[-1]["pdf"]["pages"]
    pages = [job["progress"]["pages"] for job in jobs]
    assert max(pages) <= final, f"pages reached {max(pages)} of {final}"
    counted = [(job["progress"]["current"], job["progress"]["total"]) for job in jobs]
    assert all(current <= total for current, total in counted), counted
    assert {total for _, total in counted} <= {0, parts}, counted
    assert counted[-1] == (parts, parts), counted


# A font that is no font: ReportLab raises TTFError and the render fails (what is too large
# for a page is scaled instead: tasks/render/overflow.py).
BROKEN_FONT = '<style>@font-face {font-family: Broken; src: url("data:font/ttf;base64,AAAAAAAAAAAA")}</style>'
UNRENDERABLE_HTML = f"<html><body><p>Before</p>{BROKEN_FONT}</body></html>"
UNRENDERABLE_MESSAGE = "font in the document could not be read"
