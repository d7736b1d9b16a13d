"""Reading PDFs back: pages, text, the fonts each page draws with; and xhtml2pdf's own PDF to compare with."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pypdf
from pypdf.generic import DictionaryObject
from xhtml2pdf import pisa


def xhtml2pdf_alone(html: str) -> bytes:
    """The PDF xhtml2pdf makes of `html` on its own, through its public API."""
    out = io.BytesIO()
    # A file, not a str: for a str xhtml2pdf spools a temporary file it never closes.
    status = pisa.CreatePDF(io.BytesIO(html.encode()), dest=out, encoding="utf-8")
    assert not status.err
    return out.getvalue()


def pdf_pages(data: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def page_fonts(data: bytes) -> Iterator[DictionaryObject]:
    """The font dictionary of each font each page's resources name, page by page (one font may recur)."""
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        resources = page["/Resources"].get_object()
        assert isinstance(resources, DictionaryObject)
        font_dict = resources["/Font"].get_object()
        assert isinstance(font_dict, DictionaryObject)
        for reference in font_dict.values():
            font = reference.get_object()
            assert isinstance(font, DictionaryObject)
            yield font
