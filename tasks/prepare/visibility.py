"""Boxes a browser draws nothing of: `visibility: hidden`, `opacity: 0`, and content clipped to no height.

xhtml2pdf knows neither property and drew such a box's text, borders and background. Here they are made
transparent, so the box still takes its room; its words stay in the PDF's text layer, unseen. A box of no
height that hides its overflow (an e-mail's `max-height: 0; overflow: hidden` preheader) shows nothing
and takes no room: it is taken out.
"""

from __future__ import annotations

from lxml import html as lxml_html

from tasks.prepare.cascade import Computed
from tasks.prepare.inline_style import border_width, points, set_style, sides
from tasks.prepare.stylesheets import remove

_HIDDEN = ("hidden", "collapse")
_HEIGHTS = ("height", "max-height")
_UNSEEN = "rgba(0, 0, 0, 0)"
_NO_BACKGROUND: dict[str, str | None] = {
    "background": None,
    "background-color": "transparent",
    "background-image": "none",
}


def apply(root: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> None:
    """Every box whose `visibility` (its own or inherited) is hidden, or that is inside one of `opacity: 0`,
    drawn transparent; a visible box inside a hidden one in its own colour, which it would otherwise inherit
    transparent. Boxes clipped to nothing taken out."""
    faded: set[lxml_html.HtmlElement] = set()
    for element in list(root.iter()):
        style = computed.get(element)
        if style is None:
            continue
        if _clipped_to_nothing(style):
            remove(element)
            continue
        parent = computed.get(element.getparent()) if element.getparent() is not None else None
        if element.getparent() in faded or _opacity(style) == 0:
            faded.add(element)
        if hidden(style) or element in faded:
            set_style(element, _drawing_nothing(style))
        elif parent is not None and hidden(parent):
            set_style(element, {"color": style.inherited_value("color", "black")})


def _opacity(style: Computed) -> float:
    try:
        return float(style.cascaded.get("opacity", "1").strip())
    except ValueError:
        return 1.0


def _clipped_to_nothing(style: Computed) -> bool:
    """A box with no height, no vertical padding or border, that does not show what overflows it."""
    declared = style.cascaded
    if declared.get("overflow", "visible").split()[0] not in ("hidden", "clip"):
        return False
    if not any((declared.get(name) or "").strip() == "0" or points(declared.get(name)) == 0 for name in _HEIGHTS):
        return False
    top, _, bottom, _ = sides(declared, "padding")
    return top == bottom == border_width(declared, "top") == border_width(declared, "bottom") == 0


def _drawing_nothing(style: Computed) -> dict[str, str | None]:
    """Declarations that make the box's text, and the borders and background it sets, transparent (only
    those it sets: xhtml2pdf gives an inline box with a border colour a border's room)."""
    changes: dict[str, str | None] = {"color": _UNSEEN}
    if any(name.startswith("border") for name in style.cascaded):
        changes["border-color"] = _UNSEEN
    if any(name.startswith("background") for name in style.cascaded):
        changes.update(_NO_BACKGROUND)
    return changes


def hidden(style: Computed) -> bool:
    """Whether the box is not drawn, by its own `visibility` or the one it inherits."""
    return style.inherited_value("visibility", "visible").strip().lower() in _HIDDEN
