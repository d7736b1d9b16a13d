"""Tables as browsers lay them out: automatic columns sized by their content, rows and row spans cut across pages.

tasks/render/patches.py has xhtml2pdf's <table> build `ContentSizedTable` and `table_cell`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeGuard

from reportlab.platypus.flowables import Flowable, Spacer
from xhtml2pdf.builders.flex import table_column_widths
from xhtml2pdf.xhtml2pdf_reportlab import PmlKeepInFrame, PmlTable, _CellPart

from tasks.render.hooks import current_report
from tasks.render.overflow import opened

Width = float | str | None
#: Points: the narrowest column, so that an empty one never ends up with a width of zero or less.
MIN_COLUMN = 1.0


class ContentSizedTable(PmlTable):
    """xhtml2pdf's table, whose columns without a width share the room by their content, not evenly.

    The CSS automatic table layout, simplified: columns with a width in
    points or percent keep it; the others get at least their min-content
    width (their longest word or image), and what is left of the table's
    width goes to them in proportion to their max-content width. When even
    the min-content widths do not fit, the declared columns give way, as in
    a browser: a `width="100%"` beside an image column leaves the image its
    room. The table's own width is xhtml2pdf's (the frame, when it has none).
    """

    _declaredWidths: list[Width] | None = None
    _sizedFor: tuple[float, list[float]] | None = None

    def __init__(self, data: Any, colWidths: Any = None, rowHeights: Any = None, **kwargs: Any) -> None:
        super().__init__(data, colWidths=colWidths, rowHeights=row_heights(rowHeights), **kwargs)

    def _wrapInside(self, availWidth: float, availHeight: float) -> Any:
        width = getattr(self, "totalWidth", None)
        if _number(width) and width <= 0:
            # `width: max-content` (or `fit-content`, `0`) reaches xhtml2pdf as 0 points, which left every
            # column no width (ReportLab: "negative availWidth"): the table is as wide as its content.
            self.totalWidth: Width = None
            self.shrinkToFit = True
        if self._declaredWidths is None:
            self._declaredWidths = list(self._colWidths)
        declared = self._declaredWidths
        if None in declared and not (self.shrinkToFit and self.totalWidth is None):
            if self._sizedFor is None or self._sizedFor[0] != availWidth:
                self._sizedFor = (availWidth, self._contentWidths(declared, availWidth))
            self._colWidths[:] = self._sizedFor[1]
            # At least as wide as its columns' minimum content, as far as there is room (CSS 2.1 §17.5.2.2):
            # xhtml2pdf scaled them down into the declared width, and a nowrap cell's text ran over the next.
            needed = sum(self._sizedFor[1])
            total = self._normWidth(self._declaredTotal, availWidth)
            self.totalWidth = min(needed, availWidth) if needed > total + _ROUNDING else self._declaredTotal
        return super()._wrapInside(availWidth, availHeight)

    @property
    def _declaredTotal(self) -> Width:
        """The width the table was given, before `_wrapInside` widened it to its content."""
        if "_givenTotal" not in self.__dict__:
            self._givenTotal: Width = getattr(self, "totalWidth", None)
        return self._givenTotal

    _acrossSpans = False

    def split(self, availWidth: float, availHeight: float) -> Any:
        parts = super().split(availWidth, availHeight)
        frame = getattr(self, "_frame", None)
        taller = frame is not None and getattr(self, "_height", 0) > frame._aH
        if parts or not getattr(self, "_spanCmds", None) or not (taller or self._mayCutInsideRow()):
            return parts
        # A cell spanning more rows than a page holds: cut between the rows it spans, as a
        # browser does (ReportLab shares the span out between the two parts), rather than fail.
        self._acrossSpans = True
        try:
            return super().split(availWidth, availHeight)
        finally:
            self._acrossSpans = False

    def _getFirstPossibleSplitRowPosition(self, availHeight: float, ignoreSpans: int = 0) -> int:
        position: int = super()._getFirstPossibleSplitRowPosition(availHeight, ignoreSpans or self._acrossSpans)
        return position

    def _calc(self, availWidth: float, availHeight: float) -> None:
        # ReportLab takes a column of no width for one it must measure, and measured a cell -1e-06 wide.
        self._colWidths[:] = [MIN_COLUMN if _number(w) and w <= 0 else w for w in self._colWidths]
        self._fitPaddings(availWidth)
        super()._calc(availWidth, availHeight)

    def _fitPaddings(self, availWidth: float) -> None:
        """Cells whose padding is wider than their column get less: ReportLab raised ValueError on them.

        So many columns that their padding alone is wider than the page:
        the padding gives way, the table stays on the page, and the report says so.
        """
        widths = self._colWidths
        if not all(_number(width) for width in widths):
            return
        narrowed = False
        needed = [0.0] * len(widths)  # each column's widest padding: what the columns need at least
        for row in self._cellStyles:
            for column, style in enumerate(row[: len(widths)]):
                padding = style.leftPadding + style.rightPadding
                needed[column] = max(needed[column], padding)
                room = max(widths[column] - MIN_COLUMN, 0.0)
                if padding > room:
                    style.leftPadding *= room / padding
                    style.rightPadding *= room / padding
                    # xhtml2pdf makes an empty column as wide as its padding (to a rounding error):
                    # MIN_COLUMN less is no news.
                    narrowed = narrowed or padding > widths[column] + _ROUNDING
        doc: Any = getattr(getattr(self, "canv", None), "_doctemplate", None)
        report = getattr(doc, "fidelity", None)
        if not narrowed or report is None:
            return
        if sum(needed) > availWidth + _ROUNDING:
            report.degrade(f"a table with more columns than fit the page on page {doc.page} got narrower cell padding")
        else:
            report.degrade(f"cells of a table on page {doc.page} got less padding than written (narrower columns)")

    def _contentWidths(self, declared: list[Width], availWidth: float) -> list[float]:
        total = self._normWidth(self._declaredTotal, availWidth)
        lows, highs = table_column_widths(self, self.canv, declared, spans=True)
        return auto_layout(declared, lows, highs, total)


# Points: what float arithmetic on column widths may be off by.
_ROUNDING = 1e-6


def auto_layout(declared: list[Width], lows: list[float], highs: list[float], total: float) -> list[float]:
    """Column widths in points for a table `total` wide (see ContentSizedTable)."""
    widths = [_declared(width, total) for width in declared]
    auto = [i for i, width in enumerate(widths) if width is None]
    room = total - sum(width for width in widths if width is not None)
    low, high = sum(lows[i] for i in auto), sum(highs[i] for i in auto)
    result = [0.0 if width is None else width for width in widths]
    for i in auto:
        result[i] = _auto_width(lows[i], highs[i], low, high, room, len(auto))
    if room < low:
        _give_way(result, set(auto), declared, lows, total - low)
    # An empty column still needs a width ReportLab can lay a cell out in.
    return [max(width, MIN_COLUMN) for width in result]


def _auto_width(own_low: float, own_high: float, low: float, high: float, room: float, count: int) -> float:
    """The width of an automatic column when `count` of them, needing `low` to `high` in all, share `room`."""
    if room >= high:
        # What is left over goes to the auto columns by their content, as Chromium does.
        extra = (room - high) * (own_high / high if high > 0 else 1 / count)
        return own_high + extra
    if room > low:
        return own_low + (own_high - own_low) * (room - low) / (high - low)
    return own_low


def _give_way(result: list[float], auto: set[int], declared: list[Width], lows: list[float], left: float) -> None:
    """Shrink the declared columns of `result` into `left`, what the automatic ones `auto` leave of the width."""
    declared_sum = sum(width for i, width in enumerate(result) if i not in auto)
    scale = max(left, 0.0) / declared_sum if declared_sum > 0 else 0.0
    for i in range(len(result)):
        if i not in auto:
            result[i] = max(result[i] * scale, lows[i] if isinstance(declared[i], str) else 0.0)


def row_heights(heights: list[Any] | None) -> list[float | None] | None:
    """Row heights as ReportLab can add them: points, or None (as tall as the content).

    xhtml2pdf hands a percentage on as written ("50%"), which ReportLab added to a number (TypeError).
    A browser resolves one against the table's height when it has one, and ignores it otherwise; this
    ignores it, saying so. A negative height is invalid CSS, which a browser ignores too.
    """
    if heights is None:
        return None
    report = current_report()
    if report is not None and any(isinstance(height, str) for height in heights):
        report.ignore("height in % on a table row")
    return [float(height) if _number(height) and height >= 0 else None for height in heights]


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float)


def _declared(width: Width, total: float) -> float | None:
    if width is None or width == "*":
        return None
    if isinstance(width, str):
        return total * float(width.rstrip("%")) / 100
    return float(width)


def table_cell(maxWidth: float = 0, maxHeight: float = 0, mode: str = "shrink", content: Any = None) -> PmlKeepInFrame:
    """A table cell's box: cut across pages when taller than a page (a `_CellPart`), never shrunk to a height.

    Shrunk to the column's width still, when something in it is wider. Other
    modes (`-pdf-keep-in-frame-mode: truncate`, ...) are the author's choice.
    """
    if isinstance(content, list):
        # A group kept together on a page (a heading with `break-after: avoid`) means nothing in a cell,
        # which is cut by height alone, and cannot be drawn there: what it holds goes in the cell.
        content = opened(content)
    if mode == "shrink":
        return _CellPart(_holding_the_last_margin(content))
    return PmlKeepInFrame(maxWidth=maxWidth, maxHeight=maxHeight, mode=mode, content=content)


class _MarginHeld(Flowable):
    """Nothing to draw, at a cell's end: ReportLab's stack of flowables ends at the last one's border edge,
    dropping its space after, and this keeps it (a browser's table cell or flex item holds its last
    block's bottom margin), with what the empty spacers after it (the margins of the blocks it ends, as
    xhtml2pdf writes them) add to it."""

    def __init__(self, extra: float) -> None:
        super().__init__()
        self.extra = extra

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0.0, self.extra + _HELD

    def draw(self) -> None:
        pass


#: Points: as tall as a flowable must be for ReportLab to count it.
_HELD = 0.01


def _holding_the_last_margin(content: Any) -> Any:
    """A cell's content (browser mode) with a `_MarginHeld` after it where its last block has a margin."""
    report = current_report()
    if report is None or report.mode != "browser" or not isinstance(content, list) or not content:
        return content
    trailing = len(content)
    while trailing > 1 and isinstance(content[trailing - 1], Spacer) and content[trailing - 1].height <= 0:
        trailing -= 1  # ReportLab skips a spacer of no height, and its space after with it
    kept = content[trailing - 1].getSpaceAfter()
    collapsed = max(flowable.getSpaceAfter() for flowable in content[trailing - 1 :])
    return [*content, _MarginHeld(collapsed - kept)] if collapsed > 0 else content


