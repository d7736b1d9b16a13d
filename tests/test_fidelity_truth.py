"""The fidelity report is true both ways (issue 24): each entry there when it holds, absent when it does not."""

from __future__ import annotations

import base64
from pathlib import Path

from tasks.document.policy import server_policy
from tasks.render.renderer import render_pdf

BROWSER = "<style>:root{--x:1px}</style><section>"  # marks a document written for browsers
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)


def degraded(html: str, **kwargs: object) -> list[str]:
    notes: list[str] = render_pdf(html, **kwargs).fidelity.degraded  # type: ignore[arg-type]
    return notes


def test_a_table_that_fits_is_not_said_to_have_too_many_columns() -> None:
    row = "<tr><td></td><td>&nbsp;</td><td>x</td></tr>"  # an empty column: as wide as its padding, give or take
    fits = f"<style>td{{padding:10px;border:1px solid}}</style><table width='100%'>{row}</table>"
    assert not any("padding" in note for note in degraded(fits))
    cells = "".join(f"<td>{index}</td>" for index in range(120))
    too_wide = f"<style>td{{padding:6px}}</style><table><tr>{cells}</tr></table>"
    assert any("more columns than fit the page" in note for note in degraded(too_wide))


def test_one_border_collapse_declaration_counts_once_however_many_tables_it_styles() -> None:
    tables = "<table><tr><td>a</td></tr></table><table><tr><td>b</td></tr></table>"
    one = render_pdf(BROWSER + "<style>table{border-collapse:collapse}</style>" + tables).fidelity
    assert one.mode == "browser" and one.ignored_css["border-collapse"] == 1
    two_rules = "<style>table{border-collapse:collapse} td{color:red} table{border-collapse: separate}</style>"
    two = render_pdf(BROWSER + two_rules + tables).fidelity
    assert two.ignored_css["border-collapse"] == 1  # the losing declaration does nothing, said or not
    inline = "<table style='border-collapse:collapse'><tr><td>a</td></tr></table>" * 2
    assert render_pdf(BROWSER + inline).fidelity.ignored_css["border-collapse"] == 2


def test_an_image_the_upload_does_not_hold_is_reported_and_one_it_holds_is_not(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "here.png").write_bytes(PNG)
    document = tmp_path / "index.html"
    html = "<p>x</p><img src='img/missing.png'><img src='img/here.png' width='10'>"
    notes = degraded(html, path=str(document), policy=server_policy(base_dir=str(tmp_path)))
    assert [note for note in notes if "image" in note] == [
        "image img/missing.png left out: no such file here (not in the upload?), or not an image"
    ]


def test_a_refused_image_is_a_blocked_resource_only(tmp_path: Path) -> None:
    report = render_pdf("<img src='http://example.com/a.png'>").fidelity
    assert report.blocked_resources == ["http://example.com/a.png"]
    assert not any("image" in note for note in report.degraded)
