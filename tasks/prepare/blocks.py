"""Blocks xhtml2pdf sizes unlike a browser: narrower than the page, empty, first on the page, too wide.

Blocks narrower than the page become tables of their width; empty blocks and the first block's top
margin keep their room as spacers; over-wide preformatted text shrinks as Chromium's print does.
"""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

from tasks.document.page_setup import MAXIMUM_SHRINK
from tasks.prepare import estimate, floats
from tasks.prepare.cascade import Computed
from tasks.prepare.inline_style import border_width, declarations, points, set_style, sides

#: A monospace face's advance width, in ems (Courier's and most others').
MONOSPACE_ADVANCE = 0.6
_BLOCK_DISPLAYS = frozenset(("block", "flex", "grid", "table", "list-item"))
#: What stays on a narrowed block itself; the rest of its box goes to the table cell that holds its content.
_OUTSIDE = ("margin", "width", "max-width", "min-width", "display", "float", "position")


def fit_preformatted(pre: lxml_html.HtmlElement, style: Computed | None, page_width: float) -> None:
    """Preformatted text wider than the page in smaller type, as Chromium's print shrinks what
    overflows (by at most its factor of 1.5); what is still too wide wraps. Text that wraps itself
    (pre-wrap, laid out as normal text by tasks/prepare/pre_wrap.py) needs no smaller type."""
    if style is None or style.cascaded.get("white-space", "pre").strip() not in ("pre", "nowrap"):
        return
    longest = max((len(line) for line in pre.text_content().expandtabs(8).splitlines()), default=0)
    needed = longest * MONOSPACE_ADVANCE * style.font_pt
    if needed <= page_width:
        return
    size = max(style.font_pt * page_width / needed, style.font_pt / MAXIMUM_SHRINK)
    set_style(pre, {"font-size": f"{size:.2f}pt"})


def is_empty(element: lxml_html.HtmlElement) -> bool:
    """A block with no children and no text (not the body)."""
    return len(element) == 0 and not (element.text or "").strip() and element.tag != "body"


def hold_space(element: lxml_html.HtmlElement, style: Computed) -> None:
    """An empty block (a logo's box without its logo, a divider) keeps its room: ReportLab drops it.

    Its top and bottom margins collapse into one, as in a browser; with a border or a background it
    is drawn, and stays as it is."""
    if any(name.startswith(("border", "background")) for name in style.own):
        return
    height = points(style.own.get("height"))
    top, _, bottom, _ = sides(style.own, "margin")
    room = max(top, bottom) + (0.0 if height == float("inf") else height)
    if room > 0:
        spacer = lxml_html.Element("pdf:spacer")
        spacer.set("height", f"{room:.2f}pt")
        spacer.tail = element.tail
        element.getparent().replace(element, spacer)


def hold_min_height(
    element: lxml_html.HtmlElement,
    style: Computed,
    computed: dict[lxml_html.HtmlElement, Computed],
    page: tuple[float, float],
) -> None:
    """A block's `min-height`, which xhtml2pdf does not read, as room after its content: what the content's
    estimated height leaves of it. A minimum near a page's height (a page-tall body or sheet) is left
    alone: room from an estimate that fell short would make a page of its own."""
    minimum = points(style.own.get("min-height"))
    if minimum == float("inf") or points(style.own.get("height")) < float("inf") or minimum > page[1] * 0.9:
        return
    top, right, bottom, left = sides(style.own, "padding")
    if style.border_box:
        minimum -= top + bottom + border_width(style.own, "top") + border_width(style.own, "bottom")
    width = page[0] - left - right
    children = [child for child in element if isinstance(child.tag, str)]
    content = estimate.text_height(element.text or "", style.font_pt, width) + sum(
        _estimated_height(child, computed, width) + estimate.text_height(child.tail or "", style.font_pt, width)
        for child in children
    )
    if minimum - content > 1:
        spacer = etree.SubElement(element, "pdf:spacer")
        spacer.set("height", f"{minimum - content:.2f}pt")


def _estimated_height(
    element: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed], width: float
) -> float:
    """`estimate.height` with the browser stylesheet's margins too (a paragraph's 1em above and below)."""
    style = computed.get(element)
    if style is None:
        return estimate.height(element, computed, width)
    author = sides(style.own, "margin")
    every = sides({**style.cascaded, **style.own}, "margin")
    return estimate.height(element, computed, width) + every[0] + every[2] - author[0] - author[2]


