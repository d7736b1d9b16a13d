"""Form fields as a browser prints them: a box in the line showing what the field holds.

A text field shows its value (or, empty, its placeholder in grey), a list its chosen option, a text area
its text, a button its label, a check box or radio button a small box (ticked when checked). xhtml2pdf
draws none of them, and their values were lost. Each becomes an inline-block `<span>` with the browser
stylesheet's look (Chromium's: 13.33px Arial, a 1px grey border, 1px by 2px of padding, a text field
as wide as its `size` in average characters), under the author's own declarations. Fields a browser
draws as something else (a file picker, a slider, a colour well) are left out and reported.
"""

from __future__ import annotations

from dataclasses import replace

from lxml import html as lxml_html

from tasks.prepare import values
from tasks.prepare.cascade import Computed

#: What the browser's stylesheet gives every field, in the author's notation (points).
_FIELD = {
    "display": "inline-block",
    "font-family": "Arial, sans-serif",
    "font-size": "10pt",
    "border": "0.75pt solid #767676",
    "padding": "0.75pt 1.5pt",
    "vertical-align": "baseline",
    "white-space": "nowrap",
}
#: A character of a field, as its `size` and `cols` count them, and what a field's width adds to them, in points
#: (measured on Chromium: a text field of `size` 10 is 72pt wide with its border and padding, of 20, 132pt).
_CHARACTER, _EXTRA = 6.0, 7.5
#: A line of a text area's 13.33px monospace, in points.
_TEXTAREA_LINE = 11.75
_TEXT_TYPES = frozenset("text email number tel url search password date datetime-local month time week".split())
_BUTTON_TYPES = {"submit": "Submit", "reset": "Reset", "button": ""}
_BOX_TYPES = frozenset(("checkbox", "radio"))
#: Fields a browser shows nothing of (a hidden one), or draws as an image of its own.
_NOT_SHOWN = frozenset(("hidden", "image"))


def apply(root: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> None:
    """Every field the browser draws as a box of text, as that box."""
    for field in list(root.iter("input", "select", "textarea")):
        style = computed.get(field)
        kind = (field.get("type") or "text").strip().lower() if field.tag == "input" else field.tag
        if style is None or style.display == "none" or kind in _NOT_SHOWN:
            continue
        shown = _shown(field, kind)
        if shown is None:
            continue
        text, look = shown
        span = lxml_html.Element("span")
        span.text = text
        span.tail = field.tail
        declared = {**_FIELD, **look, **style.own}
        span.set("style", "; ".join(f"{name}: {value}" for name, value in declared.items()))
        computed[span] = replace(
            style, own=declared, cascaded={**style.cascaded, **declared}, display=declared["display"]
        )
        parent = field.getparent()
        if parent is not None:
            parent.replace(field, span)


def _shown(field: lxml_html.HtmlElement, kind: str) -> tuple[str, dict[str, str]] | None:
    """The text the field shows and how its box differs from the others'; None for a field drawn otherwise."""
    if kind in _TEXT_TYPES:
        value = field.get("value", "")
        if kind == "password":
            value = "\u2022" * len(value)
        width = _count(field.get("size"), 20) * _CHARACTER + _EXTRA
        look = {"width": values.fmt(width), "overflow": "hidden"}
        if not value and field.get("placeholder"):
            value, look["color"] = field.get("placeholder", ""), "#757575"
        return value or "\u00a0", look
    if kind in _BUTTON_TYPES:
        label = field.get("value", _BUTTON_TYPES[kind])
        return label or "\u00a0", {"padding": "0.75pt 4.5pt", "border": "1.5pt outset #767676"}
    if kind in _BOX_TYPES:
        ticked = "\u2713" if field.get("checked") is not None else "\u00a0"
        size = values.fmt(9.75)
        return ticked, {
            "width": size,
            "height": size,
            "padding": "0",
            "margin": "2.25pt 2.25pt 2.25pt 3pt",
            "font-size": "8pt",
            "text-align": "center",
            "line-height": size,
        }
    if kind == "select":
        options = list(field.iter("option"))
        chosen = next((option for option in options if option.get("selected") is not None), None)
        chosen = chosen if chosen is not None else (options[0] if options else None)
        text = " ".join((chosen.text_content() if chosen is not None else "").split())
        return (text or "\u00a0") + "\u2002\u25be", {}
    if kind == "textarea":
        width = _count(field.get("cols"), 20) * _CHARACTER + _EXTRA
        rows = _count(field.get("rows"), 2)
        look = {
            "width": values.fmt(width),
            "height": values.fmt(rows * _TEXTAREA_LINE),
            "white-space": "pre-wrap",
            "font-family": "monospace",
            "vertical-align": "text-bottom",
        }
        return field.text_content() or "\u00a0", look
    return None


def _count(value: str | None, default: int) -> int:
    """A field's `size`, `cols` or `rows`: a whole number of at least 1, else the browser's default."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else default
