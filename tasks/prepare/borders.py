"""Border widths as a browser computes them, in lengths xhtml2pdf draws: it drew no border at all for the
keywords (`border: thin solid`) or for a style given without a width (`border: solid red`, `border-style:
solid`), where a browser draws `medium`, 3px."""

from __future__ import annotations

import re

#: CSS's border-width keywords, in points (Chromium's 1px, 3px and 5px).
KEYWORDS = {"thin": "0.75pt", "medium": "2.25pt", "thick": "3.75pt"}
SIDES = ("top", "right", "bottom", "left")
#: The properties whose value may hold a border width.
WIDTHS = frozenset(
    {"border", "border-width", *(f"border-{side}" for side in SIDES), *(f"border-{side}-width" for side in SIDES)}
)
_SHORTHANDS = frozenset({"border", *(f"border-{side}" for side in SIDES)})
_KEYWORD = re.compile(r"(?<![\w-])(thin|medium|thick)(?![\w-])", re.IGNORECASE)
_DRAWN_STYLE = re.compile(r"(?<![\w-])(solid|dotted|dashed|double|groove|ridge|inset|outset)(?![\w-])", re.I)
#: Which of a 1-4 value side shorthand's values is each side's (top, right, bottom, left).
_ORDER = {1: (0, 0, 0, 0), 2: (0, 1, 0, 1), 3: (0, 1, 2, 1), 4: (0, 1, 2, 3)}
_LENGTH = re.compile(r"(?<![\w#])(?:\d|\.\d)")


def widths(name: str, value: str) -> str:
    """`value` of property `name` with its width keywords as lengths; a border shorthand that names a drawn
    style and no width gets `medium`'s."""
    if name not in WIDTHS:
        return value
    value = _KEYWORD.sub(lambda found: KEYWORDS[found.group(1).lower()], value)
    if name in _SHORTHANDS and _DRAWN_STYLE.search(value) and not _LENGTH.search(_without_colors(value)):
        value = f"{KEYWORDS['medium']} {value}"
    return value


def default_widths(own: dict[str, str]) -> None:
    """Give each side of `own` (an element's declarations) whose style a longhand draws, and whose width
    nothing declares, the width a browser gives it: `medium`."""
    if any(name in own for name in ("border", "border-width")):
        return
    for side in SIDES:
        style = _sides_value(own.get(f"border-{side}-style") or own.get("border-style", ""), side)
        if not _DRAWN_STYLE.fullmatch(style):
            continue
        if f"border-{side}" not in own and f"border-{side}-width" not in own:
            own[f"border-{side}-width"] = KEYWORDS["medium"]


def drawn(own: dict[str, str], side: str) -> bool:
    """Whether the border on `side` of an element with declarations `own` has a style that draws it, read
    from the most particular declaration there is: the longhand, the side's shorthand, `border-style`,
    `border` (a width without a style draws nothing)."""
    for name in (f"border-{side}-style", f"border-{side}", "border-style", "border"):
        value = own.get(name)
        if value is None:
            continue
        if name == "border-style":
            value = _sides_value(value, side)
        return _DRAWN_STYLE.search(value) is not None
    return False


def four_sides(value: str) -> tuple[str, ...] | None:
    """The top, right, bottom and left values of a 1-4 value side shorthand (`border-style: solid none`);
    None for none or too many."""
    parts = value.split()
    return tuple(parts[index] for index in _ORDER[len(parts)]) if len(parts) in _ORDER else None


def _sides_value(value: str, side: str) -> str:
    """`side`'s value of a 1-4 value side shorthand; "" for none or too many."""
    four = four_sides(value)
    return four[SIDES.index(side)] if four else ""


def _without_colors(value: str) -> str:
    """`value` without colour notations, whose digits are no width (`#000`, `rgb(0 0 0)`)."""
    return re.sub(r"#[\da-f]++|\b(?:rgba?|hsla?)\([^()]*+\)", " ", value, flags=re.IGNORECASE)
