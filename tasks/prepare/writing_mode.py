"""Vertical writing modes (`writing-mode: vertical-rl | vertical-lr | sideways-rl | sideways-lr`) as
xhtml2pdf can draw them: the box's content laid out as horizontal text and turned a quarter turn.

xhtml2pdf writes every line left to right. A box whose writing mode turns against its parent's (an
orthogonal flow: a ticket's stub, a table's turned column headers) keeps its own box where it is; its
children move into a wrapper that tasks/render/turned.py lays out as if the page were turned and draws
turned back. Their physical sides (`padding-top`, `width`, ...) stay where they are on the page, so each
is renamed to the side it becomes in the turned layout. `text-orientation: upright` sets each character
upright, one under the other, and turns nothing.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from tasks.document.fidelity import FidelityReport
from tasks.prepare.borders import SIDES, four_sides
from tasks.prepare.cascade import Computed

#: The wrapper's attribute: "cw" (a quarter turn clockwise) or "ccw", and "end" where the content starts
#: at the box's right edge (its block flow runs right to left inside a box wider than the content).
TURNED = "data-turned"
_CLOCKWISE = {"vertical-rl": "cw", "vertical-lr": "cw lr", "sideways-rl": "cw", "sideways-lr": "ccw"}
#: For each side of the page, the side it becomes in the content laid out unturned.
_UNTURNED = {
    "cw": dict(zip(SIDES, ("left", "top", "right", "bottom"), strict=True)),
    "ccw": dict(zip(SIDES, ("right", "bottom", "left", "top"), strict=True)),
}
#: Each size property and the one it becomes unturned (`width` a height).
_SIZES = {
    f"{prefix}{axis}": f"{prefix}{other}"
    for prefix in ("", "min-", "max-")
    for axis, other in (("width", "height"), ("height", "width"))
}
_SIDE_NAME = re.compile(r"^(margin|padding|border)-(top|right|bottom|left)(-width|-style|-color)?$")
_FOUR_SIDED = frozenset(("margin", "padding", "border-width", "border-style", "border-color"))


def apply(root: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed], report: FidelityReport) -> None:
    """Wrap the content of each box whose writing mode is vertical, for tasks/render/turned.py."""
    for written in root.xpath(f"//*[@{TURNED}]"):
        del written.attrib[TURNED]  # the document's own: only this stage turns a box
    if not any("writing-mode" in style.cascaded for style in computed.values()):
        return
    for element in [element for element in root.iter() if isinstance(element.tag, str)]:
        mode = _mode(element, computed)
        if mode not in _CLOCKWISE or _mode(element.getparent(), computed) in _CLOCKWISE:
            continue
        report.ignored_css.pop("writing-mode", None)
        report.ignored_css.pop("text-orientation", None)
        style = computed[element]
        if style.cascaded.get("text-orientation", "").strip() == "upright" and mode.startswith("vertical"):
            _upright(element)
            continue
        _wrap(element, mode, style)


def _mode(element: lxml_html.HtmlElement | None, computed: dict[lxml_html.HtmlElement, Computed]) -> str:
    """The element's writing mode (inherited), "horizontal-tb" by default."""
    while element is not None:
        style = computed.get(element)
        if style is not None and "writing-mode" in style.cascaded:
            return style.cascaded["writing-mode"].strip().lower()
        element = element.getparent()
    return "horizontal-tb"


def _wrap(element: lxml_html.HtmlElement, mode: str, style: Computed) -> None:
    turn = _CLOCKWISE[mode]
    wrapper = etree.Element("div")
    wrapper.text, element.text = element.text, None
    for child in list(element):
        wrapper.append(child)
    element.append(wrapper)
    sized = any(name in style.own for name in ("width", "min-width")) or element.getparent().tag in ("td", "th")
    wrapper.set(TURNED, turn + (" end" if sized and mode.endswith("-rl") else ""))
    sides = _UNTURNED[turn.split()[0]]
    for descendant in wrapper.iterdescendants():
        if isinstance(descendant.tag, str) and descendant.get("style"):
            descendant.set("style", _unturned(descendant.get("style", ""), sides))


def _unturned(style: str, sides: dict[str, str]) -> str:
    """An inline style with each physical side and axis renamed to the one it is in the unturned layout."""
    renamed = []
    for part in style.split("; "):
        name, colon, value = part.partition(": ")
        if not colon:
            renamed.append(part)
            continue
        if name in _SIZES:
            name = _SIZES[name]
        elif found := _SIDE_NAME.match(name):
            name = f"{found.group(1)}-{sides[found.group(2)]}{found.group(3) or ''}"
        elif name in _FOUR_SIDED:
            value = _rotated(value, sides)
        renamed.append(f"{name}: {value}")
    return "; ".join(renamed)


def _rotated(value: str, sides: dict[str, str]) -> str:
    """A 1-4 value side shorthand (top right bottom left) with each value moved to its unturned side."""
    four = four_sides(value)
    if four is None or len(set(four)) == 1:
        return value  # the same on every side
    unturned = {sides[side]: part for side, part in zip(SIDES, four, strict=True)}
    return " ".join(unturned[side] for side in SIDES)


def _upright(element: lxml_html.HtmlElement) -> None:
    """Each character of the element's text on a line of its own, as upright vertical text sets them."""
    for node in [element, *element.iterdescendants()]:
        if not isinstance(node.tag, str):
            continue
        for attribute in ("text", "tail") if node is not element else ("text",):
            text = getattr(node, attribute)
            if text and text.strip():
                setattr(node, attribute, None)
                _set_broken(node, attribute, "".join(text.split()))


def _set_broken(node: lxml_html.HtmlElement, attribute: str, characters: str) -> None:
    """Put `characters` as `node`'s text (or tail), a line break between each two."""
    first, rest = characters[0], characters[1:]
    setattr(node, attribute, first)
    anchor_parent, index = (node, 0) if attribute == "text" else (node.getparent(), node.getparent().index(node) + 1)
    for offset, character in enumerate(rest):
        line_break = etree.Element("br")
        line_break.tail = character
        anchor_parent.insert(index + offset, line_break)
