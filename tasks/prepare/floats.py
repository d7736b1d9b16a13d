"""Floats as the rows of cells they look like: side by side at their widths, `clear` starting a new row.

xhtml2pdf does not float blocks: it stacks every floated box under the one before, so everything after
moves down. Here a run of floated siblings becomes a one-row table (more rows when their widths pass
100 % or a box clears): left floats in order from the left, right floats from the right, and between
them a cell holding what flows beside them (a CV's name and contact lines beside its photo, running
text beside a figure) as far down as the floats reach; what comes after flows below, full width.
"""

from __future__ import annotations

import re
from typing import TypeAlias

from lxml import etree
from lxml import html as lxml_html

from tasks.prepare import estimate, flex_line
from tasks.prepare.cascade import Computed, restyle
from tasks.prepare.estimate import height
from tasks.prepare.inline_style import declarations, padding_and_borders, points, set_style, sides
from tasks.prepare.positioned import OUT_OF_FLOW, position

ElementStyles = dict[lxml_html.HtmlElement, Computed]
#: Elements whose children are inline content: no table goes inside them.
_INLINE = frozenset(
    "a abbr b bdi bdo cite code em font i kbd label mark q s samp small span strong sub sup u var".split()
)
_TABLE_PARTS = frozenset("table thead tbody tfoot tr colgroup col".split())
_PERCENT = re.compile(r"^\s*([\d.]+)%\s*$")
Item: TypeAlias = lxml_html.HtmlElement | str


def side(style: Computed | None) -> str:
    """ "left" or "right" for a floated box xhtml2pdf would otherwise stack, else ""."""
    if style is None or position(style) in OUT_OF_FLOW:
        return ""
    value = style.cascaded.get("float", "none").strip().lower()
    return value if value in ("left", "right") else ""


def clears(style: Computed | None) -> bool:
    """Whether the box (or its ::after, a clearfix) clears floats."""
    if style is None:
        return False
    after = style.generated.get("after", {})
    return style.cascaded.get("clear", "none").strip() not in ("none", "") or after.get("clear", "none") != "none"


#: Marks the tables made here: their cells are the floats' own boxes, sized already (tasks/prepare/widths.py).
ROW_OF_FLOATS = "data-row-of-floats"
#: How far, in points, a row's floats reach below what flows beside them (for `clear` after the row).
_OVERHANG = "data-float-overhang"


def apply(root: lxml_html.HtmlElement, computed: ElementStyles, page_width: float) -> None:
    """Every container's floated children laid out side by side, innermost first."""
    _aligned_tables(root, computed)
    for container in reversed(list(root.iter())):
        if not isinstance(container.tag, str) or container.tag in _INLINE | _TABLE_PARTS:
            continue
        if any(side(computed.get(child)) for child in container if isinstance(child.tag, str)):
            _lower(container, computed, available(container, page_width, computed))
    for element in root.iter():
        if isinstance(element.tag, str) and clears(computed.get(element)):
            _clear(element, computed.get(element))
    for table in root.xpath(f"//table[@{_OVERHANG}]"):
        del table.attrib[_OVERHANG]


def _aligned_tables(root: lxml_html.HtmlElement, computed: ElementStyles) -> None:
    """`<table align="left">` and `align="right"` float, as the HTML standard's rendering section says
    (the two columns of an e-mail: side by side, not one under the other)."""
    for table in root.iter("table"):
        align = (table.get("align") or "").strip().lower()
        style = computed.get(table)
        if align in ("left", "right") and style is not None and "float" not in style.cascaded:
            restyle(table, style, {"float": align})
            del table.attrib["align"]


def _clear(element: lxml_html.HtmlElement, style: Computed | None) -> None:
    """Clearance: a box that clears floats starts below them, its top margin counted from where the content
    beside them ended, so the floats' overhang takes up that margin (CSS 2.1 §9.5.2). Here the floats are a
    row in the flow already, which has moved the box down by all of their height."""
    top = sides(style.own if style is not None else {}, "margin")[0]
    overhang = _overhang_before(element)
    if top > 0 and overhang > 0:
        restyle(element, style, {"margin-top": f"{max(top - overhang, 0.0):.2f}pt"})


def _overhang_before(element: lxml_html.HtmlElement) -> float:
    """The overhang of the row of floats that ends right before `element`: its previous sibling, or that
    sibling's last descendant with nothing after it."""
    node = element.getprevious()
    if node is None or (node.tail or "").strip():
        return 0.0
    while node.get(_OVERHANG) is None:
        children = [child for child in node if isinstance(child.tag, str)]
        if not children or (children[-1].tail or "").strip() or node.tag in _TABLE_PARTS | {"td", "th"}:
            return 0.0
        node = children[-1]
    return float(node.get(_OVERHANG, "0"))


