"""Flex rows and grids as the tables they look like.

xhtml2pdf lays out flex containers itself, but a table with percentage widths inside one loses all its
columns but the first, and its items get less than their max-content width.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from tasks.prepare import estimate, flex_line, floats, grid_placement, grid_tracks, values
from tasks.prepare.cascade import Computed, restyle
from tasks.prepare.inline_style import gap_of, points, set_display, set_style, sides
from tasks.prepare.positioned import OUT_OF_FLOW, position

_PERCENT = re.compile(r"^\s*([\d.]+)%\s*$")
#: Widths within this many points of a line's room fit in it: a rounding.
SLACK = 1.0
#: Lines' estimated heights are taken this much taller when free space is shared: a line the estimate made
#: short would push the last line past the container, and off a page-tall cover.
_ESTIMATE_SAFETY = 1.1


def flex_to_table(
    element: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed], page_width: float
) -> None:
    """The flex row as a table of one row (a table per line when it wraps), its justification as cell
    alignment."""
    style = computed[element].own
    items = _children(element, computed)
    if not items:
        return
    justify = style.get("justify-content", "")
    valign = {"center": "middle", "flex-end": "bottom", "end": "bottom"}.get(style.get("align-items", ""), "top")
    gap = gap_of(style, "column")
    wraps = style.get("flex-wrap", "nowrap").startswith("wrap")
    room = floats.available(element, page_width, computed)
    rows = _rows(items, computed, wraps, room, points(gap) if gap else 0.0)
    inline = style.get("display") == "inline-flex"
    table = _table(element, inline)
    set_display(element, "block")
    row_gap = gap_of(style, "row")
    # Centred or pushed down in a row of a set height (a card centred on a `height: 100vh` body): the cells
    # take that height, and their vertical alignment places the items in it.
    height = _inner_height(style) if valign != "top" and len(rows) == 1 else None
    above = _align_content(style, rows, computed, room) if wraps and height is None else [0.0] * len(rows)
    if above[0]:
        # A spacer, not a margin: the table's top margin would collapse through the container's top.
        table.addprevious(lxml_html.Element("pdf:spacer", height=f"{above[0]:.2f}pt"))
    for number, row in enumerate(rows):
        if number and (above[number] or not (_shares(row) and _widths(row) == _widths(rows[number - 1]))):
            # Each line of a wrapping flex row is laid out on its own: it shares the columns of the line
            # before only where they are the same (a grid's `.col-6` pairs), never a 100% line's column.
            table = _table(element, inline, (points(row_gap) if row_gap else 0.0) + above[number])
        tr = etree.SubElement(table, "tr")
        sized = (
            None
            if inline or _shares(row)
            else flex_line.line([item for item, _ in row], computed, room, points(gap) if gap else 0.0, justify)
        )
        if sized is not None:
            _sized_cells(tr, row, sized, computed, valign, height)
        else:
            _shared_cells(tr, row, computed, justify, (valign, height), gap)


Row = list[tuple[lxml_html.HtmlElement, str | None]]


def _shared_cells(
    tr: lxml_html.HtmlElement,
    row: Row,
    computed: dict[lxml_html.HtmlElement, Computed],
    justify: str,
    vertical: tuple[str, float | None],
    gap: str | None,
) -> None:
    """A line whose items have percentage widths (or cannot be sized here) as cells of those widths, the
    free space justify-content puts before or after them as empty cells."""
    valign, height = vertical
    free = _free_space(row, justify)
    if justify in ("flex-end", "end", "right", "center") and free:
        _spacer(tr)
    for index, (item, width) in enumerate(row):
        _fill_cell(item, width, computed)
        # Items as wide as their cells (a percentage each), or placed by empty cells: their content keeps
        # its own alignment; justify-content moves boxes, never the text in them.
        align = None if free or _shares(row) else _alignment(justify, index, len(row))
        cell = _cell(tr, item, width, valign, align, gap if index else None)
        if height is not None:
            cell.set("style", f"{cell.get('style')}; height: {height:.2f}pt")
    if justify in ("flex-start", "start", "left", "center", "normal", "") and free:
        _spacer(tr)


def _rows(
    items: list[lxml_html.HtmlElement],
    computed: dict[lxml_html.HtmlElement, Computed],
    wraps: bool,
    room: float,
    gap: float,
) -> list[Row]:
    """The items in lines, each with its width: a wrapping row breaks where the next item's width (its
    percentage of `room`, its own width, else its content's) no longer fits beside the ones before."""
    rows: list[Row] = [[]]
    used = 0.0
    for item in items:
        width = _item_width(computed.get(item))
        outer = _hypothetical_width(item, computed, room) if wraps else 0.0
        if wraps and rows[-1] and used + gap + outer > room + SLACK:
            rows.append([])
            used = 0.0
        used += (gap if rows[-1] else 0.0) + outer
        rows[-1].append((item, width))
    return rows


