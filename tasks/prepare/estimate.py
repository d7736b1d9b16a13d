"""Sizes of boxes guessed before layout, from their text: how wide a shrink-to-fit box is, how tall a block."""

from __future__ import annotations

import math

from lxml import html as lxml_html
from reportlab.pdfbase.pdfmetrics import stringWidth

from tasks.prepare.cascade import Computed
from tasks.prepare.inline_style import points, sides

ElementStyles = dict[lxml_html.HtmlElement, Computed]
_BLOCK_TAGS = frozenset(
    "address article aside blockquote dd div dl dt fieldset figure footer form h1 h2 h3 h4 h5 h6 header hr li "
    "main nav ol p pre section table tr ul".split()
)
#: A character's advance in ems, on average (Helvetica's lower case), and a line's height in ems.
ADVANCE = 0.5
LINE_HEIGHT = 1.2


def lines(element: lxml_html.HtmlElement) -> list[str]:
    """The element's text as a browser breaks it into lines at blocks and <br>, before wrapping."""
    found = [""]

    def walk(node: lxml_html.HtmlElement) -> None:
        block = node.tag in _BLOCK_TAGS or node.tag == "br"
        if block and found[-1].strip():
            found.append("")
        found[-1] += node.text or ""
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            found[-1] += child.tail or ""
        if block and found[-1].strip():
            found.append("")

    walk(element)
    return [" ".join(line.split()) for line in found if line.strip()]


def height(item: lxml_html.HtmlElement | str, computed: ElementStyles, width: float) -> float:
    """A rough height of `item` laid out `width` points wide: its lines, its blocks' margins, images."""
    if isinstance(item, str):
        return text_height(item, 12.0, width)
    style = computed.get(item)
    font = style.font_pt if style is not None else 12.0
    own = style.own if style is not None else {}
    declared = points(own.get("height"))
    if item.tag == "img":
        if declared == float("inf") and item.get("height", "").isdigit():
            declared = int(item.get("height", "0")) * 0.75
        return declared if declared != float("inf") else min(width, 120.0)
    top, _, bottom, _ = sides(own, "margin")
    total = top + bottom + sum(text_height(line, font, width) for line in lines(item))
    total += sum(height(image, computed, width) for image in item.iter("img"))
    return max(total, declared) if declared != float("inf") else total


def text_height(text: str, font: float, width: float) -> float:
    """How tall `text` is, wrapped `width` points wide in a `font`-point face."""
    if not text.strip():
        return 0.0
    per_line = max(width / (ADVANCE * font), 1.0)
    return math.ceil(len(" ".join(text.split())) / per_line) * font * LINE_HEIGHT


def max_content(element: lxml_html.HtmlElement, style: Computed | None) -> float:
    """The width of the element's longest line unwrapped (a shrink-to-fit box's), in Helvetica: the face
    xhtml2pdf draws an unknown family in. Images count at their width."""
    font = style.font_pt if style is not None else 12.0
    bold = style is not None and style.cascaded.get("font-weight") == "bold"
    face = "Helvetica-Bold" if bold else "Helvetica"
    widest = max((stringWidth(line, face, font) for line in lines(element)), default=0.0)
    for image in element.iter("img"):
        declared = image.get("width", "")
        widest = max(widest, int(declared) * 0.75 if declared.isdigit() else 0.0)
    return widest * 1.04 + 2
