"""The command-line client as a user runs it: a subprocess against gunicorn, a worker and Redis."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import requests

from tests.support import ROOT, UNRENDERABLE_HTML, UNRENDERABLE_MESSAGE, pdf_pages, report_html
from webapp.client import ProgressView

TIMEOUT = 10


def client(*args: str, server: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "webapp.client", *args, "--server", server],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def unique(html: str) -> str:
    """`html` made unlike any earlier submission, so the service renders it afresh rather than reusing a PDF."""
    return html.replace("</body>", f"<!-- {uuid.uuid4()} --></body>")


def test_convert_shows_progress_and_saves_the_pdf(live_server: str, tmp_path: Path) -> None:
    source = tmp_path / "report.html"
    source.write_text(unique(report_html(60)), encoding="utf-8")
    target = tmp_path / "out" / "report.pdf"
    target.parent.mkdir()
    done = client("convert", str(source), "-o", str(target), server=live_server)
    assert done.returncode == 0, done.stderr
    assert pdf_pages(target.read_bytes()) > 5
    # Not a terminal: one plain line per change, no carriage returns.
    assert "\r" not in done.stdout
    percents = {float(value) for value in re.findall(r"^\s*(\d+\.\d)%", done.stdout, re.MULTILINE)}
    assert len(percents) >= 5, done.stdout
    assert max(percents) == 100.0
    assert "layout" in done.stdout
    assert f"saved {target}" in done.stdout


def test_a_failing_document_exits_non_zero_with_the_jobs_message(live_server: str, tmp_path: Path) -> None:
    source = tmp_path / "broken.html"
    source.write_text(unique(UNRENDERABLE_HTML), encoding="utf-8")
    done = client("convert", str(source), server=live_server)
    assert done.returncode == 1
    assert UNRENDERABLE_MESSAGE in done.stderr
    assert not source.with_suffix(".pdf").exists()


def test_http_errors_exit_non_zero_with_the_apis_message(live_server: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text("  ", encoding="utf-8")
    done = client("convert", str(empty), server=live_server)
    assert done.returncode == 3
    assert "HTTP 400" in done.stderr and "empty" in done.stderr
    missing = client("status", "no-such-job", server=live_server)
    assert missing.returncode == 3
    assert "HTTP 404" in missing.stderr and "No job 'no-such-job'" in missing.stderr


def test_status_cancel_and_delete(live_server: str) -> None:
    html = unique(report_html(150))
    response = requests.post(f"{live_server}/api/jobs", json={"html": html}, timeout=TIMEOUT)
    job_id = response.json()["id"]
    status = client("status", job_id, server=live_server)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["id"] == job_id
    cancelled = client("cancel", job_id, server=live_server)
    assert cancelled.returncode == 0, cancelled.stderr
    assert json.loads(cancelled.stdout)["state"] == "REVOKED"
    again = client("cancel", job_id, server=live_server)
    assert again.returncode == 3
    assert "HTTP 409" in again.stderr and "already ended" in again.stderr
    deleted = client("delete", job_id, server=live_server)
    assert deleted.returncode == 0
    assert f"deleted job {job_id}" in deleted.stdout
    assert requests.get(f"{live_server}/api/jobs/{job_id}", timeout=TIMEOUT).status_code == 404


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_bar_is_redrawn_on_one_line() -> None:
    screen = Terminal()
    view = ProgressView(screen, width=10)
    for percent, stage, pages in [(0.0, "queued", 0), (42.5, "layout", 17), (100.0, "done", 40)]:
        view.show({"progress": {"percent": percent, "stage": stage, "pages": pages}})
    view.close()
    text = screen.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    frames = text.rstrip("\n").split("\r")[1:]
    assert frames[1].startswith("[####------]  42.5%  layout    17 pages")
    assert frames[2].startswith("[##########] 100.0%  done      40 pages")
