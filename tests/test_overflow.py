"""What is too large for a page is scaled onto it, every word on the paper, and the fidelity report says so."""

from __future__ import annotations

import io
import re

import pypdf

from tasks.render.renderer import render_pdf
from tests.support import pdf_text, report_html

WORDS = "alpha beta gamma delta epsilon zeta eta theta " * 8
# A row holding a line of type taller than a page: it cannot be cut, nor the table split.
UNSPLITTABLE_TABLE = (
    '<table border="1"><tr><td style="font-size: 900pt">W</td>'
    f"<td>{''.join(f'<p>beside{line}</p>' for line in range(30))}</td></tr></table>"
)


def words_off_the_page(pdf: bytes) -> list[str]:
    """Words drawn outside their page's media box."""
    outside: list[str] = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)

        def visit(
            text: str, cm: list[float], tm: list[float], *_: object, width: float = width, height: float = height
        ) -> None:
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if text.strip() and not (-1 <= x <= width and -1 <= y <= height):
                outside.append(text.strip())

        page.extract_text(visitor_text=visit)
    return outside


def scaled_percent(message: str) -> int:
    found = re.search(r"scaled to (\d+) %", message)
    assert found, message
    return int(found.group(1))


def test_a_table_that_cannot_split_is_scaled_onto_one_page_and_reported() -> None:
    result = render_pdf(f"<html><body>{UNSPLITTABLE_TABLE}</body></html>")

    assert result.pages == 1, "a blank page before the table, or the table cut"
    text = pdf_text(result.pdf)
    assert all(f"beside{line}" in text for line in range(30))
    assert words_off_the_page(result.pdf) == []
    [message] = result.fidelity.degraded
    assert message.startswith("a table taller than the page on page 1 was scaled to ")
    assert 20 < scaled_percent(message) < 100


def test_a_block_that_does_not_fit_below_other_content_moves_to_the_next_page_whole() -> None:
    result = render_pdf(f"<html><body><p>Before the table</p>{UNSPLITTABLE_TABLE}<p>After</p></body></html>")

    first, second, *_ = (page.extract_text() for page in pypdf.PdfReader(io.BytesIO(result.pdf)).pages)
    assert "Before the table" in first and "beside" not in first
    assert "beside0" in second and "beside29" in second
    assert words_off_the_page(result.pdf) == []
    [message] = result.fidelity.degraded
    assert "on page 2" in message


def test_type_larger_than_the_page_is_scaled_and_named() -> None:
    result = render_pdf('<p>small</p><p style="font-size: 900pt">W</p><p>after</p>')

    assert "after" in pdf_text(result.pdf)
    assert words_off_the_page(result.pdf) == []
    assert any(message.startswith("a paragraph taller than the page") for message in result.fidelity.degraded)


def test_a_keep_in_frame_error_block_renders_instead_of_failing() -> None:
    block = "".join(f"<p>Paragraph {number}. {WORDS}</p>" for number in range(40))
    result = render_pdf(f'<div style="-pdf-keep-in-frame-mode: error">{block}</div>')

    assert "Paragraph 39." in pdf_text(result.pdf)
    assert words_off_the_page(result.pdf) == []
    assert len(result.fidelity.degraded) == 1


def test_page_totals_lay_out_twice_and_the_scaled_block_is_reported_once() -> None:
    result = render_pdf(f"<p>Page <pdf:pagenumber/> of <pdf:pagecount/></p>{UNSPLITTABLE_TABLE}")

    assert f"of {result.pages}" in pdf_text(result.pdf)
    assert len(result.fidelity.degraded) == 1


def test_a_document_that_fits_reports_nothing_degraded() -> None:
    assert render_pdf(report_html(3)).fidelity.degraded == []
