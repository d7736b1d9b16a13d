"""`display: inline-block` siblings laid out side by side, as rows of table cells.

A line of inline-blocks with nothing but white space between them (the e-mail services' two-column
"hybrid" layout: `display: inline-block; width: 100%; max-width: 50%; min-width: 240px`) fills lines
as a browser does: each box as wide as CSS makes it in its containing block, a new line when the next
does not fit, each line aligned by the parent's `text-align`. xhtml2pdf lays such boxes out one under
another at best, and dropped the text of all but the first at worst. Inline-blocks in a line of text
(a badge, a button) stay where they are; where a line cannot become a table (inside a paragraph), its
boxes are laid out in flow, one under another, and the report says so.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree
from lxml import html as lxml_html

from tasks.document.fidelity import FidelityReport
from tasks.prepare import estimate
from tasks.prepare.cascade import Computed, restyle
from tasks.prepare.inline_style import padding_and_borders, set_style, sides
from tasks.prepare.positioned import OUT_OF_FLOW, position

ElementStyles = dict[lxml_html.HtmlElement, Computed]
_VALIGN = {"top": "top", "middle": "middle", "bottom": "bottom", "text-top": "top", "text-bottom": "bottom"}
_PHRASING = frozenset("p span a b i em strong small label h1 h2 h3 h4 h5 h6 font code button".split())
_SIZES = ("width", "max-width", "min-width")


def boxes(element: lxml_html.HtmlElement, computed: ElementStyles) -> list[lxml_html.HtmlElement]:
    """The element's children when they are all inline-blocks with only white space between them (those
    placed out of flow, absolutely, aside: they stand where their offsets put them)."""
    children = [
        child for child in element if isinstance(child.tag, str) and position(computed.get(child)) not in OUT_OF_FLOW
    ]
    if len(children) < 2 and not any(_sized(computed.get(child)) for child in children):
        return []
    if (element.text or "").strip() or any((child.tail or "").strip() for child in element):
        return []
    displays = {computed[child].display if child in computed else "" for child in children}
    return children if displays == {"inline-block"} else []


def _sized(style: Computed | None) -> bool:
    return style is not None and any(name in style.own for name in _SIZES)


def lay_out(
    element: lxml_html.HtmlElement,
    computed: ElementStyles,
    room: float,
    width_of: Callable[[Computed, float], float],
    report: FidelityReport | None = None,
) -> None:
    """The element's inline-blocks (`boxes`) in lines of table cells, each `width_of(style, room)` points
    wide (shrink-to-fit when it sets no width), a new line when the next box does not fit in `room`."""
    items = boxes(element, computed)
    if not items:
        return
    if element.tag in _PHRASING:
        for item in items:
            set_style(item, {"display": "block"})
        if report is not None:
            report.degrade(f"inline-block boxes inside <{element.tag}> laid out one under another")
        return
    lines: list[list[tuple[lxml_html.HtmlElement, float]]] = [[]]
    used = 0.0
    for item in items:
        style = computed[item]
        width = min(width_of(style, room) if _sized(style) else _shrink_to_fit(item, style, computed, room), room)
        if lines[-1] and used + width > room + 0.5:
            lines.append([])
            used = 0.0
        lines[-1].append((item, width))
        used += width
    align = computed[element].cascaded.get("text-align", "left") if element in computed else "left"
    for item in items:
        element.remove(item)
    element.text = None
    for line in lines:
        element.append(_line(line, computed, align))


def _shrink_to_fit(item: lxml_html.HtmlElement, style: Computed, computed: ElementStyles, room: float) -> float:
    """The outer width of an inline-block of `width: auto` (CSS 2.1, 10.3.9): its content's, no wider than
    its room unless its longest word is, its padding, borders and margins in."""
    _, right, _, left = sides(style.cascaded, "margin")
    outer = padding_and_borders(style.cascaded) + left + right
    preferred = estimate.max_content(item, style, computed) + outer
    return min(max(estimate.min_content(item, computed) + outer, room), preferred)


def _line(
    line: list[tuple[lxml_html.HtmlElement, float]], computed: ElementStyles, align: str
) -> lxml_html.HtmlElement:
    table: lxml_html.HtmlElement = lxml_html.Element("table")
    table.set("cellpadding", "0")
    table.set("cellspacing", "0")
    table.set("width", "100%")
    row = etree.SubElement(table, "tr")
    if align in ("center", "right", "end"):
        etree.SubElement(row, "td").set("style", "padding: 0")
    for item, width in line:
        style = computed[item]
        td = etree.SubElement(row, "td")
        td.set("width", f"{width:.2f}pt")
        valign = _VALIGN.get(style.cascaded.get("vertical-align", ""), "bottom")
        td.set("style", f"padding: 0; vertical-align: {valign}")
        set_style(item, {"display": "block"})
        # Laid out now: a block as wide as its cell, which has its width.
        style.display = "block"
        restyle(item, style, dict.fromkeys(_SIZES))
        item.tail = None
        td.append(item)
    if align not in ("right", "end"):
        etree.SubElement(row, "td").set("style", "padding: 0")
    return table
