"""Paged Media (first, named and running-head pages, columns, breaks) and right-to-left documents,
checked by where their words land in the PDF (`pdftotext -bbox`)."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile

import pypdf
import pytest

from bench.fidelity.words import pdf_words
from tasks.prepare import prepare
from tasks.render.renderer import render_pdf
from tasks.split.checks import TEMPLATES
from tasks.split.plan import plan

Word = tuple[str, float, float]  # text, x of its left edge, y of its top (points from the top)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>')


def words(pdf: bytes, page: int) -> list[Word]:
    """The words on `page` (1-based) and where they are."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        found = subprocess.run(
            ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), file.name, "-"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    return [(text, float(x), float(y)) for x, y, text in _WORD.findall(found)]


def where(found: list[Word], text: str) -> Word:
    return next(word for word in found if word[0] == text)


def middle(pdf: bytes, page: int, text: str) -> float:
    """How far down `page` the middle of the word `text` is: unlike its top, not the face's ascent."""
    return next(word for word in pdf_words(pdf)[page - 1].words if word.text == text.casefold()).centre[1]


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def document(body: str, css: str = "", attributes: str = "") -> str:
    head = f'<meta charset="utf-8"><meta name="viewport" content="width=device-width"><style>{css}</style>'
    return f"<!DOCTYPE html><html {attributes}><head>{head}</head><body>{body}</body></html>"


PAGED_CSS = """
@page { margin: 2cm; @top-center { content: "Head " string(chapter) } }
@page :first { @top-center { content: none } }
@page wide { size: A4 landscape }
h2 { break-before: page; string-set: chapter content() }
.wide { page: wide }
"""
PAGED_BODY = """
<h1>Cover</h1><p>Coverline</p>
<h2>Alpha</h2><p>Alphaline</p>
<h2>Beta</h2><p>Betaline</p>
<div class="wide"><p>Wideline</p></div>
"""


@pytest.fixture(scope="module")
def paged_pdf() -> bytes:
    return render_pdf(document(PAGED_BODY, PAGED_CSS)).pdf


def test_break_before_page_on_headings_and_a_named_page_give_the_page_count(paged_pdf: bytes) -> None:
    # The cover, one page per h2, and the wide page: a browser's count, with no blank page between.
    assert page_count(paged_pdf) == 4
    assert [
        where(words(paged_pdf, number), text)[0]
        for number, text in enumerate(["Coverline", "Alphaline", "Betaline", "Wideline"], start=1)
    ]


def test_first_page_has_no_running_head_and_the_second_has_it(paged_pdf: bytes) -> None:
    first = words(paged_pdf, 1)
    assert not [word for word in first if word[0] == "Head"]
    second = words(paged_pdf, 2)
    head, chapter = where(second, "Head"), where(second, "Alphaline")
    # In the top margin (2cm = 56.7pt), above the chapter it names.
    assert head[2] < 45 < 56.7 < chapter[2]


def test_string_set_running_head_shows_each_chapters_title(paged_pdf: bytes) -> None:
    second, third = words(paged_pdf, 2), words(paged_pdf, 3)
    heads = [text for text, _, y in second if y < 45]
    assert heads == ["Head", "Alpha"]
    assert [text for text, _, y in third if y < 45] == ["Head", "Beta"]


def test_named_page_changes_the_page_size(paged_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(paged_pdf))
    sizes = [(round(float(page.mediabox.width)), round(float(page.mediabox.height))) for page in reader.pages]
    assert sizes == [(595, 842), (595, 842), (595, 842), (842, 595)]


def test_a_named_page_inside_a_flex_row_breaks_no_page_before_the_items_after_it() -> None:
    # A report's cover: its title asks for a named page, in a wrapping flex row that becomes tables. No
    # page can start inside a table, so the addresses on the line after the title stay on page one.
    css = "@page plain { margin: 1cm } .cover { display: flex; flex-wrap: wrap } h1 { width: 100%; page: plain }"
    body = '<div class="cover"><h1>Title</h1><p>Street</p><p>Mail</p></div><p>After</p>'
    pdf = render_pdf(document(body, css)).pdf
    assert page_count(pdf) == 1
    # The two items touch, as in Chromium's print, where pdftotext reads them as one word too.
    text = " ".join(text for text, _, _ in words(pdf, 1))
    assert all(word in text for word in ("Title", "Street", "Mail"))


def test_a_break_before_the_first_content_makes_no_blank_first_page() -> None:
    # Every chapter starts a page, the first too; Chromium prints the first chapter on page one.
    body = "<section><h2>Opening</h2><p>Firstline</p></section><section><h2>Closing</h2><p>Lastline</p></section>"
    pdf = render_pdf(document(body, "section { break-before: page }")).pdf
    assert page_count(pdf) == 2
    assert where(words(pdf, 1), "Firstline") and where(words(pdf, 2), "Lastline")


