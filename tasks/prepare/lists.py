"""Lists indented as a browser indents them: their items 40px in (`padding-inline-start`), not 1.5em.

The browser stylesheet gives a list the padding a browser's does. xhtml2pdf measures a list with a
left padding as wide as its frame (a table cell holding one took the whole row), so where nothing is
drawn on the list's left (no border, no background) that padding becomes margin, which looks the same.
"""

from __future__ import annotations

from lxml import html as lxml_html

from tasks.prepare.cascade import Computed, restyle
from tasks.prepare.inline_style import sides

_LISTS = ("ul", "ol", "menu", "dir")


def apply(root: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> None:
    """Every list's left padding as margin, where the two look alike."""
    for element in root.iter(*_LISTS):
        style = computed.get(element)
        if style is None:
            continue
        padding, margin = sides(style.cascaded, "padding")[3], sides(style.cascaded, "margin")[3]
        drawn = any(name.startswith(("background", "border")) for name in style.own)
        if padding > 0 and not drawn:
            restyle(element, style, {"padding-left": "0", "margin-left": f"{margin + padding:.2f}pt"})
