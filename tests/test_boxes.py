"""The CSS 2.1 visual formatting model's common cases, lowered by the preparation stage (issue 21):
widths and centring, inline-block siblings, `display: table`, a flex-end row. Positions are read with
`pdftotext -bbox` and compared with what Chromium's A4 print gives the same document."""

from __future__ import annotations

import io
import shutil
import subprocess

import pypdf
import pytest
from PIL import Image
from reportlab.pdfbase.pdfmetrics import stringWidth

from bench.fidelity import words
from bench.fidelity.words import Word
from tasks.document.page_setup import PageOptions
from tasks.render.renderer import render_pdf

A4_WIDTH = 595.28
MARGIN = 28.35  # the 1 cm page margin


def placed(html: str) -> dict[str, Word]:
    """Each word of page 1 (case-folded) and where it is drawn (the first of a repeated word)."""
    if not words.available():
        pytest.skip("pdftotext is missing (apt-get install poppler-utils)")
    found: dict[str, Word] = {}
    for word in words.pdf_words(render_pdf(html).pdf)[0].words:
        found.setdefault(word.text, word)
    return found


def page(body: str, css: str = "") -> str:
    head = f'<meta name="viewport" content="width=device-width"><style>{css}</style>'
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def test_a_600px_card_in_a_coloured_wrapper_is_450pt_wide_and_centred() -> None:
    css = """body { margin: 0 } .wrap { background: #336699; padding: 30px 0 }
    .card { max-width: 600px; margin: 0 auto; background: #fff; padding: 20px; box-sizing: border-box }"""
    body = '<div class="wrap"><div class="card"><p>Cardstart of the card</p></div></div><p>Below</p>'
    at = placed(page(body, css))
    # 600px = 450pt centred in A4 less 1 cm margins: from 72.6pt, then 20px of padding (Chromium: 88.1pt).
    assert at["cardstart"].x0 == pytest.approx(72.6 + 15, abs=2)
    # The wrapper's 30px of padding above the card and below it.
    assert at["cardstart"].y0 > MARGIN + 22.5 + 15
    assert at["below"].y0 > at["cardstart"].y1 + 15 + 22.5


def test_legacy_centring_of_a_fixed_width_table_in_a_cell_and_in_center() -> None:
    body = """<table width="100%"><tr><td align="center">
    <table width="570" bgcolor="#ffffff"><tr><td>Inside the card</td></tr></table></td></tr></table>
    <center><table width="300"><tr><td>Legacy centre</td></tr></table></center>
    <div style="width: 50%; margin-left: auto">Halfright</div>"""
    at = placed(page(body))
    # width="570" is CSS pixels (427.5pt), centred in the cell; its text starts at its left (Chromium: 86.6pt).
    assert at["inside"].x0 == pytest.approx(86.6, abs=3)
    # 300px = 225pt centred by <center>, its text not (Chromium: 187.9pt).
    assert at["legacy"].x0 == pytest.approx(187.9, abs=3)
    # A half-width block with margin-left: auto starts half way (Chromium: 298.1pt).
    assert at["halfright"].x0 == pytest.approx(298.1, abs=3)


def test_two_hybrid_inline_block_columns_sit_side_by_side_and_keep_their_text() -> None:
    css = ".col { display: inline-block; width: 100%; max-width: 50%; min-width: 240px; vertical-align: top }"
    body = '<div><div class="col"><p>Billing address</p></div><div class="col"><p>Delivery address</p></div></div>'
    at = placed(page(body, css))
    # Chromium: both at y = 48.2, "Delivery" at x = 298.1 (half of A4 less 1 cm margins and 8px).
    assert at["billing"].y0 == pytest.approx(at["delivery"].y0, abs=1)
    assert at["billing"].x0 == pytest.approx(33.7, abs=2)
    assert at["delivery"].x0 == pytest.approx(298.1, abs=3)


def test_inline_blocks_that_do_not_fit_one_line_wrap_as_in_a_browser() -> None:
    # In a 300px box each column's min-width (240px) is more than half: one column a line.
    css = ".col { display: inline-block; width: 100%; max-width: 50%; min-width: 240px } .box { width: 300px }"
    body = '<div class="box"><div class="col">Firstcol</div><div class="col">Secondcol</div></div>'
    at = placed(page(body, css))
    assert at["secondcol"].y0 > at["firstcol"].y1 - 1
    assert at["secondcol"].x0 == pytest.approx(at["firstcol"].x0, abs=1)


def test_a_display_table_label_value_block_is_a_table() -> None:
    css = """.kv { display: table; width: 100% } .r { display: table-row }
    .k, .v { display: table-cell; padding: 2px 4px } .k { width: 30% }"""
    rows = '<div class="r"><div class="k">Labelone</div><div class="v">Valueone</div></div>'
    rows += '<div class="r"><div class="k">Labeltwo</div><div class="v">Valuetwo</div></div>'
    at = placed(page(f'<div class="kv">{rows}</div>', css))
    # Chromium: the labels at x = 36.7, the values at x = 195.4, each pair on one line.
    for label, value in (("labelone", "valueone"), ("labeltwo", "valuetwo")):
        assert at[label].y0 == pytest.approx(at[value].y0, abs=1)
        assert at[label].x0 == pytest.approx(36.7, abs=2)
        assert at[value].x0 == pytest.approx(195.4, abs=3)
    assert at["labeltwo"].y0 > at["labelone"].y1 - 1


def test_an_inline_block_in_a_line_of_text_stays_in_it_and_cells_in_a_paragraph_are_reported() -> None:
    at = placed(page('<p>Text with <span style="display: inline-block">Badge</span> after.</p>'))
    # On the same line (the box's own line lowered by its half-leading, its outer line not: 1.35pt apart).
    assert at["badge"].centre[1] == pytest.approx(at["text"].centre[1], abs=1.5) and at["after"].x0 > at["badge"].x1
    html = page(
        '<p>Before <span class="c">Cellone</span><span class="c">Celltwo</span></p>', ".c { display: table-cell }"
    )
    result = render_pdf(html)
    drawn = {word.text for word in words.pdf_words(result.pdf)[0].words}
    assert {"before", "cellone", "celltwo"} <= drawn, "no text dropped"
    assert any("table-cell" in note for note in result.fidelity.degraded)


def test_a_flex_end_row_holding_a_40_percent_table_lands_at_the_right_without_overlap() -> None:
    css = """header { border-bottom: 2px solid #333; display: flex; justify-content: space-between }
    .totals { display: flex; justify-content: flex-end } .totals table { width: 40% }
    .totals td:last-child { text-align: right }"""
    rows = "".join(
        f"<tr><td>{label}</td><td>${amount}</td></tr>" for label, amount in (("Subtotal", "430.00"), ("Tax", "43.00"))
    )
    body = f'<header><h1>Invoice</h1><div>No. 42</div></header><div class="totals"><table>{rows}</table></div>'
    at = placed(page(body, css))
    # Chromium: the table is 40% of the row (210.6pt) against its right edge: "Subtotal" at x = 351.0,
    # "$430.00" ending at 562.5; the label left in its column, the amount right in its own.
    assert at["subtotal"].x0 == pytest.approx(351.0, abs=3)
    assert at["430.00"].x1 == pytest.approx(562.5, abs=3)
    assert at["subtotal"].x1 < at["430.00"].x0 - 50, "the columns do not overlap"
    assert at["tax"].x0 == pytest.approx(at["subtotal"].x0, abs=1)


@pytest.mark.parametrize("tag", ["section", "article", "header", "main", "aside", "footer", "nav", "figure"])
def test_html5_sectioning_elements_are_blocks_with_their_padding_and_margins(tag: str) -> None:
    box = "padding-top: 40px; margin-left: 80px; border-top: 1px solid #999"
    css = f"body {{ margin: 0 }} p {{ margin: 0 }} {tag} {{ {box} }}"
    at = placed(page(f"<p>Before</p><{tag}><p>Inside it</p></{tag}><p>After</p>", css))
    # Chromium: 40px = 30pt of padding above "Inside" (more than the plain line gap below it), 80px = 60pt
    # to its left; xhtml2pdf left the element inline.
    line_gap = at["after"].y0 - at["inside"].y1
    assert at["inside"].y0 - at["before"].y1 - line_gap == pytest.approx(30, abs=2)
    assert at["inside"].x0 == pytest.approx(MARGIN + 60, abs=2)
    assert at["after"].x0 == pytest.approx(MARGIN, abs=2)


def test_a_body_narrower_than_the_page_narrows_its_content() -> None:
    # A till receipt: `width: 58mm` on the body; its centred header is centred in those 58 mm (164.4pt).
    css = "body { width: 58mm; margin: 0 } .head { text-align: center } p { margin: 0 }"
    at = placed(page('<div class="head"><p>Shopname</p></div><p>Leftline</p>', css))
    centre = (at["shopname"].x0 + at["shopname"].x1) / 2
    assert centre == pytest.approx(MARGIN + 164.4 / 2, abs=3)
    assert at["leftline"].x0 == pytest.approx(MARGIN, abs=2)


def test_a_tables_own_border_is_outside_its_cells_and_inside_its_width_and_paints_over_no_text() -> None:
    css = "table { width: 300pt; border: 20pt solid #ccc } td { padding: 0 }"
    body = "<table><tr><td>Cellleft</td><td style='text-align: right'>Cellright</td></tr></table><p>Afterwards</p>"
    html = page(body, css)
    at = placed(html)
    # Chromium: the cells 20pt in from the table's edges, the 300pt table ending at 312.7pt.
    assert at["cellleft"].x0 == pytest.approx(54.7, abs=2)
    assert at["cellleft"].y0 == pytest.approx(54.6, abs=3)
    assert at["cellright"].x1 == pytest.approx(312.7, abs=2)
    assert at["afterwards"].y0 == pytest.approx(101.1, abs=4)
    # xhtml2pdf strokes a table's border after its cells' content: none of it may lie over the words.
    for word in (at["cellleft"], at["cellright"]):
        assert darkest(html, word) < 100, f"{word.text} is painted over"


