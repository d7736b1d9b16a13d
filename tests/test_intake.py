"""Decoding uploads as a browser would, and naming the PDF safely."""

from __future__ import annotations

import codecs

import pytest

from webapp.decoding import decode_html
from webapp.errors import ApiError
from webapp.intake import pdf_filename

KOREAN = "<p>안녕하세요, 보고서입니다.</p>"
JAPANESE = "<p>こんにちは、報告書です。</p>"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (f'<meta charset="euc-kr">{KOREAN}'.encode("euc-kr"), KOREAN),
        (f'<meta http-equiv="Content-Type" content="text/html; charset=EUC-KR">{KOREAN}'.encode("euc-kr"), KOREAN),
        (f"<meta charset='shift_jis'>{JAPANESE}".encode("shift_jis"), JAPANESE),
        ('<meta charset="iso-8859-1"><p>Café – “quotes”</p>'.encode("cp1252"), "<p>Café – “quotes”</p>"),
        (codecs.BOM_UTF16_LE + f"<p>{KOREAN}</p>".encode("utf-16-le"), f"<p>{KOREAN}</p>"),
        (codecs.BOM_UTF8 + KOREAN.encode(), KOREAN),
        (KOREAN.encode(), KOREAN),
    ],
)
def test_declared_and_marked_encodings_are_decoded(data: bytes, expected: str) -> None:
    assert expected in decode_html(data)


def test_undeclared_legacy_korean_is_sniffed() -> None:
    text = "<html><body>" + "<p>분기별 매출 보고서와 재무 상태표를 첨부합니다.</p>" * 20 + "</body></html>"
    assert "분기별 매출 보고서" in decode_html(text.encode("euc-kr"))


def test_a_charset_from_the_content_type_wins_over_sniffing() -> None:
    assert decode_html("<p>Ünïcödé</p>".encode("cp1252"), "windows-1252") == "<p>Ünïcödé</p>"


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"PK\x03\x04\x14\x00\x00\x00", b"%PDF-1.7\n", b"abc\x00\x00\x00def"],
)
def test_binary_files_are_refused_as_not_html(data: bytes) -> None:
    with pytest.raises(ApiError) as refused:
        decode_html(data)
    assert refused.value.status == 415


def test_bytes_that_contradict_their_declared_charset_are_a_400() -> None:
    with pytest.raises(ApiError) as refused:
        decode_html(b'<meta charset="utf-8"><p>\xff\xfe\xfa</p>')
    assert refused.value.status == 400
    assert "utf-8" in refused.value.message


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "document.pdf"),
        ("report.html", "report.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\kim\\보고서.htm", "보고서.pdf"),
        ("in<voice>.pdf", "in_voice_.pdf"),
        ("...", "document.pdf"),
    ],
)
def test_pdf_filenames_are_safe(given: str | None, expected: str) -> None:
    assert pdf_filename(given) == expected
