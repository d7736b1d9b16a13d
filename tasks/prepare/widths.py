"""Widths as CSS 2.1 computes them (§10.3.3), and horizontal centring, lowered into tables xhtml2pdf sizes alike.

Each block's border-box width is its `width` (a percentage of its containing block's, `box-sizing`
saying whether padding and borders are in it), clamped by `max-width` and `min-width`, or what its
containing block leaves beside its margins. A block narrower than that becomes a one-row table of its
width between empty cells that take the rest, on the side its `auto` margins, or a legacy centring
parent (`<center>`, `align="center"`), put the space on: xhtml2pdf draws blocks as wide as their frame,
and aligns no table inside a table cell. A table's HTML `width="600"` is CSS pixels, as a browser reads it.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from tasks.prepare import blocks, cell_margins, columns, estimate, floats, inline_blocks, positioned
from tasks.prepare.borders import SIDES
from tasks.prepare.cascade import Computed, restyle
from tasks.prepare.inline_style import auto_sides, border_width, padding_and_borders, points, set_style, sides
from tasks.prepare.table_padding import own_rows

#: Elements a browser lays out as blocks by default; `display` says otherwise.
BLOCK_TAGS = frozenset("div section article main header footer nav aside form center address blockquote figure".split())
_BLOCK_DISPLAYS = frozenset({"block", "flex", "grid", "list-item", "flow-root"})
_SIZED = ("table", "tr", "td", "th", "col", "colgroup")
_PIXELS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$")
_PERCENT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)%\s*$")
#: Widths within this many points of the room are that room: a rounding, not a narrower box.
SLACK = 1.0
#: What stays on a narrowed block itself; the rest of its box goes to the cell that holds its content.
_OUTSIDE = ("margin", "width", "max-width", "min-width", "display", "float", "position", "box-sizing")
PX = 0.75
ElementStyles = dict[lxml_html.HtmlElement, Computed]


def apply(root: lxml_html.HtmlElement, computed: ElementStyles, page_width: float) -> None:
    """Size every block and table under the body as a browser does, from the page's content width down."""
    with cell_margins.document(root):
        _apply(root, computed, page_width)


def _apply(root: lxml_html.HtmlElement, computed: ElementStyles, page_width: float) -> None:
    for element in root.iter(*_SIZED):
        _pixels_to_points(element)
    body = root.find("body")
    if body is None:
        return
    style = computed.get(body)
    if style is None:
        _walk(body, computed, page_width)
        return
    used, available = used_width(style, page_width)
    if 0 < used < available - SLACK:
        # A body narrower than the page (a till receipt's `width: 58mm`) narrows its content, as any block.
        narrow(body, style, used, _alignment(style, False), (0.0, 0.0))
        _walk(body, computed, used - _extras(style))
        return
    _walk(body, computed, page_width - _horizontal(style), _sides(style))


def _pixels_to_points(element: lxml_html.HtmlElement) -> None:
    """`width="600"` (and a table's, row's or cell's `height="30"`) is CSS pixels; xhtml2pdf would read points.
    A row's height goes to its cells, where xhtml2pdf reads it."""
    for name in ("width", "height") if element.tag in ("table", "tr", "td", "th") else ("width",):
        found = _PIXELS.match(element.get(name, ""))
        if found:
            element.set(name, f"{float(found.group(1)) * PX:.2f}pt")
    if element.tag == "tr" and element.get("height"):
        # A row's height is its cells' (xhtml2pdf reads none on a row).
        for cell in element.iterchildren("td", "th"):
            if not cell.get("height"):
                cell.set("height", element.get("height"))