def _hypothetical_width(
    item: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed], room: float
) -> float:
    """How much of its line a flex item takes when lines are broken (§9.3): its flex basis and what is
    around it (`flex: 1` takes none but its margins and padding)."""
    style = computed.get(item)
    own = style.own if style is not None else {}
    found = flex_line.basis(item, own, flex_line.flex_of(own), computed, room)
    # No basis only for content under a percentage `max-width`: the item takes that share of the line.
    return sum(found) if found is not None else float(own["max-width"].strip()[:-1]) * room / 100


def column_to_blocks(
    element: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed], page_width: float
) -> None:
    """A flex column as the stack of blocks it is: the free space of a set height put between them as
    `justify-content` says (a ticket's stub spreads its name, code and details over its 8cm), each item
    placed across as `align-items` says (a card centred in a column of the page's height)."""
    style = computed[element].cascaded
    _stack(element, computed, page_width, style.get("align-items", ""), style.get("justify-content", ""))


def one_column_grid_to_blocks(
    element: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed], page_width: float
) -> None:
    """A grid of one column as the stack of blocks it is, its items placed by `place-items` (or
    `justify-items` and `align-items`): a certificate centred with `display: grid; place-items: center`.
    Its rows share a set height equally, so an item centred in its row is centred in its share."""
    style = computed[element].cascaded  # `place-items` comes as its longhands
    distribution = {"center": "space-around", "end": "flex-end"}.get(style.get("align-items", "").strip(), "")
    _stack(element, computed, page_width, style.get("justify-items", ""), style.get("align-content", distribution))


def _stack(
    element: lxml_html.HtmlElement,
    computed: dict[lxml_html.HtmlElement, Computed],
    page_width: float,
    across: str,
    distribution: str,
) -> None:
    """The container's items as blocks one under the other: each narrower item moved `across` (center,
    end) by auto margins at its shrink-to-fit width, and the free space of a set height shared out between
    them as `distribution` says."""
    set_display(element, "block")
    style = computed[element].own
    items = [child for child in element if isinstance(child.tag, str) and child.tag != "pdf:spacer"]
    room = floats.available(element, page_width, computed)
    side = {"center": "both", "flex-end": "left", "end": "left", "right": "left"}.get(across.strip())
    for item in items if side else ():
        _placed_across(item, computed, room, side or "")
    height = _inner_height(style)
    if height is None or not items:
        return
    used = sum(estimate.height(item, computed, room) for item in items) * _ESTIMATE_SAFETY
    free = height - used - (len(items) - 1) * points(gap_of(style, "row") or "0pt")
    above = _shares_of_free_space(distribution.strip(), free, len(items))
    for item, room_above in zip(items, above, strict=True):
        if room_above > 0:
            item.addprevious(lxml_html.Element("pdf:spacer", height=f"{room_above:.2f}pt"))


