"""Sizes of boxes guessed before layout, from their text: how wide a shrink-to-fit box is, how tall a block."""

from __future__ import annotations

import math

from lxml import html as lxml_html
from reportlab.pdfbase.pdfmetrics import stringWidth

from tasks.prepare.cascade import Computed
from tasks.prepare.generated import text_of
from tasks.prepare.inline_style import border_width, gap_of, points, sides

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
#: What a width measured in the face it is drawn in is given: ReportLab's rounding.
_ROUNDING_SHARE, _ROUNDING_POINTS = 1.0, 1.0
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
    sets, with its `letter-spacing`; with `computed`, each descendant's text in its own size and face (an
    e-mail's `font-size: 0` cell holding a 13px link). Images count at their width. A margin of safety
    where a family of the document's own may be drawn wider than the standard face it is measured in."""
    if vertical(style):
        return _block_size(element, computed or {})
    width, unsure = _max_content(element, style, computed)
    return _with_safety(width, unsure)


def safety(element: lxml_html.HtmlElement, style: Computed | None) -> float:
    """How much of the element's `max_content` is its margin of safety, less a point left to the text: what
    a right-aligned box may give up on its left."""
    width, unsure = _max_content(element, style, None)
    return max(_with_safety(width, unsure) - width - 1.0, 0.0)


def _max_content(
    element: lxml_html.HtmlElement, style: Computed | None, computed: ElementStyles | None
) -> tuple[float, bool]:
    """The element's max-content width as measured, and whether a family of the document's own is in it.
    Each line holds the paddings, borders and margins of the blocks it is in, on both sides."""
    widths = [0.0]
    starts = [0.0]  # where each line's text starts: the left sides of the blocks it is in
    ends = [0.0]  # and the right sides, after it
    unsure = [False]

    def new_line(left: float, right: float) -> None:
        if widths[-1] > starts[-1]:
            widths.append(left)
            starts.append(left)
            ends.append(right)
        else:
            widths[-1] = starts[-1] = left
            ends[-1] = right

    def measure(text: str | None, style: Computed | None) -> None:
        words = " ".join((text or "").split())
        if not words:
            return
        font = style.font_pt if style is not None else 12.0
        inherited = style.inherited if style is not None else {}
        gap = stringWidth(" ", "Helvetica", font) if widths[-1] > starts[-1] else 0.0
        widths[-1] += gap + _run_width(words, inherited, font)
        unsure[0] = unsure[0] or not _drawn_as_measured(inherited)

    def generated(node: lxml_html.HtmlElement, style: Computed | None, pseudo: str) -> None:
        content = style.generated.get(pseudo, {}).get("content") if style is not None else None
        measure(text_of(content) if content else None, style)

    def walk(node: lxml_html.HtmlElement, style: Computed | None, inset: tuple[float, float]) -> None:
        own = computed.get(node, style) if computed is not None else style
        block = node.tag in BLOCK_TAGS or node.tag == "br"
        if block:
            new_line(*inset)
        if node.tag == "tr" and node is not element:
            # A row's cells stand side by side, whatever blocks they hold: the row is as wide as they are.
            widths[-1] += _row_width(node, own, computed)
            new_line(*inset)
            return
        rows = _lines_of_a_wrapping_row(node, own)
        if rows:
            # A wrapping flex row the stage has broken into lines: unwrapped, its lines stand on one.
            widths[-1] += sum(_row_width(row, own, computed) for row in rows) + (len(rows) - 1) * _column_gap(own)
            new_line(*inset)
            return
        boxed = node is not element and own is not style
        left, right = _sides(own) if boxed else (0.0, 0.0)
        fixed = _own_width(node, own, computed) if boxed else None
        if fixed is not None:
            # A box of a set width is that wide, whatever it holds.
            widths[-1] += left + fixed + right
            if block:
                new_line(*inset)
            return
        inner = (inset[0] + left, inset[1] + right) if block else inset
        if block:
            new_line(*inner)
        else:
            widths[-1] += left
        generated(node, own, "before")
        measure(node.text, own)
        for child in node:
            if isinstance(child.tag, str):
                walk(child, own, inner)
            measure(child.tail, own)
        generated(node, own, "after")
        if not block:
            widths[-1] += right
        if block:
            new_line(*inset)

    walk(element, style, (0.0, 0.0))
    lines = [width + end for width, start, end in zip(widths, starts, ends, strict=True) if width > start]
    return max(max(lines, default=0.0), _widest_image(element, computed)), unsure[0]


def _row_width(row: lxml_html.HtmlElement, style: Computed | None, computed: ElementStyles | None) -> float:
    """A table row's width: its cells', a cell the stage sized (in points) as wide as it made it."""
    width = 0.0
    for cell in row:
        if cell.tag not in ("td", "th"):
            continue
        sized = cell.get("width", "")
        if sized.endswith("pt"):
            width += float(sized[:-2])
        else:
            width += max_content(cell, computed.get(cell, style) if computed else style, computed)
    return width


