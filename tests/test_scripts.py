"""Text in every script: Hangul, kana, Han, Hebrew and Arabic come out as text, not boxes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import reportlab
from xhtml2pdf.util import font_has_glyph

from harness.pdf import page_fonts
from tasks import worker
from tasks.fonts import fallback as fonts
from tasks.render.renderer import RenderResult, render_pdf
from tests.support import AppFactory, pdf_text, report_html

BOX = "\u25a0"
HAS_RTL_FONT = all(any(font_has_glyph(face, char) for face in fonts.fallback_faces()) for char in "\u0628\u05d0")
needs_rtl_font = pytest.mark.skipif(
    not HAS_RTL_FONT,
    reason="no font with Arabic and Hebrew glyphs on this machine: Helvetica has none, and neither "
    "DejaVu Sans (Debian's fonts-dejavu-core) nor a configured font directory is there",
)


def render(body: str, lang: str = "", head: str = "") -> RenderResult:
    lang_attr = f' lang="{lang}"' if lang else ""
    return render_pdf(f"<html{lang_attr}><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>")


def fonts_used(pdf: bytes) -> set[str]:
    """The base font names a PDF's pages draw with, subset prefixes dropped."""
    return {str(font["/BaseFont"]).lstrip("/").split("+")[-1] for font in page_fonts(pdf)}


def text_of(result: RenderResult) -> str:
    text = pdf_text(result.pdf)
    assert BOX not in text
    assert not [warning for warning in result.warnings if "can draw" in warning], result.warnings
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("text", "font"),
    [
        ("안녕하세요, 분기 보고서입니다", "NotoSansKR-Regular"),
        ("こんにちは、報告書です", "NotoSansJP-Regular"),
        ("你好，这是报告", "NotoSansSC-Regular"),
    ],
    ids=["korean", "japanese", "simplified-chinese"],
)
def test_cjk_text_is_extractable_text_in_an_embedded_noto_face(text: str, font: str) -> None:
    result = render(f"<p>{text}</p>")
    assert text in text_of(result)
    assert font in fonts_used(result.pdf)


def test_korean_and_latin_in_one_paragraph_keep_their_own_fonts() -> None:
    result = render("<p>분기 보고서 Quarterly report 2026: 매출 증가 Revenue up</p>")
    assert "분기 보고서 Quarterly report 2026: 매출 증가 Revenue up" in text_of(result)
    assert {"NotoSansKR-Regular", "Helvetica"} <= fonts_used(result.pdf)


def test_serif_text_gets_the_myeongjo_face_and_bold_italic_do_not_break() -> None:
    serif = "<p style='font-family: Times'>명조 본문 serif</p>"
    result = render(serif + "<p><b>굵게 bold</b> <i>기울임 italic</i> <b><i>둘 다</i></b></p>")
    assert "명조 본문 serif" in text_of(result)
    assert "굵게 bold 기울임 italic 둘 다" in text_of(result)
    assert {"NotoSerifKR-Regular", "Times-Roman", "NotoSansKR-Regular", "Helvetica-Bold"} <= fonts_used(result.pdf)


@pytest.mark.parametrize(
    ("lang", "font"),
    [
        ("", "NotoSansKR-Regular"),
        ("ko", "NotoSansKR-Regular"),
        ("ja", "NotoSansJP-Regular"),
        ("zh-TW", "NotoSansTC-Regular"),
    ],
)
def test_han_alone_follows_the_document_language(lang: str, font: str) -> None:
    result = render("<p>報告書 大韓民國</p>", lang=lang)
    assert "報告書 大韓民國" in text_of(result)
    assert font in fonts_used(result.pdf)


def test_an_element_lang_overrides_the_document_and_simplified_han_avoids_korean_fonts() -> None:
    result = render("<p lang='ja'>報告書</p><p>这是报告</p>", lang="ko")
    assert "報告書 这是报告" in text_of(result)
    assert {"NotoSansJP-Regular", "NotoSansSC-Regular"} <= fonts_used(result.pdf)
    assert "NotoSansKR-Regular" not in fonts_used(result.pdf)


def test_japanese_without_spaces_wraps_instead_of_running_off_the_page() -> None:
    sentence = "日本語の文章は単語の間に空白を入れずに書くので、長い段落でも行の途中で折り返す必要があります。"
    result = render(f"<p>{sentence * 4}</p>")
    lines = [line for line in pdf_text(result.pdf).splitlines() if line.strip()]
    assert len(lines) >= 3
    assert "".join(lines) == sentence * 4


def test_page_numbers_and_tables_next_to_korean_still_work() -> None:
    body = "<table><tr><td>항목</td><td>값</td></tr></table><p>쪽 <pdf:pagenumber/> / <pdf:pagecount/></p>"
    result = render(body)
    text = text_of(result)
    assert "항목" in text and "값" in text
    assert "쪽 1 / 1" in text


