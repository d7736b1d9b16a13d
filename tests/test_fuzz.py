"""Fuzzing POST /api/jobs: whatever the body, content type, charset, JSON, form or zip, no 5xx and no stall.

CI runs a bounded number of examples per shape; `FUZZ_EXAMPLES=2000` runs more. What the
worker does with a document (its stylesheets prepared, rendered) is fuzzed in tests/test_fuzz_prepare.py.
"""

from __future__ import annotations

import io
import json
import os
import time
import warnings
import zipfile
from typing import Any

import webencodings
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
MiB = 2**20


def _header_safe(text: str) -> bool:
    return "\n" not in text and "\r" not in text


CHARSETS = st.sampled_from(sorted(webencodings.LABELS)) | st.text(max_size=20).filter(_header_safe)
TYPES = st.sampled_from(
    [
        "text/html",
        "application/xhtml+xml",
        "application/json",
        "text/plain",
        "application/zip",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "",
    ]
) | st.text(max_size=30).filter(_header_safe)
MARKUP = st.lists(
    st.sampled_from(
        [*"<>/!-=\"' abpdivtrlsg\n", "<div>", "<p>", "<td>", "<table>", "<!--", "é", "\x00", "<b>", "</p>"]
    ),
    max_size=200,
).map("".join)
# Units that are cheap to send and costly to scan, repeated up to a quarter of a MB.
LARGE = st.builds(
    lambda unit, count: unit * count,
    st.sampled_from(["<a", "<p>", "<li>", "<br>", "<p><b>x</p>", "</b>", "<", "<div>", "<!--", "<td></td>"]),
    st.integers(1, 2**16),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30) | MARKUP,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
FIELDS = st.sampled_from(["html", "filename", "options", "documents", "reuse", "callback_url", "split", "other"])
OPTION_VALUES = st.fixed_dictionaries(
    {},
    optional={
        "margin": st.sampled_from(["1cm", "150in", "2 cm", "-1in", "0in", "1e9in"]) | st.text(max_size=10),
        "page_size": st.sampled_from(["a4", "0.1in 0.1in", "200in 200in", "x"]) | st.text(max_size=10),
        "orientation": st.sampled_from(["portrait", "landscape", "sideways"]),
        "header_html": MARKUP,
        "title": JSON_VALUES,
    },
)


def check(client: FlaskClient, size: int, **request: Any) -> None:
    """One POST: never a 5xx, every error in the API's shape, and at most a second per MB (one at least).

    CPU seconds, not wall: the machine is shared, and what a request costs the service is its CPU.
    """
    started = time.process_time()
    response = client.post("/api/jobs", **request)
    elapsed = time.process_time() - started
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        error = response.get_json()["error"]
        assert error["code"] and error["message"]
    assert elapsed <= max(size / MiB, 1.0), (elapsed, size)


@FUZZ
@given(body=st.binary(max_size=2000) | MARKUP.map(str.encode) | LARGE.map(str.encode), kind=TYPES, charset=CHARSETS)
def test_raw_bodies(app: Flask, body: bytes, kind: str, charset: str) -> None:
    content_type = f"{kind}; charset={charset}" if charset else kind
    check(app.test_client(), len(body), data=body, headers={"Content-Type": content_type})


@FUZZ
@given(
    shape=st.dictionaries(FIELDS, JSON_VALUES, max_size=6)
    | st.fixed_dictionaries({"html": MARKUP | LARGE, "options": OPTION_VALUES | JSON_VALUES})
    | JSON_VALUES,
    depth=st.sampled_from([0, 0, 0, 50, 999, 5000]),
)
def test_json_shapes(app: Flask, shape: object, depth: int) -> None:
    text = json.dumps(shape)
    if depth:
        text = '{"html": "<p>x</p>", "options": ' + "[" * depth + "]" * depth + "}"
    check(app.test_client(), len(text), data=text, headers={"Content-Type": "application/json"})


FILE_NAMES = st.sampled_from(["a.html", "b.htm", "x.zip", "x.txt", "", "../../etc/passwd", "index.html", "img.png"])
PART_TYPES = st.sampled_from(["text/html", "application/zip", "image/png", "application/octet-stream"]) | st.builds(
    lambda charset: f"text/html; charset={charset}",
    CHARSETS,
)


@FUZZ
@given(
    files=st.lists(st.tuples(st.sampled_from(["file", "assets", "other"]), FILE_NAMES, MARKUP, PART_TYPES), max_size=4),
    fields=st.dictionaries(
        st.sampled_from(["html", "filename", "options", "reuse", "callback_url", "split"]),
        MARKUP | JSON_VALUES.map(json.dumps),
        max_size=4,
    ),
)
def test_multipart_layouts(app: Flask, files: list[tuple[str, str, str, str]], fields: dict[str, str]) -> None:
    data: dict[str, Any] = dict(fields)
    for field, name, text, kind in files:
        data.setdefault(field, []).append((io.BytesIO(text.encode("utf-8", "replace")), name, kind))
    size = sum(len(text) for _, _, text, _ in files) + sum(len(value) for value in fields.values())
    check(app.test_client(), size, data=data, content_type="multipart/form-data")


ENTRY_NAMES = st.sampled_from(
    [
        "index.html",
        "d",
        "d/e",
        "d/",
        "../x",
        "/abs",
        "a\\b",
        "c:x",
        "img/a.png",
        "img//a.png",
        "docs/index.html",
        "é.css",
    ]
) | st.text(max_size=12)


@FUZZ
@given(
    entries=st.lists(
        st.tuples(ENTRY_NAMES, MARKUP | st.binary(max_size=200).map(lambda b: b.decode("latin-1"))), max_size=6
    ),
    damage=st.sampled_from([None, "truncate", "garbage"]),
)
def test_zip_archives(app: Flask, entries: list[tuple[str, str]], damage: str | None) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # duplicate names are part of the fuzz
        for name, text in entries:
            try:
                archive.writestr(name or "unnamed", text.encode("utf-8", "replace"))
            except (ValueError, IndexError):
                continue  # a name zipfile itself will not write (IndexError: one that a NUL cuts to nothing)
    data = buffer.getvalue()
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "garbage":
        data = b"PK\x03\x04" + data[::-1]
    upload = {"file": (io.BytesIO(data), "site.zip", "application/zip")}
    check(app.test_client(), len(data), data=upload, content_type="multipart/form-data")
