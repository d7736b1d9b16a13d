"""A table's own padding and the spacing between its rows, which xhtml2pdf ignores, as padding of its cells.

In the separated-borders model a table's padding lies between its border and its cells (CSS 2.1
§17.6.1): an e-mail's coupon box `padding: 24px` holds its text off the dashed border, a receipt's
`padding: 35px 0` spaces its items from what is around them. The first row's cells take the top, the
last row's the bottom, each row's first and last cells the sides. The rows stand `border-spacing` apart
(`cellspacing`, 2px unless set): each row's cells take it above them, the last row's below too.
"""

from __future__ import annotations

from lxml import html as lxml_html

from tasks.prepare.cascade import Computed, restyle
from tasks.prepare.inline_style import points, sides

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
        padding = sides(style.own, "padding")
        spacing = _row_spacing(table, style)
        rows = own_rows(table)
        default = _cellpadding(table)
        if table.get("cellpadding") is not None:
            _cells_padded(rows, computed, default)
        if not rows or not (any(padding) or spacing):
            continue
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