def _walk(
    element: lxml_html.HtmlElement,
    computed: ElementStyles,
    room: float,
    indent: tuple[float, float] = (0.0, 0.0),
    boxed: bool = False,
) -> None:
    """Size `element`'s children in a containing block `room` points wide, then theirs in turn.

    `indent` is how far the blocks around `element`, up to the nearest table cell, move it in from the
    left and the right. xhtml2pdf moves a table in by all of it inside a block with padding or a border
    (`boxed`: a box of its own), else by none of it (measured)."""
    # `<center>` and `align="center"` centre child blocks (-webkit-center), unless the author's CSS sets
    # the text-align they are a hint for.
    own = computed[element].own if element in computed else {}
    hinted = element.tag == "center" or element.get("align", "").lower() == "center"
    legacy_centre = hinted and "text-align" not in own
    inline_blocks.lay_out(element, computed, room, lambda style, room: used_width(style, room)[0])
    cells = [child for child in element if child.tag in ("td", "th")]
    for child in list(element):
        if not _is_box(child):
            continue
        style = computed.get(child)
        inner, inner_indent, inner_boxed = room, indent, boxed
        if child.tag in ("td", "th"):
            inner, inner_indent, inner_boxed = _cell_room(child, style, room, len(cells)), (0.0, 0.0), False
            cell_margins.hold(child, computed)
        elif child.tag == "table" and child.get(floats.ROW_OF_FLOATS) is not None:
            _indent_table(child, style, indent, boxed)
            _walk_row_of_floats(child, computed, room)
            continue
        elif child.tag == "table":
            _indent_table(child, style, indent, boxed)
            inner = _table(child, style or Computed(font_pt=12.0), room, legacy_centre, computed)
            inner_indent, inner_boxed = (0.0, 0.0), False
        elif style is not None and _is_block(child, style):
            inner, inner_indent, inner_boxed = _block_room(child, style, computed, room, legacy_centre, indent, boxed)
        _walk(child, computed, max(inner, 0.0), inner_indent, inner_boxed)


def _block_room(
    block: lxml_html.HtmlElement,
    style: Computed,
    computed: ElementStyles,
    room: float,
    legacy_centre: bool,
    indent: tuple[float, float],
    boxed: bool,
) -> tuple[float, tuple[float, float], bool]:
    """The room, indent and boxedness a block's children have (see `_walk`): the block narrowed, or set
    wider, as CSS sizes it. A float is sized elsewhere; a positioned block, placed by xhtml2pdf, is still a
    box whose margins, padding and border keep its tables in."""
    left, right = _sides(style)
    if _placed(style):
        placed = positioned.is_positioned(style)
        return room, (indent[0] + left, indent[1] + right) if placed else indent, boxed or (placed and _boxed(style))
    overflows = not _item(block, computed)
    inner, narrowed = _block(block, style, room, legacy_centre, (0.0, 0.0) if boxed else indent, overflows)
    inner_indent = (0.0, 0.0) if narrowed else (indent[0] + left, indent[1] + right)
    inner_boxed = not narrowed and (boxed or _boxed(style))
    return _in_columns(block, style, inner, inner_indent, inner_boxed)


def _item(element: lxml_html.HtmlElement, computed: ElementStyles) -> bool:
    """Whether the element was a flex or grid item, before the stage made its container a table."""
    parent = next((ancestor for ancestor in element.iterancestors() if ancestor in computed), None)
    return parent is not None and computed[parent].display.endswith(("flex", "grid"))


def _is_box(node: lxml_html.HtmlElement) -> bool:
    """An element to size: not a comment, nor an SVG drawing, whose shapes are no boxes (svg.py draws it)."""
    return isinstance(node.tag, str) and node.tag != "svg"


def _in_columns(
    element: lxml_html.HtmlElement, style: Computed, room: float, indent: tuple[float, float], boxed: bool
) -> tuple[float, tuple[float, float], bool]:
    """The room, indent and boxing a block's children are sized in: a column's, when the block is in columns.

    Its children go into its columns (tasks/prepare/columns.py runs later), each sized in a column, which
    the table of columns moves in by the margins around it (noted on the block), not they."""
    count, gap = columns.count_and_gap(style, room)
    if count < 2:
        return room, indent, boxed
    if not boxed:
        element.set(columns.INDENT, f"{indent[0]:.2f} {indent[1]:.2f}")
    return (room - gap * (count - 1)) / count, (0.0, 0.0), False


def _walk_row_of_floats(table: lxml_html.HtmlElement, computed: ElementStyles, room: float) -> None:
    """The blocks inside a row of floats, each cell as wide as its float, sized in turn; the row as it is."""
    for cell in table.iter("td"):
        width = length(cell.get("width"), room)
        for child in cell:
            if isinstance(child.tag, str):
                _walk(child, computed, width if width is not None else room)


def _placed(style: Computed) -> bool:
    """A box sized elsewhere: positioned (xhtml2pdf places it) or floated (a cell of its width holds it)."""
    return positioned.is_positioned(style) or bool(floats.side(style))


