"""Untrusted HTML: no network, no local files, known payloads do nothing, limits hold."""

from __future__ import annotations

import base64
import dataclasses
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from reportlab.pdfbase.ttfonts import TTFError

from tasks.document.policy import server_policy
from tasks.render.renderer import render_pdf
from tests.support import pdf_text, report_html, submit_job, wait_for_job

TIMEOUT = 10


class Canary:
    """A loopback HTTP server that records every request made to it."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                canary.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"p{color:red}")

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def canary() -> Iterator[Canary]:
    server = Canary()
    yield server
    server.close()


def every_fetch(base: str) -> str:
    """One document reaching for `base` through every way xhtml2pdf fetches."""
    return f"""<html><head>
    <link rel="stylesheet" href="{base}/link.css">
    <style>
      @import url({base}/import.css);
      @font-face {{ font-family: X; src: url({base}/font.ttf); }}
      body {{ background-image: url({base}/body.png); }}
      @page {{ background-image: url({base}/page.png); }}
    </style></head><body>
    <p>Visible text</p>
    <img src="{base}/img.png">
    <pdf:insertpdf src="{base}/insert.pdf" />
    </body></html>"""


def test_the_network_is_not_reached_by_default(canary: Canary) -> None:
    for host in ("127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "2130706433"):
        render_pdf(every_fetch(f"http://{host}:{canary.port}"))
    assert canary.paths == []


def test_allowed_hosts_never_reach_private_addresses(canary: Canary) -> None:
    policy = server_policy(allowed_hosts=frozenset({"localhost", "127.0.0.1"}))
    render_pdf(every_fetch(f"http://localhost:{canary.port}"), policy=policy)
    render_pdf(every_fetch(f"http://127.0.0.1:{canary.port}"), policy=policy)
    assert canary.paths == []


def test_the_canary_does_see_requests_when_allowed(canary: Canary) -> None:
    # Proves the two tests above can fail: with private networks allowed the fetches happen.
    policy = server_policy(allowed_hosts=frozenset({"127.0.0.1"}))
    permissive = dataclasses.replace(policy, allow_private_networks=True)
    # The canary's "font" is CSS, so this render fails; what matters is that it fetched.
    with pytest.raises(TTFError):
        render_pdf(every_fetch(f"http://127.0.0.1:{canary.port}"), policy=permissive)
    assert "/link.css" in canary.paths


@pytest.mark.parametrize(
    "reference",
    [
        '<img src="/etc/passwd">',
        '<img src="file:///etc/passwd">',
        '<img src="../../../../../../etc/passwd">',
        '<link rel="stylesheet" href="file:///etc/passwd">',
        "<style>@import url(/etc/passwd);</style>",
        "<style>@font-face{font-family:X;src:url(/etc/passwd)} p{font-family:X}</style>",
        '<pdf:insertpdf src="/etc/passwd" />',
        '<img src="pyproject.toml">',
    ],
)
def test_local_files_are_never_read(reference: str) -> None:
    result = render_pdf(f"<html><body>{reference}<p>Body text</p></body></html>")
    text = pdf_text(result.pdf)
    assert "root:" not in text and "root:" not in result.pdf.decode("latin-1")
    assert "tool.ruff" not in text
    assert "Body text" in text


def test_data_uris_still_work() -> None:
    png = tiny_png(40, 20)
    result = render_pdf(f'<p>Logo</p><img src="data:image/png;base64,{base64.b64encode(png).decode()}">')
    assert b"/Subtype /Image" in result.pdf


def test_the_reportlab_code_execution_payload_does_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = (
        "[[[getattr(pow, Word('__globals__'))['os'].system('touch "
        + str(marker)
        + "') for Word in [ orgTypeFun( 'Word', (str,), { 'mutated': 1, 'startswith': lambda self, x: 1 == 0,"
        " '__eq__': lambda self, x: self.mutate() and self.mutated < 0 and str(self) == x,"
        " 'mutate': lambda self: { setattr(self, 'mutated', self.mutated - 1) },"
        " '__hash__': lambda self: hash(str(self)), }, ) ] ] for orgTypeFun in [type(type(1))]"
        " for none in [[].append(1)]]] and 'red'"
    )
    result = render_pdf(f'<para><font color="{payload}">exploit</font></para>')
    assert not marker.exists()
    assert "exploit" in pdf_text(result.pdf)


def test_colour_parsing_is_not_a_redos() -> None:
    cells = "".join(f'<td bgcolor="rgb({"1" * 90}">x</td>' for _ in range(20))
    start = time.monotonic()
    render_pdf(f"<table><tr>{cells}</tr></table><p style='color: rgb({'9' * 90}'>y</p>")
    assert time.monotonic() - start < 5


def tiny_png(width: int, height: int) -> bytes:
    """A 1-bit PNG of `width` x `height` blank pixels: tiny on disk, huge once decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    pixels = zlib.compress(row * height, 9)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def submit(base: str, html: str) -> dict[str, Any]:
    return submit_job(base, {"html": html})


@pytest.mark.parametrize(
    ("name", "html"),
    [
        (
            "decompression bomb",
            f"<img src='data:image/png;base64,{base64.b64encode(tiny_png(12000, 12000)).decode()}'>",
        ),
        ("giant colspan", '<table><tr><td colspan="100000">wide</td></tr></table>'),
        ("giant table", "<table>" + "<tr><td>a</td><td>b</td></tr>" * 5000 + "</table>"),
        ("font too large", '<p style="font-size:100000px">x</p>'),
        (
            "broken svg",
            "<img src='data:image/svg+xml;base64,{}'>".format(
                base64.b64encode(
                    b"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 0 0'><rect width='1' height='1'/></svg>"
                ).decode()
            ),
        ),
        ("stray brace", "<style>} p{color:red}</style><p>x</p>"),
    ],
)
def test_hostile_documents_end_cleanly_and_the_worker_survives(live_server: str, name: str, html: str) -> None:
    job = wait_for_job(live_server, submit(live_server, html)["id"], timeout=120)
    if job["state"] == "FAILURE":
        assert job["error"]["code"] and "Traceback" not in job["error"]["message"], name
    else:
        assert job["state"] == "SUCCESS", name
    after = wait_for_job(live_server, submit(live_server, "<p>still serving</p>")["id"])
    assert after["state"] == "SUCCESS"


def test_deep_nesting_fails_before_html5lib_parses_it(live_server: str) -> None:
    # html5lib's parse of 5,000 levels takes 15 s; the scan before it, milliseconds.
    job = wait_for_job(live_server, submit(live_server, "<div>" * 5000 + "x")["id"])
    assert job["state"] == "FAILURE" and job["error"]["code"] == "too_deeply_nested"


def test_a_huge_inline_image_is_refused_at_the_door(live_server: str) -> None:
    blob = base64.b64encode(b"\x00" * (12 * 2**20)).decode()
    response = requests.post(
        f"{live_server}/api/jobs", json={"html": f"<img src='data:image/png;base64,{blob}'>"}, timeout=30
    )
    assert response.status_code == 413
    assert response.json()["error"]["message"]


def test_a_long_document_is_fine(live_server: str) -> None:
    job = wait_for_job(live_server, submit(live_server, report_html(20))["id"])
    assert job["state"] == "SUCCESS"
