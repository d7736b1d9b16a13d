"""The margins a table cell holds: the top one of its first block, as a spacer; the bottom one of its last
block the renderer keeps (tasks/render/table_layout.py).

A table cell is a box of its own in a browser: the top margin of its first block and the bottom margin
of its last stay inside it and make it taller (as in a flex or grid item). ReportLab drops the top one at
a cell's top, so it is moved into a spacer there. In quirks mode (no doctype) Chromium drops the browser
stylesheet's "quirky" margins at the top and bottom of the author's table cells itself (not of flex or
grid items): those of `p`, lists, `blockquote` and headings (measured).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from lxml import html as lxml_html

from tasks.prepare.cascade import Computed
from tasks.prepare.doctype import in_quirks_mode
from tasks.prepare.estimate import BLOCK_TAGS
from tasks.prepare.inline_style import border_width, set_style, sides

ElementStyles = dict[lxml_html.HtmlElement, Computed]
#: What the browser stylesheet gives a "quirky" top margin (`1__qem` in Chromium's html.css).
QUIRKY = frozenset("p ul ol dl dir menu blockquote h1 h2 h3 h4 h5 h6".split())
_QUIRKS: ContextVar[bool] = ContextVar("_QUIRKS", default=False)
_TABLE_PARTS = frozenset(("table", "thead", "tbody", "tfoot", "tr", "td", "th"))


@contextmanager
def document(root: lxml_html.HtmlElement) -> Iterator[None]:
    """Hold the cells' margins as the mode of `root`'s document says, while the block is run."""
    token = _QUIRKS.set(in_quirks_mode(root))
    try:
        yield
    finally:
        _QUIRKS.reset(token)


def hold(cell: lxml_html.HtmlElement, computed: ElementStyles) -> None:
    """The top margin of the cell's first block or table (and those it collapses with) as a spacer; in
    quirks mode, without the quirky bottom margins of its last blocks."""
    # Not in a cell this stage made of a flex or grid item: Blink's quirk containers are table cells.
    drops_quirky = _QUIRKS.get() and cell in computed
    if drops_quirky:
        for element in bottom_edge(cell, computed):
            if quirky(element, computed[element], "bottom"):
                set_style(element, {"margin-bottom": "0"})
    if not (cell.text or "").strip():
        _hold_top(cell, computed, drops_quirky)


def hold_in_context_roots(root: lxml_html.HtmlElement, computed: ElementStyles) -> None:
    """A block that lays its content out in a context of its own (`overflow` other than visible, a legacy
    clearfix; `display: flow-root`) holds its first block's top margin and its last block's bottom margin
    as spacers: they do not collapse through its edges (CSS 2.1 §8.3.1), where xhtml2pdf collapsed them."""
    for element in list(root.iter()):
        style = computed.get(element)
        if style is None or element.tag in ("html", "body") or not _context_root(element, style):
            continue
        declared = style.cascaded
        if not (element.text or "").strip() and not sides(declared, "padding")[0] and not border_width(declared, "top"):
            _hold_top(element, computed, False)
        if not sides(declared, "padding")[2] and not border_width(declared, "bottom"):
            chain = bottom_edge(element, computed)
            bottom = max((sides(computed[block].cascaded, "margin")[2] for block in chain), default=0.0)
            if bottom > 0:
                for block in chain:
                    set_style(block, {"margin-bottom": "0"})
                element.append(lxml_html.Element("pdf:spacer", height=f"{bottom:.2f}pt"))


def _hold_top(box: lxml_html.HtmlElement, computed: ElementStyles, drops_quirky: bool) -> None:
    """The top margin of the box's first block (and those it collapses with) as a spacer at its top."""
    top = _take(top_edge(box, computed), computed, drops_quirky)
    if top > 0:
        spacer = lxml_html.Element("pdf:spacer", height=f"{top:.2f}pt")
        spacer.tail, box.text = box.text, None
        box.insert(0, spacer)


def _context_root(element: lxml_html.HtmlElement, style: Computed) -> bool:
    """Whether the element is a block (not a table or cell) whose content is laid out in a context of its own."""
    display = style.display.strip() or ("block" if element.tag in BLOCK_TAGS else "inline")
    if display == "flow-root":
        return True
    overflow = (style.cascaded.get("overflow") or "visible").split()[0].strip()
    return display in ("block", "list-item") and element.tag not in _TABLE_PARTS and overflow != "visible"


def top_edge(cell: lxml_html.HtmlElement, computed: ElementStyles) -> list[lxml_html.HtmlElement]:
    """The box's first block and its own first ones, down to one with text, a top padding or border, or
    a table: those whose top margins collapse with the box's top."""
    chain: list[lxml_html.HtmlElement] = []
    element = next((child for child in cell if isinstance(child.tag, str)), None)
    while element is not None and (style := computed.get(element)) is not None:
        chain.append(element)
        if element.tag == "table" or (element.text or "").strip() or _own_context(style):
            break
        if sides(style.cascaded, "padding")[0] > 0 or border_width(style.cascaded, "top"):
            break
        element = next((child for child in element if isinstance(child.tag, str)), None)
    return chain


def bottom_edge(cell: lxml_html.HtmlElement, computed: ElementStyles) -> list[lxml_html.HtmlElement]:
    """The box's last block and its own last ones, down to one with a bottom padding or border, or a table:
    those whose bottom margins collapse with the box's bottom."""
    chain: list[lxml_html.HtmlElement] = []
    if _text_at_the_end(cell):
        return chain
    element = next((child for child in reversed(cell) if isinstance(child.tag, str)), None)
    while element is not None and (style := computed.get(element)) is not None:
        chain.append(element)
        if element.tag == "table" or _text_at_the_end(element) or _own_context(style):
            break
        if sides(style.cascaded, "padding")[2] > 0 or border_width(style.cascaded, "bottom"):
            break
        element = next((child for child in reversed(element) if isinstance(child.tag, str)), None)
    return chain


def _own_context(style: Computed) -> bool:
    """Whether the box lays its children out in a context of its own, their margins not collapsing with its
    own (a flex or grid container: each item is such a box)."""
    return style.display.strip().endswith(("flex", "grid", "flow-root"))


def _text_at_the_end(element: lxml_html.HtmlElement) -> bool:
    return bool(((element[-1].tail if len(element) else element.text) or "").strip())


def quirky(element: lxml_html.HtmlElement, style: Computed, side: str) -> bool:
    """Whether the element's margin on `side` is the browser stylesheet's quirky one (none the author set),
    which Chromium drops at a quirk container's edge in quirks mode."""
    return element.tag in QUIRKY and f"margin-{side}" not in style.own and "margin" not in style.own


def _take(chain: list[lxml_html.HtmlElement], computed: ElementStyles, drops_quirky: bool) -> float:
    """The largest top margin of the blocks in `chain` that the cell holds (the quirky ones dropped where
    `drops_quirky`), taken off them all."""
    margin = 0.0
    for element in chain:
        style = computed[element]
        value = sides(style.cascaded, "margin")[0]
        if value > 0 and not (drops_quirky and quirky(element, style, "top")):
            margin = max(margin, value)
        if value > 0:
            set_style(element, {"margin-top": "0"})
    return margin
