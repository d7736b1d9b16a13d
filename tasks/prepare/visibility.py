"""`visibility: hidden` boxes keep their place and draw nothing, as in a browser.

xhtml2pdf does not know the property and drew such a box's text, borders and background. Here they are made
transparent, so the box still takes its room; its words stay in the PDF's text layer, unseen.
"""

from __future__ import annotations

from lxml import html as lxml_html

from tasks.prepare.cascade import Computed
from tasks.prepare.inline_style import set_style

_HIDDEN = ("hidden", "collapse")
_UNSEEN = "rgba(0, 0, 0, 0)"
_NO_BACKGROUND: dict[str, str | None] = {
    "background": None,
    "background-color": "transparent",
    "background-image": "none",
}


def apply(root: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> None:
    """Every box whose `visibility` (its own or inherited) is hidden drawn transparent; a visible box
    inside one in its own colour, which it would otherwise inherit transparent."""
    for element in root.iter():
        style = computed.get(element)
        parent = computed.get(element.getparent()) if element.getparent() is not None else None
        if style is None:
            continue
        if hidden(style):
            set_style(element, _drawing_nothing(style))
        elif parent is not None and hidden(parent):
            set_style(element, {"color": style.cascaded.get("color") or style.inherited.get("color", "black")})


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
    value = style.cascaded.get("visibility") or style.inherited.get("visibility", "visible")
    return value.strip().lower() in _HIDDEN
