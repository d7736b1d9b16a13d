"""A table's `<caption>` as a block above it (below for `caption-side: bottom`), as wide as the table and
centred in it, as a browser's stylesheet sets it (`text-align: -webkit-center`).

xhtml2pdf drew a caption's text at the left, a few points outside the page's content box. This runs after
the widths stage, which has given every table it could size its width in points.
"""

from __future__ import annotations

import dataclasses

from lxml import html as lxml_html

from tasks.prepare import widths
from tasks.prepare.cascade import Computed
from tasks.prepare.inline_style import declarations, points, set_style

ElementStyles = dict[lxml_html.HtmlElement, Computed]


def apply(root: lxml_html.HtmlElement, computed: ElementStyles) -> None:
    """Every table's caption moved out of it, as a block as wide as the table where it stands."""
    for caption in list(root.iter("caption")):
        table = caption.getparent()
        style = computed.get(caption)
        if table is None or table.tag != "table" or style is None:
            continue
        own = {"text-align": "center", **style.own}
        block = lxml_html.Element("div")
        set_style(block, dict(own))
        block.text = caption.text
        block.extend(list(caption))
        below = style.cascaded.get("caption-side", "").strip() == "bottom"
        (table.addnext if below else table.addprevious)(block)
        table.remove(caption)
        placed = declarations(table)
        width = min(points(placed.get("width")), points(table.get("width")))
        if width != float("inf"):
            margins = {name: placed.get(name, "0") for name in ("margin-left", "margin-right")}
            box = dataclasses.replace(style, own=own, cascaded={**style.cascaded, **own, **margins})
            widths.narrow(block, box, width, (table.get("align") or "left").lower(), (0.0, 0.0))
