"""One long document split where its chapters start new pages: the parts joined are the single render, page by page."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pypdf
import pytest

from tasks.render.renderer import render_pdf
from tasks.split import checks as split_checks
from tasks.split.plan import overlay_html, plan
from tasks.split.stamp import joined_pages, stamp

TEXT = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. " * 5
HEAD = """<html><head><meta charset="utf-8"><title>Split report</title><style>
@page { size: a5; margin: 1.5cm 1.5cm 2.5cm 1.5cm;
  @frame footer_frame { -pdf-frame-content: footer; left: 1.5cm; right: 1.5cm; bottom: 0.8cm; height: 1cm; } }
h1 { color: #234 } td { border: 1px solid #999 } .chapter { page-break-before: always }
.closing { page-break-after: always }
</style></head><body><div id="footer">Page <pdf:pagenumber/> of <pdf:pagecount/></div>
"""
_cache: dict[str, bytes] = {}
P3 = "<p>Paragraph 0 of chapter 3."


def chapter(number: int, opening: str) -> str:
    paragraphs = "".join(f"<p>Paragraph {p} of chapter {number}. {TEXT}</p>" for p in range(number % 6 * 2 + 2))
    rows = "".join(f"<tr><td>row {row}</td><td>{row * number}</td></tr>" for row in range(number % 5 + 2))
    return f"{opening}<h1>Chapter {number}</h1>{paragraphs}<table>{rows}</table>"


def document(kind: str, chapters: int = 60, head: str = HEAD) -> str:
    """`chapters` chapters, each after the first starting a new page in the way `kind` names."""
    parts = [head]
    for number in range(1, chapters + 1):
        later = number > 1
        if kind == "inline":
            heading = "<h1 style='page-break-before: always'>" if later else "<h1>"
            parts.append(chapter(number, "").replace("<h1>", heading))
        elif kind == "class":
            parts.append(f"<div class='{'chapter' if later else 'first'}'>{chapter(number, '')}</div>")
        elif kind == "nextpage":
            parts.append(chapter(number, "<pdf:nextpage/>" if later else ""))
        else:  # "after": each chapter ends with page-break-after; every tenth also breaks before: a blank page
            opening = "<h2 class='chapter'>Part</h2>" if number % 10 == 0 else ""
            parts.append(chapter(number, opening).replace("<table>", "<table class='closing'>"))
    return "".join(parts) + "</body></html>"


def single(html: str) -> bytes:
    if html not in _cache:
        _cache[html] = render_pdf(html).pdf
    return _cache[html]


def split_render(html: str, parts: int) -> tuple[bytes, int]:
    """The split pipeline without Celery: plan, render each part, the overlay, stamp."""
    cut = plan(html, parts, min_part_bytes=0)
    assert cut.reason is None, cut.reason
    pdfs = [render_pdf(part.html).pdf for part in cut.parts]
    overlay = render_pdf(overlay_html(cut.overlay, joined_pages(pdfs))).pdf if cut.overlay else None
    pdf, _ = stamp(pdfs, overlay)
    return pdf, len(cut.parts)


def texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def outline(pdf: bytes) -> list[tuple[int, str | None, int | None, str, bool]]:
    """Every bookmark: depth, title, page, destination type, closed or not."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    entries = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                page = reader.get_destination_page_number(item)
                entries.append((depth, item.title, page, str(item.typ), int(item.get("/Count", 0)) < 0))

    walk(reader.outline, 0)
    return entries


@pytest.mark.parametrize(
    ("kind", "chapters", "parts"),
    [
        ("inline", 60, 2),
        ("inline", 60, 3),
        ("inline", 60, 8),
        ("class", 30, 3),
        ("class", 30, 8),
        ("nextpage", 30, 3),
        ("nextpage", 30, 8),
        ("after", 30, 3),
        ("after", 30, 8),
    ],
)
def test_the_parts_joined_are_the_single_render_page_by_page(kind: str, chapters: int, parts: int) -> None:
    html = document(kind, chapters)
    whole = single(html)
    pdf, made = split_render(html, parts)

    assert made == parts
    expected, got = texts(whole), texts(pdf)
    assert len(got) == len(expected) > chapters
    for number, (want, have) in enumerate(zip(expected, got, strict=True), start=1):
        assert have == want, f"page {number} differs"
        assert f"Page {number} of {len(expected)}" in have
    assert outline(pdf) == outline(whole)


def test_the_fixture_with_breaks_after_has_blank_pages_to_keep() -> None:
    pages = texts(single(document("after", 30)))
    blank = [number for number, text in enumerate(pages, start=1) if re.fullmatch(r"Page \d+ of \d+\n?", text)]
    # Before each of chapters 10, 20 and 30 (two breaks in a row), and at the end
    # (<pdf:pagecount> after a last page break).
    assert len(blank) == 4 and blank[-1] == len(pages), blank
    assert any(depth for depth, *_ in outline(single(document("after", 30)))), "its h2s nest under the h1s"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler's pdftoppm")
def test_the_pages_look_the_same_pixel_for_pixel(tmp_path: Path) -> None:
    html = document("class", chapters=24)
    pdf, _ = split_render(html, 3)
    images = []
    for name, data in (("whole", single(html)), ("split", pdf)):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-r", "40", "-gray", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)], check=True
        )
        images.append(sorted(tmp_path.glob(f"{name}-*.pgm")))
    assert len(images[0]) == len(images[1])
    differing = [n for n, (a, b) in enumerate(zip(*images, strict=True), 1) if a.read_bytes() != b.read_bytes()]
    assert differing == []


