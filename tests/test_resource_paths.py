"""Every path that parses a job's document or CSS asks the one resource policy: no fetch, no file read."""

from __future__ import annotations

import dataclasses
import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tasks.document.policy import policy_for
from tasks.split.plan import plan
from tests.support import Stack, pdf_text, private_stack, wait_for_job
from tests.test_security import Canary

TIMEOUT = 10
SECRET_WORDS = f"canary-{uuid.uuid4().hex}"
# A line of the app's own source: a relative url(wsgi.py) would read it from the worker's directory.
SOURCE_LINE = "Entry point for gunicorn"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Redis, one worker process and gunicorn of this module's own, their logs to search."""
    # Were /proc/self/environ read, these words would come with it.
    with private_stack(tmp_path_factory.mktemp("paths"), env={"CANARY_ENV": SECRET_WORDS}) as service:
        yield service


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.css"
    path.write_text(f"p {{ color: red }} {SECRET_WORDS} {{ x: y }}\n")
    return path


def hostile(base: str, secret: Path) -> str:
    """Every way a document reaches for a URL or a file, in its CSS and its markup."""
    relative = "../" * 12 + str(secret).lstrip("/")
    return f"""
    <link rel="stylesheet" href="{base}/link.css">
    <style>
      @import url({base}/import.css);
      @import url(file://{secret});
      @import url({secret});
      @import url({relative});
      @import url(/proc/self/environ);
      @import url(wsgi.py);
      @font-face {{ font-family: X; src: url({base}/font.ttf); }}
      @page {{ background-image: url({base}/page.png); }}
      p {{ background-image: url({base}/p.png); }}
    </style>
    <img src="{base}/img.png"><img src="{secret}"><img src="/proc/self/environ">
    """


def chapters(head: str) -> str:
    body = "".join(f"<h1 style='page-break-before: always'>Chapter {n}</h1><p>Words of {n}.</p>" for n in range(6))
    return f"<html><head>{head}</head><body>{body}</body></html>"


def submissions(base: str, secret: Path) -> dict[str, dict[str, Any]]:
    """The payload through each path: plain, split, batch parts, page options, a form with assets."""
    payload = hostile(base, secret)
    return {
        "plain": {"json": {"html": chapters(payload), "reuse": False}},
        "split always": {"json": {"html": chapters(payload), "split": "always", "reuse": False}},
        "batch": {"json": {"documents": [chapters(payload), f"<p>Part two</p>{payload}"], "reuse": False}},
        "options": {
            "json": {
                "html": "<p>Body</p>",
                "reuse": False,
                "options": {"header_html": payload + "<p>Page {page}</p>", "footer_html": payload},
            }
        },
        "assets": {"files": {"file": ("site.zip", site_zip(chapters(payload)), "application/zip")}},
    }


def site_zip(html: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("index.html", html)
        archive.writestr("style.css", "p { color: blue }")
    return out.getvalue()


def test_no_path_fetches_or_reads_anything(stack: Stack, secret_file: Path) -> None:
    canary = Canary()
    try:
        for path, request in submissions(f"http://127.0.0.1:{canary.port}", secret_file).items():
            response = requests.post(f"{stack.base}/api/jobs", timeout=TIMEOUT, **request)
            assert response.status_code == 202, (path, response.text)
            job = wait_for_job(stack.base, response.json()["id"], timeout=120)
            seen = json.dumps(job)
            if job["state"] == "SUCCESS":
                seen += pdf_text(requests.get(f"{stack.base}{job['pdf']['url']}", timeout=TIMEOUT).content)
            assert SECRET_WORDS not in seen and SOURCE_LINE not in seen, path
            if path == "split always":
                assert job["render"]["path"] == "single"  # an @import is something a split cannot see
        assert canary.paths == []
    finally:
        canary.close()
    for log in (stack.worker.output(), stack.web.output()):
        assert SECRET_WORDS not in log
        assert SOURCE_LINE not in log


def test_the_split_analysis_asks_the_policy_it_is_given(secret_file: Path) -> None:
    # Proves the service test can fail: under a policy that allows loopback, the analysis fetches.
    canary = Canary()
    try:
        html = chapters(f"<style>@import url(http://127.0.0.1:{canary.port}/import.css);</style>")
        config = {"ALLOWED_HOSTS": frozenset({"127.0.0.1"}), "RENDER_TIME_LIMIT": 30, "MAX_DEPTH": 200}
        plan(html, 2, 0)
        plan(html, 2, 0, policy_for(config))
        assert canary.paths == []
        plan(html, 2, 0, dataclasses.replace(policy_for(config), allow_private_networks=True))
        assert canary.paths == ["/import.css"]
    finally:
        canary.close()