def _placed_across(
    item: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed], room: float, side: str
) -> None:
    """An item of a stack moved to the centre (`side` "both") or the end ("left": its left margin auto) at
    its own width, or its shrink-to-fit width where it sets none."""
    style = computed.get(item)
    if style is None or style.own.get("align-self", "").strip() in ("stretch", "flex-start", "start"):
        return
    changes: dict[str, str | None] = {"margin-left": "auto"}
    if side == "both":
        changes["margin-right"] = "auto"
    if "width" not in style.own:
        changes["width"] = values.fmt(min(estimate.max_content(item, style, computed), room))
    restyle(item, style, changes)


def _shares_of_free_space(value: str, free: float, count: int) -> list[float]:
    """The room a distribution value (`align-content`, a column's `justify-content`) puts before each of
    `count` lines or items, out of `free` points; none where there is none to share."""
    if free <= 0 or count == 0:
        return [0.0] * count
    rest = [0.0] * (count - 1)
    share = {
        "flex-end": [free, *rest],
        "end": [free, *rest],
        "center": [free / 2, *rest],
        "space-between": [0.0] + [free / (count - 1)] * (count - 1) if count > 1 else [0.0],
        "space-around": [free / count / 2] + [free / count] * (count - 1),
        "space-evenly": [free / (count + 1)] * count,
    }
    return share.get(value, [0.0] * count)


def _align_content(
    style: dict[str, str], rows: list[Row], computed: dict[lxml_html.HtmlElement, Computed], room: float
) -> list[float]:
    """The room `align-content` puts above each line of a wrapping flex row of a set height (a cover's title
    at the top and its addresses at the foot): what the lines leave of the height, by their estimated
    heights, shared as the value says; the default stretches each line by an equal share."""
    lines = len(rows)
    height = _inner_height(style)
    if height is None:
        return [0.0] * lines
    used = sum(max(_item_height(item, width, computed, room) for item, width in row) for row in rows)
    free = height - used * _ESTIMATE_SAFETY - (lines - 1) * points(gap_of(style, "row") or "0pt")
    value = style.get("align-content", "normal").strip()
    if value in ("normal", "stretch") and free > 0:
        return [0.0] + [free / lines] * (lines - 1)  # each line stretched by an equal share
    return _shares_of_free_space(value, free, lines)


def _item_height(
    item: lxml_html.HtmlElement, width: str | None, computed: dict[lxml_html.HtmlElement, Computed], room: float
) -> float:
    """A flex item's estimated height at its width in the line (a share of it where its width is unknown)."""
    found = points(width) if width else float("inf")
    if width and width.endswith("%"):
        found = float(width[:-1]) * room / 100
    return estimate.height(item, computed, found if found != float("inf") else room / 2)


def _inner_height(style: dict[str, str]) -> float | None:
    """The content height a flex container sets (`height`, else `min-height`), a little short of it so that
    a row as tall as the page still fits the page; None when it sets none."""
    for name in ("height", "min-height"):
        value = points(style.get(name))
        if value != float("inf"):
            top, _, bottom, _ = sides(style, "padding")
            return max(value - top - bottom - 2.0, 0.0)
    return None


def _widths(row: Row) -> list[str | None]:
    return [width for _, width in row]


def _shares(row: Row) -> bool:
    """Whether every item of the line has a percentage width (a grid-like row, columns shared by its lines)."""
    return all(width is not None and width.endswith("%") for _, width in row)


def _alignment(justify: str, index: int, count: int) -> str | None:
    """How an item's cell aligns its content to stand where justify-content puts it."""
    if justify in ("space-between", "space-around", "space-evenly") and count > 1:
        return "right" if index == count - 1 else ("left" if index == 0 else "center")
    if justify in ("flex-end", "end", "right"):
        return "right"
    return "center" if justify == "center" else None


def _free_space(row: list[tuple[lxml_html.HtmlElement, str | None]], justify: str) -> bool:
    """Whether every item of the row has a percentage width and they leave part of the row free."""
    shares = [float(width[:-1]) for _, width in row if width and width.endswith("%")]
    return len(shares) == len(row) and sum(shares) < 99.5 and justify not in ("stretch",)


