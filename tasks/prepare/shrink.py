"""A page wider than the paper, shrunk to fit it as Chromium's print does.

Chromium lays out a document whose content is wider than the page at that width (at most 1.5 times the
page's, clipping what is wider) and scales the whole page down to the paper: an 800 px boarding pass
prints whole, in smaller type. Here the page the document is laid out on is made as much larger, and
the renderer scales each page of the PDF back to the paper (tasks/render/shrink.py), told by a
`<meta name="html2pdf-shrink">` the prepared document carries.
"""

from __future__ import annotations

import copy
import re

from lxml import html as lxml_html

from tasks.document.fidelity import FidelityReport
from tasks.document.page_setup import MAXIMUM_SHRINK, SHRINK_META
from tasks.prepare import cascade, flex_line
from tasks.prepare.inline_style import padding_and_borders, points, sides
from tasks.prepare.pages import Page
from tasks.prepare.stylesheets import Sheet

META = SHRINK_META
#: A width (a declaration in any absolute unit, or an HTML attribute in pixels): worth the probe if large.
_WIDE_HINT = re.compile(r"width\s*[:=]\s*[\"']?(\d{1,5}(?:\.\d+)?)(px|pt|pc|in|cm|mm)?\b", re.IGNORECASE)
_POINTS_PER = {"px": 0.75, "pt": 1.0, "pc": 12.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4}
_SIZED_BY_ATTRIBUTE = ("table", "td", "th", "img", "div")
PX = 0.75


def factor(root: lxml_html.HtmlElement, sheet: Sheet, sources: tuple[str, ...], page: Page) -> float:
    """How much Chromium's print shrinks the document (its HTML and CSS `sources`) on `page`: 1 when it fits
    the page's width. Only a document that names a width larger than the page is cascaded to find out."""
    room = page.content_width
    hints = (
        float(found.group(1)) * _POINTS_PER[(found.group(2) or "px").lower()]
        for text in sources
        for found in _WIDE_HINT.finditer(text)
    )
    if not any(hint > room + 1 for hint in hints):
        return 1.0
    probe = copy.deepcopy(root)
    computed = cascade.apply(probe, sheet, FidelityReport(), room, page.content_height)
    widest = max(
        (
            _fixed_width(element, style)
            for element, style in computed.items()
            if not flex_line.shrinks_in_a_row(element, computed)
        ),
        default=0.0,
    )
    if widest <= room + 1:
        return 1.0
    return room / min(widest, room * MAXIMUM_SHRINK)


def _fixed_width(element: lxml_html.HtmlElement, style: cascade.Computed) -> float:
    """How far right of its containing block's left edge the element reaches, by the width it sets in absolute
    units (a percentage or auto: 0), the padding and borders outside it, and its margins."""
    declared = style.cascaded
    lengths = [points(declared.get(name)) for name in ("width", "min-width")]
    width = max((length for length in lengths if length != float("inf")), default=None)
    attribute = element.get("width", "").strip()
    if width is None and element.tag in _SIZED_BY_ATTRIBUTE and attribute.replace(".", "", 1).isdigit():
        width = float(attribute) * PX
    if width is None:
        return 0.0
    _, margin_right, _, margin_left = sides(declared, "margin")
    # A table's width holds its borders and padding, as browsers size tables.
    if not (style.border_box or element.tag == "table"):
        width += padding_and_borders(declared)
    # A negative left margin moves the box left, where nothing is scrolled to: it reaches that much less far.
    return width + margin_left + max(margin_right, 0.0)


def scale(page: Page, shrink: float) -> None:
    """`page` made `1 / shrink` times as large, margins with it: the page the document is laid out on."""
    page.width /= shrink
    page.height /= shrink
    page.margins = [margin / shrink for margin in page.margins]
