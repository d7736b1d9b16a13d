"""Fuzzing the preparation stage through the running stack: random stylesheets, each job within its limits.

The submission fuzz (tests/test_fuzz.py) stops at the web tier; here each
document is rendered by a real worker: nesting, `var()` chains, selectors,
`@font-face` with `data:` fonts, inline SVG. Every job ends within the render
time limit (plus a margin), `SUCCESS` or a limit's error, and leaves the render
process no bigger than before it, within a tolerance. Sizes stay moderate: the
fuzz looks for crashes and leaks, the worst cases have their own tests.
CI runs 30 documents (about 15 s); `FUZZ_STACK_EXAMPLES=500` hunts longer.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import reportlab
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import Stack, private_stack, submit_job, wait_for_job

EXAMPLES = int(os.environ.get("FUZZ_STACK_EXAMPLES", "30"))
RENDER_TIME_LIMIT = 20
MARGIN = 10  # seconds past the limit for the end to be stored and read
MiB = 2**20
# RSS the render process may keep past a job (allocator arenas, caches bounded in bytes):
# a job that kept its document's data would pass it (issue 19: +313 MB per var() bomb).
RSS_TOLERANCE = 96 * MiB
# What a job may end with besides SUCCESS: a limit, or a font that is not one (the fuzz sends some).
# Not a truncated TrueType font yet: ReportLab's struct.error ends it `invalid_document` (issue 19, reported).
ENDINGS = {"render_timeout", "render_limit", "too_deeply_nested", "too_many_pages", "out_of_memory", "bad_font"}
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VERA = base64.b64encode((Path(reportlab.__file__).parent / "fonts" / "Vera.ttf").read_bytes()).decode()
TAGS = ["div", "p", "span", "table", "td", "li", "h1", "svg", "b"]
IDENT = st.sampled_from(["a", "b", "c", "x", "total", "card"])
SIMPLE = st.one_of(
    st.sampled_from(TAGS), IDENT.map(".{}".format), IDENT.map("#{}".format), st.just("*"), st.just(":root")
)
COMPOUND = st.tuples(
    SIMPLE, st.sampled_from(["", ":first-child", ":nth-child(2n+1)", ":not(.a)", ":is(p, .b)", "::before", ":hover"])
).map("".join)
COMBINATOR = st.sampled_from([" ", " > ", " + ", " ~ "])
SELECTOR = st.tuples(COMPOUND, st.lists(st.tuples(COMBINATOR, COMPOUND), max_size=3)).map(
    lambda s: s[0] + "".join(join + part for join, part in s[1])
)
VALUES = st.sampled_from(
    [
        "1px", "2em", "50%", "calc(100% - 3rem)", "var(--v3)", "var(--missing, 4px)", "auto", "none", "red",
        "flex", "grid", "block", "inline-block", "1fr 2fr", "repeat(3, 1fr)", "bold", "italic", "Fuzz, serif",
        "always", "0 0 3px #000", "min(1px, 2px)", "url(data:image/png;base64,AAAA)", "counter(page)", "-1e9px",
    ]
)  # fmt: skip
PROPERTIES = st.sampled_from(
    [
        "display", "width", "margin", "padding-left", "color", "font-family", "font-weight", "font-size",
        "grid-template-columns", "flex", "gap", "page-break-after", "box-shadow", "position", "transform",
        "background", "border", "content", "line-height", "--v0", "--x",
    ]
)  # fmt: skip
DECLARATION = st.tuples(PROPERTIES, VALUES).map(lambda pair: f"{pair[0]}: {pair[1]}")


def var_chain(levels: int, fanout: int) -> str:
    """Custom properties each referring to the one below `fanout` times: `levels` deep, as moderate as CI allows."""
    lines = ["--v0: 1px;"] + [f"--v{n}: {' '.join([f'var(--v{n - 1})'] * fanout)};" for n in range(1, levels + 1)]
    return ":root { " + " ".join(lines) + " }"


RULE = st.recursive(
    st.tuples(SELECTOR, st.lists(DECLARATION, max_size=4)).map(lambda r: f"{r[0]} {{ {'; '.join(r[1])} }}"),
    lambda inner: st.one_of(
        st.tuples(SELECTOR, st.lists(inner, max_size=3)).map(lambda r: f"{r[0]} {{ color: blue; {' '.join(r[1])} }}"),
        st.lists(inner, max_size=3).map(lambda rules: f"@media print {{ {' '.join(rules)} }}"),
    ),
    max_leaves=8,
)
FONT_FACE = st.tuples(
    st.sampled_from(["Fuzz", "helvetica", "Georgia", "times-roman"]), st.sampled_from([VERA, "AAAA"])
).map(lambda f: f"@font-face {{ font-family: {f[0]}; src: url(data:font/ttf;base64,{f[1]}) }}")
STYLESHEET = st.tuples(
    st.lists(RULE, max_size=12),
    st.builds(var_chain, st.integers(0, 5), st.integers(1, 3)),
    st.lists(FONT_FACE, max_size=2),
    st.sampled_from(["", "@page { size: a5; margin: 1cm }", "@page :first { margin: 3in }"]),
).map(lambda parts: "\n".join([*parts[0], parts[1], *parts[2], parts[3]]))
SHAPE = st.sampled_from(
    [
        '<rect x="1" y="1" width="20" height="10" fill="red"/>',
        '<circle cx="10" cy="10" r="5" stroke="blue"/>',
        '<path d="M0 0 L10 10 Q 20 0 30 10 Z"/>',
        '<text x="2" y="12" font-family="Fuzz">1,117.00</text>',
        '<polyline points="0,0 5,5 10,0"/>',
    ]
)
SVG = st.tuples(st.integers(1, 400), st.integers(1, 400), st.lists(SHAPE, max_size=5), st.integers(0, 5)).map(
    lambda s: f'<svg width="{s[0]}" height="{s[1]}" viewBox="0 0 40 20">'
    + "<g>" * s[3] + "".join(s[2]) + "</g>" * s[3] + "</svg>"
)  # fmt: skip
TABLE = "<table><tr><td>1</td><td>2</td></tr></table>"
CONTENT = st.one_of(
    st.sampled_from(["Invoice 1001", "Amount due 1,117.00", "<b>x</b>", TABLE]),
    SVG,
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A document for a browser, nested up to 40 elements deep, styled by a random stylesheet."""
    depth = draw(st.integers(0, 40))
    opening = "".join(f'<div class="{draw(IDENT)}">' for _ in range(depth))
    body = "".join(f"<p id='{draw(IDENT)}' class='a b'>{draw(CONTENT)}</p>" for _ in range(draw(st.integers(1, 20))))
    return f"<!doctype html><html><head><style>{draw(STYLESHEET)}</style></head><body>{opening}{body}{'</div>' * depth}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # One render process, kept through the run, so each job's memory is measured on the same one.
    env = {"RENDER_TIME_LIMIT": str(RENDER_TIME_LIMIT), "WORKER_MAX_TASKS_PER_CHILD": "100000"}
    with private_stack(tmp_path_factory.mktemp("fuzz"), env=env, processes=1) as service:
        yield service


