"""Lists indented as a browser indents them: their items 40px in (`padding-inline-start`), not 1.5em.

The browser stylesheet gives a list the padding a browser's does. xhtml2pdf measures a list with a
left padding as wide as its frame (a table cell holding one took the whole row), so where nothing is
drawn on the list's left (no border, no background) and its left margin is not `auto`, that padding becomes
margin, which looks the same.
A marker `inside` the item is text at the start of its first line, which xhtml2pdf does not draw: it
becomes that text.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import html as lxml_html

from tasks.prepare.cascade import Computed, restyle
from tasks.prepare.inline_style import auto_sides, sides

_LISTS = ("ul", "ol", "menu", "dir")


def apply(root: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> None:
    """Every list's left padding as margin, where the two look alike; markers inside their items as text."""
    for element in root.iter(*_LISTS):
        style = computed.get(element)
        if style is None:
            continue
        _markers_inside(element, computed)
        padding, margin = sides(style.cascaded, "padding")[3], sides(style.cascaded, "margin")[3]
        drawn = any(name.startswith(("background", "border")) for name in style.own)
        # An `auto` left margin places the list (centred, pushed right): a length there would not.
        if padding > 0 and not drawn and not auto_sides(style.cascaded)[0]:
            restyle(element, style, {"padding-left": "0", "margin-left": f"{margin + padding:.2f}pt"})


def _markers_inside(element: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> None:
    """The markers of the list's items that are `inside` written at the start of their text."""
    number = int(element.get("start", "1")) if element.get("start", "1").lstrip("-").isdigit() else 1
    for item in element.iterchildren("li"):
        value = item.get("value", "")
        number = int(value) if value.lstrip("-").isdigit() else number
        style = computed.get(item)
        declared = {**style.inherited, **style.cascaded} if style is not None else {}
        shorthand = declared.get("list-style", "").split()
        position = declared.get("list-style-position", "inside" if "inside" in shorthand else "outside")
        default = "decimal" if element.tag == "ol" else "disc"
        kind = declared.get("list-style-type", next((word for word in shorthand if word in _MARKERS), default))
        if position.strip() == "inside" and style is not None and kind.strip() in _MARKERS:
            item.text = _MARKERS[kind.strip()](number) + (item.text or "").lstrip()
            restyle(item, style, {"list-style-type": "none", "list-style": None})
        number += 1


def _roman(number: int) -> str:
    numerals = (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    )
    text = ""
    for amount, numeral in numerals:
        while number >= amount:
            text, number = text + numeral, number - amount
    return text


def _alpha(number: int) -> str:
    text = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


#: What a marker of each `list-style-type` reads, as Chromium writes it inside the item: a symbol takes
#: about 1.3em with the space after it (Blink draws it as a shape, not a glyph), a number its text and a space.
_SYMBOL_ROOM = "\u00a0\u00a0\u00a0 "
_MARKERS: dict[str, Callable[[int], str]] = {
    "disc": lambda _: "\u2022" + _SYMBOL_ROOM,
    "circle": lambda _: "\u25e6" + _SYMBOL_ROOM,
    "square": lambda _: "\u25aa" + _SYMBOL_ROOM,
    "decimal": lambda number: f"{number}. ",
    "decimal-leading-zero": lambda number: f"{number:02d}. ",
    "lower-alpha": lambda number: f"{_alpha(number)}. ",
    "lower-latin": lambda number: f"{_alpha(number)}. ",
    "upper-alpha": lambda number: f"{_alpha(number).upper()}. ",
    "upper-latin": lambda number: f"{_alpha(number).upper()}. ",
    "lower-roman": lambda number: f"{_roman(number)}. ",
    "upper-roman": lambda number: f"{_roman(number).upper()}. ",
}
