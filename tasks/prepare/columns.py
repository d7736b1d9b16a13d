"""Multi-column layout (`columns`, `column-count`, `column-width`) as xhtml2pdf lays it out.

The body in columns (or a block holding nearly all its text) becomes frames side by side on every
page, which the text flows through as a browser's columns do. A block in columns inside the page
becomes a table of one row, its children dealt to the cells by the length of their text: a browser
balances the columns of such a block, which frames cannot.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass

import tinycss2
from lxml import etree
from lxml import html as lxml_html

from tasks.document.fidelity import FidelityReport
from tasks.prepare import estimate, values
from tasks.prepare.cascade import Computed
from tasks.prepare.inline_style import set_style, sides

MAX_COLUMNS = 12
#: The margins of the blocks around a block in columns (tasks/prepare/widths.py), in points: "left right".
INDENT = "data-column-indent"
#: A block with this share of the body's text is the body, for columns: they become the page's frames.
_WHOLE = 0.9
#: Boxes whose children cannot go to another column apart from them.
_WHOLE_TAGS = frozenset(("table", "thead", "tbody", "tr", "pre", "svg"))
_LISTS = ("ul", "ol")


def apply(
    root: lxml_html.HtmlElement,
    computed: dict[lxml_html.HtmlElement, Computed],
    page_size: tuple[float, float],
    report: FidelityReport,
) -> tuple[int, float]:
    """Lay out every block in columns; the page's column count and the gap between its frames (1, 0 when
    the body has none)."""
    body = root.find("body")
    if body is None:
        return 1, 0.0
    total = len(body.text_content().strip()) or 1
    page = (1, 0.0)
    for element in list(root.iter()):
        style = computed.get(element)
        if style is None or not isinstance(element.tag, str):
            continue
        count, gap = count_and_gap(style, page_size[0])
        if count < 2:
            continue
        for name in ("columns", "column-count", "column-width", "column-gap", "column-rule"):
            report.ignored_css.pop(name, None)
        length = len(element.text_content().strip())
        if element.tag in ("html", "body") or (length >= _WHOLE * total and _over_a_page(length, style, page_size)):
            page = (count, gap - sum(_inset(element, style)))
        elif element.tag in _LISTS and len(element.findall("li")) >= 2:
            # The list's items dealt to the columns, each column's in the list or a copy of it.
            holder = lxml_html.Element("div")
            element.addprevious(holder)
            holder.append(element)
            if element.get(INDENT):
                holder.set(INDENT, element.attrib.pop(INDENT))
            set_style(element, {"columns": None, "column-count": None})
            unset = {name: value for name, value in style.cascaded.items() if not name.startswith("column")}
            computed[element] = dataclasses.replace(style, cascaded=unset)
            _as_table(holder, count, gap, computed, (page_size[0] - gap * (count - 1)) / count)
        elif element.tag not in ("table", "tr", "td", "th", "ul", "ol", "p") and len(element) >= 2:
            _as_table(element, count, gap, computed, (page_size[0] - gap * (count - 1)) / count)
        else:
            report.ignore("columns on an element that is not a block of blocks")
    return page


def _inset(element: lxml_html.HtmlElement, style: Computed) -> tuple[float, float]:
    """How far xhtml2pdf moves the text in from each side of every frame: the margins of the blocks around
    the block in columns (its INDENT, from tasks/prepare/widths.py) and its own margins and padding. The
    page's frames take it out of the gaps between them, so that the columns are as wide as a browser's."""
    around = [float(part) for part in element.get(INDENT, "0 0").split()[:2]]
    _, margin_right, _, margin_left = sides(style.cascaded, "margin")
    _, pad_right, _, pad_left = sides(style.cascaded, "padding")
    return around[0] + margin_left + pad_left, around[1] + margin_right + pad_right


def _over_a_page(length: int, style: Computed, page_size: tuple[float, float]) -> bool:
    """Whether `length` characters of text fill more than a page: a browser balances the columns of less."""
    lines = page_size[1] / (style.font_pt * 1.2)
    return length * style.font_pt * 0.5 > lines * page_size[0]


def count_and_gap(style: Computed, page_width: float) -> tuple[int, float]:
    """The element's column count and gap in points, from `columns`, `column-count` and `column-width`."""
    cascaded = style.cascaded
    count, width = 0, 0.0
    for token in tinycss2.parse_component_value_list(
        " ".join(cascaded.get(name, "") for name in ("columns", "column-count", "column-width"))
    ):
        if token.type == "number" and token.is_integer:
            count = token.int_value
        elif token.type == "dimension":
            width = _points(token, style.font_pt)
    gap_token = next(
        (t for t in tinycss2.parse_component_value_list(cascaded.get("column-gap", "")) if t.type == "dimension"), None
    )
    gap = _points(gap_token, style.font_pt) if gap_token is not None else style.font_pt
    if width > 0:
        fits = max(1, math.floor((page_width + gap) / (width + gap)))
        count = min(count, fits) if count else fits
    return min(count, MAX_COLUMNS), gap


