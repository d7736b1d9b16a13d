"""Sizes of boxes guessed before layout, from their text: how wide a shrink-to-fit box is, how tall a block."""

from __future__ import annotations

import math

from lxml import html as lxml_html
from reportlab.pdfbase.pdfmetrics import stringWidth

from tasks.prepare.cascade import Computed
from tasks.prepare.generated import text_of
from tasks.prepare.inline_style import border_width, points, sides

ElementStyles = dict[lxml_html.HtmlElement, Computed]
BLOCK_TAGS = frozenset(
    "address article aside blockquote dd div dl dt fieldset figure footer form h1 h2 h3 h4 h5 h6 header hr li "
    "main nav ol p pre section table tr ul".split()
)
_MONOSPACE = frozenset(("monospace", "courier", "courier new", "consolas", "menlo", "monaco", "ui-monospace"))
_SERIF = frozenset(("serif", "times", "times new roman", "georgia", "garamond", "cambria", "ui-serif"))
_SANS = frozenset(("sans-serif", "helvetica", "arial", "verdana", "tahoma", "system-ui", "-apple-system"))
_BOLD = frozenset(("bold", "bolder", "600", "700", "800", "900"))
#: A character's advance in ems, on average (Helvetica's lower case), and a line's height in ems.
ADVANCE = 0.5
_SAFETY_SHARE, _SAFETY_POINTS = 1.04, 2.0
LINE_HEIGHT = 1.2


_MAX_COLUMNS = 12


def lines(element: lxml_html.HtmlElement) -> list[str]:
    """The element's text as a browser breaks it into lines at blocks and <br>, before wrapping."""
    found = [""]

    def walk(node: lxml_html.HtmlElement) -> None:
        block = node.tag in BLOCK_TAGS or node.tag == "br"
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
    pad_top, _, pad_bottom, _ = sides(own, "padding")
    top += pad_top + border_width(own, "top")
    bottom += pad_bottom + border_width(own, "bottom")
    count = _column_count(style)
    column = (width - font * (count - 1)) / count  # the gap is 1em unless set
    content = sum(text_height(line, font, column) for line in lines(item))
    content += sum(height(image, computed, column) for image in item.iter("img"))
    total = top + bottom + content / count  # balanced columns share it
    return max(total, declared) if declared != float("inf") else total


def _column_count(style: Computed | None) -> int:
    """How many columns the element's content is set in (`columns`, `column-count`), as a whole number."""
    if style is None:
        return 1
    for name in ("column-count", "columns"):
        for part in style.cascaded.get(name, "").split():
            if part.isdigit() and 1 < int(part) <= _MAX_COLUMNS:
                return int(part)
    return 1


def text_height(text: str, font: float, width: float) -> float:
    """How tall `text` is, wrapped `width` points wide in a `font`-point face."""
    if not text.strip():
        return 0.0
    per_line = max(width / (ADVANCE * font), 1.0)
    return math.ceil(len(" ".join(text.split())) / per_line) * font * LINE_HEIGHT


def max_content(element: lxml_html.HtmlElement, style: Computed | None, computed: ElementStyles | None = None) -> float:
    """The width of the element's longest line unwrapped (a shrink-to-fit box's), in the standard face
    xhtml2pdf draws its font family in (Helvetica for one it does not know), in the case `text-transform`
    sets; with `computed`, each descendant's text in its own size and face (an e-mail's `font-size: 0`
    cell holding a 13px link). Images count at their width."""
    widths = [0.0]

    def measure(text: str | None, style: Computed | None) -> None:
        words = " ".join((text or "").split())
        if not words:
            return
        font = style.font_pt if style is not None else 12.0
        inherited = style.inherited if style is not None else {}
        if inherited.get("text-transform") == "uppercase":
            words = words.upper()
        gap = stringWidth(" ", "Helvetica", font) if widths[-1] else 0.0
        widths[-1] += gap + stringWidth(words, standard_face(inherited), font)

    def generated(node: lxml_html.HtmlElement, style: Computed | None, pseudo: str) -> None:
        content = style.generated.get(pseudo, {}).get("content") if style is not None else None
        measure(text_of(content) if content else None, style)

    def walk(node: lxml_html.HtmlElement, style: Computed | None) -> None:
        own = computed.get(node, style) if computed is not None else style
        block = node.tag in BLOCK_TAGS or node.tag == "br"
        if block and widths[-1]:
            widths.append(0.0)
        if node.tag == "tr" and node is not element:
            # A row's cells stand side by side, whatever blocks they hold: the row is as wide as they are.
            cells = [cell for cell in node if cell.tag in ("td", "th")]
            widths[-1] += sum(
                max_content(cell, computed.get(cell, own) if computed else own, computed) for cell in cells
            )
            widths.append(0.0)
            return
        boxed = node is not element and own is not style
        left, right = _sides(own) if boxed else (0.0, 0.0)
        fixed = _own_width(node, own, computed) if boxed else None
        if fixed is not None:
            # A box of a set width is that wide, whatever it holds.
            widths[-1] += left + fixed + right
            if block:
                widths.append(0.0)
            return
        widths[-1] += left
        generated(node, own, "before")
        measure(node.text, own)
        for child in node:
            if isinstance(child.tag, str):
                walk(child, own)
            measure(child.tail, own)
        generated(node, own, "after")
        widths[-1] += right
        if block and widths[-1]:
            widths.append(0.0)

    walk(element, style)
    return _with_safety(max(max(widths), _widest_image(element, computed)))


