"""Join rendered parts into one PDF, in order, each part a bookmark; no Flask, no Celery."""

from __future__ import annotations

import io
from collections.abc import Sequence

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from tasks.document.failures import INPUT_FAULTS

_UNREADABLE: tuple[type[Exception], ...] = (PyPdfError, *INPUT_FAULTS)


class PartUnreadable(ValueError):
    """Part `index` (from 0) is not a PDF that can be joined."""

    def __init__(self, index: int) -> None:
        super().__init__(f"part {index + 1} could not be read")
        self.index = index


def merge_pdfs(parts: Sequence[tuple[str, bytes]], bookmarks: bool = True) -> tuple[bytes, int]:
    """The parts (name, PDF) as one PDF and its page count.

    Each part's own bookmarks are kept, shifted to where its pages land;
    with `bookmarks`, each part also gets one named after it. The document
    information (title, author, subject) is the first part's.
    """
    writer = PdfWriter()
    for index, (name, data) in enumerate(parts):
        try:
            writer.append(io.BytesIO(data), outline_item=name if bookmarks else None)
        except _UNREADABLE as exc:
            raise PartUnreadable(index) from exc
    first = PdfReader(io.BytesIO(parts[0][1])).metadata
    if first is not None:
        writer.add_metadata({key: value for key, value in first.items() if isinstance(value, str)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)
