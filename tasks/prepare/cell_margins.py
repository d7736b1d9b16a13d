"""The top margin a table cell holds: that of its first block, as a spacer.

A table cell is a box of its own in a browser: the top margin of its first block stays inside it and
makes it taller. ReportLab drops it at a cell's top, so it is moved into a spacer there. In quirks mode
(no doctype) Chromium drops the browser stylesheet's "quirky" top margins at a cell's top itself: those of
`p`, lists, `blockquote` and headings (measured).

Not done: the bottom margin of a cell's last block, which ReportLab drops too. Held the same way, it
moved four documents of the corpus down (it was tried twice): ReportLab keeps some of those margins,
in a way not yet pinned down.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from lxml import html as lxml_html

from tasks.prepare.cascade import Computed
from tasks.prepare.doctype import in_quirks_mode
from tasks.prepare.inline_style import border_width, set_style, sides

ElementStyles = dict[lxml_html.HtmlElement, Computed]
#: What the browser stylesheet gives a "quirky" top margin (`1__qem` in Chromium's html.css).
QUIRKY = frozenset("p ul ol dl dir menu blockquote h1 h2 h3 h4 h5 h6".split())
_QUIRKS: ContextVar[bool] = ContextVar("_QUIRKS", default=False)


@contextmanager
def document(root: lxml_html.HtmlElement) -> Iterator[None]:
    """Hold the cells' margins as the mode of `root`'s document says, while the block is run."""
    token = _QUIRKS.set(in_quirks_mode(root))
    try:
        yield
    finally:
        _QUIRKS.reset(token)


def hold(cell: lxml_html.HtmlElement, computed: ElementStyles) -> None:
    """The top margin of the cell's first block or table (and those it collapses with) as a spacer."""
    if (cell.text or "").strip():
        return
    top = _take(top_edge(cell, computed), computed)
    if top > 0:
        spacer = lxml_html.Element("pdf:spacer")
        spacer.set("height", f"{top:.2f}pt")
        spacer.tail, cell.text = cell.text, None
        cell.insert(0, spacer)


def top_edge(cell: lxml_html.HtmlElement, computed: ElementStyles) -> list[lxml_html.HtmlElement]:
    """The box's first block and its own first ones, down to one with text, a top padding or border, or
    a table: those whose top margins collapse with the box's top."""
    chain: list[lxml_html.HtmlElement] = []
    element = next((child for child in cell if isinstance(child.tag, str)), None)
    while element is not None and (style := computed.get(element)) is not None:
        chain.append(element)
        if element.tag == "table" or (element.text or "").strip():
            break
        if sides(style.cascaded, "padding")[0] > 0 or border_width(style.cascaded, "top"):
            break
        element = next((child for child in element if isinstance(child.tag, str)), None)
    return chain


def _take(chain: list[lxml_html.HtmlElement], computed: ElementStyles) -> float:
    """The largest top margin of the blocks in `chain` that the cell holds, taken off them all."""
    margin = 0.0
    for element in chain:
        style = computed[element]
        value = sides(style.cascaded, "margin")[0]
        authored = "margin-top" in style.own or "margin" in style.own
        if value > 0 and (authored or not (_QUIRKS.get() and element.tag in QUIRKY)):
            margin = max(margin, value)
        if value > 0:
            set_style(element, {"margin-top": "0"})
    return margin
