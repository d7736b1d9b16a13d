"""The fidelity report of a render: what xhtml2pdf ignored and refused, by name only, never its text."""

from __future__ import annotations

import uuid
from pathlib import Path

from tasks.document.bounds import MAX_ENTRIES, MAX_TEXT, clip, json_size
from tasks.document.fidelity import FidelityReport
from tasks.document.policy import server_policy
from tasks.render.fidelity_sources import read_warning, shown
from tasks.render.renderer import render_pdf
from tests.support import submit_job, wait_for_job
from tests.test_overflow import UNSPLITTABLE_TABLE

DOCUMENT = """<html><head><style>
.card { box-shadow: 0 0 3px #000; }
.total { color: red; &:last-of-type { color: blue } }
.pad { padding-left: calc(1px + var(--undefined)); }
p { left: calc(-1 * (3.5rem - 26px)); }
</style><link rel="stylesheet" href="theme.css"></head><body>
<p class="card total pad">Total</p>
<img src="img/logo.png"><img src="https://example.com/a.png"><img src="/etc/passwd">
</body></html>"""


def test_ignored_css_and_refused_resources_are_named_by_what_the_document_wrote(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("root:x:0:0")
    report = render_pdf(DOCUMENT, policy=server_policy(), written_for="xhtml2pdf").fidelity.as_dict()

    assert report["ignored_css"] == {"box-shadow": 1, "nested rules (&)": 1, "left": 1, "padding-left": 1}
    assert report["blocked_resources"] == ["theme.css", "img/logo.png", "https://example.com/a.png", "passwd"]
    assert report["degraded"] == []
    # Nothing of the server's directories, nothing of the library's words.
    text = repr(report)
    assert str(Path.cwd()) not in text and "policy" not in text and "/etc" not in text


def test_a_file_beside_the_document_refused_for_its_size_is_named_relative_to_the_document(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "big.png").write_bytes(b"\x89PNG" + b"0" * 64)
    policy = server_policy(base_dir=str(tmp_path))
    assert shown(tmp_path / "img" / "big.png", policy.base_dir) == "img/big.png"


def test_data_uris_are_shown_by_their_type_only() -> None:
    assert shown("data:image/png;base64,iVBORw0KGgo" + "A" * 5000, None) == "data:image/png,…"


def test_warnings_count_each_feature_and_ignore_text_that_is_not_a_name() -> None:
    report = FidelityReport()
    read_warning(report, "<style> block 2: Ignoring CSS properties xhtml2pdf does not implement: float, opacity")
    read_warning(report, "theme.css: Ignoring CSS properties xhtml2pdf does not implement: opacity, root:x:0:0")
    read_warning(report, "Ignoring CSS declarations whose value xhtml2pdf cannot evaluate: margin: min(), top: calc()")
    read_warning(report, "x.css: Ignoring CSS declaration that could not be parsed: 'root:x:0:0:root:/root:/bin/bash'")
    read_warning(report, "display: 'flex' is not supported; treated as block")
    read_warning(report, "Ignoring CSS rule that could not be parsed: whatever the library says")

    assert report.as_dict()["ignored_css"] == {
        "opacity": 2,
        "float": 1,
        "min()": 1,
        "calc()": 1,
        "root": 1,
        "display: flex": 1,
        "CSS rules that could not be parsed": 1,
    }


def test_notes_are_clipped_in_json_bytes_with_an_ellipsis() -> None:
    assert clip("box-shadow") == "box-shadow"
    for text in ("a" * 400_000, "é" * 300, "😀" * 300, "\x00" * 300, '"' * 300):
        clipped = clip(text)
        assert json_size(clipped) <= MAX_TEXT
        assert clipped.endswith("…") and text.startswith(clipped[:-1]) and len(clipped) > 10


def test_each_list_keeps_its_first_notes_and_counts_the_rest() -> None:
    report = FidelityReport()
    for index in range(MAX_ENTRIES + 5):
        report.ignore(f"{index}-" + "a" * 400_000)
        report.block(f"https://example.com/{index}/" + "b" * 10_000)
        report.degrade(f"change {index}")
    report.ignore("0-" + "a" * 400_000, 2)  # one that is listed already counts there
    data = report.as_dict()

    assert [len(data[name]) for name in ("ignored_css", "blocked_resources", "degraded")] == [MAX_ENTRIES] * 3
    assert data["omitted"] == {"ignored_css": 5, "blocked_resources": 5, "degraded": 5}
    assert data["ignored_css"][clip("0-" + "a" * 400_000)] == 3
    assert all(json_size(feature) <= MAX_TEXT for feature in data["ignored_css"])
    assert FidelityReport.from_dict(data).as_dict() == data


def test_the_job_json_carries_the_report_of_every_part_with_pages_of_the_whole(live_server: str) -> None:
    parts = [
        {"name": "Cover", "html": f"<h1>{uuid.uuid4()}</h1><p style='page-break-after: always'>1</p><p>2</p>"},
        {"name": "Table", "html": f"<p style='box-shadow: 0 0 1px red'>x</p>{UNSPLITTABLE_TABLE}"},
    ]
    job = wait_for_job(live_server, submit_job(live_server, {"documents": parts})["id"])

    assert job["state"] == "SUCCESS"
    fidelity = job["fidelity"]
    assert fidelity["ignored_css"] == {"box-shadow": 1}
    [message] = fidelity["degraded"]
    # The table is the second part's second page: the PDF's fourth.
    assert message.startswith("a table taller than the page on page 4 was scaled to ")
