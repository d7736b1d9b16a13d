"""Images, CSS and fonts sent with the HTML: a .zip or several files, each job in its own sandbox."""

from __future__ import annotations

import io
import stat
import zipfile
from typing import Any

import pypdf
import pytest
import requests
from flask.testing import FlaskClient

from tests.support import AppFactory, pdf_text, wait_for_job
from tests.test_security import tiny_png

TIMEOUT = 10
PAGE = (
    '<html><head><link rel="stylesheet" href="css/style.css"></head>'
    '<body><h1>Logo</h1><img src="img/logo.png"></body></html>'
)


def make_zip(entries: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def upload(client: FlaskClient, data: bytes, name: str = "site.zip") -> tuple[int, dict[str, Any]]:
    response = client.post("/api/jobs", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    return response.status_code, response.get_json()


def pdf_of(base: str, job: dict[str, Any]) -> bytes:
    assert job["state"] == "SUCCESS", job["error"]
    return requests.get(f"{base}{job['pdf']['url']}", timeout=TIMEOUT).content


def test_a_zip_with_an_image_and_css_renders_them(live_server: str) -> None:
    archive = make_zip(
        {"index.html": PAGE.encode(), "img/logo.png": tiny_png(60, 30), "css/style.css": b"h1 { color: #c00 }"}
    )
    files = {"file": ("site.zip", archive, "application/zip")}
    response = requests.post(f"{live_server}/api/jobs", files=files, timeout=TIMEOUT)
    assert response.status_code == 202, response.text
    assert response.json()["filename"] == "site.pdf"
    pdf = pdf_of(live_server, wait_for_job(live_server, response.json()["id"]))
    assert b"/Subtype /Image" in pdf
    drawing = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].get_contents()
    assert drawing is not None and b".8 0 0 rg" in drawing.get_data(), "the zip's CSS colours the heading"


def test_html_with_asset_files_renders_them(live_server: str) -> None:
    files = [
        ("file", ("report.html", PAGE.encode(), "text/html")),
        ("assets", ("img/logo.png", tiny_png(60, 30), "image/png")),
    ]
    response = requests.post(f"{live_server}/api/jobs", files=files, timeout=TIMEOUT)
    assert response.status_code == 202, response.text
    assert b"/Subtype /Image" in pdf_of(live_server, wait_for_job(live_server, response.json()["id"]))


def test_without_assets_relative_images_are_not_read(live_server: str) -> None:
    job = requests.post(f"{live_server}/api/jobs", json={"html": PAGE}, timeout=TIMEOUT).json()
    pdf = pdf_of(live_server, wait_for_job(live_server, job["id"]))
    assert b"/Subtype /Image" not in pdf
    assert "Logo" in pdf_text(pdf)


def test_a_document_in_a_zip_cannot_reach_outside_it(live_server: str) -> None:
    html = (
        b'<p>Inside</p><img src="../../../../etc/passwd"><img src="/etc/passwd"><link rel="stylesheet" href="../x.css">'
    )
    files = {"file": ("site.zip", make_zip({"index.html": html}), "application/zip")}
    job = requests.post(f"{live_server}/api/jobs", files=files, timeout=TIMEOUT).json()
    pdf = pdf_of(live_server, wait_for_job(live_server, job["id"]))
    assert b"root:" not in pdf and "Inside" in pdf_text(pdf)


@pytest.mark.parametrize(
    ("archive", "status", "code"),
    [
        (make_zip({"index.html": b"<p>x</p>", "../evil.png": b"x"}), 400, "unsafe_path"),
        (make_zip({"index.html": b"<p>x</p>", "/etc/cron.d/evil": b"x"}), 400, "unsafe_path"),
        (make_zip({"index.html": b"<p>x</p>"}, links=("img/logo.png",)), 400, "symlink"),
        (make_zip({"index.html": b"<p>x</p>", "bomb.bin": b"\0" * (40 * 2**20)}), 413, "zip_bomb"),
        (make_zip({"logo.png": tiny_png(4, 4)}), 400, "no_document"),
        (make_zip({"a.html": b"<p>a</p>", "b.html": b"<p>b</p>"}), 400, "no_document"),
        (b"PK\x03\x04 not really a zip", 400, "bad_zip"),
    ],
)
def test_unsafe_archives_are_refused_naming_the_problem(
    client: FlaskClient, archive: bytes, status: int, code: str
) -> None:
    got, body = upload(client, archive)
    assert got == status, body
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_an_archive_unpacking_past_the_limit_is_413(redis_url: str, make_app: AppFactory) -> None:
    client = make_app(
        {"REDIS_URL": redis_url.replace("/0", "/1"), "MAX_UNPACKED_BYTES": "100000", "RATE_LIMIT": "1000/minute"}
    ).test_client()
    archive = make_zip({"index.html": b"<p>x</p>", "photo.png": bytes(range(256)) * 800})
    got, body = upload(client, archive)
    assert got == 413
    assert body["error"]["code"] == "archive_too_large"