def _points(token: tinycss2.ast.DimensionToken, font_pt: float) -> float:
    resolved = values.resolve_lengths(tinycss2.serialize([token]), values.Context(font_pt=font_pt))
    try:
        return float((resolved or "0").removesuffix("pt"))
    except ValueError:
        return 0.0


def _as_table(
    element: lxml_html.HtmlElement,
    count: int,
    gap: float,
    computed: dict[lxml_html.HtmlElement, Computed],
    width: float,
) -> None:
    """`element`'s children in `count` cells side by side, each about as tall, as a browser balances columns:
    a child taller than a column's share is broken between its own children, its box continued in the next."""
    children = [(child, estimate.height(child, computed, width)) for child in element if isinstance(child.tag, str)]
    share = sum(size for _, size in children) / count
    pieces = list(_pieces(children, computed, width, share))
    cells: list[list[_Piece]] = [[] for _ in range(count)]
    column, dealt = 0, 0.0
    for piece in pieces:
        if column < count - 1 and dealt + piece.height / 2 > share * (column + 1):
            column += 1
        cells[column].append(piece)
        dealt += piece.height
    table = etree.SubElement(element, "table")
    table.set("cellpadding", "0")
    table.set("cellspacing", "0")
    # xhtml2pdf moves no table in by the margins of the blocks around it: the indent widths.py found.
    left_indent, _, right_indent = (element.attrib.pop(INDENT, None) or "0 0").partition(" ")
    table.set("style", f"width: 100%; margin-left: {left_indent}pt; margin-right: {right_indent}pt")
    row = etree.SubElement(table, "tr")
    dealt_of: dict[lxml_html.HtmlElement, int] = {}  # how many of a broken box's children earlier cells hold
    for index, members in enumerate(cells):
        cell = etree.SubElement(row, "td")
        padding = values.fmt(gap / 2)
        left, right = (padding if index else "0"), (padding if index < count - 1 else "0")
        box = f"width: {100 / count:.2f}%; padding-left: {left}; padding-right: {right}"
        cell.set("style", f"vertical-align: top; {box}")
        _fill(cell, members, computed, dealt_of)
    set_style(element, {"columns": None, "column-count": None})


@dataclass(frozen=True)
class _Piece:
    """What goes into a column whole: a block, and the box it is a child of when that box was broken."""

    element: lxml_html.HtmlElement
    height: float
    broken: lxml_html.HtmlElement | None = None


def _pieces(
    children: list[tuple[lxml_html.HtmlElement, float]],
    computed: dict[lxml_html.HtmlElement, Computed],
    width: float,
    share: float,
) -> Iterator[_Piece]:
    """The children (each with its height) as the pieces dealt to the columns."""
    for child, size in children:
        inner = [node for node in child if isinstance(node.tag, str)]
        breakable = child.tag not in _WHOLE_TAGS and not (child.text or "").strip()
        if size > share and len(inner) >= 2 and breakable and not any((node.tail or "").strip() for node in inner):
            yield from (_Piece(node, estimate.height(node, computed, width), child) for node in inner)
        else:
            yield _Piece(child, size)


def _fill(
    cell: lxml_html.HtmlElement,
    members: list[_Piece],
    computed: dict[lxml_html.HtmlElement, Computed],
    dealt_of: dict[lxml_html.HtmlElement, int],
) -> None:
    """Put a column's pieces in its cell; the pieces of a broken box in that box, or in a copy of it (without
    its id) where the box began in an earlier column."""
    boxes: dict[lxml_html.HtmlElement, lxml_html.HtmlElement] = {}
    for piece in members:
        if piece.broken is None:
            cell.append(piece.element)
            continue
        box = boxes.get(piece.broken)
        if box is None:
            begun = piece.broken.getparent() is not None and piece.broken.getparent().tag == "td"
            box = _continued(piece.broken, dealt_of.get(piece.broken, 0), computed) if begun else piece.broken
            boxes[piece.broken] = box
            cell.append(box)
        box.append(piece.element)
        dealt_of[piece.broken] = dealt_of.get(piece.broken, 0) + 1


def _continued(
    box: lxml_html.HtmlElement, dealt: int, computed: dict[lxml_html.HtmlElement, Computed]
) -> lxml_html.HtmlElement:
    """A copy of `box` without its children or id, for its children after the `dealt` earlier columns hold."""
    copy: lxml_html.HtmlElement = deepcopy(box)  # its attributes as parsed: `th:each` is no name etree.Element takes
    for child in list(copy):
        copy.remove(child)
    copy.text = None
    copy.attrib.pop("id", None)
    if box.tag == "ol":
        # Numbered on from the items the earlier columns hold.
        start = box.get("start", "1")
        copy.set("start", str((int(start) if start.lstrip("-").isdigit() else 1) + dealt))
    if box in computed:
        computed[copy] = computed[box]
    return copy
