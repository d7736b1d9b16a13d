"""Boxes xhtml2pdf would lay out unlike a browser, rewritten into ones it lays out alike.

Flex rows and grids become the tables they look like and flex columns the blocks they stack
(tasks/prepare/flex_grid.py); blocks narrower than the page become tables of their width, empty
blocks keep their room, over-wide preformatted text shrinks (tasks/prepare/blocks.py). This
module runs those rewrites in the order they need.
"""

from __future__ import annotations

import re
from dataclasses import replace

from lxml import html as lxml_html

from tasks.document.fidelity import FidelityReport
from tasks.prepare import (
    blocks,
    captions,
    cell_margins,
    floats,
    grid_tracks,
    lists,
    positioned,
    pre_wrap,
    table_columns,
    table_display,
    table_padding,
    values,
    visibility,
    widths,
)
from tasks.prepare.cascade import INLINE_TAGS, Computed, restyle
from tasks.prepare.flex_grid import column_to_blocks, flex_to_table, grid_to_table, one_column_grid_to_blocks
from tasks.prepare.flex_line import is_row
from tasks.prepare.grid_placement import column_count
from tasks.prepare.inline_style import set_display, sides
from tasks.prepare.stylesheets import remove

#: What the root's box as a flex or grid container hands to the body (`_body_in_the_root_box`).
_ROOT_BOX = frozenset(
    "display flex-direction flex-flow flex-wrap justify-content justify-items align-items align-content gap "
    "row-gap column-gap grid-template-columns grid-template-rows grid-template-areas height min-height".split()
)
_BLOCKS = frozenset("div section article main header footer nav aside form body".split())
_LEADING_SPACE = re.compile(r"^\s+")
ElementStyles = dict[lxml_html.HtmlElement, Computed]


def apply(
    root: lxml_html.HtmlElement, computed: ElementStyles, report: FidelityReport, page_width: float, page_height: float
) -> None:
    """Drop what is not displayed; lay flex rows and grids out as tables; narrow blocks as narrow tables."""
    # Innermost first: a grid becomes a table before the flex row around it is looked at.
    for element in reversed(list(root.iter())):
        style = computed.get(element)
        if style is not None and isinstance(element.tag, str):
            _rewrite_display(element, style, computed, report, page_width)
    lists.apply(root, computed)
    visibility.apply(root, computed)
    cell_margins.hold_in_context_roots(root, computed)
    positioned.tall_boxes_in_flow(root, computed, report, page_width)
    floats.apply(root, computed, page_width)
    table_display.apply(root, computed, report)
    table_columns.apply(root, computed, page_width)
    _keep_space_after_nowrap(root, computed)
    pre_wrap.apply(root, computed)
    for pre in root.iter("pre"):
        blocks.fit_preformatted(pre, computed.get(pre), page_width)
    positioned.apply(root, computed, report, page_width)
    # Then, with every table in place, the blocks that must become one, and the empty ones that hold space.
    _hold_space_of_blocks(root, computed, (page_width, page_height))
    table_padding.apply(root, computed)
    widths.apply(root, computed, page_width)
    captions.apply(root, computed)


def _rewrite_display(
    element: lxml_html.HtmlElement, style: Computed, computed: ElementStyles, report: FidelityReport, page_width: float
) -> None:
    """An element not displayed dropped; a flex or grid container as what xhtml2pdf lays out alike."""
    if element.tag == "html" and style.display in ("flex", "inline-flex", "grid", "inline-grid"):
        _body_in_the_root_box(element, computed, report, page_width)
    elif style.display == "none":
        _drop(element)
    elif style.display in ("flex", "inline-flex") and not is_row(style):
        # A column without wrapping is a stack of blocks; xhtml2pdf's flex would break its tables.
        column_to_blocks(element, computed, page_width)
    elif style.display == "inline-flex" and _holds_only_inline_content(element, computed):
        # A badge or a button: its items stand in a row inside the line, as they do in a box of the line.
        set_display(element, "inline-block")
    elif style.display in ("flex", "inline-flex"):
        flex_to_table(element, computed, page_width)
    elif style.display in ("grid", "inline-grid"):
        columns = grid_tracks.count(style.grid_columns) or column_count(style.cascaded.get("grid-template-areas", ""))
        if columns > 1 or grid_tracks.is_auto_repeat(style.grid_columns):
            grid_to_table(element, computed, page_width)
        elif columns == 1 or not style.grid_columns:
            one_column_grid_to_blocks(element, computed, page_width)
        else:
            report.ignore("grid-template-columns")


def _holds_only_inline_content(element: lxml_html.HtmlElement, computed: ElementStyles) -> bool:
    """Whether the element's children are text and inline boxes only (a badge's label and icon)."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        style = computed.get(child)
        display = style.display if style is not None and style.display else ""
        if display not in ("inline", "inline-block") and not (display == "" and child.tag in INLINE_TAGS):
            return False
    return True


def _body_in_the_root_box(
    html: lxml_html.HtmlElement, computed: ElementStyles, report: FidelityReport, page_width: float
) -> None:
    """The root as a flex or grid container (a ticket centred on the page by `html { display: flex }`): its
    one item is the body, whose box moves to a block inside it, and the body takes the root's part."""
    body = html.find("body")
    if body is None or body not in computed:
        set_display(html, "block")
        return
    root_style, body_style = computed[html], computed[body]
    box = lxml_html.Element("div")
    box.text, body.text = body.text, None
    box.extend(list(body))
    body.append(box)
    box.set("style", body.get("style", ""))
    computed[box] = body_style
    top, right, bottom, left = sides(body_style.cascaded, "margin")
    restyle(box, body_style, {"margin": " ".join(values.fmt(side) for side in (top, right, bottom, left))})
    moved = {name: value for name, value in root_style.own.items() if name in _ROOT_BOX}
    container = replace(root_style, own={**moved, "margin": "0", "padding": "0"}, cascaded={**moved})
    computed[body] = container
    body.set("style", "; ".join(f"{name}: {value}" for name, value in container.own.items()))
    restyle(html, root_style, dict.fromkeys(_ROOT_BOX))
    root_style.display = "block"
    _rewrite_display(body, container, computed, report, page_width)


def _keep_space_after_nowrap(root: lxml_html.HtmlElement, computed: ElementStyles) -> None:
    """xhtml2pdf swallows the space after an element that may not wrap: "2.1 Scope" became
    "2.1Scope". A non-breaking one survives, and a browser would not break there either."""
    for element in root.iter():
        style = computed.get(element)
        if style is not None and style.cascaded.get("white-space") == "nowrap" and element.tail:
            element.tail = _LEADING_SPACE.sub("\u00a0", element.tail, count=1)


def _hold_space_of_blocks(root: lxml_html.HtmlElement, computed: ElementStyles, page: tuple[float, float]) -> None:
    """Empty blocks keep their room, and blocks their `min-height`."""
    for element in list(root.iter(*_BLOCKS)):
        style = computed.get(element)
        if style is None or style.display not in ("", "block"):
            continue
        if blocks.is_empty(element):
            blocks.hold_space(element, style)
        elif element.tag != "body":
            blocks.hold_min_height(element, style, computed, page)


def _drop(element: lxml_html.HtmlElement) -> None:
    if element.getparent() is not None and element.tag not in ("html", "body"):
        remove(element)