def test_the_margin_after_a_forced_break_stays_at_the_top_of_the_new_page() -> None:
    # CSS Fragmentation keeps the margins after a forced break (an unforced one truncates them). Measured
    # on Chromium: the middle of the h2's line 53.2pt down the page (1cm page margin + its 0.83em margin).
    css = "@page { margin: 1cm } section { break-before: page; margin-top: 10px }"
    body = "<p>Intro</p><section><h2>Chapter</h2><p>Body</p></section>"
    pdf = render_pdf(document(body, css)).pdf
    assert page_count(pdf) == 2
    assert middle(pdf, 2, "Chapter") == pytest.approx(53.2, abs=1.5)


@pytest.mark.parametrize("first", ["<div>Opening</div>", '<div style="background: #eee">Opening</div>'])
def test_the_bodys_own_margin_stays_above_a_first_block_without_one(first: str) -> None:
    # The browser stylesheet's 8px body margin: Chromium's first line's middle is 40.95pt down, not 34.9pt.
    pdf = render_pdf(document(first + "<p>Next</p>", "@page { margin: 1cm }")).pdf
    assert middle(pdf, 1, "Opening") == pytest.approx(40.95, abs=1.5)


@pytest.mark.parametrize("before", ["", "<p>Intro</p>"])
def test_a_heading_kept_whole_and_with_the_next_block_stays_on_the_page_it_fits(before: str) -> None:
    # A print stylesheet's `h2 { break-after: avoid; break-inside: avoid }` before a box that avoids breaks
    # too: the group is a few lines tall and stays on page one, as in Chromium (it started page two, and
    # left page one blank when nothing came before it).
    css = "body { padding-top: 72pt } h2 { break-after: avoid; break-inside: avoid } .box { break-inside: avoid }"
    body = before + '<h2>Heading</h2><div class="box"><p>Boxed</p></div><p>After</p>'
    pdf = render_pdf(document(body, css)).pdf
    assert page_count(pdf) == 1
    assert {"Heading", "Boxed", "After"} <= {text for text, _, _ in words(pdf, 1)}


@pytest.mark.parametrize(
    "row",
    [
        "<table><tr><td><h2>Heading</h2><p>Boxed</p></td><td>Side</td></tr></table>",
        "<div style='display: flex'><div><h2>Heading</h2><p>Boxed</p></div><div>Side</div></div>",
    ],
)
def test_a_heading_kept_with_the_next_block_inside_a_cell_or_flex_item_renders(row: str) -> None:
    # The group a heading with `break-after: avoid` makes has no width and cannot be drawn in a table cell
    # (a flex item becomes one): measuring the cell failed the render. In a cell it is what it holds.
    css = "h2 { break-after: avoid; break-inside: avoid }"
    found = words(render_pdf(document(row + "<p>After</p>", css)).pdf, 1)
    heading, boxed, side, after = (where(found, text) for text in ("Heading", "Boxed", "Side", "After"))
    assert side[1] > heading[1] and heading[2] < boxed[2] < after[2]


@pytest.mark.parametrize("where_columns", ["body", "section"])
def test_two_columns_put_column_two_right_of_column_one(where_columns: str) -> None:
    words_one = " ".join(f"one{index}" for index in range(120))
    words_two = " ".join(f"two{index}" for index in range(120))
    body = f"<section><p>{words_one}</p><p>{words_two}</p></section>"
    css = f"{where_columns} {{ columns: 2; column-gap: 1cm }}"
    if where_columns == "body":
        # The body in columns: the page's frames, which text flows through; fill the first one.
        body = f"<section><p>{words_one}</p>" + "<p>filler</p>" * 60 + f"<p>{words_two}</p></section>"
    prepared_pdf = render_pdf(document(body, css)).pdf
    found = words(prepared_pdf, 1)
    second_word = "two0" if where_columns == "section" else "filler"
    first = where(found, "one0")
    second = min((word for word in found if word[0] == second_word and word[1] > 297), key=lambda word: word[2])
    assert second[1] > 297 > first[1]
    if where_columns == "section":
        # Balanced, as a browser's: the second column starts level with the first.
        assert second[2] == pytest.approx(first[2], abs=2)


@pytest.mark.parametrize("tag", ["ul", "ol"])
def test_a_list_in_columns_deals_its_items_to_them_and_numbers_on(tag: str) -> None:
    # A CV's skills in `columns: 3`: the items were one column, reported as ignored CSS. Chromium: two items
    # a column, the third column's first item level with the first's, numbered 5 in an ordered list.
    items = "".join(f"<li>Skill{index}</li>" for index in range(1, 7))
    found = words(render_pdf(document(f"<{tag}>{items}</{tag}><p>After</p>", f"{tag} {{ columns: 3 }}")).pdf, 1)
    first, third, fifth = (where(found, f"Skill{index}") for index in (1, 3, 5))
    assert first[1] < third[1] < fifth[1] and fifth[2] == pytest.approx(first[2], abs=1)
    assert where(found, "After")[2] < first[2] + 60  # Chromium: 39 pt below; in one column, over 100
    if tag == "ol":
        assert where(found, "5.")[1] < fifth[1] < where(found, "5.")[1] + 20