def aligning_cell(start: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    """xhtml2pdf's `<td>` start, given only the vertical alignments a cell has: a length or a percentage
    (`vertical-align: -5px`, which CSS allows) reached ReportLab's VALIGN as a tuple and failed the render;
    on a table cell a browser aligns such a cell at its baseline, drawn here at the top."""

    def start_cell(self: Any, c: Any) -> None:
        if c.frag.vAlign is not None and not isinstance(c.frag.vAlign, str):
            c.frag.vAlign = None
            report = current_report()
            if report is not None:
                report.ignore("vertical-align as a length on a table cell")
        start(self, c)

    return start_cell


def spanned_columns_count(start: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    """xhtml2pdf's `<td>` start, with every column a cell with content spans counted as having content.

    xhtml2pdf counted only the column a cell starts in, so a column reached only by spanning cells (an
    order's `<td colspan="3">` description) was taken for empty, fixed at a few points of padding, and
    the text spanning it squeezed into its neighbours; a browser shares a spanning cell's width among
    all the columns it spans."""

    def start_cell(self: Any, c: Any) -> None:
        start(self, c)
        span = self.attr.colspan
        if span and span > 1 and self.node.childNodes:
            tdata = c.tableData  # its `col` is now the column the cell starts in
            tdata.col_with_content.update(range(tdata.col, tdata.col + span))

    return start_cell


def placeholders_in_column_order(get_data: Callable[[Any], list[list[Any]]]) -> Callable[[Any], list[list[Any]]]:
    """xhtml2pdf's `TableData.get_data`, the empty places of spanning cells filled in column order.

    They were filled in the order they were recorded, a rowspan from an earlier row before the row's
    own colspans: a cell after both was pushed into the column the rowspan covers, which ReportLab does
    not draw. A purchase order's phone number and e-mail address, beside a three-row "Ordered by", were
    lost."""

    def get_data_in_column_order(self: Any) -> list[list[Any]]:
        self.span.sort(key=lambda place: (place[1], place[0]))
        return get_data(self)

    return get_data_in_column_order


def mirroring_spans(mirror: Callable[[Any, list[list[Any]], int], None]) -> Callable[[Any, list[list[Any]], int], None]:
    """xhtml2pdf's `_mirror_columns` (a right-to-left table), that keeps what spanning cells hold.

    Reversing a row moves a spanning cell's content to the right end of its span, but ReportLab draws a
    span's content from its left-most cell, which the reversal filled with an empty placeholder: every
    `colspan` cell of a right-to-left table was drawn empty, its text lost. The content is moved back to
    the cell ReportLab draws."""

    def mirror_columns(tdata: Any, data: list[list[Any]], maxcols: int) -> None:
        mirror(tdata, data, maxcols)
        if maxcols < 2:
            return
        for name, start, stop, *_ in tdata.styles:
            first, last, row = start[0], stop[0], start[1]
            if name == "SPAN" and 0 <= first < last < len(data[row]):
                data[row][first], data[row][last] = data[row][last], data[row][first]

    return mirror_columns
