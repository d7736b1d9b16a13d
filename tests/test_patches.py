"""Each engine patch (tasks/render/patches.py) still does its job, and none runs on a version it was not written for."""

from __future__ import annotations

import io
import re
from pathlib import Path

import html5lib
import pypdf
import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject
from reportlab.pdfbase import ttfonts
from xhtml2pdf import context as x2p_context
from xhtml2pdf import document as x2p_document
from xhtml2pdf import parser as x2p_parser
from xhtml2pdf.opentype import FontConversionError
from xhtml2pdf.util import font_has_glyph
from xhtml2pdf.xhtml2pdf_reportlab import PmlTableOfContents

from tasks.document.failures import RenderFailed
from tasks.document.fidelity import FidelityReport
from tasks.fonts import fallback
from tasks.render import hooks, patches
from tasks.render.progress import READ_END, Progress, ProgressTracker
from tasks.render.renderer import render_pdf
from tests.support import pdf_text, report_html
from tests.test_fonts import woff2_bomb

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def installed() -> None:
    patches.install()


def fonts_used(pdf: bytes) -> set[str]:
    """The base font names a PDF's pages draw with, subset prefixes dropped."""
    names: set[str] = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        resources = page["/Resources"].get_object()
        assert isinstance(resources, DictionaryObject)
        font_dict = resources["/Font"].get_object()
        assert isinstance(font_dict, DictionaryObject)
        names.update(str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1] for font in font_dict.values())
    return names


def words_at(pdf: bytes) -> dict[str, tuple[int, float]]:
    """The first word of each piece of text drawn: (page, x) where it is drawn."""
    found: dict[str, tuple[int, float]] = {}
    for number, page in enumerate(pypdf.PdfReader(io.BytesIO(pdf)).pages, 1):

        def visit(text: str, cm: list[float], tm: list[float], *_: object, number: int = number) -> None:
            if text.strip():
                found.setdefault(text.split()[0], (number, tm[4] * cm[0] + tm[5] * cm[2] + cm[4]))

        page.extract_text(visitor_text=visit)
    return found


# The version check.


def test_the_patches_refuse_a_version_they_were_not_written_for() -> None:
    with pytest.raises(RuntimeError, match=r"written for pypdf 7\.1\.0, but pypdf 8\.0\.0 is installed"):
        patches.check_versions({**patches.WRITTEN_FOR, "pypdf": "8.0.0"})
    with pytest.raises(RuntimeError, match=r"written for html5lib 1\.1, but html5lib \(not installed\)"):
        patches.check_versions({**patches.WRITTEN_FOR, "html5lib": None})
    patches.check_versions(patches.WRITTEN_FOR)


def test_the_versions_written_for_are_the_pinned_and_installed_ones() -> None:
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M))
    assert {name: pins[name] for name in patches.WRITTEN_FOR} == patches.WRITTEN_FOR
    assert patches.installed_versions() == patches.WRITTEN_FOR


def test_installing_again_changes_nothing() -> None:
    patches.install()
    assert x2p_parser.pisaLoop is hooks.counting_loop
    assert x2p_document.PmlBaseDoc is hooks.ReportingDoc
    assert x2p_context.pisaContext._byCoverage is fallback.by_coverage
    # Still the library's own function beneath, not the patch calling itself.
    assert fallback._original_by_coverage is not fallback.by_coverage


# Progress: xhtml2pdf's parser loop and document template.


def test_the_parser_loop_counts_the_elements_of_the_render_in_progress() -> None:
    steps: list[Progress] = []
    render = hooks.ActiveRender(ProgressTracker(steps.append, min_interval=0.0), 1000, FidelityReport())
    token = hooks.active.set(render)
    try:
        x2p_document.pisaDocument("<div>" + "<p>counted <b>too</b></p>" * 100 + "</div>", dest_bytes=True)
    finally:
        hooks.active.reset(token)
    assert render.visited >= 201
    assert any(step.stage == "parsing" and step.percent > READ_END for step in steps)


def test_the_document_template_reports_layout_and_refuses_a_page_too_small() -> None:
    steps: list[Progress] = []
    render_pdf(report_html(3), steps.append)
    assert any(step.stage == "layout" and step.total > 0 for step in steps)
    with pytest.raises(RenderFailed, match="@page size"):
        render_pdf("<style>@page { size: 0.5in 0.5in }</style><p>tiny</p>")


