"""Tables as a browser lays them out: content-sized automatic columns, rows cut across pages, not shrunk."""

from __future__ import annotations

import io

import pypdf
import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from tasks.render.renderer import render_pdf
from tasks.render.table_layout import auto_layout
from tests.support import pdf_text


def placed(pdf: bytes) -> list[tuple[int, float, float, float, str]]:
    """(page, x, y, font size, text) of every piece of text drawn."""
    found: list[tuple[int, float, float, float, str]] = []
    for number, page in enumerate(pypdf.PdfReader(io.BytesIO(pdf)).pages, 1):

        def visit(text: str, cm: list[float], tm: list[float], _: object, size: float, number: int = number) -> None:
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                found.append((number, x, y, size * cm[3] * tm[3], text.strip()))

        page.extract_text(visitor_text=visit)
    return found


def x_of(pdf: bytes, word: str) -> float:
    return next(x for _, x, _, _, text in placed(pdf) if text.startswith(word))


def test_automatic_columns_are_as_wide_as_their_content() -> None:
    long_text = "a description long enough to fill a line of the page and more " * 3
    html = f"<table border='1'><tr><td>ID</td><td>Qty</td><td>Detail {long_text}</td></tr></table>"
    pdf = render_pdf(html).pdf

    # Evenly spread, "Detail" would start two thirds of the way across (about 380 pt).
    assert x_of(pdf, "Qty") < 120
    assert x_of(pdf, "Detail") < 160


def test_a_table_narrower_than_a_cell_that_does_not_wrap_grows_to_hold_it() -> None:
    # CSS 2.1 §17.5.2.2: the table is as wide as its columns' minimum content; the columns had been
    # scaled down into its 200px and the nowrap text ran under "B" (Chromium: "B" 149 pt right of "Very").
    text = "Very long nowrap cell content"
    html = (
        f"<table style='width: 200px' border='1'><tr><td style='white-space: nowrap'>{text}</td><td>B</td></tr></table>"
    )
    pdf = render_pdf(html, written_for="browser").pdf
    assert x_of(pdf, "B") - x_of(pdf, "Very") > stringWidth(text, "Times-Roman", 12) + 1


def test_a_full_width_column_beside_an_image_column_leaves_the_image_its_room() -> None:
    # A layout table of the 2000s: xhtml2pdf gave the first column 1 % and failed (ValueError, negative width).
    html = (
        '<table cellpadding="4" width="100%"><tr><td colspan="2">top</td></tr>'
        '<tr><td><img src="data:," width="10" height="10" hspace="10">first</td>'
        '<td width="100%">second column</td></tr></table>'
    )
    pdf = render_pdf(html).pdf

    assert x_of(pdf, "second") > x_of(pdf, "first") + 15


def test_columns_reached_only_by_spanning_cells_share_their_width() -> None:
    # An order's description `colspan="3"` above a totals row of empty cells: only empty cells start in its
    # columns. xhtml2pdf took them for empty, fixed them at their padding, and wrapped the description.
    description = "Printer toner cartridge, black, high yield"
    html = (
        "<style>td { padding: 2px }</style><table width='100%'>"
        "<tr><td>#</td><td colspan='3'>Description</td><td>Quantity</td></tr>"
        f"<tr><td>1</td><td colspan='3'>{description}</td><td>4</td></tr>"
        "<tr><td></td><td></td><td></td><td></td><td>Total</td></tr></table>"
    )
    pdf = render_pdf(html).pdf

    runs = [text for _, _, _, _, text in placed(pdf)]
    assert description in runs, "the description wrapped"
    assert x_of(pdf, "Quantity") > x_of(pdf, "Printer") + 150


@pytest.mark.parametrize("written_for", ["browser", "xhtml2pdf"])
def test_a_cell_after_a_rowspan_and_its_rows_colspans_is_drawn_in_its_own_column(written_for: str) -> None:
    # A purchase order's "Ordered by" spans three rows beside the rows' values, each `colspan="2"` after
    # cells that span columns too: the values were put under the rowspan and not drawn.
    row = "<tr><td colspan='2'>{}</td><td colspan='4'>x</td><td></td>{}<td colspan='2'>{}</td></tr>"
    rows = [
        row.format("Name", "<td rowspan='3'>Ordered</td>", "Peter"),
        row.format("Phone", "", "Phoneval"),
        row.format("Mail", "", "Mailval"),
    ]
    pdf = render_pdf(f"<table>{''.join(rows)}</table>", written_for=written_for).pdf
    assert x_of(pdf, "Phoneval") == pytest.approx(x_of(pdf, "Peter"), abs=1)
    assert x_of(pdf, "Mailval") == pytest.approx(x_of(pdf, "Peter"), abs=1)
    assert x_of(pdf, "Ordered") < x_of(pdf, "Peter")


