"""The pages of a document laid out wider than the paper, scaled back to the paper (tasks/prepare/shrink.py)."""

from __future__ import annotations

import io
import re

import pypdf

from tasks.document.page_setup import MAXIMUM_SHRINK
from tasks.document.page_setup import SHRINK_META as META

_META = re.compile(rf"<meta name=\"{META}\" content=\"(0\.\d+)\">")
#: The prepared document puts its mark first in its head: no need to read further.
_HEAD = 4096
#: The most the preparation stage shrinks: a mark asking for more (a document's own, written by hand) is not honoured.
SMALLEST = 1 / MAXIMUM_SHRINK - 1e-6


def factor(document: str) -> float:
    """What the prepared `document` asks its pages to be scaled by (1: not at all)."""
    found = _META.search(document, 0, _HEAD)
    scale = float(found.group(1)) if found else 1.0
    return scale if SMALLEST <= scale < 1 else 1.0


def pages(pdf: bytes, scale: float) -> bytes:
    """`pdf` with every page, its content and its links scaled by `scale`, page boxes with them."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    for page in writer.pages:
        page.scale_by(scale)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