def test_a_table_of_contents_draws_korean_headings_as_text() -> None:
    result = render("<pdf:toc /><h1>첫째 장 Intro</h1><p>본문</p><h2>둘째 절</h2>")
    text = text_of(result)
    assert text.count("첫째 장 Intro") == 2 and text.count("둘째 절") == 2, text


def test_a_latin_document_draws_only_with_its_own_fonts() -> None:
    result = render_pdf(report_html(2))
    assert fonts_used(result.pdf) <= {"Helvetica", "Helvetica-Bold", "Times-Roman"}


def test_a_cid_face_the_document_names_is_drawn_in_the_embedded_face_of_its_kind() -> None:
    # Named, a CID face still showed only on viewers with a Korean font: its Noto counterpart stands in.
    result = render("<p style='font-family: HYSMyeongJo-Medium'>명조 Latin too</p>")
    assert "명조 Latin too" in text_of(result)
    assert "NotoSerifKR-Regular" in fonts_used(result.pdf)
    assert not {"HYSMyeongJo-Medium", "NotoSansKR-Regular"} & fonts_used(result.pdf)


@needs_rtl_font
@pytest.mark.parametrize("direction", ["rtl", "ltr"])
def test_arabic_extracts_as_the_letters_typed_in_reading_order(direction: str) -> None:
    # Reshaped into joined presentation forms to be drawn, and read back as the base letters.
    text = "مرحبا بالعالم، هذا تقرير الله"
    result = render(f"<p dir='{direction}'>{text}</p>")
    assert text_of(result) == text


@needs_rtl_font
@pytest.mark.parametrize("direction", ["rtl", "ltr"])
def test_hebrew_extracts_in_reading_order(direction: str) -> None:
    text = "שלום עולם, זה דוח"
    result = render(f"<p dir='{direction}'>{text}</p>")
    assert text_of(result) == text


@needs_rtl_font
def test_right_to_left_words_inside_a_latin_line_are_drawn_and_extracted() -> None:
    result = render("<p>Hebrew שלום and Arabic مرحبا end</p>")
    text = text_of(result)
    # In order, but the space after a right-to-left word is drawn inside it,
    # and pypdf (like pdftotext) reads it back before the word: "שלום" and
    # "and" come out glued, so only the words and their order are checked.
    positions = [text.find(word) for word in ("Hebrew", "שלום", "and", "Arabic", "مرحبا", "end")]
    assert -1 not in positions and positions == sorted(positions), text
    assert {"DejaVuSans", "Helvetica"} <= fonts_used(result.pdf)


@pytest.mark.skipif(not any(font_has_glyph(face, "😀") for face in fonts.fallback_faces()), reason="no emoji font")
def test_characters_past_the_basic_plane_extract_as_themselves() -> None:
    # ReportLab wrote their ToUnicode entries as five hex digits, which pypdf rejects.
    assert "Done 😀 ok" in text_of(render("<p>Done 😀 ok</p>"))


@pytest.fixture
def font_dir(tmp_path: Path, redis_url: str, make_app: AppFactory) -> Iterator[Path]:
    """ReportLab's own Bitstream Vera as 'Fallback', in a directory the FONT_DIRS setting names."""
    vera = Path(reportlab.__file__).parent / "fonts"
    shutil.copy(vera / "Vera.ttf", tmp_path / "Fallback-Regular.ttf")
    shutil.copy(vera / "VeraBd.ttf", tmp_path / "Fallback-Bold.ttf")
    app = make_app({"REDIS_URL": redis_url.replace("/0", "/1"), "FONT_DIRS": f"/nonexistent{os.pathsep}{tmp_path}"})
    worker.configure(app.config)  # as a worker does when it starts
    try:
        yield tmp_path
    finally:
        fonts.configure()


def test_a_configured_font_directory_is_embedded_for_what_helvetica_lacks(font_dir: Path) -> None:
    result = render("<p>Łódź <b>Gdańsk Łeba</b> plain</p>")
    assert "Łódź Gdańsk Łeba plain" in text_of(result)
    # Embedded under the faces' own names.
    assert {"BitstreamVeraSans-Roman", "BitstreamVeraSans-Bold", "Helvetica"} <= fonts_used(result.pdf)


@needs_rtl_font
def test_arabic_keeps_its_harakat_as_a_browser_draws_them() -> None:
    # The shadda and the tanween were deleted by the reshaper: "تذفن فريقا" drawn for "تذفّن فريقًا".
    text = "تذفّن فريقًا مُحمَّد"
    drawn = text_of(render(f"<p dir='rtl'>{text}</p>"))
    # Each mark is drawn once, over its letter; read back, a mark can sit beside its neighbour instead.
    assert sorted(drawn.replace(" ", "")) == sorted(text.replace(" ", ""))