def test_an_article_in_columns_without_a_body_tag_flows_through_columns_as_wide_as_a_browsers() -> None:
    # WeasyPerf's columns sample: `<style>` then `<article>`, no <body> tag. lxml's HTML 4 parser left the
    # unknown <article> in the head (no columns); the body's 8px margins then narrowed each frame twice.
    paragraphs = "".join(f"<p>{' '.join(f'w{part}x{index}' for index in range(60))}</p>" for part in range(40))
    pdf = render_pdf(f"<style>article {{ columns: 2 }} p {{ margin: 0 }}</style><article>{paragraphs}</article>").pdf
    found = words(pdf, 1)
    # A4 less 1cm margins and the body's 8px (6pt) a side, 1em (12pt) between: columns of 257.3pt.
    first = where(found, "w0x0")
    second = min((word for word in found if word[1] > 297), key=lambda word: word[2])
    assert first[1] == pytest.approx(28.35 + 6, abs=1)
    assert second[1] == pytest.approx(28.35 + 6 + 257.29 + 12, abs=1)


def test_right_to_left_card_is_mirrored() -> None:
    css = ".route { display: flex; justify-content: space-between } .card { border: 1px solid #ccc; padding: 8px }"
    body = (
        '<div class="card"><p>שלום עולם ABC נוסע</p>'
        '<div class="route"><span>מוצא</span><span>יעד</span></div>'
        "<table style='width: 100%'><tr><th>טיסה</th><th>שער</th><th>מושב</th></tr></table>"
        "<p>טיסה נעימה ✈️ 🛫</p></div>"
    )
    result = render_pdf(document(body, css, 'dir="rtl" lang="he"'))
    found = words(result.pdf, 1)
    line = [word for word in found if abs(word[2] - where(found, "ABC")[2]) < 3]
    # The right-most word of the line is its first word (pdftotext gives Hebrew words in visual order).
    assert max(line, key=lambda word: word[1])[0] == "שלום"[::-1]
    # The flex row's first item at the right end, its last at the left end.
    assert where(found, "מוצא"[::-1])[1] > 400 > where(found, "יעד"[::-1])[1]
    # The table's first column on the right.
    assert where(found, "טיסה"[::-1])[1] > where(found, "שער"[::-1])[1] > where(found, "מושב"[::-1])[1]
    # Emoji: drawn as text symbols and named in the report, never a missing-glyph box.
    assert "■" not in "".join(word[0] for word in found)
    assert any("🛫" in note for note in result.fidelity.degraded), result.fidelity.as_dict()


def test_css_direction_and_text_align_start() -> None:
    css = ".r { direction: rtl } .s { text-align: start }"
    result = render_pdf(
        document('<div class="r" lang="he"><p class="s">word ראשון</p></div><p class="s">leftword</p>', css)
    )
    found = words(result.pdf, 1)
    assert where(found, "leftword")[1] < 100
    assert where(found, "ראשון"[::-1])[1] > 297


def test_a_paged_document_prepares_to_what_the_splitter_can_read() -> None:
    prepared = prepare(document(PAGED_BODY, PAGED_CSS))
    # The first page's template, then one per chapter's running head and one for the wide page.
    assert prepared.html.count("<pdf:nexttemplate") == 4
    assert not {"page", "string-set"} & set(prepared.report.ignored_css), prepared.report.as_dict()
    # The splitter sees the template switches and renders such a document whole.
    decided = plan(prepared.html, parts=4, min_part_bytes=1)
    assert not decided.split and decided.reason == TEMPLATES


def test_a_right_to_left_tables_spanning_cells_keep_their_text_at_the_right() -> None:
    # Reversing the rows left a colspan cell's content in a cell ReportLab does not draw: the text was lost.
    body = """<table border="1" width="100%"><tr><th colspan="3">Headacross</th></tr>
    <tr><td>Alpha</td><td>Beta</td><td>Gamma</td></tr><tr><td colspan="2">Totallabel</td><td>Sum99</td></tr></table>"""
    found = words(render_pdf(document(body, attributes='dir="rtl"')).pdf, 1)
    assert {"Headacross", "Totallabel", "Sum99"} <= {text for text, _, _ in found}
    # The first column is the rightmost one: the label spanning the first two sits right of the third.
    assert where(found, "Alpha")[1] > where(found, "Beta")[1] > where(found, "Gamma")[1]
    assert where(found, "Totallabel")[1] > where(found, "Sum99")[1]
