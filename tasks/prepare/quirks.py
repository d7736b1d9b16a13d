"""What Chromium does differently for a document in quirks mode (no doctype, or an old one).

A table starts its text afresh, as the browsers of the 1990s did, instead of inheriting the font of the
blocks around it (Blink's quirks.css). The cascade takes that rule with the browser's own; xhtml2pdf is
told it on each of the author's tables, not in its stylesheet, where it would also reach the tables this
stage makes of flex rows and grids. And the body, as a table cell does (tasks/prepare/cell_margins.py),
drops the browser stylesheet's top margin of a paragraph, heading or list at its top.
"""

from __future__ import annotations

from lxml import html as lxml_html

from tasks.prepare import values
from tasks.prepare.cascade import Computed, restyle
from tasks.prepare.cell_margins import quirky, top_edge
from tasks.prepare.inline_style import border_width, sides

CSS = """
table { white-space: normal; line-height: normal; font-weight: normal; font-size: medium; font-variant: normal;
  font-style: normal; text-align: start; }
"""
_RESET = ("white-space", "font-weight", "font-style", "text-align")  # font-variant: xhtml2pdf has none


def reset_table_fonts(root: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> None:
    """Write the rule's values on every table whose author did not set them (its line height the cascade
    writes already)."""
    for table in root.iter("table"):
        style = computed.get(table)
        if style is None:
            continue
        changes: dict[str, str | None] = {
            name: style.cascaded[name] for name in _RESET if name not in style.own and name in style.cascaded
        }
        if "font-size" not in style.own:
            changes["font-size"] = values.fmt(style.font_pt)
        restyle(table, style, changes)


def drop_top_margins_at_body_top(root: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> None:
    """The browser stylesheet's top margins of the quirky blocks at the top of a body without top padding
    or border (an author's own margins stay)."""
    body = root.find("body")
    style = computed.get(body) if body is not None else None
    if style is None or sides(style.cascaded, "padding")[0] > 0 or border_width(style.cascaded, "top"):
        return
    for element in top_edge(body, computed):
        if quirky(element, computed[element], "top"):
            restyle(element, computed[element], {"margin-top": "0"})
