"""Floats side by side and positioned boxes where a browser puts them (issue 21), measured with `pdftotext -bbox`."""

from __future__ import annotations

import pytest

from bench.fidelity import words
from bench.fidelity.words import Word
from tasks.render.renderer import render_pdf

A4_WIDTH = 595.28
#: The page's 1 cm margin and the body's 8px: where Chromium's print starts and ends a line on A4.
LEFT, RIGHT = 28.35 + 6, 595.28 - 28.35 - 6
#: How far a lowered table may start left of the body's margin: xhtml2pdf draws it at the page margin.
TABLE_SLACK = 7


def page(body: str, css: str = "") -> str:
    style = f"body {{ font-family: Helvetica, sans-serif; font-size: 11pt }} {css}"
    return f"<!DOCTYPE html><html><head><style>{style}</style></head><body>{body}</body></html>"


def placed(pdf: bytes, number: int = 0) -> dict[str, Word]:
    """Each word of one page and where `pdftotext -bbox` finds it (the first of a repeated word)."""
    if not words.available():
        pytest.skip("pdftotext is missing (apt-get install poppler-utils)")
    found: dict[str, Word] = {}
    for word in words.pdf_words(pdf)[number].words:
        found.setdefault(word.text, word)
    return found


def test_a_float_sits_beside_the_text_that_follows_it_and_what_comes_after_flows_below() -> None:
    css = ".photo { float: left; width: 120px; height: 120px } .fig { float: right; width: 150px }"
    body = (
        '<div><div class="photo">Portrait</div><h1>Applicant</h1><p>applicant@example.com</p></div>'
        '<div style="clear: both"><div class="fig">Caption</div>'
        "<p>Running text beside the figure, long enough to wrap.</p></div>"
        "<p>Afterwards</p>"
    )
    result = render_pdf(page(body, css))
    at = placed(result.pdf)
    # The name and contact line start beside the photo (120px = 90pt wide; Chromium: x 124), on its first lines.
    assert at["applicant"].x0 == pytest.approx(at["portrait"].x0 + 90, abs=4)
    assert at["applicant"].x0 == pytest.approx(124, abs=TABLE_SLACK)
    assert at["applicant"].y0 < at["portrait"].y1 + 20
    assert at["applicant@example.com"].x0 == pytest.approx(at["applicant"].x0, abs=2)
    # The figure on the right edge, beside the text, not above it.
    assert at["caption"].x0 == pytest.approx(RIGHT - 112.5, abs=8)  # Chromium: 450
    assert at["caption"].y0 == pytest.approx(at["running"].y0, abs=3)
    assert at["afterwards"].x0 == pytest.approx(LEFT, abs=2)
    assert at["afterwards"].y0 > at["wrap"].y1
    assert result.pages == 1


def test_two_floated_address_blocks_sit_side_by_side_at_the_edges() -> None:
    css = ".from { float: left } .to { float: right } .clear { clear: both }"
    body = (
        '<div class="from">Sender Street 1<br>10115 Berlin</div>'
        '<div class="to">Recipient Road 9<br>75001 Paris</div>'
        '<div class="clear">Below</div>'
    )
    at = placed(render_pdf(page(body, css)).pdf)
    assert at["sender"].y0 == pytest.approx(at["recipient"].y0, abs=1)
    assert at["berlin"].y0 == pytest.approx(at["paris"].y0, abs=1)
    # The right block's longest line ends at the right margin, as a browser shrinks it to fit (Chromium: 562).
    assert at["9"].x1 == pytest.approx(RIGHT, abs=4)
    assert at["recipient"].x0 == pytest.approx(478, abs=4)
    assert at["sender"].x0 == pytest.approx(LEFT, abs=TABLE_SLACK)
    # `clear` starts below both.
    assert at["below"].y0 > at["paris"].y1
    assert at["below"].x0 == pytest.approx(LEFT, abs=2)


def test_a_right_float_is_as_wide_as_its_generated_icon_and_text() -> None:
    # A CV's location, `float: right` with an icon font's glyph as ::before: its shrink-to-fit width holds
    # the glyph too, so the text does not wrap (it wrapped before "Country", 13.8pt lower).
    css = """body { margin: 0; font-size: 10pt } .d { width: 400px } h3 { font-size: 11pt; margin: 0 }
    .location { float: right } .location::before { content: '\\f041'; font-family: FontAwesome }"""
    body = '<div class="d"><h3>Another Position</h3><span class="location">Some City, Some Country</span></div>'
    at = placed(render_pdf(page(body, css)).pdf)
    # Chromium: "Country" from 292.7pt, on the line of "City".
    assert at["country"].centre[1] == pytest.approx(at["city"].centre[1], abs=0.5)
    assert at["country"].x0 == pytest.approx(292.7, abs=5)


