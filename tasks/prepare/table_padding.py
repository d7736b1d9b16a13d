"""A table's own padding and the spacing between its rows, which xhtml2pdf ignores, as padding of its cells.

In the separated-borders model a table's padding lies between its border and its cells (CSS 2.1
§17.6.1): an e-mail's coupon box `padding: 24px` holds its text off the dashed border, a receipt's
`padding: 35px 0` spaces its items from what is around them. The first row's cells take the top, the
last row's the bottom, each row's first and last cells the sides. The rows stand `border-spacing` apart
(`cellspacing`, 2px unless set): each row's cells take it above them, the last row's below too.

A table's own border is drawn outside its cells, and a `width` holds it (a table's width is its border
box). xhtml2pdf strokes it on the outer cells' edges, centred on them and after their content: a thick
border painted over the outer cells' text. The outer cells are padded by the border (the top and bottom
rows by all of it, so that no margin collapses it away; the first and last cells by half), and the table
is moved in by the other half on each side and narrowed by as much: the text stands where a browser puts
it, the border's stroke within half a border of where a browser draws it. A positioned table is left to
xhtml2pdf's placement (tasks/prepare/positioned.py).
"""

from __future__ import annotations

from lxml import html as lxml_html

from tasks.prepare.borders import drawn
from tasks.prepare.cascade import Computed, restyle
from tasks.prepare.inline_style import auto_sides, border_width, points, sides

_SIDES = ("top", "right", "bottom", "left")
#: A cell's padding where neither it nor its table's `cellpadding` sets one (the browser's `td { padding: 1px }`).
_DEFAULT_CELL_PADDING = 0.75
#: The browser's `border-spacing` where the table sets none (2px).
_DEFAULT_SPACING = 1.5


def apply(root: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> None:
    """Every table's padding and row spacing moved into its cells (a collapsing table has neither)."""
    for table in root.iter("table"):
        style = computed.get(table)
        if style is None or style.cascaded.get("border-collapse", "").strip() == "collapse":
            continue
        border = _border(style)
        padding = tuple(pad + width for pad, width in zip(sides(style.own, "padding"), border, strict=True))
        spacing = _row_spacing(table, style)
        rows = own_rows(table)
        default = _cellpadding(table)
        if table.get("cellpadding") is not None:
            _cells_padded(rows, computed, default)
        if not rows or not (any(padding) or spacing):
            continue
        if border[1] or border[3]:
            _inset(table, style, border[1], border[3])
        for number, row in enumerate(rows):
            cells = [cell for cell in row if cell.tag in ("td", "th")]
            for index, cell in enumerate(cells):
                added = (
                    spacing + (padding[0] if number == 0 else 0.0),
                    padding[1] if index == len(cells) - 1 else 0.0,
                    (spacing + padding[2]) if number == len(rows) - 1 else 0.0,
                    padding[3] if index == 0 else 0.0,
                )
                _pad(cell, computed.get(cell), added, default)
        restyle(table, style, {"padding": None, **{f"padding-{side}": None for side in _SIDES}})


def _border(style: Computed) -> tuple[float, float, float, float]:
    """What of the table's border its outer cells take, in points: the top and bottom widths, half of each
    side's; none for a rounded table (it draws its own) or a positioned one."""
    if "border-radius" in style.own or style.cascaded.get("position", "static").strip() not in ("static", ""):
        return (0.0, 0.0, 0.0, 0.0)
    top, right, bottom, left = (border_width(style.own, side) if drawn(style.own, side) else 0.0 for side in _SIDES)
    return (top, right / 2, bottom, left / 2)


def _inset(table: lxml_html.HtmlElement, style: Computed, right: float, left: float) -> None:
    """The table moved in by `right` and `left` (its margins, where not `auto`) and narrowed by as much."""
    margins = sides(style.own, "margin")
    left_auto, right_auto = auto_sides(style.own)
    changes: dict[str, str | None] = {}
    if not right_auto:
        changes["margin-right"] = f"{margins[1] + right:.2f}pt"
    if not left_auto:
        changes["margin-left"] = f"{margins[3] + left:.2f}pt"
    width = points(style.own.get("width"))
    if width != float("inf"):
        changes["width"] = f"{max(width - right - left, 0.0):.2f}pt"
    restyle(table, style, changes)


def _cells_padded(
    rows: list[lxml_html.HtmlElement], computed: dict[lxml_html.HtmlElement, Computed], padding: float
) -> None:
    """`cellpadding` as the padding of each cell that sets none, as a browser maps it (over its stylesheet's
    `td { padding: 1px }`, which xhtml2pdf was left to apply: an e-mail's `cellpadding="0"` cells 1px in)."""
    for row in rows:
        for cell in row:
            style = computed.get(cell)
            if cell.tag in ("td", "th") and not any(
                name.startswith("padding") for name in (style.own if style else {})
            ):
                restyle(cell, style, {"padding": f"{padding:.2f}pt"})


def own_rows(table: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """The table's own rows, in order (those of its row groups in theirs), not a nested table's."""
    rows = []
    for child in table:
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(row for row in child if row.tag == "tr")
    return rows


def _row_spacing(table: lxml_html.HtmlElement, style: Computed) -> float:
    """The space between the table's rows, in points: `border-spacing`'s vertical part, else `cellspacing`."""
    parts = style.cascaded.get("border-spacing", "").split()
    if parts:
        found = points(parts[-1]) if parts[-1] != "0" else 0.0
        return 0.0 if found == float("inf") else found
    attribute = table.get("cellspacing", "").strip()
    return float(attribute) * 0.75 if attribute.replace(".", "", 1).isdigit() else _DEFAULT_SPACING


def _cellpadding(table: lxml_html.HtmlElement) -> float:
    attribute = table.get("cellpadding", "").strip()
    return float(attribute) * 0.75 if attribute.replace(".", "", 1).isdigit() else _DEFAULT_CELL_PADDING


def _pad(
    cell: lxml_html.HtmlElement, style: Computed | None, added: tuple[float, float, float, float], default: float
) -> None:
    """`added` points more padding on each side of the cell than it has."""
    own = style.own if style is not None else {}
    have = sides(own, "padding")
    changes: dict[str, str | None] = {}
    for side, extra, current in zip(_SIDES, added, have, strict=True):
        if not extra:
            continue
        declared = own.get(f"padding-{side}") is not None or own.get("padding") is not None
        value = f"{(current if declared else default) + extra:.2f}pt"
        changes[f"padding-{side}"] = value
    restyle(cell, style, changes)
