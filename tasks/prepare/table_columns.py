"""Column widths a table sets outside its cells, as widths of the cells, which xhtml2pdf sizes columns by.

`<col>` and `<colgroup>` (their `width` attribute or CSS width, over `span` columns) size the columns
they stand for. A table of `table-layout: fixed` and a set width is laid out by its first row alone
(CSS 2.1 §17.5.2.1): the widths that row's cells (or the columns) set, and the rest of the width shared
equally by the other columns, however long their text.
"""

from __future__ import annotations

from lxml import html as lxml_html

from tasks.prepare import values
from tasks.prepare.cascade import Computed, width_in
from tasks.prepare.inline_style import points
from tasks.prepare.table_padding import own_rows

ElementStyles = dict[lxml_html.HtmlElement, Computed]
#: The most columns a `span` may stand for.
_MAX_SPAN = 1000


def apply(root: lxml_html.HtmlElement, computed: ElementStyles, page_width: float) -> None:
    """Every table's column widths from its columns, and a fixed table's from its first row."""
    for table in root.iter("table"):
        style = computed.get(table)
        columns = _declared_columns(table, computed)
        rows = own_rows(table)
        if not rows:
            continue
        fixed = style is not None and style.cascaded.get("table-layout", "").strip() == "fixed"
        width = _table_width(table, style, page_width) if fixed else None
        if width is not None:
            columns = _fixed_columns(rows[0], columns, width, computed)
        if any(columns):
            _widths_on_cells(rows, columns)


def _declared_columns(table: lxml_html.HtmlElement, computed: ElementStyles) -> list[str | None]:
    """The width each column's `<col>` (or `<colgroup>`) sets, None where it sets none."""
    columns: list[str | None] = []
    for group in table:
        if group.tag == "col":
            columns += [_width(group, computed)] * _span(group)
        elif group.tag == "colgroup":
            cols = [col for col in group if col.tag == "col"]
            if cols:
                for col in cols:
                    columns += [_width(col, computed) or _width(group, computed)] * _span(col)
            else:
                columns += [_width(group, computed)] * _span(group)
    return columns


def _width(element: lxml_html.HtmlElement, computed: ElementStyles) -> str | None:
    """A column's width as a cell's `width` attribute says it: points, or a percentage."""
    style = computed.get(element)
    declared = (style.own.get("width", "") if style is not None else "").strip()
    if declared.endswith("%") or points(declared) != float("inf"):
        return declared
    attribute = str(element.get("width", "")).strip()
    if attribute.endswith("%"):
        return attribute
    return values.fmt(float(attribute) * 0.75) if attribute.replace(".", "", 1).isdigit() else None


def _table_width(table: lxml_html.HtmlElement, style: Computed | None, page_width: float) -> float | None:
    """A fixed table's width in points, where it sets one (a bare `width` attribute is CSS pixels)."""
    declared = (style.own.get("width", "") if style is not None else "").strip() or str(table.get("width", "")).strip()
    return width_in(f"{declared}px" if declared.replace(".", "", 1).isdigit() else declared, page_width)


def _fixed_columns(
    first: lxml_html.HtmlElement,
    columns: list[str | None],
    width: float,
    computed: ElementStyles,
) -> list[str | None]:
    """A fixed table's columns: those the columns or the first row's cells set, the rest sharing what is left."""
    cells = [cell for cell in first if cell.tag in ("td", "th")]
    count = max(len(columns), sum(_span(cell, "colspan") for cell in cells))
    sized: list[str | None] = [*columns, *([None] * (count - len(columns)))]
    index = 0
    for cell in cells:
        span = _span(cell, "colspan")
        declared = _width(cell, computed)
        if span == 1 and sized[index] is None and declared is not None:
            sized[index] = declared
        index += span
    taken = sum(float(w[:-1]) * width / 100 if w.endswith("%") else points(w) for w in sized if w is not None)
    free = [i for i, w in enumerate(sized) if w is None]
    if free:
        share = values.fmt(max(width - taken, 0.0) / len(free))
        for i in free:
            sized[i] = share
    return sized


def _span(element: lxml_html.HtmlElement, attribute: str = "span") -> int:
    """How many columns a `<col>` or `<colgroup>` stands for (`span`), or a cell spans (`colspan`)."""
    value = str(element.get(attribute, "1")).strip()
    return min(int(value), _MAX_SPAN) if value.isdigit() and int(value) > 0 else 1


def _widths_on_cells(rows: list[lxml_html.HtmlElement], columns: list[str | None]) -> None:
    """Each column's width on the first row's cell of that column, where the cell sets none of its own
    (xhtml2pdf sizes a column by the widths its cells set)."""
    index = 0
    for cell in (cell for cell in rows[0] if cell.tag in ("td", "th")):
        span = _span(cell, "colspan")
        style = cell.get("style", "")
        if span == 1 and index < len(columns) and columns[index] and not cell.get("width") and "width" not in style:
            cell.set("width", str(columns[index]))
        index += span