def _spacer(tr: lxml_html.HtmlElement, width: float | None = None) -> None:
    td = etree.SubElement(tr, "td")
    td.set("style", "padding: 0")
    if width is not None:
        td.set("width", f"{width:.2f}pt")


def _sized_cells(
    tr: lxml_html.HtmlElement,
    row: Row,
    sized: flex_line.Line,
    computed: dict[lxml_html.HtmlElement, Computed],
    valign: str,
    height: float | None,
) -> None:
    """The line's items in cells of the widths a browser gives them, the free space in empty cells."""
    for (item, _), width, before in zip(row, sized.widths, sized.before, strict=True):
        if before > 0.01:
            _spacer(tr, before)
        style = computed.get(item)
        if style is not None and "width" in style.own:
            # The cell is the item's width now: the item fills it.
            restyle(item, style, {"width": None})
        cell = _cell(tr, item, f"{width:.2f}pt", valign, None, None)
        if height is not None:
            cell.set("style", f"{cell.get('style')}; height: {height:.2f}pt")
    if sized.after > 0.01:
        # Unsized: it takes what the line leaves, however wide the row turns out (the item this flex row
        # is may be sized later by an outer row, and a spacer of a set width squeezed its cells).
        _spacer(tr, None if sized.before[0] <= 0.01 else sized.after)


def _fill_cell(item: lxml_html.HtmlElement, width: str | None, computed: dict[lxml_html.HtmlElement, Computed]) -> None:
    """An item whose own width sizes its cell fills the cell: its percentage was of the flex container."""
    style = computed.get(item)
    if width is None or style is None or style.own.get("width") != width:
        return
    restyle(item, style, {"width": "100%"})


def _children(
    element: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]
) -> list[lxml_html.HtmlElement]:
    """The container's items in their `order`: its element children, and its loose text as anonymous
    items. A child placed out of flow (absolute, fixed) is no item: it stays in the container, where its
    offsets place it (it had taken a cell of the row, its text beside the items')."""
    items = []
    if element.text and element.text.strip():
        items.append(_anonymous(element.text))
    element.text = None
    for child in list(element):
        if not isinstance(child.tag, str):
            continue
        if position(computed.get(child)) not in OUT_OF_FLOW:
            items.append(child)
            element.remove(child)
        if child.tail and child.tail.strip():
            items.append(_anonymous(child.tail))
        child.tail = None
    shown = [item for item in items if computed.get(item) is None or computed[item].display != "none"]
    return sorted(shown, key=lambda item: _order(computed.get(item)))


def _order(style: Computed | None) -> int:
    try:
        return int((style.cascaded.get("order", "0") if style is not None else "0").strip())
    except ValueError:
        return 0


def _anonymous(text: str) -> lxml_html.HtmlElement:
    span: lxml_html.HtmlElement = lxml_html.Element("span")
    span.text = text
    return span


def grid_to_table(
    element: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed], page_width: float
) -> None:
    """The grid as a table of its column tracks, sized as CSS Grid sizes them, its items in order, spans as
    colspans."""
    style = computed[element]
    gap = gap_of(style.own, "column")
    gap_pt = points(gap) if gap else 0.0
    room = floats.available(element, page_width, computed)
    items = _children(element, computed)
    template = style.cascaded.get("grid-template-areas", "")
    # Without column tracks of its own, a grid of named areas has as many as they need, sized by content.
    columns = style.grid_columns or f"repeat({grid_placement.column_count(template)}, auto)"
    tracks = grid_tracks.expand(columns, room, gap_pt, len(items), style.font_pt)
    if len(tracks) < 2:
        set_display(element, "block")
        return
    placements = grid_placement.place(items, computed, len(tracks), template)
    alone: list[list[lxml_html.HtmlElement]] = [[] for _ in tracks]
    for placement in placements:
        if placement.columns == 1:
            alone[placement.column].append(placement.item)
    sizes = grid_tracks.widths(tracks, alone, computed, room, gap_pt)
    set_display(element, "block")
    _grid_rows(_table(element, False), placements, sizes, gap, gap_of(style.own, "row"))