def _lower(container: lxml_html.HtmlElement, computed: ElementStyles, width: float) -> None:
    items = _detach(container)
    out: list[Item] = []
    index = 0
    while index < len(items):
        item = items[index]
        if isinstance(item, str) or not side(computed.get(item)):
            out.append(item)
            index += 1
            continue
        floats, index = _run_of_floats(items, index, computed)
        rows = _rows(floats, computed, width)
        for number, row in enumerate(rows):
            beside: list[Item] = []
            if number == len(rows) - 1:
                beside, index = _beside(items, index, row, computed, width)
            table = _table(row, beside, computed, width)
            overhang = _reach(row, computed, width) - sum(height(item, computed, width) for item in beside)
            if overhang > 0:
                table.set(_OVERHANG, f"{overhang:.2f}")
            out.append(table)
    _attach(container, out)


def _detach(container: lxml_html.HtmlElement) -> list[Item]:
    """The container's content as a list of elements and loose text, taken out of it."""
    items: list[Item] = [container.text] if container.text else []
    container.text = None
    for child in list(container):
        container.remove(child)
        tail, child.tail = child.tail, None
        items.append(child)
        if tail:
            items.append(tail)
    return items


def _attach(container: lxml_html.HtmlElement, items: list[Item]) -> None:
    last: lxml_html.HtmlElement | None = None
    for item in items:
        if isinstance(item, str):
            if last is None:
                container.text = (container.text or "") + item
            else:
                last.tail = (last.tail or "") + item
        else:
            container.append(item)
            last = item


def _run_of_floats(items: list[Item], index: int, computed: ElementStyles) -> tuple[list[Item], int]:
    """The floats from `index` on that sit in one run: separated by nothing but white space, until one clears."""
    run: list[Item] = [items[index]]
    index += 1
    while index < len(items):
        item = items[index]
        if isinstance(item, str) and not item.strip():
            index += 1
            continue
        style = None if isinstance(item, str) else computed.get(item)
        if isinstance(item, str) or not side(style) or clears(style) or clears(computed.get(run[-1])):
            break
        run.append(item)
        index += 1
    return run, index


def _rows(floats: list[Item], computed: ElementStyles, width: float) -> list[list[lxml_html.HtmlElement]]:
    """The floats in rows: a float that no longer fits beside the ones before starts the next row."""
    rows: list[list[lxml_html.HtmlElement]] = [[]]
    used = 0.0
    for item in floats:
        assert not isinstance(item, str)
        share = _outer_width(item, computed, width)
        if rows[-1] and used + share > width * 1.005:
            rows.append([])
            used = 0.0
        rows[-1].append(item)
        used += share
    return rows


def _reach(row: list[lxml_html.HtmlElement], computed: ElementStyles, width: float) -> float:
    """How tall the row's tallest float is: its content, margins and vertical padding."""

    def tall(item: lxml_html.HtmlElement) -> float:
        style = computed.get(item)
        top, _, bottom, _ = sides(style.own if style is not None else {}, "padding")
        return height(item, computed, _outer_width(item, computed, width)) + top + bottom

    return max(tall(item) for item in row)


def _beside(
    items: list[Item], index: int, row: list[lxml_html.HtmlElement], computed: ElementStyles, width: float
) -> tuple[list[Item], int]:
    """What flows beside the row of floats: the content after it, until a box clears or a float starts
    another run, as far down as the floats reach (and at least the first block, unless it is far taller)."""
    room = width - sum(_outer_width(item, computed, width) for item in row)
    if room < width * 0.15:
        return [], index
    reach = max(height(item, computed, _outer_width(item, computed, width)) for item in row)
    beside: list[Item] = []
    filled = 0.0
    while index < len(items) and filled < reach:
        item = items[index]
        style = None if isinstance(item, str) else computed.get(item)
        if style is not None and (side(style) or clears(style)):
            break
        needed = height(item, computed, room)
        if not beside and needed > 3 * reach and needed > 400:
            break
        beside.append(item)
        filled += needed
        index += 1
    return beside, index


def _table(
    row: list[lxml_html.HtmlElement], beside: list[Item], computed: ElementStyles, width: float
) -> lxml_html.HtmlElement:
    table: lxml_html.HtmlElement = lxml_html.Element("table")
    table.set(ROW_OF_FLOATS, "")
    table.set("cellpadding", "0")
    table.set("cellspacing", "0")
    table.set("style", "width: 100%")
    tr = etree.SubElement(table, "tr")
    lefts = [item for item in row if side(computed.get(item)) == "left"]
    rights = [item for item in row if side(computed.get(item)) == "right"]
    for item in lefts:
        _float_cell(tr, item, computed, width)
    if beside or rights:
        middle = etree.SubElement(tr, "td")
        middle.set("style", "vertical-align: top; padding: 0")
        _attach(middle, beside)
        _margins_from_the_edge(beside, computed, [_outer_width(item, computed, width) for item in lefts])
    for item in reversed(rights):
        _float_cell(tr, item, computed, width)
    return table


