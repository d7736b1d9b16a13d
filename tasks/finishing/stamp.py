"""Draw a stamp or watermark on a PDF's pages as vector content: text stays text, an image is placed, not rasterised."""

from __future__ import annotations

import io

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.errors import PyPdfError
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from tasks.document.failures import INPUT_FAULTS, RenderFailed
from tasks.document.finishing import Stamp

PDF_FAULTS: tuple[type[Exception], ...] = (*INPUT_FAULTS, PyPdfError)
MARGIN = 36.0  # points between a stamp placed at an edge and the page's edge


class StampFailed(RenderFailed):
    """A stamp that cannot be drawn (an image that does not decode, a PDF stamp of several pages)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "bad_stamp")


def stamp_pdf(pdf: bytes, stamp: Stamp) -> bytes:
    """`pdf` with `stamp` drawn over (or under) the content of the pages it names."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    artwork = _artwork(stamp)
    overlays: dict[tuple[float, float], PageObject] = {}
    for index in stamp.page_indexes(len(writer.pages)):
        page = writer.pages[index]
        box = page.mediabox
        size = (float(box.width), float(box.height))
        if size not in overlays:
            overlays[size] = _overlay(stamp, artwork, *size)
        overlay = overlays[size]
        page.merge_transformed_page(
            overlay, Transformation().translate(float(box.left), float(box.bottom)), over=stamp.layer == "over"
        )
        page.compress_content_streams()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _artwork(stamp: Stamp) -> ImageReader | PageObject | None:
    """The stamp's image, decoded once: a picture, a PDF's one page, or None for a text stamp."""
    if stamp.image is None:
        return None
    kind, data = stamp.image_data()
    if kind == "application/pdf":
        try:
            pages = PdfReader(io.BytesIO(data)).pages
        except PDF_FAULTS as exc:
            raise StampFailed("The stamp's PDF could not be read. Send a valid one-page PDF.") from exc
        if len(pages) != 1:
            raise StampFailed(f"The stamp's PDF has {len(pages)} pages; a stamp must be a one-page PDF.")
        return pages[0]
    try:
        reader = ImageReader(io.BytesIO(data))
        reader.getSize()
    except INPUT_FAULTS as exc:  # PIL's errors on a broken image are OSErrors and ValueErrors
        raise StampFailed("The stamp's image could not be read. Send a valid PNG or JPEG.") from exc
    return reader


def _overlay(stamp: Stamp, artwork: ImageReader | PageObject | None, width: float, height: float) -> PageObject:
    """A page of `width` x `height` points holding only the stamp."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width, height), pageCompression=1)
    canvas.setFillAlpha(stamp.opacity)
    canvas.setStrokeAlpha(stamp.opacity)
    canvas.setFillColorRGB(*stamp.rgb())
    item_width, item_height = _size(stamp, artwork, width)
    x, y = _anchor(stamp.position, width, height, item_width, item_height)
    canvas.translate(x, y)
    canvas.rotate(stamp.rotation)
    if isinstance(artwork, ImageReader):
        canvas.drawImage(artwork, -item_width / 2, -item_height / 2, item_width, item_height, mask="auto")
    elif artwork is None:
        canvas.setFont(stamp.font, stamp.size)
        canvas.drawCentredString(0, -stamp.size * 0.35, stamp.text or "")
    canvas.showPage()
    canvas.save()
    page = PdfReader(io.BytesIO(out.getvalue())).pages[0]
    if isinstance(artwork, PageObject):
        scale = item_width / float(artwork.mediabox.width)
        placed = (
            Transformation()
            .translate(-float(artwork.mediabox.left), -float(artwork.mediabox.bottom))
            .scale(scale, scale)
            .translate(-item_width / 2, -item_height / 2)
            .rotate(stamp.rotation)
            .translate(x, y)
        )
        page.merge_transformed_page(artwork, placed)
    return page


def _size(stamp: Stamp, artwork: ImageReader | PageObject | None, page_width: float) -> tuple[float, float]:
    """The stamp's width and height in points, before rotation."""
    if artwork is None:
        return stringWidth(stamp.text or "", stamp.font, stamp.size), stamp.size
    if isinstance(artwork, PageObject):
        natural = float(artwork.mediabox.width), float(artwork.mediabox.height)
    else:
        natural = artwork.getSize()
    width = stamp.width or page_width / 3
    return width, width * natural[1] / max(natural[0], 1)


def _anchor(position: str, width: float, height: float, item_width: float, item_height: float) -> tuple[float, float]:
    """Where the stamp's centre goes on the page for `position`."""
    x = width / 2
    if position.endswith("left"):
        x = MARGIN + item_width / 2
    elif position.endswith("right"):
        x = width - MARGIN - item_width / 2
    y = height / 2
    if position.startswith("top"):
        y = height - MARGIN - item_height / 2
    elif position.startswith("bottom"):
        y = MARGIN + item_height / 2
    return x, y
