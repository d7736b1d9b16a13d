"""Join a split document's parts and draw each page's header and footer beneath it; no Flask, no Celery."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, cast

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, Fit, NameObject

from tasks.render.patches import add_object
from tasks.split.outline import SEED

_FORM = NameObject("/X2PFrames")


class SplitMismatch(ValueError):
    """The parts do not line up: a page to drop is not empty, or the overlay has a page too many or too few."""


def joined_pages(parts: Sequence[bytes]) -> int:
    """How many pages the parts make once joined (each part after the first loses its empty first page)."""
    return sum(len(PdfReader(io.BytesIO(data)).pages) for data in parts) - (len(parts) - 1)


def stamp(parts: Sequence[bytes], overlay: bytes | None = None) -> tuple[bytes, int]:
    """The parts' PDFs as one, each page over the overlay's page of the same number; and its page count.

    Each part after the first begins with the empty page its leading page
    break leaves (tasks/split/plan.py): it is dropped (and checked empty, when the
    parts draw no headers or footers). The overlay
    goes beneath: in the single render, xhtml2pdf draws static frames before
    the body, so text comes out in the same order. Each part's bookmarks are
    kept, shifted to where its pages land; the document information is the
    first part's (every part has the document's head).
    """
    writer = PdfWriter()
    entries: list[_Entry] = []
    latest: dict[int, int] = {}  # depth → index in entries of the last bookmark at that depth
    for index, data in enumerate(parts):
        reader = PdfReader(io.BytesIO(data))
        skip = 1 if index else 0
        # With an overlay the parts draw no header or footer: the page to drop must be blank.
        if skip and overlay is not None and reader.pages[0].extract_text().replace(SEED, "").strip():
            raise SplitMismatch(f"part {index + 1} does not begin with an empty page")
        offset = len(writer.pages) - skip
        for depth, title, number, fit, closed in _outline(reader):
            if number < skip:
                # One standing for a bookmark of an earlier part: it knows whether that one is open,
                # which its own part could not tell while it had no children there.
                if depth in latest:
                    entries[latest[depth]] = (*entries[latest[depth]][:4], closed)
                continue
            latest = {d: i for d, i in latest.items() if d < depth} | {depth: len(entries)}
            entries.append((depth, title, offset + number, fit, closed))
        writer.append(reader, pages=(skip, len(reader.pages)), import_outline=False)
    _add_outline(writer, entries)
    if overlay is not None:
        beneath = PdfReader(io.BytesIO(overlay)).pages
        if len(beneath) != len(writer.pages):
            raise SplitMismatch(f"the overlay has {len(beneath)} pages, the parts {len(writer.pages)}")
        for page, under in zip(writer.pages, beneath, strict=True):
            _draw_beneath(writer, page, under)
    first = PdfReader(io.BytesIO(parts[0])).metadata
    if first is not None:
        writer.add_metadata({key: value for key, value in first.items() if isinstance(value, str)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


_Entry = tuple[int, str, int, Fit, bool]


def _outline(reader: PdfReader) -> list[_Entry]:
    """A part's bookmarks in order: (depth, title, page, destination, closed)."""
    entries: list[_Entry] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
                continue
            fit = Fit.xyz(item.left, item.top, item.zoom) if item.typ == "/XYZ" else Fit.fit()
            closed = int(item.get("/Count") or 0) < 0
            page = reader.get_destination_page_number(item)
            if page is not None:
                entries.append((depth, str(item.title), page, fit, closed))

    walk(reader.outline, 0)
    return entries


def _add_outline(writer: PdfWriter, entries: list[_Entry]) -> None:
    """The parts' bookmarks as one tree: each under the last one before it a level up.

    Each part opened with bookmarks standing for the ones still open where it
    begins (split_outline.seeds), so the depths are those of the whole; the
    standing-in ones were on the dropped page and are not in `entries`.
    """
    parents: list[Any] = []
    for depth, title, page, fit, closed in entries:
        del parents[depth:]
        parent = parents[-1] if parents else None
        parents.append(
            writer.add_outline_item(title=title, page_number=page, parent=parent, fit=fit, is_open=not closed)
        )


def _draw_beneath(writer: PdfWriter, page: PageObject, under: PageObject) -> None:
    """Draw `under` first on `page`, as a form XObject.

    pypdf's merge_page parses and rewrites both content streams to rename
    clashing resources (0.3 s for 120 pages); a form keeps its own resources,
    so nothing is parsed: a few dictionary entries per page.
    """
    drawing = under.get_contents()
    form = DecodedStreamObject()
    form.set_data(drawing.get_data() if drawing is not None else b"")
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(under.mediabox),
            NameObject("/Resources"): under["/Resources"].clone(writer),
        }
    )
    # Copies: ReportLab may share one resource dictionary between pages.
    resources = DictionaryObject(cast(DictionaryObject, page["/Resources"].get_object()))
    xobjects = DictionaryObject(cast(DictionaryObject, resources.get("/XObject", DictionaryObject()).get_object()))
    xobjects[_FORM] = add_object(writer, form.flate_encode())
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources
    call = DecodedStreamObject()
    call.set_data(b"q " + _FORM.encode() + b" Do Q\n")
    contents: Any = page.get("/Contents")
    existing = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([add_object(writer, call), *existing])
