"""Lines as tall as CSS makes them, in documents written for browsers (issue 21). Every figure here was
measured on Chromium's print of the same page: the distance between consecutive lines' tops, in points."""

from __future__ import annotations

import pytest

from bench.fidelity import words
from tasks.render.renderer import render_pdf


def tops(body: str, css: str, written_for: str = "auto") -> dict[str, float]:
    """Where the top of each word of page 1 is, in points from the top of the page."""
    if not words.available():
        pytest.skip("pdftotext is missing (apt-get install poppler-utils)")
    html = f"<!DOCTYPE html><html><head><style>{css}</style></head><body>{body}</body></html>"
    return {word.text: word.y0 for word in words.pdf_words(render_pdf(html, written_for=written_for).pdf)[0].words}


LINES = "<p>alpha<br>beta<br>gamma</p>"


@pytest.mark.parametrize(
    ("css", "pitch"),
    [
        # A number is a multiple of the font size: xhtml2pdf read 1 to 7 as HTML's <font size> (1 was 6pt).
        ("p { line-height: 1 }", 12.0),
        ("p { line-height: 2 }", 24.0),
        # A length exactly: xhtml2pdf's lines under 1.3em were taller than written (16.68pt here).
        ("p { font-size: 18px; line-height: 22px }", 16.5),
        # `normal`: the face's ascent, descent and line gap, each rounded to whole pixels, as Blink does.
        ("p { font-size: 12px }", 11.25),
        ("p { font-size: 12px; font-family: Arial }", 10.5),
        # The `font` shorthand sets `line-height: normal` where it names none, for its own face and size:
        # xhtml2pdf drew `font: 12px Arial` 13.5pt apart. It sets the size children's `em` is of.
        ("body { font: 12px Arial }", 10.5),
        ("body { font: italic bold 12px/30px Georgia }", 22.5),
        ("body { font: 12px Arial } p { font-size: 2em; line-height: 1 }", 18.0),
    ],
)
def test_consecutive_lines_are_as_far_apart_as_chromium_puts_them(css: str, pitch: float) -> None:
    found = tops(LINES, css)
    assert found["beta"] - found["alpha"] == pytest.approx(pitch, abs=0.1)
    assert found["gamma"] - found["beta"] == pytest.approx(pitch, abs=0.1)


@pytest.mark.parametrize(
    ("css", "pitch"),
    [
        # A larger run's own line-height makes its lines taller: 28px, not the block's 16px.
        ("div { font-size: 14px } span { font-size: 24px; line-height: 28px }", 21.0),
        # The block's own (its strut) holds the line when a run's is smaller: 30px.
        ("div { font-size: 20px; line-height: 30px } span { font-size: 10px; line-height: 10px }", 22.5),
    ],
)
def test_a_line_is_as_tall_as_its_tallest_run(css: str, pitch: float) -> None:
    found = tops("<div><span>alpha<br>beta</span></div>", css)
    assert found["beta"] - found["alpha"] == pytest.approx(pitch, abs=0.1)


def test_a_superscript_or_subscript_makes_its_line_taller() -> None:
    # Its box moves up or down with its text, and the line holds it: Chromium puts the middle of the next
    # line 54.5pt down. xhtml2pdf left the line as tall as without them, and the next line 5.7pt high.
    html = "<!DOCTYPE html><html><head><style>body, p { margin: 0 }</style></head><body>"
    html += "<p>E = mc<sup>2</sup> and H<sub>2</sub>O done</p><p>Next line</p></body></html>"
    found = {word.text: word for word in words.pdf_words(render_pdf(html).pdf)[0].words}
    assert found["next"].centre[1] == pytest.approx(54.5, abs=1)


def test_the_font_shorthands_line_height_is_inherited_by_a_heading_that_sets_none() -> None:
    # `body { font: 12pt/1.5 Arial }`: the h1's lines are 1.5 x 24pt apart, the paragraph's 1.5 x 12pt.
    found = tops("<h1>alpha<br>beta</h1><p>gamma<br>delta</p>", "body { font: 12pt/1.5 Arial }")
    assert found["beta"] - found["alpha"] == pytest.approx(36.0, abs=0.1)
    assert found["delta"] - found["gamma"] == pytest.approx(18.0, abs=0.1)


def test_a_tall_line_height_puts_half_its_leading_above_the_first_line() -> None:
    # `line-height: 3`: Chromium's first line starts 50.8pt down, half of 36pt - 12pt of leading above it;
    # xhtml2pdf put none there (40.4pt). The faces differ a little in ascent, hence the tolerance.
    assert tops("<p>alpha</p>", "p { line-height: 3 }")["alpha"] == pytest.approx(50.8, abs=2.5)


@pytest.mark.parametrize(("written_for", "pitch"), [("browser", 12.0), ("xhtml2pdf", 12.48)])
def test_a_document_written_for_xhtml2pdf_keeps_xhtml2pdfs_lines(written_for: str, pitch: float) -> None:
    # xhtml2pdf's own model: 5/6 of the line above the baseline, 1/6 below, each at least the face's.
    found = tops(LINES, "p { font-size: 12pt; line-height: 12pt }", written_for=written_for)
    assert found["beta"] - found["alpha"] == pytest.approx(pitch, abs=0.1)