def _sides(style: Computed) -> tuple[float, float]:
    """How far a block moves its content in from the left and the right: margins, borders, padding."""
    declared = style.cascaded
    _, mright, _, mleft = sides(declared, "margin")
    _, pright, _, pleft = sides(declared, "padding")
    return mleft + pleft + border_width(declared, "left"), mright + pright + border_width(declared, "right")


def _boxed(style: Computed) -> bool:
    """A block with padding or a border on any side, a background (even a transparent one) or a height,
    which xhtml2pdf draws as a box of its own (measured: a table in it moves in by the block's margins)."""
    declared = style.cascaded
    edges = ("top", "right", "bottom", "left")
    drawn = any(name.startswith("background") for name in style.own) or points(style.own.get("height")) < float("inf")
    return drawn or any(sides(declared, "padding")) or any(border_width(declared, side) for side in edges)


def _indent_table(
    table: lxml_html.HtmlElement, style: Computed | None, indent: tuple[float, float], boxed: bool
) -> None:
    """A table kept in by the blocks around it, as their text is, on the sides xhtml2pdf does not."""
    left, right = (0.0, 0.0) if boxed else indent
    declared = style.cascaded if style is not None else {}
    if (left, right) == (0.0, 0.0) or any(auto_sides(declared)):
        return
    _, own_right, _, own_left = sides(declared, "margin")
    set_style(table, {"margin-left": f"{own_left + left:.2f}pt", "margin-right": f"{own_right + right:.2f}pt"})


def _is_block(element: lxml_html.HtmlElement, style: Computed) -> bool:
    return style.display in _BLOCK_DISPLAYS or (style.display == "" and element.tag in BLOCK_TAGS)


def length(value: str | None, room: float) -> float | None:
    """A `width`-like value in points: a length, or a percentage of `room`; None for auto and the unknown."""
    if not value:
        return None
    found = _PERCENT.match(value)
    if found:
        return float(found.group(1)) * room / 100
    size = points(value)
    return None if size == float("inf") else size


def _horizontal(style: Computed) -> float:
    """Margins, borders and padding left and right, in points."""
    declared = style.cascaded
    _, mright, _, mleft = sides(declared, "margin")
    return mleft + mright + _extras(style)


def _extras(style: Computed) -> float:
    """Padding and borders left and right: what `box-sizing: content-box` leaves out of `width`."""
    return padding_and_borders(style.cascaded)


def used_width(style: Computed, room: float, declared_width: str | None = None) -> tuple[float, float]:
    """The border-box width CSS gives the box in a containing block `room` wide, and the room its margins
    leave it."""
    declared = style.cascaded
    _, mright, _, mleft = sides(declared, "margin")
    available = room - mleft - mright
    extras = 0.0 if style.border_box else _extras(style)
    width = length(declared.get("width") or declared_width, room)
    used = available if width is None else width + extras
    maximum = length(declared.get("max-width"), room)
    if maximum is not None:
        used = min(used, maximum + extras)
    minimum = length(declared.get("min-width"), room)
    if minimum is not None:
        used = max(used, minimum + extras)
    return used, available


def _alignment(style: Computed, legacy_centre: bool) -> str:
    left, right = auto_sides(style.cascaded)
    if left and right:
        return "center"
    if left:
        return "right"
    return "center" if legacy_centre and not right else "left"


def _block(
    element: lxml_html.HtmlElement,
    style: Computed,
    room: float,
    legacy_centre: bool,
    indent: tuple[float, float],
    overflows: bool = True,
) -> tuple[float, bool]:
    """Narrow the block to its used width when that is less than its room, or let it overflow its room on
    the right when it is set wider (`overflows`: it is not a flex or grid item, which shrinks to its
    line); the room its content has, and whether it now sits in a table cell."""
    # A block is as wide as its container anyway; said outright, xhtml2pdf sizes it as a box of its
    # own, and a table inside a table cell loses all its columns but the first.
    set_style(element, {name: None for name in ("width", "max-width") if style.own.get(name) == "100%"})
    used, available = used_width(style, room)
    narrowed = 0 < used < available - SLACK
    if narrowed:
        narrow(element, style, used, _alignment(style, legacy_centre), indent)
    elif overflows and used > available + SLACK and element.get("dir") != "rtl":
        # Over-constrained (CSS 2.1 §10.3.3): a box set wider than its container keeps its width and
        # overflows on the right, its right margin taking the difference.
        _, right, _, _ = sides(style.cascaded, "margin")
        set_style(element, {"margin-right": f"{right - (used - available):.2f}pt"})
        return used - _extras(style), False
    else:
        # Only what blocks.narrow does beside widths: a padded block holding a table in a table cell.
        narrowed = blocks.narrow(element, style, 0.0)
    return min(used, available) - _extras(style), narrowed