def _lines_of_a_wrapping_row(node: lxml_html.HtmlElement, style: Computed | None) -> list[lxml_html.HtmlElement]:
    """The rows of the tables a wrapping flex container was laid out as, one per line; none for another box."""
    if style is None or style.display not in ("flex", "inline-flex"):
        return []
    if not style.cascaded.get("flex-wrap", "").strip().startswith("wrap"):
        return []
    return [row for table in node if table.tag == "table" for row in table if row.tag == "tr"]


def _column_gap(style: Computed | None) -> float:
    """The gap between a flex row's items, in points (0 for none or one not in points)."""
    return points(gap_of(style.cascaded, "column") or "0pt") if style is not None else 0.0


def _with_safety(width: float, unsure: bool) -> float:
    """A measured width with room for rounding, and for a family of the document's own (an @font-face one,
    perhaps) to be drawn a little wider than the standard face it was measured in."""
    return width * _SAFETY_SHARE + _SAFETY_POINTS if unsure else width * _ROUNDING_SHARE + _ROUNDING_POINTS


def _drawn_as_measured(inherited: dict[str, str]) -> bool:
    """Whether text is drawn in the standard face it is measured in: its first family is none, or one of the
    generic three or a well-known member of one (xhtml2pdf draws those in the standard faces)."""
    first = inherited.get("font-family", "").split(",")[0].strip().strip("\"'").lower()
    return not first or first in _MONOSPACE or first in _SERIF or first in _SANS


def _run_width(text: str, inherited: dict[str, str], font: float) -> float:
    """The width of a run of text in the standard face of its family, in the case `text-transform` sets, its
    `letter-spacing` after each character."""
    transform = inherited.get("text-transform", "").strip()
    if transform == "uppercase":
        text = text.upper()
    elif transform == "lowercase":
        text = text.lower()
    elif transform == "capitalize":
        text = " ".join(word[:1].upper() + word[1:] for word in text.split(" "))
    spacing = points(inherited.get("letter-spacing"))
    width: float = stringWidth(text, standard_face(inherited), font)
    return width + len(text) * spacing if spacing != float("inf") else width


def min_content(element: lxml_html.HtmlElement, computed: ElementStyles) -> float:
    """The width of the element's longest word, or widest image (what its box cannot be narrower than), in
    points, in the face and size of the text it is in."""
    if vertical(computed.get(element)):
        return _block_size(element, computed)
    widest = _widest_image(element, computed)
    unsure = False
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        style = computed.get(node)
        own_text = [node.text, *(child.tail for child in node)]
        font = style.font_pt if style is not None else 12.0
        inherited = style.inherited if style is not None else {}
        words = [word for text in own_text for word in (text or "").split()]
        for word in words:
            widest = max(widest, _run_width(word, inherited, font))
        unsure = unsure or (bool(words) and not _drawn_as_measured(inherited))
    return _with_safety(widest, unsure)


def vertical(style: Computed | None) -> bool:
    """Whether the element sets a vertical writing mode: its lines stand side by side, its width is their
    heights' sum (tasks/prepare/writing_mode.py)."""
    return style is not None and style.cascaded.get("writing-mode", "").strip().startswith(("vertical", "sideways"))


def _block_size(element: lxml_html.HtmlElement, computed: ElementStyles) -> float:
    """How wide a box in a vertical writing mode is: a line of each block that holds text, each as high as
    its font's line, its content unwrapped."""
    lines_of: dict[lxml_html.HtmlElement, float] = {}
    for node in element.iter():
        if (
            not isinstance(node.tag, str)
            or not "".join([node.text or "", *(child.tail or "" for child in node)]).strip()
        ):
            continue
        block = node
        while block is not element and block.tag not in BLOCK_TAGS:
            block = block.getparent()
        style = computed.get(node)
        line = points(style.inherited.get("line-height")) if style is not None else float("inf")
        font = style.font_pt if style is not None else 12.0
        lines_of[block] = max(lines_of.get(block, 0.0), line if line != float("inf") else font * LINE_HEIGHT)
    return sum(lines_of.values())


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
    """A descendant box's padding, borders and margins, left and right, the browser's (a list's 40px) with
    the author's: they widen the line it sits in."""
    if style is None:
        return 0.0, 0.0
    declared = style.cascaded
    _, pad_right, _, pad_left = sides(declared, "padding")
    _, margin_right, _, margin_left = sides(declared, "margin")
    left = pad_left + border_width(declared, "left") + margin_left
    return left, pad_right + border_width(declared, "right") + margin_right
