"""The fidelity report is true both ways (issue 24): each entry there when it holds, absent when it does not."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pypdf
import pytest

from bench.fidelity import words
from tasks.document.policy import server_policy
from tasks.render.renderer import RenderResult, render_pdf
from tests.support import pdf_text

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


# --- a box's border or a whole element not drawn (issue 24 item 6) ---------------------------------------

PAGE = '<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width">{}</head><body>{}</body></html>'


def red_lines(pdf: bytes) -> int:
    """How many times the pages set red as the colour to stroke or fill with: a red border drawn."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    streams = [page.get_contents() for page in reader.pages]
    data = b"".join(stream.get_data() for stream in streams if stream is not None)
    return data.count(b"1 0 0 RG") + data.count(b"1 0 0 rg")


def browser(body: str, css: str = "") -> RenderResult:
    return render_pdf(PAGE.format(f"<style>{css}</style>" if css else "", body))


@pytest.mark.parametrize("width", ["thin", "medium", "thick", ""])
def test_a_border_with_a_width_keyword_or_none_is_drawn(width: str) -> None:
    # xhtml2pdf drew nothing for `thin`/`medium`/`thick`, nor for a style without a width (a browser: medium).
    assert red_lines(browser(f"<div style='border: {width} solid red'>x</div>").pdf) == 4


def test_a_border_style_without_a_width_is_drawn_on_the_sides_it_styles() -> None:
    assert red_lines(browser("<div style='border-style: solid; border-color: red'>x</div>").pdf) == 4
    assert red_lines(browser("<div style='border-style: none solid; border-color: red'>x</div>").pdf) == 2
    assert red_lines(browser("<div style='border: 0 solid red'>x</div>").pdf) == 0


@pytest.mark.parametrize("tag", ["section", "article", "header", "footer", "main", "aside", "nav", "figure"])
def test_a_border_round_the_blocks_of_an_html5_element_is_drawn(tag: str) -> None:
    # Unknown to xhtml2pdf's defaults, they were inline: a box round their paragraphs was never drawn.
    result = browser(f"<{tag} style='border: 1px solid red'><p>one</p><p>two</p></{tag}>")
    assert red_lines(result.pdf) == 4
    assert result.fidelity.degraded == [] and not result.fidelity.ignored_css


def test_borders_xhtml2pdf_cannot_draw_are_reported_once_per_declaration() -> None:
    css = (
        "img { border: 2px solid red } .c { border-collapse: collapse } .c thead { border-bottom: 2px solid }"
        " .s thead { border-bottom: 2px solid } p::before { content: '*'; border: 1px solid } .o { outline: 1px"
        " dotted } a { outline: none } .z { outline: 0 solid; outline-offset: 2px }"
    )
    table = "<table class='{}'><thead><tr><th>h</th></tr></thead><tbody><tr><td>b</td></tr></tbody></table>"
    body = (
        f"<img src='data:image/png;base64,{base64.b64encode(PNG).decode()}' width=10><img src='data:image/png;"
        f"base64,{base64.b64encode(PNG).decode()}' width=10>{table.format('c')}{table.format('c')}"
        f"{table.format('s')}<p>one</p><p>two</p><div class='o'>o</div><a class='z' href='#x' id='x'>a</a>"
    )
    ignored = browser(body, css).fidelity.ignored_css
    assert ignored["border on <img>"] == 1  # one declaration over two images
    assert ignored["border on a table's <thead>, <tbody> or <tfoot>"] == 1  # not the separate-borders table's
    assert ignored["border on ::before or ::after content"] == 1
    assert ignored["outline"] == 1  # `outline: none` and a zero-width outline draw nothing anywhere
    inline = "<img style='border: 1px solid' src='x.png'>" * 2
    assert browser(inline).fidelity.ignored_css["border on <img>"] == 2  # two declarations


def test_form_fields_show_their_values_and_controls_and_frames_left_out_are_counted_in_one_note_each() -> None:
    body = (
        "<p>Name <input value='Ada'> Town <input type='text' value='Paris'></p><textarea>notes</textarea>"
        "<select><option>one</option><option selected>two</option></select><input type='hidden' value='secret'>"
        "<div style='display:none'><input value='hidden too'></div><iframe srcdoc='x'></iframe>"
        "<input type='file'><input type='range'>"
    )
    result = browser(body)
    notes = result.fidelity.degraded
    assert "form controls drawn as pictures (a file picker, a slider, a colour well) left out: 2" in notes
    assert "embedded content (<iframe>, <video>, <embed>) left out: 1" in notes
    assert len(notes) == 2
    shown = {word.text for page in words.pdf_words(result.pdf) for word in page.words}
    assert {"ada", "paris", "notes", "two"} <= shown
    assert not {"secret", "hidden", "one"} & shown


def test_a_box_placed_below_the_page_is_reported_and_one_a_browser_hides_too_is_not() -> None:
    below = "position: absolute; top: 5000px"
    body = f"<p>x</p><div style='{below}'>far</div><div style='{below}'>farther</div>"
    result = browser(body)
    assert "far" not in pdf_text(result.pdf)
    assert result.fidelity.degraded == [
        "positioned boxes placed below the page's content left out (a browser prints them on a later page): 2"
    ]
    assert "kept" not in pdf_text(browser("<p>x</p><template><p>kept for scripts</p></template>").pdf)
    on_the_page = "<p>x</p><div style='position: absolute; top: 300px'>near</div>"
    off_to_the_left = "<div style='position: absolute; left: -9999px'>screen readers only</div>"
    result = browser(on_the_page + off_to_the_left)
    assert "near" in pdf_text(result.pdf) and result.fidelity.degraded == []