def render_process(stack: Stack) -> int:
    """The pid of the worker's one pool process."""
    [child] = Path(f"/proc/{stack.worker.pid}/task/{stack.worker.pid}/children").read_text().split()
    return int(child)


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


def render(stack: Stack, html: str) -> dict[str, object]:
    """Submit `html`; the job once it ended, which it must within the render time limit and a margin."""
    started = time.monotonic()
    job = submit_job(stack.base, {"html": html, "reuse": False})
    assert time.monotonic() - started < 5, "the submission took more than 5 s"
    return wait_for_job(stack.base, job["id"], "SUCCESS", "FAILURE", timeout=RENDER_TIME_LIMIT + MARGIN)


@pytest.fixture(scope="module")
def baseline(stack: Stack) -> tuple[int, int]:
    """The render process and its RSS once warm: two plain documents rendered."""
    for _ in range(2):
        assert render(stack, "<!doctype html><p style='display: flex'>Invoice 1001</p>")["state"] == "SUCCESS"
    pid = render_process(stack)
    return pid, rss(pid)


@FUZZ
@given(html=documents())
def test_random_stylesheets_end_within_their_limits_and_leave_no_memory(
    stack: Stack, baseline: tuple[int, int], html: str
) -> None:
    job = render(stack, html)
    error = job["error"]
    assert job["state"] == "SUCCESS" or (isinstance(error, dict) and error["code"] in ENDINGS), error
    pid, before = baseline
    assert render_process(stack) == pid, "the render process was replaced (killed?)"
    assert rss(pid) - before < RSS_TOLERANCE, f"the render process grew {(rss(pid) - before) / MiB:.0f} MiB"
    assert requests.get(f"{stack.base}/healthz", timeout=5).status_code == 200