def _grid_rows(
    table: lxml_html.HtmlElement,
    placements: list[grid_placement.Placement],
    sizes: list[float],
    gap: str | None,
    row_gap: str | None,
) -> None:
    """The grid's rows in `table`: each item in a cell as wide as the tracks it spans (tracks no item's
    edge separates are one column: xhtml2pdf gave a spanning cell's width to its first column alone), an
    area no item takes an empty cell that keeps the row's shape."""
    edges, starts, covered = _grid_map(placements, len(sizes))
    gap_pt = points(gap) if gap else 0.0
    for row in range(max((p.row + p.rows for p in placements), default=0)):
        tr = etree.SubElement(table, "tr")
        column = 0
        while column < len(edges) - 1:
            found = starts.get((row, column))
            if found is None and (row, column) in covered:
                column += 1
                continue
            span = edges.index(found.column + found.columns) - column if found else 1
            first, last = edges[column], edges[column + span]
            width = sum(sizes[first:last]) + gap_pt * (last - first - 1 + (first > 0))
            cell = _cell(
                tr,
                found.item if found else lxml_html.Element("div"),
                f"{width:.2f}pt",
                "top",
                None,
                gap if first else None,
            )
            if found is None:
                cell.remove(cell[0])  # an empty area
            elif found.rows > 1:
                cell.set("rowspan", str(found.rows))
            if span > 1:
                cell.set("colspan", str(span))
            if row_gap and row:
                cell.set("style", cell.get("style", "") + f"; padding-top: {row_gap}")
            column += span


def _grid_map(
    placements: list[grid_placement.Placement], tracks: int
) -> tuple[list[int], dict[tuple[int, int], grid_placement.Placement], set[tuple[int, int]]]:
    """The grid lines an item's edge falls on (the table's columns lie between them), the item starting in
    each row and table column, and every row and table column an item covers."""
    edges = sorted({0, tracks, *(edge for p in placements for edge in (p.column, p.column + p.columns))})
    starts = {(p.row, edges.index(p.column)): p for p in placements}
    covered = {
        (row, column)
        for p in placements
        for row in range(p.row, p.row + p.rows)
        for column in range(edges.index(p.column), edges.index(p.column + p.columns))
    }
    return edges, starts, covered


def _table(element: lxml_html.HtmlElement, inline: bool, above: float = 0.0) -> lxml_html.HtmlElement:
    """A table for a line of items at the end of `element`, `above` points below what is before it."""
    table: lxml_html.HtmlElement = etree.SubElement(element, "table")
    table.set("cellpadding", "0")
    table.set("cellspacing", "0")
    if not inline:
        table.set("style", "width: 100%")
    if above:
        set_style(table, {"margin-top": values.fmt(above)})
    return table


def _cell(
    tr: lxml_html.HtmlElement,
    item: lxml_html.HtmlElement,
    width: str | None,
    valign: str,
    align: str | None,
    gap: str | None,
) -> lxml_html.HtmlElement:
    td: lxml_html.HtmlElement = etree.SubElement(tr, "td")
    declarations = [f"vertical-align: {valign}", "padding: 0"]
    if width:
        td.set("width", width)
    if align:
        declarations.append(f"text-align: {align}")
    if gap:
        declarations.append(f"padding-left: {gap}")
    td.set("style", "; ".join(declarations))
    td.append(item)
    return td


def _item_width(style: Computed | None) -> str | None:
    if style is None:
        return None
    for name in ("width", "flex-basis", "max-width"):
        value = style.own.get(name, "")
        if _PERCENT.match(value) or value.endswith("pt"):
            return value.strip()
    # The flex shorthand's basis is its last part when that is a length: `70%`, `1 70%`, `0 0 120pt`.
    parts = style.own.get("flex", "").split()
    return parts[-1] if parts and (_PERCENT.match(parts[-1]) or parts[-1].endswith("pt")) else None