def narrow(
    element: lxml_html.HtmlElement, style: Computed, width: float, align: str, indent: tuple[float, float]
) -> None:
    """The block as a row: its box in a cell `width` points wide, empty cells taking the rest of the line
    on the side `align` leaves it (xhtml2pdf aligns no table inside a table cell, but shares a row's
    room among its cells of no width)."""
    table: lxml_html.HtmlElement = lxml_html.Element("table")
    table.set("cellpadding", "0")
    table.set("cellspacing", "0")
    table.set("width", "100%")
    _, mright, _, mleft = sides(style.cascaded, "margin")
    table.set("style", f"margin-left: {indent[0] + mleft:.2f}pt; margin-right: {indent[1] + mright:.2f}pt")
    row = etree.SubElement(table, "tr")
    if align in ("center", "right"):
        _spacer(row)
    td = etree.SubElement(row, "td")
    if align in ("center", "left"):
        _spacer(row)
    td.set("width", f"{width:.2f}pt")
    box = {name: value for name, value in style.own.items() if not name.startswith(_OUTSIDE)}
    # The cell holds the block's padding, the browser's stylesheet's (a list's 40px) with the author's.
    padding = sides(style.cascaded, "padding")
    padding_sides = {f"padding-{side}": f"{value:.2f}pt" for side, value in zip(SIDES, padding, strict=True)}
    box = {"vertical-align": "top", **padding_sides, **box}
    td.set("style", "; ".join(f"{name}: {value}" for name, value in box.items()))
    td.text, element.text = element.text, None
    for child in list(element):
        td.append(child)
    element.append(table)
    # The block keeps its vertical margins; its horizontal ones are the table's.
    top, _, bottom, _ = sides(style.cascaded, "margin")
    element.set("style", f"margin-top: {top:.2f}pt; margin-bottom: {bottom:.2f}pt; padding: 0")


def _spacer(row: lxml_html.HtmlElement) -> None:
    """An empty cell that takes its share of the room its row's sized cells leave (with padding, xhtml2pdf
    would make the padding its width)."""
    etree.SubElement(row, "td").set("style", "padding: 0")


def _table(
    table: lxml_html.HtmlElement, style: Computed, room: float, legacy_centre: bool, computed: ElementStyles
) -> float:
    """A table centred or pushed right by its auto margins, `align`, or a centring parent; its width."""
    _fill_single_column(table, computed)
    declared_width = table.get("width")
    if legacy_centre and "text-align" not in style.own:
        # `<center>` and `align="center"` centre a table, not the text in its cells.
        set_style(table, {"text-align": "left"})
    used, available = used_width(style, room, declared_width)
    if style.cascaded.get("width") is None and declared_width is None:
        fitted = _shrink_to_fit(table, computed, available - _extras(style))
        if fitted is None:
            return available
        # An auto-width table is as wide as its content when that fits (CSS 2.1 §17.5.2.2); xhtml2pdf
        # would stretch it across its container.
        declared_width = f"{fitted + _extras(style):.2f}pt"
        table.set("width", declared_width)
        used = min(fitted + _extras(style), available)
    align = (table.get("align") or "").lower() or _alignment(style, legacy_centre)
    if align in ("center", "right") and used < available - SLACK and _in_cell(table):
        _wrap_aligned(table, align, table.get("width") or style.cascaded.get("width", ""))
    elif align in ("center", "right"):
        table.set("align", align)
    return used


def _fill_single_column(table: lxml_html.HtmlElement, computed: ElementStyles) -> None:
    """A cell alone in its row spans the table, whatever percentage width it asks for: xhtml2pdf made the
    whole table that share of its width (an e-mail's 560px card drawn at 87.5 %)."""
    for row in own_rows(table):
        cells = [cell for cell in row if cell.tag in ("td", "th")]
        style = computed.get(cells[0]) if len(cells) == 1 else None
        if style is not None and style.own.get("width", "").strip().endswith("%"):
            restyle(cells[0], style, {"width": None})
            cells[0].attrib.pop("width", None)  # the `width` it overrode would stand in its place