def test_the_document_template_scales_what_fits_no_page() -> None:
    result = render_pdf('<p>small</p><p style="font-size: 900pt">W</p><p>after</p>')
    assert any("scaled" in note for note in result.fidelity.degraded), result.fidelity.degraded


# Fonts.


def test_a_korean_run_is_drawn_in_the_embedded_korean_face() -> None:
    result = render_pdf("<html lang='ko'><meta charset='utf-8'><p>안녕하세요 Latin</p></html>")
    assert {"NotoSansKR-Regular", "Helvetica"} <= fonts_used(result.pdf)
    assert "안녕하세요 Latin" in pdf_text(result.pdf)


def test_a_toc_entry_gets_the_face_of_its_korean_text() -> None:
    toc = PmlTableOfContents()
    toc.addEntry(0, "첫째 장 Intro", 1)
    assert toc._entries[0][1] == '<font face="NotoSansKR-Regular">첫째 장 </font>Intro'


@pytest.mark.skipif("DejaVuSans" not in fallback.fallback_faces(), reason="no DejaVu Sans for Arabic")
def test_arabic_is_shaped_for_the_fallback_face_that_draws_it() -> None:
    # Shaped for Helvetica, "الله" became a ligature (U+FDF2) that DejaVu Sans, which draws it, lacks.
    shaped = x2p_context.shape_frag_text("الله", "Helvetica")
    assert shaped and all(font_has_glyph("DejaVuSans", char) for char in shaped)


def test_the_to_unicode_cmap_reads_back_joined_arabic_and_astral_characters() -> None:
    cmap = ttfonts.makeToUnicodeCMap("F", [0x41, 0xFEF5, 0x1F600])
    assert "<00> <0041>" in cmap
    assert "<01> <06440622>" in cmap, "a lam-alef ligature reads back as lam and alef with madda"
    assert "<02> <D83DDE00>" in cmap, "an emoji reads back as UTF-16, not five hex digits"


def test_a_cid_face_the_document_names_is_an_embedded_face() -> None:
    assert x2p_context.pisaContext("").getFontNames("HYGothic-Medium") == ["NotoSansKR-Regular"]


def test_a_system_font_family_stands_for_the_built_in_face_of_its_kind() -> None:
    context = x2p_context.pisaContext("")
    assert context.getFontName("Menlo, Consolas") == "Courier"
    assert context.getFontName("Georgia") == "Times-Roman"
    with patches.without_family_aliases():
        assert x2p_context.pisaContext("").getFontName("Menlo, Consolas") != "Courier"
    assert x2p_context.pisaContext("").getFontName("Menlo, Consolas") == "Courier"


def test_a_web_font_is_measured_before_xhtml2pdf_unpacks_it() -> None:
    # Unchecked, fontTools unpacks all 4 MB before it finds the size is not the one declared.
    with pytest.raises(FontConversionError, match="unpacks to more than the 496 bytes it declares"):
        x2p_context.to_truetype(woff2_bomb(4 << 20))


# Tables.


def test_automatic_table_columns_are_sized_by_their_content() -> None:
    long_text = "a description long enough to fill a line of the page and more " * 3
    pdf = render_pdf(f"<table border='1'><tr><td>ID</td><td>Qty</td><td>Detail {long_text}</td></tr></table>").pdf
    # Evenly spread, "Detail" would start two thirds of the way across (about 380 pt).
    assert words_at(pdf)["Detail"][1] < 160


def test_a_cell_taller_than_a_page_goes_on_to_the_next_pages_rather_than_shrink() -> None:
    lines = "<br>".join(f"line{number}" for number in range(200))
    result = render_pdf(f"<table border='1'><tr><td>{lines}</td><td>beside</td></tr></table>")
    assert result.pages >= 3
    assert words_at(result.pdf)["line199"][0] == result.pages


# minidom, pypdf.


def test_a_dom_whose_element_has_lang_and_xml_lang_unlinks() -> None:
    document = html5lib.parse('<html lang="de" xml:lang="de"><body><p>Grüße</p></body></html>', treebuilder="dom")
    document.unlink()  # minidom's own raised KeyError: (None, 'lang')


def test_an_object_added_to_a_writer_is_referenced_from_it() -> None:
    writer = PdfWriter()
    stream = DecodedStreamObject()
    stream.set_data(b"q Q\n")
    reference = patches.add_object(writer, stream)
    assert reference.pdf is writer
    assert reference.get_object() is stream