def test_declared_column_widths_are_kept() -> None:
    html = (
        "<table><tr><td style='width: 100pt'>one</td><td style='width: 300pt'>two</td>"
        "<td style='width: 138pt'>three</td></tr></table>"
    )
    pdf = render_pdf(html).pdf

    left = x_of(pdf, "one")
    assert x_of(pdf, "two") - left == pytest.approx(100, abs=1)
    assert x_of(pdf, "three") - left == pytest.approx(400, abs=1)


def test_a_row_taller_than_a_page_goes_on_to_the_next_pages_in_print_of_its_own_size() -> None:
    lines = "<br>".join(f"line {number}" for number in range(200))
    result = render_pdf(f"<table border='1'><tr><td>{lines}</td><td>beside</td></tr></table>")

    drawn = [entry for entry in placed(result.pdf) if entry[4].startswith("line")]
    assert result.pages >= 3
    assert {size for *_, size, _ in drawn} == {drawn[0][3]}, "part of the row was shrunk"
    assert drawn[-1][0] == result.pages and drawn[-1][4] == "line 199"
    assert result.fidelity.degraded == []


def test_a_cell_spanning_more_rows_than_a_page_holds_is_cut_between_them() -> None:
    rows = "".join(f"<tr><td>row {row} " + "word " * 40 + "</td></tr>" for row in range(1, 80))
    html = f'<p>Before</p><table border="1"><tr><td rowspan="80">span</td><td>row 0</td></tr>{rows}</table>'
    result = render_pdf(html)

    drawn = placed(result.pdf)
    assert result.pages >= 3
    assert {size for *_, size, _ in drawn} == {drawn[0][3]}, "part of the table was shrunk"
    rows_drawn = [entry for entry in drawn if entry[4].startswith("row ")]
    assert rows_drawn[0][0] == 1, "the table did not start below the paragraph"
    assert [int(entry[4].split()[1]) for entry in rows_drawn] == list(range(80))
    assert result.fidelity.degraded == []


@pytest.mark.parametrize("width", ['width="60"', 'width="10%"', ""])
def test_more_columns_than_their_padding_leaves_room_for_render_with_less_padding(width: str) -> None:
    # ReportLab raised ValueError ("flowable given negative availWidth") on each of these.
    html = '<table cellpadding="8"><tr>' + "".join(f"<td {width}>c{n}</td>" for n in range(60)) + "</tr></table>"
    result = render_pdf(html)

    assert "c59" in pdf_text(result.pdf)
    assert result.fidelity.degraded == [
        "a table with more columns than fit the page on page 1 got narrower cell padding"
    ]


@pytest.mark.parametrize("written_for", ["browser", "xhtml2pdf"])
def test_an_empty_column_in_a_table_that_fits_is_not_reported(written_for: str) -> None:
    # xhtml2pdf makes an empty column exactly as wide as its padding; the report once said the table had
    # "more columns than fit the page".
    html = "<style>td { padding: 8px }</style><table><tr><td></td><td>x</td><td>y</td></tr></table>"
    result = render_pdf(f"<html><body>{html}</body></html>", written_for=written_for)

    assert result.fidelity.degraded == []


def test_the_room_left_goes_to_automatic_columns_by_their_content() -> None:
    assert auto_layout([None, None], [10, 20], [50, 150], 400) == [100, 300]


def test_automatic_columns_between_their_minimum_and_maximum_share_what_they_lack() -> None:
    widths = auto_layout([None, None, 100.0], [10, 20, 100], [50, 150, 100], 200)
    assert widths == pytest.approx([10 + 40 * 70 / 170, 20 + 130 * 70 / 170, 100])


def test_declared_columns_give_way_to_the_minimum_of_the_others() -> None:
    widths = auto_layout([None, "100%"], [40, 60], [40, 300], 500)
    assert widths == [40, 460]