def _in_cell(element: lxml_html.HtmlElement) -> bool:
    return next(element.iterancestors("td", "th"), None) is not None


def _wrap_aligned(table: lxml_html.HtmlElement, align: str, width: str) -> None:
    """A table inside a table cell, aligned: in the middle (or last) cell of a full-width row."""
    outer: lxml_html.HtmlElement = lxml_html.Element("table")
    outer.set("cellpadding", "0")
    outer.set("cellspacing", "0")
    outer.set("width", "100%")
    row = etree.SubElement(outer, "tr")
    _spacer(row)
    cell = etree.SubElement(row, "td")
    cell.set("width", width)
    cell.set("style", "padding: 0; vertical-align: top")
    if align == "center":
        _spacer(row)
    outer.tail, table.tail = table.tail, None
    table.getparent().replace(table, outer)
    cell.append(table)
    table.attrib.pop("align", None)
    table.set("width", "100%")
    set_style(table, {"width": None, "margin-left": None, "margin-right": None})


def _cell_room(cell: lxml_html.HtmlElement, style: Computed | None, room: float, cells: int) -> float:
    """A cell's content width: its own width if it says, else an even share of the row."""
    own = length((style.cascaded.get("width") if style else None) or cell.get("width"), room)
    if style is None:
        return own if own is not None else room / max(cells, 1)
    share = own if own is not None else room / max(cells, 1)
    if style.display in _BLOCK_DISPLAYS:
        maximum = length(style.cascaded.get("max-width"), room)
        share = min(share, maximum) if maximum is not None else share
    return share - _extras(style)


#: What a cell's text estimate cannot size: a table narrowed around it could squeeze these.
_UNSIZED = ("table", "img", "svg", "input", "select", "textarea", "iframe", "object", "canvas", "video")


def _shrink_to_fit(table: lxml_html.HtmlElement, computed: ElementStyles, room: float) -> float | None:
    """The content width of an auto-width table, when its content is text narrower than `room`: its columns
    each as wide as their widest cell unwrapped, plus the spacing between cells; None otherwise."""
    rows = [row for row in table.iter("tr") if next(row.iterancestors("table")) is table]
    if not rows or any(element is not table for element in table.iter(*_UNSIZED)):
        return None
    spacing = _spacing(table)
    columns: list[float] = []
    widest_row = 0.0
    for row in rows:
        cells = [cell for cell in row if cell.tag in ("td", "th")]
        widths = []
        for cell in cells:
            style = computed.get(cell)
            if style is not None and style.cascaded.get("white-space") == "pre":
                return None
            declared = _cell_width(cell, style)
            if declared is None:
                return None
            content = estimate.max_content(cell, style, computed)
            # A cell's set width is the least its column gets (CSS 2.1 §17.5.2.2), its content-box width.
            widths.append(max(content, declared) + (_extras(style) if style is not None else 1.5))
        widest_row = max(widest_row, sum(widths) + spacing * (len(cells) + 1))
        if all(cell.get("colspan", "1") == "1" for cell in cells):
            for index, cell_width in enumerate(widths):
                if index == len(columns):
                    columns.append(0.0)
                columns[index] = max(columns[index], cell_width)
    width = max(sum(columns) + spacing * (len(columns) + 1), widest_row)
    return width if width < room - SLACK else None


def _cell_width(cell: lxml_html.HtmlElement, style: Computed | None) -> float | None:
    """The width a cell sets (its CSS `width`, else its `width` attribute), in points: 0 where it sets none
    or `auto`, None where it is not a length (a percentage)."""
    value = style.cascaded.get("width", "").strip() if style is not None else ""
    if not value or value == "auto":
        attribute = cell.get("width", "")
        found = _PIXELS.match(attribute)
        if found or not attribute:
            return float(found.group(1)) * PX if found else 0.0
        value = attribute  # the stage writes pixels as points
    width = points(value)
    return width if width != float("inf") else None


def _spacing(table: lxml_html.HtmlElement) -> float:
    """The space between a table's cells, in points (`cellspacing`; a browser's default, 2px)."""
    found = _PIXELS.match(table.get("cellspacing", ""))
    return float(found.group(1)) * PX if found else 2 * PX