def safety(estimated: float) -> float:
    """How much of a width `max_content` or `min_content` estimated is its margin of safety, less a point
    left to the text: what a right-aligned box may give up on its left."""
    return max(estimated - (estimated - _SAFETY_POINTS) / _SAFETY_SHARE - 1.0, 0.0)


def _with_safety(width: float) -> float:
    """A measured width with room for the faces xhtml2pdf draws in to be a little wider than measured."""
    return width * _SAFETY_SHARE + _SAFETY_POINTS


def min_content(element: lxml_html.HtmlElement, computed: ElementStyles) -> float:
    """The width of the element's longest word, or widest image (what its box cannot be narrower than), in
    points, in the face and size of the text it is in."""
    widest = _widest_image(element, computed)
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        style = computed.get(node)
        own_text = [node.text, *(child.tail for child in node)]
        font = style.font_pt if style is not None else 12.0
        face = standard_face(style.inherited if style is not None else {})
        for text in own_text:
            for word in (text or "").split():
                widest = max(widest, stringWidth(word, face, font))
    return _with_safety(widest)


def _own_width(node: lxml_html.HtmlElement, style: Computed | None, computed: ElementStyles | None) -> float | None:
    """How wide a descendant box is by its own CSS: its set width, else its content capped at its
    `max-width`; None when its content decides."""
    fixed = _set_width(style)
    if fixed is None and style is not None:
        cap = _set_width(style, "max-width")
        fixed = None if cap is None else min(max_content(node, style, computed), cap)
    return fixed


def _set_width(style: Computed | None, name: str = "width") -> float | None:
    """The width (or `max-width`) a box sets in points, paddings in, else None."""
    if style is None or points(style.own.get(name)) == float("inf"):
        return None
    if style.border_box:
        return points(style.own[name])
    _, pad_right, _, pad_left = sides(style.own, "padding")
    return points(style.own[name]) + pad_left + pad_right


def _widest_image(element: lxml_html.HtmlElement, computed: ElementStyles | None) -> float:
    """The widest image in the element: its CSS width in points, else its `width` attribute in pixels."""
    widest = 0.0
    for image in element.iter("img"):
        style = computed.get(image) if computed is not None else None
        declared = points(style.own.get("width")) if style is not None else float("inf")
        attribute = image.get("width", "")
        if declared == float("inf"):
            declared = int(attribute) * 0.75 if attribute.isdigit() else 0.0
        widest = max(widest, declared)
    return widest


def standard_face(inherited: dict[str, str]) -> str:
    """The PDF standard face nearest the first family of `font-family` that is one of the generic three
    (or a well-known member of one), bold when the weight is."""
    family = "Helvetica"
    for name in inherited.get("font-family", "").split(","):
        name = name.strip().strip("\"'").lower()
        if name in _MONOSPACE:
            family = "Courier"
        elif name in _SERIF:
            family = "Times"
        elif name not in _SANS:
            continue
        break
    bold = inherited.get("font-weight", "") in _BOLD
    if family == "Times":
        return "Times-Bold" if bold else "Times-Roman"
    return f"{family}-Bold" if bold else family


def _sides(style: Computed | None) -> tuple[float, float]:
    """A descendant box's own padding and margins, left and right: they widen the line it sits in."""
    if style is None:
        return 0.0, 0.0
    _, pad_right, _, pad_left = sides(style.own, "padding")
    _, margin_right, _, margin_left = sides(style.own, "margin")
    return pad_left + margin_left, pad_right + margin_right