def _margins_from_the_edge(beside: list[Item], computed: ElementStyles, lefts: list[float]) -> None:
    """A block beside floats has its left margin from its container's edge, behind the floats (CSS 2.1
    §9.5): only what it reaches past them moves its text further (a `dd { margin-left: 110px }` beside a
    100px `dt` float starts 110px in, not 210px)."""
    covered = sum(lefts)
    for item in beside:
        style = None if isinstance(item, str) else computed.get(item)
        if style is None or covered <= 0:
            continue
        margin = sides(style.cascaded, "margin")[3]
        if margin > 0:
            restyle(item, style, {"margin-left": f"{max(margin - covered, 0.0):.2f}pt"})


def _float_cell(tr: lxml_html.HtmlElement, item: lxml_html.HtmlElement, computed: ElementStyles, width: float) -> None:
    style = computed.get(item)
    td = etree.SubElement(tr, "td")
    declared = _declared_width(item, style)
    if declared and declared.endswith("%"):
        td.set("width", declared)
    else:
        td.set("width", f"{_outer_width(item, computed, width):.2f}pt")
    # A right float sized by its text has the estimate's margin of safety on its left, as CSS puts its box
    # at the container's right edge: its text starts where a browser's does.
    slack = estimate.safety(item, style) if not declared and side(style) == "right" else 0.0
    td.set(
        "style",
        f"vertical-align: top; padding: 0; padding-left: {slack:.2f}pt" if slack else "vertical-align: top; padding: 0",
    )
    if item.tag != "img":
        set_style(item, {"width": None, "max-width": None, "min-width": None, "float": None})
    td.append(item)


def _declared_width(item: lxml_html.HtmlElement, style: Computed | None) -> str | None:
    if style is not None:
        for name in ("width", "max-width"):
            value = style.own.get(name, "").strip()
            if _PERCENT.match(value) or value.endswith("pt"):
                return value
    attribute = item.get("width", "").strip()
    if attribute.isdigit():
        return f"{int(attribute) * 0.75:.2f}pt"
    return attribute if _PERCENT.match(attribute) else None


def _outer_width(item: lxml_html.HtmlElement, computed: ElementStyles, width: float) -> float:
    """The float's margin box width, in points: its declared width, else its content's (shrink-to-fit)."""
    style = computed.get(item)
    declared = _declared_width(item, style)
    own = style.own if style is not None else {}
    _, margin_right, _, margin_left = sides(own, "margin")
    extra = margin_left + margin_right
    inside = padding_and_borders(own)
    border_box = style is not None and style.border_box
    if declared and declared.endswith("%"):
        return min(float(declared[:-1]) * width / 100 + (0 if border_box else inside) + extra, width)
    if declared:
        return min(points(declared) + (0 if border_box else inside) + extra, width)
    # A box in a vertical writing mode is as wide as its lines are high, each in its own font.
    content = estimate.max_content(item, style, computed if estimate.vertical(style) else None)
    return min(content + inside + extra, width)


def _from_the_browser(style: Computed | None) -> dict[str, str]:
    """The margins and paddings the browser's stylesheet gives an element its author's CSS does not set (a
    body's 8px): the stage writes the author's on the element, and leaves the browser's in its sheet."""
    if style is None:
        return {}
    return {
        name: value
        for name, value in style.cascaded.items()
        for box in ("margin", "padding")
        if name.startswith(box) and not any(own.startswith(box) for own in style.own)
    }


def available(element: lxml_html.HtmlElement, page_width: float, computed: ElementStyles | None = None) -> float:
    """The width of the element's content box, estimated: the nearest set width (a CV's page-wide body)
    or the page's, less the side margins, borders and paddings of the blocks in between (and the padding
    and borders inside a `box-sizing: border-box` width, where `computed` tells)."""
    taken = 0.0
    for node in (element, *element.iterancestors()):
        style = computed.get(node) if computed is not None else None
        declared = {**_from_the_browser(style), **declarations(node)}
        boxed = padding_and_borders(declared)
        inside = boxed if style is not None and style.border_box else 0.0
        # A width in points as an attribute is one of the cells the preparation stage sized.
        width = (declared.get("width") or node.get("width") or "").strip()
        parent = node.getparent()
        _, margin_right, _, margin_left = sides(declared, "margin")
        if points(width) != float("inf"):
            content = points(width) - inside
            if computed is not None and parent is not None and flex_line.shrinks_in_a_row(node, computed):
                # A flex item gives way to a row narrower than its width (its row is laid out after it).
                room = available(parent, page_width, computed) - margin_left - margin_right - boxed
                content = min(content, room)
            return max(content - taken, 1.0)
        if _PERCENT.match(width) and parent is not None:
            return max(available(parent, page_width, computed) * float(width[:-1]) / 100 - inside - taken, 1.0)
        taken += margin_left + margin_right + boxed
    return max(page_width - taken, 1.0)