def test_a_document_without_page_numbers_needs_no_overlay() -> None:
    html = document("class", chapters=12).replace("Page <pdf:pagenumber/> of <pdf:pagecount/>", "Quarterly report")
    cut = plan(html, 3, min_part_bytes=0)
    assert cut.overlay is None and len(cut.parts) == 3
    pdf, _ = split_render(html, 3)
    assert texts(pdf) == texts(single(html))


def test_parts_are_balanced_by_size_and_named_after_their_first_chapter() -> None:
    cut = plan(document("inline"), 3, min_part_bytes=0)
    sizes = [len(part.html) for part in cut.parts]
    assert max(sizes) < 1.3 * min(sizes)
    assert cut.parts[0].name == "Chapter 1"
    assert all(re.fullmatch(r"Chapter \d+", part.name) for part in cut.parts)
    assert cut.places == 59


def test_small_documents_and_documents_without_breaks_stay_whole() -> None:
    reason = plan(document("inline", chapters=4), 8).reason or ""
    assert re.fullmatch(r"it is too short to gain from splitting \([1-9]\d* KB of HTML\)", reason), reason
    tiny = '<h1>a</h1><h1 style="page-break-before: always">b</h1>'
    assert plan(tiny, 8, min_part_bytes=10**6).reason == "it is too short to gain from splitting (54 bytes of HTML)"
    flowing = document("nextpage", chapters=6).replace("<pdf:nextpage/>", "")
    assert plan(flowing, 8, min_part_bytes=0).reason == "no chapter starts on a new page at the top level of <body>"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("<body>", "<body><pdf:toc />"), split_checks.TOC),
        ((P3, "<pdf:nexttemplate name='wide'/>" + P3), split_checks.TEMPLATES),
        ((P3, "<pdf:nextpage name='wide'/>" + P3), split_checks.TEMPLATES),
        ((P3, "<p style='-pdf-next-page: wide'>x</p>" + P3), split_checks.TEMPLATES),
        ((P3, "<pdf:resetpagenumber value='1'/>" + P3), split_checks.RESETS),
        ((P3, "<p>page <pdf:pagenumber/></p>" + P3), split_checks.NUMBERS),
        ((P3, "<link rel='stylesheet' href='x.css'>" + P3), "it loads an external stylesheet (<link rel=stylesheet>)"),
        (("@page {", "@page :left { margin-left: 3cm } @page {"), split_checks.MIRRORED),
        (("@page {", "@page { background-color: #eef;"), split_checks.BACKGROUND),
        (("h1 { color", "body { background-color: #eef } h1 { color"), split_checks.BACKGROUND),
        ((".chapter {", ".chapter { page-break-before: right } .x {"), split_checks.PARITY),
        (("h1 { color", "h1 { counter-increment: chapter } h1 { color"), split_checks.COUNTERS),
        (("h1 { color", "h1 + p { margin-top: 0 } h1 { color"), split_checks.POSITIONAL),
    ],
)
def test_documents_a_split_would_get_wrong_render_whole_and_say_why(change: tuple[str, str], reason: str) -> None:
    html = document("inline", chapters=6).replace(*change)
    assert html != document("inline", chapters=6)
    assert plan(html, 3, min_part_bytes=0).reason == reason


def test_a_link_across_every_cut_keeps_the_document_whole() -> None:
    html = document("class", chapters=6)
    html = html.replace("<h1>Chapter 1</h1>", "<h1>Chapter 1</h1><a href='#end'>to the end</a>")
    html = html.replace("<h1>Chapter 6</h1>", "<h1 id='end'>Chapter 6</h1>")
    assert plan(html, 3, min_part_bytes=0).reason == 'a link (href="#end") points into another part of the document'


def test_a_link_within_a_part_still_works_and_only_that_cut_is_avoided() -> None:
    html = document("class", chapters=6)
    html = html.replace("<h1>Chapter 3</h1>", "<h1>Chapter 3</h1><a href='#four'>see chapter 4</a>")
    html = html.replace("<h1>Chapter 4</h1>", "<h1 id='four'>Chapter 4</h1>")
    cut = plan(html, 6, min_part_bytes=0)
    assert [part.name for part in cut.parts] == ["Chapter 1", "Chapter 2", "Chapter 3", "Chapter 5", "Chapter 6"]
    pdf, _ = split_render(html, 6)
    assert links(pdf) == links(single(html)) != []
    assert all(target is not None for _, target, _ in links(pdf))
    assert texts(pdf) == texts(single(html))


def links(pdf: bytes) -> list[tuple[int, int | None, float]]:
    """Each internal link: its page, the page it goes to, and how far down."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            target = annotation.get_object().get("/Dest")
            if target is not None:
                found.append((number, reader.get_page_number(target[0].get_object()), float(target[3])))
    return found