def pull_up_negative_margins(root: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> None:
    """A block's negative top margin, which ReportLab reads as none, as a spacer of negative height: the
    margin collapsed with the bottom margin of the block before it as CSS collapses them (the largest
    positive plus the most negative), which pulls the block up over the room before it (an invoice's
    "Thank you!" beside the totals above it, `margin-top: -100px`)."""
    for element in list(root.iter()):
        top = sides(declarations(element), "margin")[0] if _is_block(element, computed) else 0.0
        previous = element.getprevious() if top < 0 else None
        while previous is not None and not isinstance(previous.tag, str):
            previous = previous.getprevious()
        if previous is None or next(element.iterancestors("td", "th"), None) is not None:
            continue
        above = _bottom_margin(previous, computed) if _is_block(previous, computed) else 0.0
        set_style(element, {"margin-top": "0"})
        spacer = lxml_html.Element("pdf:spacer")
        spacer.set("height", f"{above + top:.2f}pt")
        element.addprevious(spacer)


def _bottom_margin(element: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> float:
    """The positive bottom margin of `element` and of the last blocks it ends with, which collapse with it;
    set to 0 where they were, the caller holding it."""
    margin = 0.0
    while element is not None:
        declared = _every_origin(element, computed)
        margin = max(margin, sides(declared, "margin")[2])
        set_style(element, {"margin-bottom": "0"})
        if (
            sides(declared, "padding")[2] > 0
            or any(name.startswith("border") for name in declared)
            or element.tag == "table"
        ):
            break
        element = next((child for child in reversed(element) if isinstance(child.tag, str)), None)
    return margin


def _every_origin(element: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> dict[str, str]:
    """What the cascade gave the element, any origin, under what the stage has since written on it."""
    style = computed.get(element)
    return {**(style.cascaded if style is not None else {}), **declarations(element)}


def _is_block(element: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> bool:
    style = computed.get(element)
    display = style.display if style is not None else ""
    return display in _BLOCK_DISPLAYS or (not display and element.tag in estimate.BLOCK_TAGS)


def keep_top_margin(root: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> None:
    """The margin above the document's first block, which a browser keeps at the top of the page and
    ReportLab drops there, as a spacer: the body's own margin and those it collapses with."""
    body = root.find("body")
    if body is not None:
        hold_top_margin(body, computed, body, 0)


def hold_top_margin(
    element: lxml_html.HtmlElement | None,
    computed: dict[lxml_html.HtmlElement, Computed],
    parent: lxml_html.HtmlElement,
    index: int,
) -> None:
    """The top margin of `element` collapsed with its first children's, as a spacer put at `index` in
    `parent`; their own top margins set to 0."""
    margin = _collapse_top(element, computed)
    if margin > 0:
        spacer = lxml_html.Element("pdf:spacer")
        spacer.set("height", f"{margin:.2f}pt")
        parent.insert(index, spacer)


def _collapse_top(element: lxml_html.HtmlElement | None, computed: dict[lxml_html.HtmlElement, Computed]) -> float:
    """The largest top margin of `element` and the first children it collapses with, each set to 0. Floats
    take no part: past a row of floats, the margins are those of the content beside them."""
    margin = 0.0
    while element is not None:
        if element.tag == "table" and element.get(floats.ROW_OF_FLOATS) is not None:
            beside = None
            for cell in element.iter("td"):
                first = next((child for child in cell if isinstance(child.tag, str)), None)
                if cell.get("width") is None:
                    beside = first
                elif first is not None:
                    _hold_own_top_margin(first, computed, cell)
            return max(margin, _collapse_top(beside, computed))
        inline = declarations(element)
        declared = _every_origin(element, computed)
        top = sides(declared, "margin")[0]
        if top > 0:
            margin = max(margin, top)
            set_style(element, {"margin-top": "0"})
        sealed = sides(declared, "padding")[0] > 0 or any(name.startswith(("border", "display")) for name in inline)
        if (element.text or "").strip() or sealed:
            break
        element = next((child for child in element if isinstance(child.tag, str)), None)
    return margin


def _hold_own_top_margin(
    element: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed], cell: lxml_html.HtmlElement
) -> None:
    """A float's own top margin, which collapses with nothing, as a spacer at the top of the cell it is in
    (ReportLab drops the space before a cell's first block)."""
    top = sides(_every_origin(element, computed), "margin")[0]
    if top > 0:
        set_style(element, {"margin-top": "0"})
        spacer = lxml_html.Element("pdf:spacer")
        spacer.set("height", f"{top:.2f}pt")
        cell.insert(0, spacer)


def narrow(element: lxml_html.HtmlElement, style: Computed, page_width: float) -> bool:
    """A block narrower than the page (`max-width: 800px; margin: auto`, a framework's container) as a
    table of that width, centred when its side margins are auto: xhtml2pdf draws blocks page-wide.

    A padded block holding a table inside a table cell becomes a table cell too, whatever its width:
    xhtml2pdf drops all but the first column of a percentage-wide table in a padded block there.
    Whether it did either."""
    width = min(points(style.own.get("max-width")), points(style.own.get("width")))
    padded = any(name.startswith("padding") and value not in ("0", "0pt") for name, value in style.own.items())
    nested = padded and element.find(".//table") is not None and next(element.iterancestors("td"), None) is not None
    if not (0 < width < page_width * 0.98) and not nested:
        return False
    centred = style.own.get("margin-left") == "auto" and style.own.get("margin-right") == "auto"
    box = {name: value for name, value in style.own.items() if not name.startswith(_OUTSIDE)}
    margins = {name: value for name, value in style.own.items() if name.startswith("margin") and value != "auto"}
    table: lxml_html.HtmlElement = lxml_html.Element("table")
    table.set("cellpadding", "0")
    table.set("cellspacing", "0")
    table.set("width", f"{width:.2f}pt" if width < page_width else "100%")
    if centred:
        table.set("align", "center")
    td = etree.SubElement(etree.SubElement(table, "tr"), "td")
    td.set("style", "; ".join(f"{name}: {value}" for name, value in {"vertical-align": "top", **box}.items()))
    td.text, element.text = element.text, None
    for child in list(element):
        td.append(child)
    element.append(table)
    element.set("style", "; ".join(f"{name}: {value}" for name, value in margins.items()))
    return True
