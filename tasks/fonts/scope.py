"""A document's @font-face fonts kept to its own render: nothing a document registers outlives it.

xhtml2pdf's `loadFont` writes ReportLab's process-wide tables (the fonts by name, the family
mapping `addMapping` fills, the face names registered fonts are shared by), and later renders in
the same process look fonts up there: a document declaring `@font-face { font-family: helvetica }`
changed the glyphs of every later job's Helvetica. `loading_font` journals what each `loadFont`
call changes; leaving the outermost `document_fonts()` block takes all of it back, and also
every entry that came to point at a document's font in between (a service font registered after
a document font of the same face name is handed the document's font object by ReportLab).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from reportlab.lib import fonts as rl_fonts
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError
from xhtml2pdf import context as x2p_context

_MISSING = object()
#: Every process-wide table `loadFont` writes to.
TABLES: tuple[dict[Any, Any], ...] = (
    pdfmetrics._fonts,
    pdfmetrics._typefaces,
    pdfmetrics._encodings,
    pdfmetrics._dynFaceNames,
    rl_fonts._tt2ps_map,
    rl_fonts._ps2tt_map,
    x2p_context._embedded_font_source,
)
_journal: list[tuple[dict[Any, Any], Any, Any]] = []  # (table, key, the value before or _MISSING)
_document_values: list[Any] = []  # what documents put into the tables (kept alive, so ids stay theirs)
_depth = 0


@contextmanager
def document_fonts() -> Iterator[None]:
    """A block (a render, a split analysis) after which no document's font is known to the process."""
    global _depth
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            forget_document_fonts()


def forget_document_fonts() -> None:
    """Put ReportLab's and xhtml2pdf's font tables back as they were before any document's font."""
    for table, key, before in reversed(_journal):
        if before is _MISSING:
            table.pop(key, None)
        else:
            table[key] = before
    doomed = {id(value) for value in _document_values if not isinstance(value, str | tuple)}
    for table in TABLES:
        for key in [key for key, value in table.items() if id(value) in doomed]:
            del table[key]
    _journal.clear()
    _document_values.clear()


def loading_font(load: Callable[..., bool]) -> Callable[..., bool]:
    """xhtml2pdf's `pisaContext.loadFont`, journalling what it changes in the process-wide tables;
    a font file cut short fails as every unreadable font does (`TTFError`: `bad_font`)."""

    def load_font(self: Any, *args: Any, **kwargs: Any) -> bool:
        before = [dict(table) for table in TABLES]
        faces_before = set(pdfmetrics._dynFaceNames)
        try:
            return load(self, *args, **kwargs)
        except struct.error as error:  # ReportLab reads a truncated TrueType file past its end
            raise TTFError(f"a truncated TrueType font: {error}") from None
        finally:
            for table, snapshot in zip(TABLES, before, strict=True):
                for key, value in list(table.items()):
                    old = snapshot.get(key, _MISSING)
                    if old is not value:
                        _journal.append((table, key, old))
                        _document_values.append(value)
            # A document's font is never the one a face name stands for: ReportLab would hand it to
            # the next font of that face name registered, a service font among them.
            for key in set(pdfmetrics._dynFaceNames) - faces_before:
                del pdfmetrics._dynFaceNames[key]

    return load_font
