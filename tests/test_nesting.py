"""The web tier's nesting check: as deep as html5lib nests, linear in the body, refused before queueing."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.documents import html5lib_depth
from tests.support import wait_for_job
from webapp.nesting import nesting_depth

TIMEOUT = 30
MiB = 2**20


# Documents as people write them: blocks, lists, tables and inline markup, end tags
# that HTML lets one leave out left out at random.
_OPTIONAL_END = {"p", "li", "dd", "dt", "td", "th", "tr", "tbody", "option"}
_TEXT = st.sampled_from(["", "text", " ", "a < b"])


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def build(name: str, inner: list[str], omit: bool, attrs: str) -> str:
        body = "".join(inner)
        if name == "table":
            rows = "".join(f"<tr><td>{cell}" + ("" if omit else "</td></tr>") for cell in inner or ["x"])
            return f"<table{attrs}>{rows}</table>"
        if name in ("ul", "ol"):
            items = "".join(f"<li>{item}" + ("" if omit else "</li>") for item in inner or ["x"])
            return f"<{name}>{items}</{name}>"
        if name == "dl":
            return "<dl>" + "".join(f"<dt>t<dd>{item}" for item in inner or ["x"]) + "</dl>"
        end = "" if omit and name in _OPTIONAL_END else f"</{name}>"
        return f"<{name}{attrs}>{body}{end}"

    names = st.sampled_from(["div", "section", "span", "b", "i", "em", "a", "table", "ul", "ol", "dl", "blockquote"])
    attrs = st.sampled_from(["", ' class="x"', " title='a>b'", ' style="color:red"'])
    return st.builds(build, names, st.lists(children, max_size=4), st.booleans(), attrs)


DOCUMENTS = st.recursive(_TEXT | st.just("<br>") | st.just("<img src=x>"), _element, max_leaves=60)


@settings(max_examples=150, deadline=None)
@given(st.lists(DOCUMENTS, min_size=1, max_size=4).map("".join))
def test_the_scan_counts_what_html5lib_nests(document: str) -> None:
    real, counted = html5lib_depth(document), nesting_depth(document)
    assert real <= counted <= real + 2, document


@pytest.mark.parametrize(
    ("html", "real"),
    [
        ("<div>" * 199, 201),
        ("<table><tr><td>" * 60, 2 + 4 * 60),
        ("<ul><li>" * 100, 2 + 2 * 100),
        ("<p>x" * 1000, 3),
        ("<li>x" * 1000, 3),
        ("<table>" + "<tr><td>x" * 1000 + "</table>", 6),
        ("<div/>" * 300, 302),  # <div/> does not close itself in HTML
        ("<svg>" + "<path/>" * 300 + "</svg>", 4),  # in SVG it does
        ("<script>" + "<div>" * 500 + "</script>", 3),
        ("<!--" + "<div>" * 500 + "-->", 2),
        ("<!--><div><div>", 4),  # an empty comment hides nothing
        ("<p><b>x</p>" * 50, 7),  # re-opened formatting elements, at most three alike
        ("<form><div></form>" * 50, 2 + 100),  # </form> leaves what the form holds open
        ("<span><div></span>" * 50, 2 + 100),  # an end tag past a block is ignored
    ],
)
def test_known_shapes(html: str, real: int) -> None:
    assert html5lib_depth(html) == real
    assert real <= nesting_depth(html) <= real + 1


@pytest.mark.parametrize(
    "unit",
    ["<a", "<", "<p>", "<li>", "<br>", "<p><b>x</p>", "</b>", "<td></td>", "<!--", "<script>", "<a title='"],
)
def test_the_scan_is_linear_in_the_worst_inputs(unit: str) -> None:
    def cpu_seconds(size: int) -> float:
        html = unit * (size // len(unit))
        started = time.process_time()
        nesting_depth(html, stop_above=200)
        return time.process_time() - started

    small, large = cpu_seconds(MiB // 4), cpu_seconds(MiB)
    # Quadratic would be 16x; the old regex took 12 s for 40 KB of "<a".
    assert large < 8 * max(small, 0.005), (unit, small, large)
    assert large < 5


def test_the_web_process_serves_others_while_it_scans_a_large_body(live_server: str) -> None:
    # A megabyte and a half of "<p>", the costliest tag per byte, then too deep: refused after a long scan.
    body = "<p>" * (MiB // 2) + "<div>" * 300
    answer: list[requests.Response] = []
    other = f"{live_server}/api/jobs/{'0' * 24}"  # another request: a job that does not exist
    assert requests.get(other, timeout=TIMEOUT).status_code == 404
    scan = threading.Thread(
        target=lambda: answer.append(requests.post(f"{live_server}/api/jobs", json={"html": body}, timeout=120))
    )
    scan.start()
    pauses = []
    while scan.is_alive():
        started = time.monotonic()
        assert requests.get(other, timeout=TIMEOUT).status_code == 404
        pauses.append(time.monotonic() - started)
        scan.join(0.05)
    assert answer[0].status_code == 400
    assert len(pauses) >= 3, "the scan ended too soon to tell"
    assert max(pauses) < 1.5, pauses


def test_an_unclosed_run_of_tags_is_answered_at_once(live_server: str) -> None:
    started = time.monotonic()
    response = requests.post(
        f"{live_server}/api/jobs?reuse=false",
        data="<a" * 45000,
        headers={"Content-Type": "text/html"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 202, response.text
    assert time.monotonic() - started < 5
    assert requests.get(f"{live_server}/healthz", timeout=TIMEOUT).status_code == 200


@pytest.mark.parametrize(
    ("html", "status"),
    [
        ("<div>" * 199 + "x", 400),
        ("<div>" * 198 + "x", 202),
        ("<table><tr><td>" * 60 + "x", 400),
        ("<ul><li>" * 100 + "x", 400),
        ("<p>" * 5000 + "x", 202),
    ],
)
def test_depth_is_counted_as_the_parser_nests(live_server: str, html: str, status: int) -> None:
    response = requests.post(f"{live_server}/api/jobs", json={"html": html, "reuse": False}, timeout=TIMEOUT)
    assert response.status_code == status, response.text
    if status == 400:
        assert response.json()["error"]["code"] == "too_deeply_nested"


def test_the_deepest_accepted_document_renders(live_server: str) -> None:
    response = requests.post(
        f"{live_server}/api/jobs", json={"html": "<div>" * 198 + "deep", "reuse": False}, timeout=TIMEOUT
    )
    assert wait_for_job(live_server, response.json()["id"])["state"] == "SUCCESS"