def test_a_bootstrap_3_grid_lays_its_columns_out_in_rows() -> None:
    # Bootstrap 3's CSS as it computes: floats of a percentage width, a clearfix on the row.
    css = """
    .row:before, .row:after { content: " "; display: table } .row:after { clear: both }
    .col-xs-6, .col-sm-4 { position: relative; min-height: 1px; box-sizing: border-box; float: left }
    .col-xs-6 { width: 50% } .col-sm-4 { width: 33.33333333% } .pull-right { float: right !important }
    """
    body = (
        '<div class="row"><div class="col-xs-6">Billed</div><div class="col-xs-6 pull-right">Shipped</div></div>'
        '<div class="row"><div class="col-sm-4">Alpha</div><div class="col-sm-4">Beta</div>'
        '<div class="col-sm-4">Gamma</div><div class="col-sm-4">Delta</div></div>'
        "<p>Total</p>"
    )
    result = render_pdf(page(body, css))
    at = placed(result.pdf)
    content = RIGHT - LEFT
    assert at["billed"].y0 == pytest.approx(at["shipped"].y0, abs=1)
    assert at["shipped"].x0 == pytest.approx(LEFT + content / 2, abs=3)
    # Three columns a third wide each; the fourth wraps to a row of its own, at the left.
    assert at["alpha"].y0 == pytest.approx(at["beta"].y0, abs=1) == pytest.approx(at["gamma"].y0, abs=1)
    assert at["beta"].x0 == pytest.approx(LEFT + content / 3, abs=3)
    assert at["gamma"].x0 == pytest.approx(LEFT + 2 * content / 3, abs=3)
    assert at["delta"].y0 > at["alpha"].y1
    assert at["delta"].x0 == pytest.approx(LEFT, abs=TABLE_SLACK)
    assert at["total"].y0 > at["delta"].y1
    assert at["billed"].y0 < at["alpha"].y0 < at["total"].y0 < 100


def test_an_absolutely_placed_badge_sits_in_the_corner_of_its_relative_card() -> None:
    css = """
    .card { position: relative; width: 300px; height: 150px; border: 1px solid #999; margin: 40px; padding: 10px }
    .badge { position: absolute; top: 8px; right: 8px } .seat { position: absolute; bottom: 10px; left: 20px }
    .nudge { position: relative; left: 30px }
    """
    body = (
        "<p>Before</p>"
        '<div class="card"><p>Holder</p><span class="badge">NEW</span><div class="seat">Seat</div></div>'
        '<p class="nudge">Nudged</p>'
    )
    at = placed(render_pdf(page(body, css)).pdf)
    # Where Chromium's print puts them: the badge in the card's top right corner, the seat at its bottom left.
    chromium = {"holder": (71, 97), "new": (266, 86), "seat": (78, 185), "nudged": (55, 234)}
    for word, (x, y) in chromium.items():
        assert at[word].x0 == pytest.approx(x, abs=7), word
        assert at[word].y0 == pytest.approx(y, abs=8), word
    assert at["new"].y0 < at["holder"].y0  # at the card's top, not in the flow after its text


def test_a_fixed_footer_and_corner_mark_are_repeated_on_every_page() -> None:
    css = """
    .footer { position: fixed; bottom: 0; left: 0; right: 0; text-align: center }
    .mark { position: fixed; top: 0; right: 0; width: 100px }
    """
    body = '<div class="footer">Confidential</div><div class="mark">Draft</div>'
    body += "".join(f"<p>Paragraph {n} of the body, running over several pages.</p>" for n in range(90))
    result = render_pdf(page(body, css))
    assert result.pages >= 2
    for number in range(result.pages):
        at = placed(result.pdf, number)
        paragraphs = [word for text, word in at.items() if text == "paragraph"]
        assert at["confidential"].centre[0] == pytest.approx(A4_WIDTH / 2, abs=4)
        assert at["confidential"].y1 > max(word.y1 for word in paragraphs) - 1
        assert at["draft"].x0 == pytest.approx(493, abs=3)  # Chromium's, and the page's right margin less 100px
        assert at["draft"].y1 < 842 * 0.1


def test_a_box_placed_in_a_table_cell_is_laid_out_in_flow_and_reported() -> None:
    css = ".cell { position: relative } .tag { position: absolute; right: 0; bottom: 0 }"
    cell = '<div class="cell"><p>Inside</p><div class="tag">Tag</div></div>'
    body = f'<table width="100%"><tr><td>Left</td><td>{cell}</td></tr></table>'
    result = render_pdf(page(body, css))
    at = placed(result.pdf)
    assert at["tag"].y0 > at["inside"].y1  # kept, below the cell's text, on the right
    assert at["tag"].x1 == pytest.approx(RIGHT, abs=TABLE_SLACK)
    assert any("laid out in flow" in note for note in result.fidelity.degraded)
