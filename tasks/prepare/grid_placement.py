"""Where a grid's items go (CSS Grid 1 §8): named areas, line numbers and spans, then auto-placement.

`grid-template-areas` names rectangles; an item's `grid-area` names one, or gives its lines. `grid-row`
and `grid-column` (and their `-start` / `-end` longhands) give lines (negative ones count from the end)
or spans. Items placed in both axes go first, then the rest in order from a cursor that moves on row by row:
one locked to a column goes to that column, the others to the first free place their span fits (the
"sparse" algorithm).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import html as lxml_html

from tasks.prepare.cascade import Computed

_STRING = re.compile(r"\"([^\"]*)\"|'([^']*)'")
#: The most rows an item may be placed in or span: a stray `grid-row: 1000` is not a thousand rows.
MAX_ROWS = 200


@dataclass(frozen=True)
class Placement:
    """An item and the grid area it takes: its first row and column (from 0) and how many of each."""

    item: lxml_html.HtmlElement
    row: int
    column: int
    rows: int = 1
    columns: int = 1


@dataclass(frozen=True)
class _Axis:
    """An item's lines on one axis: where it starts (None: auto-placed) and how many tracks it spans."""

    start: int | None
    span: int


def areas(template: str) -> dict[str, tuple[int, int, int, int]]:
    """`grid-template-areas` as each name's rectangle: first row, first column, rows, columns."""
    found: dict[str, list[tuple[int, int]]] = {}
    for row, names in enumerate(_rows(template)):
        for column, name in enumerate(names):
            if not set(name) <= {"."}:
                found.setdefault(name, []).append((row, column))
    rectangles = {}
    for name, cells in found.items():
        top, left = min(r for r, _ in cells), min(c for _, c in cells)
        rectangles[name] = (top, left, 1 + max(r for r, _ in cells) - top, 1 + max(c for _, c in cells) - left)
    return rectangles


def column_count(template: str) -> int:
    """How many columns `grid-template-areas` lays out (0 for none)."""
    return max((len(names) for names in _rows(template)), default=0)


def _rows(template: str) -> list[list[str]]:
    return [(found.group(1) or found.group(2) or "").split() for found in _STRING.finditer(template)]


def place(
    items: list[lxml_html.HtmlElement], computed: dict[lxml_html.HtmlElement, Computed], columns: int, template: str
) -> list[Placement]:
    """Every item's area in a grid of `columns` column tracks whose areas `template` names, in the
    order the items come."""
    named = areas(template)
    wanted = [_wanted(computed.get(item), columns, named) for item in items]
    taken: set[tuple[int, int]] = set()
    placed: dict[int, Placement] = {}
    # Placed on both axes first; then the rest in order, from a cursor that moves on row by row.
    for index, (row, column) in enumerate(wanted):
        if row.start is not None and column.start is not None:
            placed[index] = _take(items[index], row.start, column.start, row.span, column.span, taken)
    cursor = (0, 0)
    for index, (row, column) in enumerate(wanted):
        if index in placed:
            continue
        if column.start is not None:
            # Locked to a column: from the cursor's row, or the next one if the cursor is past that column.
            top = cursor[0] + (column.start < cursor[1]) if row.start is None else row.start
            top = _first_free_row(column.start, column.span, row.span, taken, top)
            spot = (top, column.start)
        else:
            spot = _first_free(cursor, column.span, row.span, columns, taken, row.start)
        placed[index] = _take(items[index], spot[0], spot[1], row.span, column.span, taken)
        cursor = (spot[0], spot[1] + column.span)
    return [placed[index] for index in range(len(items))]


def _wanted(style: Computed | None, columns: int, named: dict[str, tuple[int, int, int, int]]) -> tuple[_Axis, _Axis]:
    """The item's rows and columns as its style asks for them."""
    if style is None:
        return _Axis(None, 1), _Axis(None, 1)
    cascaded = style.cascaded
    area = cascaded.get("grid-area", "").strip()
    if area in named:
        top, left, rows, width = named[area]
        return _Axis(top, rows), _Axis(min(left, columns - 1), min(width, columns - left) or 1)
    parts = [part.strip() for part in area.split("/")] if area and area not in named else []
    row = _axis(
        cascaded.get("grid-row-start", parts[0] if parts else ""),
        cascaded.get("grid-row-end", parts[2] if len(parts) > 2 else ""),
        cascaded.get("grid-row", ""),
        MAX_ROWS,
    )
    column = _axis(
        cascaded.get("grid-column-start", parts[1] if len(parts) > 1 else ""),
        cascaded.get("grid-column-end", parts[3] if len(parts) > 3 else ""),
        cascaded.get("grid-column", ""),
        columns,
    )
    return row, column


def _axis(start: str, end: str, shorthand: str, tracks: int) -> _Axis:
    """One axis's placement from its longhands or its `a / b` shorthand, within `tracks` tracks."""
    if shorthand and not (start or end):
        halves = [half.strip() for half in shorthand.split("/")]
        start, end = halves[0], halves[1] if len(halves) > 1 else ""
    first = _line(start, tracks)
    last = _line(end, tracks)
    span = _span_of(start) or _span_of(end) or 1
    if first is not None and last is not None and last > first:
        span = last - first
    elif first is None and last is not None and not _span_of(end):
        first = max(last - span, 0)
    if first is not None:
        first = min(first, tracks - 1)
        span = min(span, tracks - first)
    return _Axis(first, max(min(span, tracks), 1))


def _line(value: str, tracks: int) -> int | None:
    """A grid line (a whole number, negative from the end) as the index of the track after it."""
    value = value.strip()
    try:
        number = int(value)
    except ValueError:
        return None
    if number > 0:
        return number - 1
    if number < 0:
        return max(tracks + 1 + number, 0)
    return None


def _span_of(value: str) -> int:
    parts = value.split()
    if len(parts) == 2 and parts[0] == "span" and parts[1].isdigit():
        return int(parts[1])
    return 0


def _take(
    item: lxml_html.HtmlElement, row: int, column: int, rows: int, columns: int, taken: set[tuple[int, int]]
) -> Placement:
    taken.update((r, c) for r in range(row, row + rows) for c in range(column, column + columns))
    return Placement(item, row, column, rows, columns)


def _free(row: int, column: int, rows: int, columns: int, taken: set[tuple[int, int]]) -> bool:
    return all((r, c) not in taken for r in range(row, row + rows) for c in range(column, column + columns))


def _first_free_row(column: int, columns: int, rows: int, taken: set[tuple[int, int]], start: int) -> int:
    row = start
    while row < MAX_ROWS and not _free(row, column, rows, columns, taken):
        row += 1
    return row


def _first_free(
    cursor: tuple[int, int], span: int, rows: int, columns: int, taken: set[tuple[int, int]], locked_row: int | None
) -> tuple[int, int]:
    """The first place from `cursor` (row by row) where `span` columns and `rows` rows are free."""
    row, column = (locked_row, 0) if locked_row is not None else cursor
    while row < MAX_ROWS:
        while column + span <= columns:
            if _free(row, column, rows, span, taken):
                return row, column
            column += 1
        if locked_row is not None:
            break
        row, column = row + 1, 0
    return (locked_row if locked_row is not None else row), 0
