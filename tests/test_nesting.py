"""The nesting check: as deep as html5lib nests, linear in the body, made by the worker before html5lib parses.

The web tier keeps to checks at C speed (issue 11: 50 ms per MB), so a document nested too
deeply is accepted and fails at the start of its render; its header and footer, short, are
checked at submission.
"""

from __future__ import annotations

import time

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.documents import html5lib_depth
from tasks.nesting.scan import nesting_depth
from tests.support import wait_for_job

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


def test_a_large_deep_body_is_accepted_at_once_and_fails_before_it_is_parsed(live_server: str) -> None:
    # A megabyte and a half of "<p>", the costliest tag per byte for the scan, then too deep.
    body = "<p>" * (MiB // 2) + "<div>" * 300
    response = requests.post(f"{live_server}/api/jobs", json={"html": body, "reuse": False}, timeout=TIMEOUT)
    assert response.status_code == 202, response.text
    job = wait_for_job(live_server, response.json()["id"], timeout=60)
    assert job["state"] == "FAILURE"
    assert job["error"] == {
        "code": "too_deeply_nested",
        "message": "The HTML nests elements more than 200 levels deep. Close its tags or flatten its structure.",
    }


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
    ("html", "state"),
    [
        ("<div>" * 199 + "x", "FAILURE"),
        ("<div>" * 198 + "x", "SUCCESS"),
        ("<table><tr><td>" * 60 + "x", "FAILURE"),
        ("<ul><li>" * 100 + "x", "FAILURE"),
        ("<p>" * 5000 + "x", "SUCCESS"),
    ],
)
def test_depth_is_counted_as_the_parser_nests(live_server: str, html: str, state: str) -> None:
    response = requests.post(f"{live_server}/api/jobs", json={"html": html, "reuse": False}, timeout=TIMEOUT)
    assert response.status_code == 202, response.text
    job = wait_for_job(live_server, response.json()["id"])
    assert job["state"] == state, job
    if state == "FAILURE":
        assert job["error"]["code"] == "too_deeply_nested"


@pytest.mark.parametrize("name", ["header_html", "footer_html"])
def test_a_deep_header_or_footer_is_refused_at_submission(live_server: str, name: str) -> None:
    response = requests.post(
        f"{live_server}/api/jobs", json={"html": "<p>x</p>", "options": {name: "<i>" * 300}}, timeout=TIMEOUT
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_deeply_nested"
    assert name in response.json()["error"]["message"]