def darkest(html: str, word: Word) -> int:
    """The darkest grey level (0 black, 255 white) inside a word's box on page 1, at 72 dpi."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is missing (apt-get install poppler-utils)")
    drawn = subprocess.run(
        ["pdftoppm", "-gray", "-r", "72", "-f", "1", "-l", "1", "-"],
        input=render_pdf(html).pdf,
        capture_output=True,
        check=True,
    ).stdout
    picture = Image.open(io.BytesIO(drawn))
    box = (int(word.x0) + 1, int(word.y0) + 1, int(word.x1) - 1, int(word.y1) - 1)
    levels = picture.crop(box).histogram()  # a grey picture: how many pixels at each level, 0 to 255
    return next(level for level, count in enumerate(levels) if count)


def test_an_auto_width_table_is_as_wide_as_its_content() -> None:
    # CSS 2.1 §17.5.2.2: no width, so shrink-to-fit; xhtml2pdf stretched it across the page.
    body = "<table><tr><td>Kembalian</td><td>Amount</td></tr><tr><td>Tunai</td><td>50.000</td></tr></table>"
    at = placed(page(body, "body { margin: 0 }"))
    assert at["amount"].x0 - at["kembalian"].x1 < 12
    assert at["50.000"].x0 == pytest.approx(at["amount"].x0, abs=1)


@pytest.mark.parametrize("sized", ['style="width: 200px"', 'width="200"'])
def test_an_auto_width_table_with_a_sized_cell_is_as_wide_as_its_content(sized: str) -> None:
    # The cell's width is the least its column gets; the table still shrinks to fit (Chromium: Quantity at
    # 31.5, Price at 86.9, the sized cell's text at 123.0). xhtml2pdf stretched it across the page
    # (Price at 325.5).
    css = "body { margin: 0 } td, th { border: 1px solid #000; padding: 4px }"
    body = f"<table><tr><th>Quantity</th><th>Price</th><td {sized}>Wide cell</td></tr></table><p>Below</p>"
    at = placed(page(body, css))
    assert at["price"].x0 == pytest.approx(86.9, abs=15)
    assert at["wide"].x0 == pytest.approx(123.0, abs=20)


def test_a_box_set_wider_than_its_container_overflows_it_on_the_right() -> None:
    # CSS 2.1 §10.3.3: the width holds and the right margin gives way (a menu's 60mm sections in narrower
    # columns). Chromium: one line runs to "xi" at x 383.8 past the 300px container; "omega" at 247.2 on
    # the second. xhtml2pdf wrapped the text in the container (omega at 206.8 on the third line).
    css = "body { margin: 0; font: 14px Arial } .c { width: 300px } .s { width: 500px; padding: 0 20px }"
    words = "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau"
    body = f'<div class="c"><div class="s">{words} upsilon phi chi psi omega end</div><p>After</p></div>'
    at = placed(page(body, css))
    assert at["xi"].x0 == pytest.approx(383.8, abs=3) and at["xi"].y0 == pytest.approx(at["alpha"].y0, abs=1)
    assert at["omega"].x0 == pytest.approx(247.2, abs=3)
    assert at["after"].x0 == pytest.approx(28.5, abs=2)


def test_a_list_set_narrower_than_its_container_is_placed_by_its_auto_margins_with_its_indent() -> None:
    # 300px + the browser's 40px of padding, centred (Chromium: "first" at 200.6); a list as wide as its
    # container with an auto left margin keeps its indent (Chromium: "last" at 57.7). The list's padding
    # was made a left margin, which took the place of `auto`: "first" at 58.4.
    css = "body { margin: 0; font: 12px Arial } ul { width: 300px; margin: 0 auto }"
    body = "<ul><li>First item</li></ul><ol style='margin-left: auto; margin-right: 0'><li>Last item</li></ol>"
    at = placed(page(body, css))
    assert at["first"].x0 == pytest.approx(200.6, abs=2)
    assert at["last"].x0 == pytest.approx(57.7, abs=2)


def test_a_flex_list_set_narrower_than_its_container_has_its_own_padding_not_the_browsers() -> None:
    # Its box in a table cell, with the author's `padding-left: 0`; the browser's 40px stayed on the list
    # around it (Chromium: "one" at 63.6, "two" at 95.6; before: 94.2 and 127.2).
    css = "body { margin: 0; font: 12px Arial } li { padding: 0 10px }"
    css += " ul { display: flex; width: 400px; padding-left: 0; margin: 0 0 0 1cm; list-style: none }"
    at = placed(page("<ul><li>One</li><li>Two</li></ul>", css))
    assert at["one"].x0 == pytest.approx(63.6, abs=2)
    assert at["two"].x0 == pytest.approx(95.6, abs=2.5)


def test_a_flex_item_holds_the_collapsed_bottom_margins_of_the_blocks_its_last_line_ends() -> None:
    # The list's 5px, its block's 20px and the item's 2px collapse to 20px inside the flex item; the item
    # as wide as the list with the browser's 40px indent (Chromium: "After" at 84.1, "one" beside "Item").
    css = "body { margin: 0; font: 12px Arial } .row { display: flex } .d { margin: 13px 0 20px }"
    css += " ul { margin: 5px 0 } li { margin: 0 0 2px }"
    body = '<div class="row"><div><div class="d"><ul><li>Item one</li><li>Item two</li></ul></div></div>'
    at = placed(page(f"{body}<div>Side</div></div><p>After</p>", css))
    assert at["after"].y0 == pytest.approx(84.1, abs=2.5)
    assert at["one"].y0 == pytest.approx(at["item"].y0, abs=1)


def test_an_auto_width_table_holding_a_list_is_as_wide_as_the_list_with_its_indent() -> None:
    # A line of a shrink-to-fit box holds the paddings of every block it is in, not only the innermost's:
    # the list's 40px counted, "Item one" stays on one line (Chromium: "one" at 77.8, "Side" at 92.8).
    css = "body { margin: 0; font: 12px Arial } td { padding: 0; vertical-align: top }"
    at = placed(page("<table cellspacing=0><tr><td><ul><li>Item one</li></ul></td><td>Side</td></tr></table>", css))
    assert at["one"].y0 == pytest.approx(at["item"].y0, abs=1)
    assert at["side"].x0 == pytest.approx(92.8, abs=3)


def test_a_float_is_as_wide_as_its_text_in_the_face_and_case_it_is_drawn_in() -> None:
    # Monospace capitals are wider than the Helvetica lower case the estimate took: "TOTAL" was broken in two.
    css = """body { margin: 0 } .box { max-width: 203px; font-family: monospace; text-transform: uppercase;
    font-size: 10px; font-weight: bold; word-wrap: break-word } .right { float: right }"""
    labels = '<label class="right"> Total </label><br><label class="right"> Kembali </label><br>'
    at = placed(page(f'<div class="box">{labels}</div>', css))
    assert "total" in at and "kembali" in at, sorted(at)
    assert at["total"].x1 == pytest.approx(MARGIN + 203 * 0.75, abs=4)


def test_a_wrapping_flex_row_puts_an_item_that_no_longer_fits_on_a_line_of_its_own() -> None:
    # 400px = 300pt of room: two 120px boxes and a 180px one (with 10px gaps) do not fit on one line.
    css = """body { margin: 0 } .row { display: flex; flex-wrap: wrap; gap: 10px; width: 400px }
    .a { width: 120px } .b { width: 180px } p { margin: 0 }"""
    body = '<div class="row"><p class="a">Firstbox</p><p class="a">Secondbox</p><p class="b">Thirdbox</p></div>'
    at = placed(page(body, css))
    assert at["secondbox"].y0 == pytest.approx(at["firstbox"].y0, abs=1)
    assert at["secondbox"].x0 == pytest.approx(MARGIN + 130 * 0.75, abs=3)
    assert at["thirdbox"].y0 > at["firstbox"].y1
    assert at["thirdbox"].x0 == pytest.approx(MARGIN, abs=2)


def test_each_line_of_a_wrapping_flex_row_has_columns_of_its_own() -> None:
    # A report's cover: a full-width title, then two addresses of half the line each, drawn into the
    # margins by negative margins. The title was put in the first address's column and broke in two.
    css = """body { margin: 0 } .cover { display: flex; flex-wrap: wrap } h1 { width: 100%; margin: 0;
    font-size: 30pt } address { flex: 1 50%; margin: 0 -20px; padding-left: 30px }"""
    addresses = "<address>Street</address><address>Mail</address>"
    body = f'<div class="cover"><h1>Report example with its title</h1>{addresses}</div>'
    at = placed(page(body, css))
    assert at["title"].y0 == pytest.approx(at["report"].y0, abs=1), "the title broke"
    assert at["mail"].y0 == pytest.approx(at["street"].y0, abs=1), "negative margins make room on the line"


def test_a_flex_row_inside_a_flex_row_keeps_its_gap_and_its_place_at_the_end() -> None:
    # An invoice's header: the brand left, a label and its value right (a flex row with a gap of its own).
    # Its free space had become an empty cell of a set width, which squeezed the label when the outer row
    # sized the inner one: "Date:" ran into "Today", 26pt left of where Chromium has it.
    css = """body { margin: 0 } .row { display: flex; justify-content: space-between }
    .pair { display: flex; gap: 8px }"""
    body = '<div class="row"><div>Brand</div><div class="pair"><span>Date:</span><span>Today</span></div></div>'
    at = placed(page(body, css))
    # Chromium: 6pt between them, the pair ending at 568.5pt (here a point of rounding per box nested in it).
    assert at["today"].x0 - at["date"].x1 == pytest.approx(6.0, abs=1.5)
    assert at["today"].x1 == pytest.approx(568.5, abs=5)


def test_a_wrapping_flex_row_measures_a_nested_row_of_pills_as_wide_as_its_pills() -> None:
    pills = "".join(f"<li>Skill number {index}</li>" for index in range(6))
    css = """body { margin: 0 } .side { display: flex; flex-wrap: wrap; gap: 24px } ul { display: flex;
    flex-wrap: wrap; gap: 6px; list-style: none; padding: 0; margin: 0 } li { padding: 4px 10px }"""
    body = f'<div class="side"><p>Contactline</p><section><h2>Skills</h2><ul>{pills}</ul></section></div>'
    at = placed(page(body, css))
    # The skills do not fit beside the contact line: they go under it, not squeezed into what is left.
    assert at["skills"].y0 > at["contactline"].y1
    assert at["skills"].x0 == pytest.approx(MARGIN, abs=2)


def test_a_page_wider_than_the_paper_is_shrunk_to_fit_it_as_chromiums_print_does() -> None:
    # 1,000 px (750pt) of payslip on 539pt of A4: laid out that wide, then every page scaled by 539 / 750.
    body = '<table width="1000" cellspacing="0"><tr><td>Leftcell</td><td align="right">Rightcell</td></tr></table>'
    pdf = render_pdf(page(body, "body { margin: 0 }")).pdf
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert [round(float(side)) for side in reader.pages[0].mediabox[2:]] == [595, 842]
    at = {word.text: word for word in words.pdf_words(pdf)[0].words}
    assert at["rightcell"].x1 == pytest.approx(A4_WIDTH - MARGIN, abs=4)
    assert at["leftcell"].x0 == pytest.approx(MARGIN, abs=2)
    # Type shrunk with it: a 12pt line box (10.8pt of glyphs) at 72 %.
    assert at["leftcell"].y1 - at["leftcell"].y0 == pytest.approx(10.8 * 539 / 750, abs=0.3)


def test_a_page_as_wide_as_letter_paper_in_inches_shrinks_like_one_in_pixels() -> None:
    # body { width: 8.5in } (612pt) on 539pt of A4: Chromium prints it at 88 %.
    body = '<div style="text-align: right">Rightword</div><p>Leftword</p>'
    at = placed(page(body, "body { margin: 0; width: 8.5in }"))
    assert at["rightword"].x1 == pytest.approx(A4_WIDTH - MARGIN, abs=3)
    assert at["leftword"].y1 - at["leftword"].y0 == pytest.approx(10.8 * 539 / 612, abs=0.3)


def test_a_page_shrinks_no_more_than_chromiums_print_does() -> None:
    # 1,240 px needs 58 %; Chromium stops at 1 / 1.5 (what is wider it clips, here it is squeezed).
    body = '<table width="1240" cellspacing="0"><tr><td>Leftcell</td><td align="right">Rightcell</td></tr></table>'
    at = {word.text: word for word in words.pdf_words(render_pdf(page(body, "body { margin: 0 }")).pdf)[0].words}
    assert at["leftcell"].y1 - at["leftcell"].y0 == pytest.approx(10.8 / 1.5, abs=0.3)
    assert at["rightcell"].x1 <= A4_WIDTH


@pytest.mark.parametrize("borders", ["", "border-style: solid; border-color: #eee; border-width: 2cm 3cm"])
def test_a_box_pulled_left_by_a_negative_margin_shrinks_no_page_with_or_without_borders(borders: str) -> None:
    # An invoice's total: `width: 18cm; margin: 0 -3cm` on 15cm of room reaches no further right than the
    # room; Chromium prints the page at full size (a 12pt word 41.3pt wide). It was shrunk to 83 %. With 3cm
    # side borders too: a table's width is its border box's in browsers, borders and all.
    css = "@page { margin: 3cm } body { margin: 0; font-size: 12pt }"
    css += f" .total {{ width: 18cm; margin: 0 -3cm; {borders} }}"
    at = placed(page('<p>Measure words</p><table class="total"><tr><td>Total</td></tr></table>', css))
    assert at["measure"].width == pytest.approx(41.3, abs=0.5)


def test_a_card_centred_on_a_full_height_flex_body_is_in_the_middle_of_the_page() -> None:
    css = (
        "body { margin: 0; height: 100vh; display: flex; align-items: center; justify-content: center } p { margin: 0 }"
    )
    at = placed(page('<div style="width: 300px"><p>Centred card</p></div>', css))
    middle = (at["centred"].y0 + at["centred"].y1) / 2
    assert middle == pytest.approx(841.89 / 2, abs=15)


def test_a_body_centred_by_the_root_as_a_flex_container_is_in_the_middle_of_the_page() -> None:
    # A boarding pass: `html { display: flex; height: 100% }` centres a 10cm by 4cm body on the page, the
    # body a flex row of its own. Its head was laid out as a flex item beside it, and its rows stacked.
    css = """@page { margin: 0 } html { display: flex; justify-content: center; align-items: center; height: 100% }
    body { margin: 0; width: 10cm; height: 4cm; display: flex; justify-content: space-between }
    section { width: 4cm } p { margin: 0 }"""
    at = placed(page("<section><p>Leftbox</p></section><section><p>Rightbox</p></section>", css))
    # Chromium: 156.4 and 326.5pt from the left, the line's middle 371pt down.
    assert at["leftbox"].x0 == pytest.approx(156.4, abs=2)
    assert at["rightbox"].x0 == pytest.approx(326.5, abs=2)
    assert at["leftbox"].centre[1] == pytest.approx(371.0, abs=3)
    # The body's own 8px margin is kept around it as a flex item's (Chromium: 156.4pt).
    at = placed(page("<p>Inside</p>", "html { display: flex; justify-content: center } body { width: 10cm }"))
    assert at["inside"].x0 == pytest.approx(156.4, abs=2)


@pytest.mark.parametrize(
    ("align", "first", "second"),
    [("space-between", 41.7, 449.7), ("normal", 41.7, 287.7), ("center", 203.7, 287.7), ("flex-start", 41.7, 126.5)],
)
def test_the_lines_of_a_wrapping_flex_row_of_a_set_height_are_placed_by_align_content(
    align: str, first: float, second: float
) -> None:
    # A report's cover: a title and an address on one line, the other address on the next, in a 600px tall
    # flex row. Chromium's middles of the lines (the default stretches each line by half the free height).
    css = f"""body {{ margin: 0 }} h1 {{ margin: 2cm 1cm 0 }} address {{ flex: 1 50%; padding: 10px 0 }}
    .cover {{ display: flex; flex-wrap: wrap; height: 600px; align-content: {align} }}"""
    body = """<article class="cover"><h1>Report example</h1><address>WeasyPrint<br>26 rue Emile</address>
    <address>contact@example.org<br>example.org</address></article><p>Afterwards</p>"""
    at = placed(page(body, css))
    # Within the share of the lines' heights kept as a margin of safety (their heights are estimated).
    assert at["weasyprint"].centre[1] == pytest.approx(first, abs=20)
    assert at["contact@example.org"].centre[1] == pytest.approx(second, abs=20)
    assert at["afterwards"].centre[1] == pytest.approx(496.2, abs=3)


@pytest.mark.parametrize(
    ("justify", "middles"),
    [
        ("space-around", (65.0, 140.0, 215.0)),
        ("center", (126.5, 140.0, 153.5)),
        ("flex-end", (218.7, 232.2, 245.7)),
        ("space-between", (34.2, 140.0, 245.7)),
    ],
)
def test_the_items_of_a_flex_column_of_a_set_height_are_placed_by_justify_content(
    justify: str, middles: tuple[float, float, float]
) -> None:
    # A ticket's stub: three lines spread over a 300px tall flex column. Chromium's middles of the lines;
    # ours within the share of their estimated heights kept as a margin of safety. They were stacked at the top.
    css = "body { margin: 0 } p { margin: 0 } .stub { display: flex; flex-direction: column; height: 300px;"
    css += f" justify-content: {justify} }}"
    at = placed(page('<div class="stub"><p>Firstline</p><p>Secondline</p><p>Thirdline</p></div><p>Afterwards</p>', css))
    for word, middle in zip(("firstline", "secondline", "thirdline"), middles, strict=True):
        assert at[word].centre[1] == pytest.approx(middle, abs=16)
    assert at["afterwards"].centre[1] == pytest.approx(259.2, abs=2)


CARD = ".card { width: 300px; border: 1px solid #000; padding: 10px }"


@pytest.mark.parametrize(
    ("layout", "middle"),
    [
        # Chromium's x of the card's text and the middle of its line (A4 less 1cm margins).
        (
            "body { min-height: 100vh; display: flex; flex-direction: column; align-items: center;"
            " justify-content: center }",
            421.2,
        ),
        ("body { height: 100vh; display: grid; place-items: center }", 421.2),
        (".card { position: absolute; top: 50%; left: 50%; transform: translate(-50%, -50%) }", 421.2),
    ],
)
def test_a_card_centred_on_the_page_by_the_usual_idioms(layout: str, middle: float) -> None:
    # Certificates and tickets centre their card with a flex column, a grid's place-items or a translated
    # absolute box. The first two were stacked at the top left, the third placed from its corner.
    at = placed(page('<div class="card"><p>Centred card text</p></div>', f"body {{ margin: 0 }} {CARD} {layout}"))
    assert at["centred"].x0 == pytest.approx(185.4, abs=3)
    # Within the share of its estimated height kept as a margin of safety.
    assert at["centred"].centre[1] == pytest.approx(middle, abs=16)


@pytest.mark.parametrize(
    ("css", "x0", "middle"),
    [
        # Chromium's x of the card's text and the middle of its line.
        (".card { margin: 0 auto; position: relative }", 185.6, 47.0),
        ("html, body { height: 100% } .card { position: relative; top: 50% }", 28.5, 440.7),
        (".card { position: relative; top: 100px; left: 50px; transform: translate(-10px, -20px) }", 58.5, 107.0),
        (
            "html, body { height: 100% } .card { margin: 0 auto; position: relative; top: 50%;"
            " transform: translateY(-50%) }",
            185.6,
            421.2,
        ),
    ],
)
def test_a_relative_card_is_moved_by_its_offsets_and_translation(css: str, x0: float, middle: float) -> None:
    # A relative box centred by `margin: 0 auto` (the shorthand), lowered by a percentage of its parent's
    # set height, moved back by translate(): each was drawn at the top left before.
    style = "body { margin: 0 } .card { width: 300px; border: 1px solid #000 } " + css
    at = placed(page('<div class="card"><p>Centred card text</p></div>', style))
    assert at["centred"].x0 == pytest.approx(x0, abs=2)
    assert at["centred"].centre[1] == pytest.approx(middle, abs=12)  # a translateY(-50%) of an estimated height


def test_a_flex_columns_items_are_centred_at_their_own_width() -> None:
    css = "body { margin: 0; display: flex; flex-direction: column; align-items: center } p { margin: 0 }"
    at = placed(page("<p>Under the card</p>", css))
    assert at["under"].x0 == pytest.approx(262.5, abs=4)  # Chromium: shrink-to-fit, centred


def test_a_page_size_sent_with_the_job_replaces_the_shrinking_with_the_documents_own_page() -> None:
    body = '<table width="1240" cellspacing="0"><tr><td>Leftcell</td><td align="right">Rightcell</td></tr></table>'
    pdf = render_pdf(page(body, "body { margin: 0 }"), options=PageOptions(page_size="A4")).pdf
    at = {word.text: word for word in words.pdf_words(pdf)[0].words}
    assert at["leftcell"].y1 - at["leftcell"].y0 > 10  # laid out on the A4 sent, at full size


def test_an_absolute_box_is_placed_from_its_containers_padding_edge_and_keeps_its_text() -> None:
    # A certificate's frame: `padding-top: 100%` (taller than the page) holds the text placed 30mm from its top.
    # xhtml2pdf measured `top` below the padding, off the page, and the text was lost.
    css = """body { margin: 0 } .frame { position: relative; padding-top: 100% }
    .text { position: absolute; top: 30mm; left: 12mm } p { margin: 0 }"""
    lines = "".join(f"<p>Certified line {index}</p>" for index in range(8))
    at = placed(page(f'<div class="frame"><div class="text">{lines}</div></div>', css))
    assert all(str(index) in at for index in range(8)), sorted(at)
    assert at["certified"].y0 == pytest.approx(MARGIN + 85.04, abs=4)
    assert at["certified"].x0 == pytest.approx(MARGIN + 34.02, abs=2)


def test_an_absolute_badge_centred_by_translate_is_as_wide_as_its_text() -> None:
    # `left: 50%; transform: translate(-50%, -50%)` moves it back by half its own shrink-to-fit width; the
    # page's width had stood in for it, and the badge was drawn at the page's left margin (x 28.4).
    # Chromium: "centred" at 268.3, 141.1.
    css = "body { font: 12px Arial } .c { position: relative; height: 300px }"
    css += " .b { position: absolute; top: 50%; left: 50%; transform: translate(-50%, -50%) }"
    at = placed(page('<div class="c"><div class="b">Centred badge</div></div>', css))
    assert at["centred"].x0 == pytest.approx(268.3, abs=3)
    assert at["centred"].y0 == pytest.approx(141.1, abs=4)


def test_a_box_placed_at_the_right_of_a_narrower_container_ends_at_its_right_side() -> None:
    # The 400px container's right margin was taken of the page without the body's 8px margins, so the
    # box ended 12pt short of the container's side (Chromium: "corner" at 279.5).
    css = "body { font: 12px Arial } .c { position: relative; width: 400px; height: 100px; border: 1px solid }"
    css += " .b { position: absolute; right: 10px; top: 10px }"
    at = placed(page('<div class="c"><p>Inside</p><div class="b">Corner note</div></div>', css))
    assert at["corner"].x0 == pytest.approx(279.5, abs=2)
    assert at["inside"].x0 == pytest.approx(34.5, abs=2)


def test_a_hidden_box_keeps_its_place_and_draws_nothing_but_what_is_visible_inside_it() -> None:
    # xhtml2pdf drew `visibility: hidden` text, border and background. Chromium: "Visible" at 138.9, where
    # it would be with the hidden words drawn; nothing of the box is seen.
    css = ".h { visibility: hidden; border: 2px solid red; background: #fc0; padding: 10px } .v { visibility: visible }"
    body = '<p>Shown</p><div class="h">Hidden words <b>bold</b> <span class="v">Visible inside</span></div>'
    html = page(body, css)
    at = placed(html)
    assert at["visible"].x0 == pytest.approx(138.9, abs=2.5)
    assert darkest(html, at["hidden"]) == 255
    assert darkest(html, at["visible"]) < 100


@pytest.mark.parametrize(
    ("table", "caption_x"),
    [("width: 100%", 278.0), ("width: 300px; margin: 0 auto", 278.0), ("", 58.7)],
)
def test_a_caption_is_centred_over_its_table(table: str, caption_x: float) -> None:
    # As wide as the table, as the fitted width of one sized by its content; xhtml2pdf drew it at x 29.1,
    # left of the page's content box. Chromium's positions; a bottom caption stands below the table.
    css = f"table {{ {table}; border: 1px solid }}"
    at = placed(page("<table><caption>Cap text</caption><tr><td>Cell one</td><td>Cell two</td></tr></table>", css))
    assert at["cap"].x0 == pytest.approx(caption_x, abs=3)
    assert at["cap"].y0 < at["cell"].y0
    below = placed(page("<table><caption style='caption-side: bottom'>Cap</caption><tr><td>Cell</td></tr></table>"))
    assert below["cap"].y0 > below["cell"].y0


def test_pre_wrap_text_keeps_its_spaces_and_wraps_at_the_edge_of_its_box() -> None:
    # xhtml2pdf kept every space unbreakable: the line ran past its 250px box and off the page, its end
    # lost. Chromium: indent, double spaces and the tab kept ("1" at 127.7, "done" at 80.7); "spaces"
    # begins the next line at 33.7; the long line of the page's width wraps and keeps "it".
    css = "pre { white-space: pre-wrap; width: 250px } .p { white-space: pre-wrap }"
    code = "def f(x):\n    return  x + 1   # two  spaces kept and a long comment that wraps at the edge\n\tdone"
    long_line = " ".join(["further"] * 30) + " beyond it"
    at = placed(page(f'<pre>{code}</pre><div class="p">{long_line}</div>', css))
    assert at["return"].x0 == pytest.approx(57.2, abs=1.5) and at["1"].x0 == pytest.approx(127.7, abs=1.5)
    assert at["spaces"].x0 == pytest.approx(33.7, abs=1.5) and at["spaces"].y0 > at["return"].y0 + 5
    assert at["done"].x0 == pytest.approx(80.7, abs=1.5)
    assert at["it"].x1 < A4_WIDTH - MARGIN


def test_flex_items_in_their_order_and_a_placed_child_is_no_item() -> None:
    # `order` was ignored ("Second" first); the absolute badge took a cell of the row beside the items, and
    # the bordered relative container moved its row in by the body's margin again. Chromium: "Item" at 34.5,
    # "Badge" at 531.1 (right: 0), "First" left of "Second".
    css = ".f { display: flex; position: relative; height: 100px; border: 1px solid }"
    css += " .a { position: absolute; right: 0; top: 0 } .o { display: flex; gap: 20px } .s { order: 2 }"
    body = '<div class="f"><div>Item A</div><div>Item B</div><span class="a">Badge</span></div>'
    at = placed(page(body + '<div class="o"><div class="s">Second</div><div>First</div></div>', css))
    assert at["item"].x0 == pytest.approx(34.5, abs=2)
    assert at["badge"].x0 == pytest.approx(531.1, abs=4) and at["badge"].y0 == pytest.approx(at["item"].y0, abs=2)
    assert at["first"].x0 < at["second"].x0


def test_viewport_units_and_a_width_calc_with_a_percentage_are_of_the_pages_content_box() -> None:
    # 5vw is 5 % of the printed page's content width (538.6pt), not of the paper's; `calc(100% - 200px)` had
    # been dropped, and the box with `margin-left: auto` stood at the left. Chromium: "font" at 147.5,
    # "calc" at 183.0.
    css = "h1 { font-size: 5vw } .c { width: calc(100% - 200px); border: 1px solid; margin-left: auto }"
    at = placed(page('<h1>Viewport font</h1><div class="c">Calc box</div>', css))
    assert at["font"].x0 == pytest.approx(147.5, abs=3)
    assert at["calc"].x0 == pytest.approx(183.0, abs=2)


def test_a_transparent_box_and_one_clipped_to_no_height_show_nothing() -> None:
    # `opacity: 0` hides a box and all in it, its room kept (Chromium: "After" 51pt below "Shown"); an
    # e-mail's preheader in `max-height: 0; overflow: hidden` shows nothing and takes no room.
    css = ".o { opacity: 0 } .o b { visibility: visible } .m { max-height: 0; overflow: hidden }"
    html = page('<div class="m">Preheader words</div><p>Shown</p><p class="o">Faded <b>bold</b></p><p>After</p>', css)
    at = placed(html)
    assert "preheader" not in at
    assert at["after"].y0 - at["shown"].y0 == pytest.approx(51.0, abs=2)
    assert darkest(html, at["faded"]) == 255 and darkest(html, at["bold"]) == 255


@pytest.mark.parametrize("root", ["overflow: hidden", "display: flow-root"])
def test_a_block_formatting_context_holds_its_first_and_last_margins(root: str) -> None:
    # A legacy clearfix (`overflow: hidden`) or a flow root keeps its heading's top margin and its last
    # paragraph's bottom margin inside: they no longer collapse with the paragraphs around it (Chromium:
    # "Heading" 40.4pt below "Before", "After" 37.5pt below "Inside"; collapsed, 28.4 and 25.5).
    body = f'<p>Before</p><div style="{root}"><h2>Heading</h2><p>Inside</p></div><p>After</p>'
    at = placed(page(body))
    assert at["heading"].y0 - at["before"].y0 == pytest.approx(40.4, abs=1.5)
    assert at["after"].y0 - at["inside"].y0 == pytest.approx(37.5, abs=1.5)


def test_an_image_that_cannot_be_shown_stands_as_its_alt_text_in_a_browser_document() -> None:
    html = page('<p>Before <img src="absent/logo.png" alt="Company logo"> after</p>')
    result = render_pdf(html)
    text = [word.text for word in words.pdf_words(result.pdf)[0].words]
    assert text == ["before", "company", "logo", "after"]
    assert result.fidelity.as_dict()["blocked_resources"] == ["absent/logo.png"]  # and still reported
    # A document written for xhtml2pdf keeps xhtml2pdf's own output.
    stock = render_pdf(html, written_for="xhtml2pdf")
    assert [word.text for word in words.pdf_words(stock.pdf)[0].words] == ["before", "after"]


def test_an_image_that_cannot_be_shown_keeps_its_padding_around_its_alt_text() -> None:
    # Measured on Chromium (standards mode): a broken image is a box around its alt text; its width and
    # height do not apply, its padding does (a certificate's logo, 30px padding: 78px high).
    body = """<div><img src="absent/a.png" alt="logo" style="width: 130px; padding: 30px"></div><p>one</p>
    <div><img src="absent/b.png" alt="Logo" width="48" height="40"></div><p>two</p><p>three</p>"""
    at = placed(page(body, "body { margin: 0 } p { margin: 0 }"))
    assert at["one"].y0 == pytest.approx(MARGIN + 78 * 0.75, abs=4)
    line = at["three"].y0 - at["two"].y0
    assert at["two"].y0 - at["one"].y0 == pytest.approx(2 * line, abs=1), "a width and height make no box"


def test_blocks_in_columns_are_sized_in_their_column_not_moved_by_the_margins_around_the_columns() -> None:
    # A menu: columns inside a block with a wide left margin (beside a fixed sidebar). The sections
    # were narrowed with that margin as their indent, then dealt into the columns and pushed half out.
    css = """body { margin: 0 } .menu { margin-left: 200px } .cols { column-count: 2; column-gap: 16px }
    .section { width: 150px } p { margin: 0 }"""
    sections = "".join(
        f'<div class="section"><p>Dish{index}</p><p>{"Tasty words here " * 6}</p></div>' for index in range(2)
    )
    at = placed(page(f'<div class="menu"><div class="cols">{sections}</div></div>', css))
    column = (A4_WIDTH - 2 * MARGIN - 150 - 12) / 2
    assert at["dish0"].x0 == pytest.approx(MARGIN + 150, abs=3)
    assert at["dish1"].x0 == pytest.approx(MARGIN + 150 + column + 12, abs=6)


WIDTH = A4_WIDTH - 2 * MARGIN


@pytest.mark.parametrize(
    ("template", "starts"),
    [
        ("120px 1fr", [90]),
        ("1fr 2fr", [WIDTH / 3]),
        ("2fr 1fr 1fr", [WIDTH / 2, WIDTH * 3 / 4]),
        ("minmax(0, 1fr) 200px", [WIDTH - 150]),
        ("106px calc(100% - 106px)", [79.5]),
        ("repeat(auto-fill, minmax(150px, 1fr))", [WIDTH / 4, WIDTH / 2, WIDTH * 3 / 4]),
        ("repeat(auto-fit, minmax(100px, 1fr))", [WIDTH / 4, WIDTH / 2, WIDTH * 3 / 4]),
    ],
)
def test_grid_column_tracks_are_as_wide_as_css_grid_sizes_them(template: str, starts: list[float]) -> None:
    # Where each column starts, measured on Chromium; the tracks had all been made equal.
    cells = "".join(f"<p>Cell{index}</p>" for index in range(len(starts) + 1))
    css = f"body {{ margin: 0 }} p {{ margin: 0 }} .grid {{ display: grid; grid-template-columns: {template} }}"
    at = placed(page(f'<div class="grid">{cells}</div>', css))
    found = [at[f"cell{index + 1}"].x0 - MARGIN for index in range(len(starts))]
    assert found == pytest.approx(starts, abs=2)


def test_an_auto_grid_track_is_as_wide_as_its_content() -> None:
    css = "body { margin: 0 } p { margin: 0 } .grid { display: grid; grid-template-columns: auto 1fr; gap: 20px }"
    at = placed(page('<div class="grid"><p>Label</p><p>Value</p></div>', css))
    label = stringWidth("Label", "Times-Roman", 12)
    assert at["value"].x0 - MARGIN == pytest.approx(label + 15, abs=6)


def test_grid_items_spanning_tracks_are_as_wide_as_the_tracks_they_span() -> None:
    # An invoice's totals (Tailwind): each row a 5-track grid, its label over 3 tracks right-aligned, its
    # amount over 2. Chromium: every label ends at the same edge (x0 427.5, 452.0, 403.2pt).
    css = """body { margin: 0 } .totals { width: 300px; margin-left: auto; text-align: end }
    dl { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); column-gap: .75rem; margin: 0 0 8px }
    dt { grid-column: span 3 / span 3; font-weight: 600 } dd { grid-column: span 2 / span 2; margin: 0 }"""
    rows = (("Subtotal:", "$2750.00"), ("Tax:", "$39.00"), ("Amount paid:", "$2789.00"))
    body = "".join(f"<dl><dt>{label}</dt><dd>{amount}</dd></dl>" for label, amount in rows)
    at = placed(page(f'<div class="totals">{body}</div>', css))
    assert at["subtotal"].x0 == pytest.approx(427.5, abs=3)
    assert at["tax"].x0 == pytest.approx(452.0, abs=3)
    assert at["amount"].x0 == pytest.approx(403.2, abs=3)
    assert at["2789.00"].x0 == pytest.approx(523.5, abs=3)


def test_percentage_paddings_are_of_the_containing_blocks_width() -> None:
    # An e-mail's paragraph cell: `padding-left: 6.25%` of its 400px table (18.75pt), not of the page (33.6pt),
    # which made its lines narrower and broke them elsewhere. Chromium: 46.5pt and 42.7pt from the left.
    body = """<table width="400" cellspacing="0" cellpadding="0"><tr>
    <td style="width: 87.5%; padding-left: 6.25%; padding-right: 6.25%">Cellstart of text</td></tr></table>
    <div style="width: 200px"><p style="margin: 0; padding-left: 10%">Divpad</p></div>"""
    at = placed(page(body, "body { margin: 0 }"))
    assert at["cellstart"].x0 == pytest.approx(46.5, abs=1.5)
    assert at["divpad"].x0 == pytest.approx(42.7, abs=1.5)


@pytest.mark.parametrize(
    ("grid", "body", "expected"),
    [
        # Chromium's (x0, middle) of each word.
        (
            "grid-template-columns: 150px 1fr; grid-template-areas: 'head head' 'side main'; gap: 10px",
            "<p style='grid-area: head'>Header</p><p style='grid-area: side'>Sidebar</p>"
            "<p style='grid-area: main'>Main</p>",
            {"header": (27.7, 34.2), "sidebar": (27.7, 55.2), "main": (147.7, 55.2)},
        ),
        (
            "grid-template-areas: 'head head' 'side main'; gap: 10px",
            "<p style='grid-area: main'>Main text here</p><p style='grid-area: head'>Header</p>"
            "<p style='grid-area: side'>Sidebar text</p>",
            {"header": (27.7, 34.2), "sidebar": (27.7, 55.2), "main": (295.7, 55.2)},
        ),
        (
            "grid-template-columns: repeat(4, 1fr)",
            "<p>First</p><p style='grid-column: 3 / span 2'>Spanning</p><p>Nextrow</p>",
            {"first": (27.7, 34.2), "spanning": (298.1, 34.2), "nextrow": (27.7, 47.7)},
        ),
        (
            "grid-template-columns: 1fr 1fr",
            "<p>Aaa</p><p style='grid-column: 2; grid-row: 1 / span 2'>Side</p><p>Bbb</p>",
            {"aaa": (27.7, 34.2), "side": (298.1, 34.2), "bbb": (27.7, 47.7)},
        ),
    ],
)
def test_grid_items_go_to_their_named_areas_lines_and_spans(
    grid: str, body: str, expected: dict[str, tuple[float, float]]
) -> None:
    # A CV's header, sidebar and main column by grid-template-areas; an item from a given column line, one
    # spanning two rows. They were set in source order, one after the other.
    at = placed(
        page(f'<div class="g">{body}</div>', f"body {{ margin: 0 }} p {{ margin: 0 }} .g {{ display: grid; {grid} }}")
    )
    for word, (x0, middle) in expected.items():
        assert at[word].x0 == pytest.approx(x0, abs=2)
        assert at[word].centre[1] == pytest.approx(middle, abs=2)


@pytest.mark.parametrize(
    ("css", "table", "starts"),
    [
        (
            "table { width: 100%; border-collapse: collapse }",
            "<colgroup><col style='width: 20%'><col style='width: 50%'><col></colgroup>",
            (135.9, 406.3),
        ),
        ("table { width: 100% }", "<col width='100'><col width='300'><col>", (102.7, 327.7)),
        (
            "table { width: 400px; table-layout: fixed; border-collapse: collapse } .a { width: 50px }",
            "",
            (65.2, 196.5),
        ),
    ],
)
def test_columns_are_as_wide_as_their_cols_or_a_fixed_tables_first_row_says(
    css: str, table: str, starts: tuple[float, float]
) -> None:
    # <col>/<colgroup> widths, and `table-layout: fixed` (the first row's widths, the rest shared equally
    # whatever the text): Chromium's x of the second and third cells' text. They were sized by content.
    row = "<tr><td class='a'>Aone</td><td>Btwo long long long text here</td><td>Cthree</td></tr>"
    at = placed(page(f"<table cellspacing='0'>{table}{row}</table>", f"body {{ margin: 0 }} td {{ padding: 0 }} {css}"))
    assert at["btwo"].x0 == pytest.approx(starts[0], abs=2)
    assert at["cthree"].x0 == pytest.approx(starts[1], abs=2)


def test_a_rows_or_cells_height_attribute_is_css_pixels() -> None:
    # A purchase order's `<td height="30">` rows: 30px (22.5pt), not 30pt; a row's own `height` too.
    # Chromium: the middles of the lines 38.7, 57.5, 80.0 and 101.7pt down.
    rows = "<tr><td height='30'>Rowone</td></tr><tr><td height='20'>Rowtwo</td></tr>"
    rows += "<tr height='40'><td>Rowthree</td></tr><tr><td>Rowfour</td></tr>"
    at = placed(page(f"<table cellspacing='0'>{rows}</table>", "body { margin: 0 } td { padding: 0 }"))
    for word, middle in (("rowone", 38.7), ("rowtwo", 57.5), ("rowthree", 80.0), ("rowfour", 101.7)):
        assert at[word].centre[1] == pytest.approx(middle, abs=1.5)


def test_tables_aligned_left_and_right_float_side_by_side() -> None:
    # An e-mail's two columns: `<table align="left">` and `<table align="right">` in a 600px cell.
    half = '<table align="{}" width="290" cellpadding="0" cellspacing="0"><tr><td>{}</td></tr></table>'
    columns = half.format("left", "Leftcolumn") + half.format("right", "Rightcolumn")
    body = f'<table width="600" cellpadding="0" cellspacing="0"><tr><td>{columns}</td></tr></table><p>Below</p>'
    at = placed(page(body, "body { margin: 0 }"))
    assert at["rightcolumn"].y0 == pytest.approx(at["leftcolumn"].y0, abs=1)
    assert at["rightcolumn"].x0 == pytest.approx(MARGIN + 310 * 0.75, abs=3)
    assert at["below"].y0 > at["leftcolumn"].y1


def test_a_block_beside_a_float_has_its_margin_from_the_containers_edge() -> None:
    # A definition list with floated terms: `dd { margin-left: 110px }` beside a 100px `dt` float starts
    # 110px in (82.5pt, measured on Chromium), not 110px past the float.
    css = "body { margin: 0 } dl { margin: 0 } dt { float: left; width: 100px } dd { margin-left: 110px }"
    at = placed(page("<dl><dt>Name</dt><dd>John Smith</dd></dl>", css))
    assert at["john"].x0 - MARGIN == pytest.approx(82.5, abs=1.5)
    assert at["john"].y0 == pytest.approx(at["name"].y0, abs=1)


def test_a_box_that_clears_floats_counts_its_top_margin_from_where_the_content_beside_them_ended() -> None:
    # A CV entry: a heading, then floated workplace and location; the list after clears them, its 12px
    # margin taken up by the floats' overhang (CSS 2.1 clearance). Measured on Chromium: 21pt apart.
    body = """<header><h3 style="margin: 0">Heading</h3><p style="float: left; padding: 10px 0">Floated</p>
    <p style="float: right">Right</p></header><div style="clear: both; margin-top: 12px">Cleared</div>"""
    at = placed(page(body, "body { margin: 0 } p { margin: 0 }"))
    assert at["cleared"].y0 - at["floated"].y0 == pytest.approx(21.0, abs=2)


def test_columns_are_balanced_by_height_and_a_tall_box_continues_in_the_next_column() -> None:
    # A menu's two sections in two columns: a browser balances the columns, so the long first section
    # goes on in the second column above the short one. Dealt whole, it filled the first column alone.
    css = "body { margin: 0 } .cols { columns: 2; column-gap: 0 } p, h3 { margin: 0 }"
    first = "".join(f"<p>Dish{index}</p>" for index in range(8))
    body = f'<div class="cols"><section id="a"><h3>Breakfast</h3>{first}</section><section><h3>Lunch</h3>'
    at = placed(page(f"{body}<p>Soup</p></section></div>", css))
    half = MARGIN + (A4_WIDTH - 2 * MARGIN) / 2
    assert at["dish0"].x0 < half < at["dish7"].x0
    assert at["dish7"].y0 < at["lunch"].y0 < at["soup"].y0 and at["soup"].x0 > half
    # Terms and their definitions, in a larger type, two lines of one height each: one pair a column.
    pairs = "".join(f"<dt>Term{index}</dt><dd style='font-size: 20pt'>Value{index}</dd>" for index in range(4))
    at = placed(page(f'<dl style="columns: 4; margin: 0">{pairs}</dl>', "body { margin: 0 } dd { margin: 0 }"))
    assert all(at[f"term{index}"].x0 == pytest.approx(at[f"value{index}"].x0, abs=1) for index in range(4))


def test_a_shrink_mark_a_document_writes_itself_is_honoured_only_within_chromiums_limit() -> None:
    # The mark is the preparation stage's; written by hand asking for a near-zero scale, it is ignored.
    html = '<html><head><meta name="html2pdf-shrink" content="0.000001"></head><body><p>Normal size</p></body></html>'
    pdf = render_pdf(html, written_for="xhtml2pdf").pdf
    assert [round(float(side)) for side in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox[2:]] == [595, 842]


def test_a_blank_generated_block_in_a_line_of_inline_boxes_ends_the_line() -> None:
    # An invoice's `dt, dd { display: inline }` with `dt::before { content: ''; display: block }`: each
    # term starts a line of its own, with its value beside it.
    css = "dt, dd { display: inline; margin: 0 } dt::before { content: ''; display: block } dl { margin: 0 }"
    at = placed(page("<dl><dt>Number</dt> <dd>12345</dd> <dt>Date</dt> <dd>March</dd></dl>", css))
    assert at["12345"].y0 == pytest.approx(at["number"].y0, abs=1)
    assert at["date"].y0 > at["number"].y1 and at["date"].x0 == pytest.approx(at["number"].x0, abs=1)


def test_generated_content_displayed_as_a_block_is_a_line_of_its_own() -> None:
    # A CV's timeline: the years one under the other, a `|` set `display: block` before the last.
    css = ".date span { display: block } .date span + span + span::before { display: block; content: '\\2502' }"
    at = placed(page('<div class="date"><span>Started</span><span>Middle</span><span>Ended</span></div>', css))
    pitch = at["middle"].y0 - at["started"].y0
    assert at["ended"].y0 - at["middle"].y0 == pytest.approx(2 * pitch, abs=1)


def test_a_flex_row_keeps_its_items_as_wide_as_their_content_and_spaces_them_as_justify_content_says() -> None:
    # Four labelled figures `justify-content: space-between`, each centred in its own content-wide box.
    # Measured on Chromium: the labels at 27.7, 186.1 and 502.9pt, the second figure's middle at 219pt.
    css = """body { margin: 0 } .row { display: flex; justify-content: space-between } .row div { text-align: center }
    p { margin: 0 }"""
    cells = "".join(f"<div><p>Label{index} words</p><p>V{index}</p></div>" for index in range(4))
    at = placed(page(f'<div class="row">{cells}</div>', css))
    assert at["label0"].x0 == pytest.approx(27.7, abs=3)
    assert at["label1"].x0 == pytest.approx(186.1, abs=3)
    assert at["label3"].x0 == pytest.approx(502.9, abs=3)
    assert (at["v1"].x0 + at["v1"].x1) / 2 == pytest.approx(219.0, abs=3)


def test_a_flex_row_in_a_block_of_a_percentage_width_fits_its_items_in_that_width() -> None:
    # An invoice's header: a card 60% wide holds the company's name and its address, pushed apart.
    css = """body { margin: 0 } .card { width: 60% } .row { display: flex; justify-content: space-between }
    p { margin: 0 }"""
    body = '<div class="card"><div class="row"><p>Company</p><p>Twelve Long Road Street</p></div></div>'
    at = placed(page(body, css))
    address = stringWidth("Twelve Long Road Street", "Times-Roman", 12)
    # Within what a content width is estimated with to spare (tasks/prepare/estimate.max_content: 4% and 2pt).
    assert at["twelve"].x0 == pytest.approx(MARGIN + 0.6 * (A4_WIDTH - 2 * MARGIN) - address, abs=0.04 * address + 2.5)
    assert at["street"].y0 == at["twelve"].y0, "the address kept on one line"


def test_a_flex_item_holding_an_image_sized_in_css_is_as_wide_as_the_image() -> None:
    # A boarding pass's header: a logo (60px by CSS, its file missing: its alt text shows) beside the name.
    css = "body { margin: 0 } .row { display: flex } .logo img { width: 80px } p { margin: 0 }"
    body = '<div class="row"><div class="logo"><img src="absent.png" alt="Logo"></div><p>Airline</p></div>'
    at = placed(page(body, css))
    assert at["airline"].x0 >= MARGIN + 60 - 1


def test_a_flex_item_is_as_wide_as_a_block_of_set_width_it_holds_and_no_wider_than_its_max_width() -> None:
    # Totals pushed to the right: a 300px heading box inside; an address capped at 150px beside a box.
    css = """body { margin: 0 } .row { display: flex; justify-content: space-between } p { margin: 0 }
    .heading { width: 300px } .address { max-width: 150px }"""
    body = (
        '<div class="row"><div><p class="address">Twelve Long Road Street Town County Country</p></div>'
        '<div><div class="heading"><p>Totals</p></div></div></div>'
    )
    at = placed(page(body, css))
    # The heading's box is 225pt: it starts that far from the right margin (Chromium: 343.5pt).
    assert at["totals"].x0 == pytest.approx(343.5, abs=3)
    assert at["twelve"].x0 == pytest.approx(MARGIN, abs=1)


def test_a_tables_padding_holds_its_cells_off_its_border() -> None:
    # An e-mail's coupon box: `padding: 24px` between its dashed border and its text (18pt), all round.
    css = "body { margin: 0 } p { margin: 0 } .coupon { width: 100%; padding: 24px; border: 2px dashed #999 }"
    at = placed(page('<p>Above</p><table class="coupon"><tr><td>Coupon</td></tr></table><p>Below</p>', css))
    assert at["coupon"].x0 == pytest.approx(MARGIN + 1.5 + 18 + 0.75, abs=1.5)
    line = at["below"].y0 - at["coupon"].y0 - 18 - 1.5
    assert at["coupon"].y0 - at["above"].y0 == pytest.approx(line + 18 + 1.5, abs=2)


def test_a_tables_padding_is_ignored_when_its_borders_collapse() -> None:
    css = "body { margin: 0 } .t { border-collapse: collapse; padding: 24px }"
    at = placed(page('<table class="t"><tr><td>Cell</td></tr></table>', css))
    assert at["cell"].x0 < MARGIN + 3


def test_a_table_first_in_a_cell_keeps_its_top_margin() -> None:
    # An e-mail's invoice table `margin: 40px auto` (30pt) at the top of its content cell.
    css = "body { margin: 0 } td { padding: 0 } .inner { margin: 40px auto; width: 80% }"
    inner = '<table class="inner" cellspacing="0"><tr><td>Item</td></tr></table>'
    body = f'<table width="100%" cellspacing="0"><tr><td>Heading</td></tr><tr><td>{inner}</td></tr></table>'
    at = placed(page(body, css))
    assert at["item"].y0 - at["heading"].y0 == pytest.approx(13.8 + 30, abs=3)


def test_a_tables_rows_stand_its_border_spacing_apart() -> None:
    # A till receipt's plain table: the browser's 2px between rows (and above the first, below the last).
    css = "body { margin: 0 } p { margin: 0 }"
    rows = "".join(f"<tr><td>Row{index}</td></tr>" for index in range(3))
    spaced = placed(page(f"<table>{rows}</table><p>After</p>", css))
    tight = placed(page(f'<table cellspacing="0">{rows}</table><p>After</p>', css))
    assert spaced["row1"].y0 - spaced["row0"].y0 == pytest.approx(tight["row1"].y0 - tight["row0"].y0 + 1.5, abs=0.3)
    assert spaced["after"].y0 - tight["after"].y0 == pytest.approx(4 * 1.5, abs=0.5)


def test_a_cell_alone_in_its_row_spans_its_table_whatever_percentage_it_asks_for() -> None:
    # An e-mail's card: a 560px table whose text cells ask for `width: 87.5%` and pad themselves.
    css = "body { margin: 0 } .card { width: 560px } .text { width: 87.5%; padding: 0 45px } td { padding: 0 }"
    cells = '<tr><td class="text">Cardtext</td></tr><tr><td align="right">Rightedge</td></tr>'
    at = placed(page(f'<table class="card" cellspacing="0">{cells}</table>', css))
    assert at["cardtext"].x0 == pytest.approx(MARGIN + 33.75, abs=2)
    assert at["rightedge"].x1 == pytest.approx(MARGIN + 420, abs=4)


def test_a_flex_row_in_a_padded_border_box_fits_its_items_in_the_box_less_its_padding() -> None:
    # A ticket's check: 450px wide border-box with 40px of padding; its info row of labelled figures.
    css = """body { margin: 0 } p { margin: 0 } .check { box-sizing: border-box; width: 450px; padding: 40px }
    .info { display: flex; width: 100% } .info div { margin-right: 50px }"""
    items = "".join(f"<div><p>Label</p><p>Fig {index} here</p></div>" for index in range(3))
    at = placed(page(f'<div class="check"><div class="info">{items}</div></div>', css))
    assert at["fig"].y0 == at["here"].y0, "each figure kept on one line: 3 x (49 + 37.5) fit in 277.5pt"


def test_a_wrapping_flex_row_breaks_its_lines_by_flex_basis_not_content() -> None:
    # A ticket: `flex: 1` information beside a fixed stub in a wrapping row: one line, as in a browser.
    css = """body { margin: 0 } p { margin: 0 } .row { display: flex; flex-wrap: wrap }
    .info { flex: 1 } .stub { width: 150px }"""
    info = "<p>" + "Long information text " * 12 + "</p>"
    at = placed(
        page(f'<div class="row"><div class="info">{info}</div><div class="stub"><p>Stubtext</p></div></div>', css)
    )
    assert at["stubtext"].y0 == pytest.approx(at["long"].y0, abs=1)
    assert at["stubtext"].x0 == pytest.approx(A4_WIDTH - MARGIN - 112.5, abs=3)


def test_justify_content_centre_moves_a_full_width_item_not_the_text_in_it() -> None:
    # Bootstrap 5's `.d-flex.justify-content-center.row` around a column as wide as the row, below `md`.
    css = "body { margin: 0 } .row { display: flex; justify-content: center } .col { width: 100% } h1 { margin: 0 }"
    at = placed(page('<div class="row"><div class="col"><h1>Invoice</h1></div></div>', css))
    assert at["invoice"].x0 == pytest.approx(MARGIN, abs=1)


@pytest.mark.parametrize("drawn", ["background: #eee", "height: 200px", "padding: 0 0 1px"])
def test_a_table_in_a_block_with_a_side_margin_starts_where_the_blocks_text_starts(drawn: str) -> None:
    # A menu beside a fixed sidebar: `margin-left: 60mm` on a block with a height (or a background):
    # xhtml2pdf draws such a block as a box and moves its table in by the margin itself, once.
    css = f"body {{ margin: 0 }} .menu {{ margin-left: 100px; {drawn} }} td {{ padding: 0 }}"
    at = placed(page('<div class="menu"><p>Para</p><table cellspacing="0"><tr><td>Cell</td></tr></table></div>', css))
    assert at["cell"].x0 == pytest.approx(at["para"].x0, abs=1)


@pytest.mark.parametrize(("doctype", "middle"), [("<!DOCTYPE html>", 17.85), ("", 5.85)])
def test_a_cell_holds_its_first_paragraphs_top_margin_except_in_quirks_mode(doctype: str, middle: float) -> None:
    # Measured on Chromium: a table cell keeps its first paragraph's 1em top margin inside it; without a
    # doctype (quirks mode) it drops the browser stylesheet's margin there, and keeps an author's. Where
    # the middle of the line is (its top depends on the face's ascent: Chromium prints in Liberation
    # Serif, the service in Times); the service's is 1.65pt lower, in a cell only, not pinned down yet.
    body = "<table cellpadding='0' cellspacing='0'><tr><td><p>First</p></td></tr></table>"
    body += "<table cellpadding='0' cellspacing='0'><tr><td><p style='margin: 16px 0'>Author</p></td></tr></table>"
    html = f"{doctype}<html><head><style>body {{ margin: 0 }}</style></head><body>{body}</body></html>"
    at = {word.text: word for word in words.pdf_words(render_pdf(html, written_for="browser").pdf)[0].words}
    assert at["first"].centre[1] - MARGIN == pytest.approx(middle, abs=2)
    assert at["author"].y0 - at["first"].y1 >= 12 - 2  # the author's own margin, in either mode


@pytest.mark.parametrize(
    ("doctype", "box", "after"),
    [
        # Chromium's tops of "After": the last paragraph's 20px bottom margin inside the cell or flex item.
        ("<!DOCTYPE html>", "cell", 63.9),
        ("<!DOCTYPE html>", "flex", 63.9),
        # Quirks mode: a cell drops the browser's quirky bottom margin of its last paragraph (1em here)...
        ("", "cell", 75.9),
        # ...a flex item is no table cell, and keeps its first paragraph's top margin and its last's bottom.
        ("", "flex", 84.9),
    ],
)
def test_a_cell_or_flex_item_holds_its_last_blocks_bottom_margin(doctype: str, box: str, after: float) -> None:
    # ReportLab ends a stack of flowables at the last one's border edge: the margin was lost (After 12pt up).
    css = "body { margin: 0; font: 12px Arial } td { padding: 0; vertical-align: top } .row { display: flex }"
    css += " p { margin: 0 } p.m { margin-bottom: 20px }" if doctype else ""
    inner = '<p>One</p><p class="m">Two</p>' if doctype else "<p>One</p><p>Two</p>"
    row = f"<table cellspacing=0><tr><td>{inner}</td><td>Side</td></tr></table>"
    if box == "flex":
        row = f'<div class="row"><div>{inner}</div><div>Side</div></div>'
    html = f"{doctype}<html><head><style>{css}</style></head><body>{row}<p>After</p></body></html>"
    at = {word.text: word for word in words.pdf_words(render_pdf(html, written_for="browser").pdf)[0].words}
    assert at["after"].y0 == pytest.approx(after, abs=2.5)


@pytest.mark.parametrize(
    ("doctype", "before", "row", "alpha"), [("<!DOCTYPE html>", 47.3, 17.6, 26.9), ("", 36.0, 13.5, 29.3)]
)
def test_in_quirks_mode_a_table_starts_its_font_afresh_and_the_body_drops_a_paragraphs_top_margin(
    doctype: str, before: float, row: float, alpha: float
) -> None:
    # Measured on Chromium: without a doctype a table takes the browser's medium size (12pt) and normal
    # line height instead of the 11pt and 1.6 around it, and a paragraph at the body's top loses the
    # browser stylesheet's 1em above it; the tables the stage makes of flex rows inherit as before.
    css = "html { font-size: 11pt; line-height: 1.6 } body { margin: 0 } td { padding: 0 } .row { display: flex }"
    body = "<p>Before</p><table cellspacing='0'><tr><td>Alpha</td></tr><tr><td>Beta</td></tr></table>"
    body += "<div class='row'><div>Flexa</div></div><div class='row'><div>Flexb</div></div>"
    html = f"{doctype}<html><head><style>{css}</style></head><body>{body}</body></html>"
    at = {word.text: word for word in words.pdf_words(render_pdf(html, written_for="browser").pdf)[0].words}
    assert at["before"].centre[1] == pytest.approx(before, abs=2)
    assert at["beta"].centre[1] - at["alpha"].centre[1] == pytest.approx(row, abs=0.5)
    assert at["alpha"].width == pytest.approx(alpha, abs=0.3)
    assert at["flexb"].centre[1] - at["flexa"].centre[1] == pytest.approx(17.6, abs=0.5)


@pytest.mark.parametrize(("doctype", "first", "second"), [("<!DOCTYPE html>", 41.7, 85.2), ("", 56.7, 100.2)])
def test_a_length_without_a_unit_is_dropped_except_in_quirks_mode_where_it_is_pixels(
    doctype: str, first: float, second: float
) -> None:
    # MJML writes `padding:10px 25px;padding-top:20`: a browser drops the invalid `20` and keeps the 10px
    # before it, or in quirks mode takes it as 20px (measured on Chromium, the lines' middles). xhtml2pdf
    # read it in a unit of its own: everything after it was 353pt down.
    body = "<div style='padding:10px 25px;padding-top:30;'><p>First</p></div>"
    body += "<div style='padding:10px 25px;padding-top:30px;'><p>Second</p></div>"
    html = (
        f"{doctype}<html><head><style>body {{ margin: 0 }} p {{ margin: 0 }}</style></head><body>{body}</body></html>"
    )
    at = {word.text: word for word in words.pdf_words(render_pdf(html, written_for="browser").pdf)[0].words}
    assert at["first"].centre[1] == pytest.approx(first, abs=2)
    assert at["second"].centre[1] == pytest.approx(second, abs=2)


def test_a_blank_generated_block_with_a_height_keeps_its_room() -> None:
    # A CV's heading extends its timeline with `h2::after { content: ' '; display: block; height: 10pt }`:
    # a blank block, but 10pt of the flow (Chromium: the next line's middle 59pt down). It was dropped.
    css = "body { margin: 0 } h2 { margin: 0; font-size: 13pt } p { margin: 0 }"
    css += " h2::after { height: 10pt; display: block; content: ' ' }"
    at = placed(page("<h2>Experiences</h2><p>Next line</p>", css))
    assert at["next"].centre[1] == pytest.approx(59.0, abs=2)
    # A blank clearfix (no height) takes none.
    css = (
        "body { margin: 0 } h2 { margin: 0; font-size: 13pt } p { margin: 0 } h2::after { display: table; content: '' }"
    )
    at = placed(page("<h2>Experiences</h2><p>Next line</p>", css))
    assert at["next"].centre[1] == pytest.approx(59.0 - 10, abs=2)


@pytest.mark.parametrize("direction", ["ltr", "rtl"])
def test_items_without_markers_in_a_flex_row_keep_their_lines_whole(direction: str) -> None:
    # A CV's contact line: `ul { display: flex; flex-wrap: wrap; list-style: none }`. Each item's first line
    # lost 0.6em to a marker it does not have, and "+966 50 123 4567" broke before "4567" (Chromium: one line).
    css = f"""html {{ direction: {direction} }} body {{ margin: 0; font-family: Arial }}
    ul {{ list-style: none; display: flex; flex-wrap: wrap; gap: 8px 16px; padding: 0; margin: 0 }}"""
    at = placed(page("<ul><li>sara.ahmad@example.com</li><li>+966 50 123 4567</li><li>Riyadh city</li></ul>", css))
    assert at["4567"].centre[1] == pytest.approx(at["966"].centre[1], abs=0.5)
    assert at["city"].centre[1] == pytest.approx(at["riyadh"].centre[1], abs=0.5)
    # Chromium's x of the first item: 27.7pt from the left, or ending at 538.2pt from the right.
    if direction == "ltr":
        assert at["sara.ahmad@example.com"].x0 == pytest.approx(27.7, abs=2)
    else:
        assert at["sara.ahmad@example.com"].x1 == pytest.approx(A4_WIDTH - MARGIN, abs=3)


def test_a_marker_inside_its_item_starts_the_first_line() -> None:
    # `list-style-position: inside`: the marker is text at the start of the line, the item's text after it
    # (Chromium at 20px: "Inside" 48.0pt, "1." 27.7pt then "Decimal" 42.7pt). xhtml2pdf drew it outside.
    css = "body { margin: 0; font-size: 20px } ul, ol { list-style-position: inside; padding: 0; margin: 0 }"
    at = placed(page("<ul><li>Inside marker item</li></ul><ol start='1'><li>Decimal one</li></ol>", css))
    assert at["inside"].x0 == pytest.approx(48.0, abs=2)
    assert at["decimal"].x0 == pytest.approx(42.7, abs=2)
    assert at["1"].x0 == pytest.approx(27.7, abs=1.5)


def test_an_inline_flex_badge_stays_in_its_line() -> None:
    # `<span class="badge">` with display: inline-flex: a box in the line (Chromium: "today" on the same
    # line at 97.9pt); it became a table, which broke the line twice.
    css = "body { margin: 0 } .badge { display: inline-flex; align-items: center; padding: 2px 8px; border: 1px solid }"
    at = placed(page("<p style='margin: 0'>Status <span class='badge'>Paid</span> today</p>", css))
    assert at["today"].centre[1] == pytest.approx(at["status"].centre[1], abs=1)
    assert at["today"].x0 == pytest.approx(97.9, abs=3)


def test_form_fields_are_boxes_in_the_line_showing_their_values() -> None:
    # A filled-in form printed: each text field a box as wide as its `size`, its value inside; a text area
    # as tall as its rows (Chromium: "B" 114.5pt, "C" 261.3pt from the left, the middle of "After" 127.2pt down).
    body = "<p>A <input value='x' size=10> B <input value='y'> C</p><textarea rows=3 cols=30>T</textarea><p>After</p>"
    at = placed(page(body, "body { margin: 0 }"))
    assert at["x"].x0 == pytest.approx(41.8, abs=1.5)
    assert at["b"].x0 == pytest.approx(114.5, abs=2)
    assert at["c"].x0 == pytest.approx(261.3, abs=3)
    assert at["after"].centre[1] == pytest.approx(127.2, abs=3)


def test_list_items_are_40px_in_unless_the_author_says_otherwise() -> None:
    # Measured on Chromium: a list's text 40px in; `padding: 0` (a shorthand) over the browser's
    # `padding-left: 40px` puts it at the edge; 20px of padding is 20px, not 20px and 1.5em.
    css = "body { margin: 0 } .flat { list-style: none; padding: 0 } .narrow { padding-left: 20px }"
    body = '<ul><li>Plain</li></ul><ul class="flat"><li>Flat</li></ul><ul class="narrow"><li>Narrow</li></ul>'
    at = placed(page(body, css))
    assert at["plain"].x0 - MARGIN == pytest.approx(30, abs=1)
    # No marker, and no room kept for one (xhtml2pdf kept 0.6em: 7pt).
    assert at["flat"].x0 == pytest.approx(MARGIN, abs=1)
    assert at["narrow"].x0 - MARGIN == pytest.approx(15, abs=1)
    # In a table cell, a list with padding is as wide as its text: xhtml2pdf measured it as wide as the row,
    # and the next cell was pushed to the page's edge. Chromium: "Beside" 406pt in.
    cell = "<table width='100%'><tr><td><ul><li>Payment terms</li></ul></td><td>Beside</td></tr></table>"
    at = placed(page(cell, css))
    assert at["beside"].x0 - MARGIN == pytest.approx(406, abs=10)


@pytest.mark.parametrize(
    ("css", "after"),
    [
        # Measured on Chromium (the middle of the line): a 200px card (border-box) puts "After" 202.2pt down.
        (".card { min-height: 200px; border: 1px solid; padding: 10px; box-sizing: border-box }", 202.2),
        # A minimum its content passes is no room at all: after four paragraphs, 167.7pt down.
        (".card { min-height: 50px; border: 1px solid }", 167.7),
    ],
)
def test_a_blocks_min_height_holds_its_room_below_its_content(css: str, after: float) -> None:
    content = "<p>Card</p>" if "200px" in css else "<p>One</p><p>Two</p><p>Three</p><p>Four</p>"
    at = placed(page(f'<div class="card">{content}</div><p>After</p>', css))
    assert at["after"].centre[1] == pytest.approx(after, abs=1.5)


def test_a_row_of_floats_is_kept_in_by_the_bodys_margin_as_text_is() -> None:
    # Measured on Chromium: the float and the text beside it start 8px in from the page margin, and the
    # paragraph's 16px top margin (collapsed with the body's 8px, the float taking no part) above both.
    at = placed(page("<div class='f'>Floated</div><p>Beside</p>", ".f { float: left; width: 100px }"))
    assert at["floated"].x0 == pytest.approx(33.7, abs=1)
    assert at["beside"].x0 == pytest.approx(108.7, abs=1)
    assert at["beside"].centre[1] == pytest.approx(46.2, abs=1.5)
    assert at["floated"].centre[1] == pytest.approx(46.2, abs=1.5)


def test_a_floats_own_top_margin_moves_it_down_and_no_other() -> None:
    # Measured on Chromium: a float's 22px margin does not collapse (nor move the float beside it).
    css = ".a { float: left; width: 200px; margin-top: 22px } .b { float: right; width: 100px }"
    at = placed(page("<div class='a'>Lefty</div><div class='b'>Righty</div>", css))
    assert at["lefty"].centre[1] == pytest.approx(56.7, abs=1.5)
    assert at["righty"].centre[1] == pytest.approx(40.2, abs=1.5)


def test_a_list_in_a_list_has_no_margins_of_its_own() -> None:
    # The HTML standard's rendering section; measured on Chromium (the middle of each line).
    at = placed(page("<ul><li>Outer<ul><li>Nested</li></ul></li></ul><p>After</p>"))
    assert at["nested"].centre[1] - at["outer"].centre[1] == pytest.approx(13.5, abs=0.5)
    assert at["after"].centre[1] - at["nested"].centre[1] == pytest.approx(25.5, abs=0.5)


def test_small_text_is_the_parents_size_over_1_2_and_a_superscript_keeps_its_line_as_tall_as_chromiums() -> None:
    # Measured on Chromium: "Small" 23.3pt wide (13.33px); a superscript makes its line taller by as much.
    at = placed(page("<p>Plain <small>Small</small> text<sup>Raised</sup> end</p><p>Next</p>"))
    assert at["small"].width == pytest.approx(23.3, abs=0.5)
    assert at["next"].centre[1] - at["plain"].centre[1] == pytest.approx(25.3, abs=0.5)


def test_a_numbered_lists_marker_ends_a_space_before_the_items_text() -> None:
    # Measured on Chromium: "1." at 51.7pt, the text at 63.7pt; xhtml2pdf drew it at the list's edge.
    at = placed(page("<ol><li>First</li><li>Second</li></ol>"))
    assert at["1"].x0 == pytest.approx(51.7, abs=1) and at["first"].x0 == pytest.approx(63.7, abs=1)


@pytest.mark.parametrize(
    ("body", "css", "pulled"),
    [
        # Measured on Chromium: the paragraph's 16px bottom margin less 20px, 10.5pt between the lines' middles.
        ("<p>First</p><p class='u'>Upward</p><p>After</p>", ".u { margin-top: -20px }", 10.5),
        # Inside a bordered box, -40px past the paragraph before: drawn 4.5pt above its line.
        (
            "<div class='box'><p>First</p><p>Second</p><div class='u'>Upward</div><p>After</p></div>",
            ".box { border: 1px solid; padding: 10px } .u { margin-top: -40px }",
            21.0,
        ),
    ],
)
def test_a_negative_top_margin_pulls_the_block_up_by_what_it_collapses_to(body: str, css: str, pulled: float) -> None:
    at = placed(page(body, css))
    assert at["upward"].centre[1] - at["first"].centre[1] == pytest.approx(pulled, abs=1)


def test_percentage_heights_are_taken_of_the_page_through_html_and_body() -> None:
    # `html, body { height: 100% }`: the body is as tall as the page, and a box in it 50% of that. Measured
    # on Chromium (the middle of each line): a body centring its content puts it mid-page, 421.2pt down;
    # the paragraph after a half-page box is 447.5pt down.
    css = "html, body { height: 100% } body { display: flex; align-items: center; justify-content: center; margin: 0 }"
    assert placed(page("<div>Centred</div>", css))["centred"].centre[1] == pytest.approx(421.2, abs=3)
    css = "html, body { height: 100% } .box { height: 50%; border: 1px solid }"
    assert placed(page("<div class='box'>Half</div><p>After</p>", css))["after"].centre[1] == pytest.approx(
        447.5, abs=3
    )


@pytest.mark.parametrize(("cellpadding", "x"), [("0", 27.7), ("10", 36.7)])
def test_cellpadding_is_the_padding_of_cells_that_set_none(cellpadding: str, x: float) -> None:
    # Measured on Chromium: the attribute wins over the browser stylesheet's `td { padding: 1px }`, which
    # xhtml2pdf applied instead (an e-mail's cellpadding="0" cells 1px in; cellpadding="10" not at all).
    html = page(f"<table cellpadding='{cellpadding}'><tr><td>Cellword</td></tr></table>", "body { margin: 0 }")
    assert placed(html)["cellword"].x0 == pytest.approx(x, abs=1)


def test_a_button_is_a_box_in_its_line_as_the_browsers_stylesheet_draws_it() -> None:
    # Measured on Chromium (lines' middles): a padded button makes its line taller, so the paragraph after
    # it is 119pt down (it was 103pt: the padding was drawn over the next line); in a line of text, a
    # button's 13.33px text and its 1px 6px padding put the words after it at 98.5pt.
    at = placed(
        page("<p>Before</p><button>Click me</button><p>After</p>", "button { padding: 10px 20px; font-size: 20px }")
    )
    assert at["after"].centre[1] == pytest.approx(119.0, abs=1.5)
    assert placed(page("<p>Text <button>Press</button> more</p>"))["more"].x0 == pytest.approx(98.5, abs=3)


def test_a_flex_item_set_wider_than_its_row_gives_way_to_it_and_shrinks_no_page() -> None:
    # A boarding pass: an 800px card with 40px borders on a flex body. Its flex-shrink gives way to the
    # page's 718px, so Chromium prints at full size (a 12pt word 48pt wide), the card's row inside it
    # spread from 72.7pt to 515.1pt. The page was shrunk to fit the card, and the row laid out for a card
    # without its borders, so its first item's last word wrapped.
    css = (
        "body { margin: 0; display: flex; justify-content: center } .card { width: 800px; border: 40px solid #333 }"
        " .row { display: flex; justify-content: space-between; padding: 20px } p, h2 { margin: 0 }"
    )
    body = (
        '<div class="card"><div class="row"><div><p>Passenger name</p><h2>Sepida, Earl</h2></div>'
        "<div><p>Gate</p><h2>14A</h2></div></div></div>"
    )
    at = placed(page(body, css))
    assert at["passenger"].width == pytest.approx(48.0, abs=0.5)
    assert at["passenger"].x0 == pytest.approx(72.7, abs=2)
    assert at["earl"].y0 == pytest.approx(at["sepida"].y0, abs=1)
    assert at["gate"].x1 == pytest.approx(515.1, abs=3)


def test_borders_are_part_of_the_boxes_a_flex_row_lays_out() -> None:
    # Measured on Chromium: three 12px-bordered items spread by space-between, the last one's text ending
    # 553.5pt from the left (it ended 6pt short: the items were sized without their borders), and a row
    # inside 60px side borders ending at 517.5pt (it ended 5pt short).
    css = ".row { display: flex; justify-content: space-between } .item { border: 12px solid #333 } p { margin: 0 }"
    body = '<div class="row">' + "".join(
        f'<div class="item"><p>{text}</p></div>' for text in ("Alpha one", "Beta two", "Gamma three")
    )
    at = placed(page(body + "</div>", css))
    assert at["three"].x1 == pytest.approx(553.5, abs=3)
    assert at["beta"].x0 == pytest.approx(269.0, abs=2)
    css = (
        ".box { border-left: 60px solid #333; border-right: 60px solid #333 }"
        " .row { display: flex; justify-content: space-between } p { margin: 0 }"
    )
    at = placed(page('<div class="box"><div class="row"><p>Leftmost</p><p>Middle</p><p>Rightmost</p></div></div>', css))
    assert at["rightmost"].x1 == pytest.approx(517.5, abs=3)


def test_an_auto_grid_column_is_as_wide_as_its_text_in_the_bodys_margins() -> None:
    # Measured on Chromium: `auto 1fr` with a 10px gap puts the second column at 140.6pt, just past the
    # dates (they ended 133.1pt). It was at 144.8pt: the columns were worked out for a room without the
    # body's 8px margins, then squeezed into it, with a 4% margin of safety on a width measured in the
    # very face it is drawn in.
    css = ".g { display: grid; grid-template-columns: auto 1fr; gap: 10px }"
    at = placed(page('<div class="g"><div>Jan 2019 - Dec 2021</div><div>Senior engineer at a company</div></div>', css))
    assert at["senior"].x0 == pytest.approx(140.6, abs=2)


def test_letter_spacing_widens_a_shrink_to_fit_box() -> None:
    # A label spaced 4px a letter at the end of a space-between row: Chromium ends it at 559.5pt on one line
    # (it is 51pt wider than its letters); measured without its spacing, its box was too narrow and it wrapped.
    css = (
        ".row { display: flex; justify-content: space-between }"
        " .tag { letter-spacing: 4px; text-transform: uppercase } p { margin: 0 }"
    )
    at = placed(page('<div class="row"><p>Left words</p><p class="tag">Spaced label text</p></div>', css))
    assert at["text"].y0 == pytest.approx(at["spaced"].y0, abs=1)
    assert at["text"].x1 == pytest.approx(559.5, abs=3)


@pytest.mark.parametrize("placed_beside", ["", '<p id="dest">Lys</p>'])
def test_inline_blocks_of_no_width_are_as_wide_as_their_content(placed_beside: str) -> None:
    # A ticket's two headings side by side (`h1 { display: inline-block }`, the second 1cm from the
    # first), alone or beside a destination placed 1cm from the right: Chromium keeps them at 33.7pt and
    # 254.3pt, the second just past the first's text. Each had half the line, which put the second at
    # 325.5pt; and the placed box had kept them from being laid out as a line (the first one 5pt left).
    css = (
        "#info { position: relative } h1 { display: inline-block; font-size: 25pt; font-weight: 300 }"
        " .second { margin-left: 1cm } #dest { position: absolute; right: 1cm; top: 0 }"
    )
    headings = '<h1>Theodore Marcelin</h1><h1 class="second">Paris Lyon</h1>'
    at = placed(page(f'<section id="info">{headings}{placed_beside}</section>', css))
    assert at["theodore"].x0 == pytest.approx(33.7, abs=2)
    assert at["paris"].x0 == pytest.approx(254.3, abs=3)
