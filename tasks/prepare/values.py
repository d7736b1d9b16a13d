"""CSS values as a browser computes them: lengths in points, calc(), colours xhtml2pdf can read."""

from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass

from tasks.document.units import POINTS_PER_UNIT as ABSOLUTE

#: A browser's `medium`, and the keywords around it (CSS Fonts 4, in px).
FONT_KEYWORDS = {
    "xx-small": 9.0,
    "x-small": 10.0,
    "small": 13.0,
    "medium": 16.0,
    "large": 18.0,
    "x-large": 24.0,
    "xx-large": 32.0,
    "xxx-large": 48.0,
}
ROOT_FONT_PT = FONT_KEYWORDS["medium"] * ABSOLUTE["px"]
#: The same keywords for the generic monospace family, whose `medium` is 13px (Blink's table for it).
MONOSPACE_KEYWORDS = dict(zip(FONT_KEYWORDS, (9.0, 10.0, 12.0, 13.0, 16.0, 20.0, 26.0, 39.0), strict=True))
MONOSPACE_MEDIUM = MONOSPACE_KEYWORDS["medium"]


def keyword_pt(keyword: str, monospace: bool) -> float:
    """An absolute-size keyword (`small`, `x-large`, …) in points, for monospace text or any other."""
    return (MONOSPACE_KEYWORDS if monospace else FONT_KEYWORDS)[keyword] * ABSOLUTE["px"]


# Possessive and unambiguous: `\d+\.?\d*` splits a run of digits every way before it fails (64 KB of
# digits: 478 s in one search); this reads each digit once.
_NUMBER = r"[+-]?+(?:\d++(?:\.\d*+)?+|\.\d++)(?:e[+-]?+\d++)?+"
_LENGTH = re.compile(rf"(?<![\w#.-])({_NUMBER})(rem|em|ex|ch|px|pt|pc|in|cm|mm|q|vw|vh|vmin|vmax)\b", re.IGNORECASE)
_CALC = re.compile(r"\b(?:calc|-webkit-calc)\(", re.IGNORECASE)
# An unclosed url( or string runs to the end, as CSS reads it: a search never fails and starts again.
_MASK = re.compile(r"url\([^)]*+(?:\)|\Z)|\"[^\"]*+(?:\"|\Z)|'[^']*+(?:'|\Z)", re.IGNORECASE)
_COLOR_FUNCTION = re.compile(r"\b(rgba?|hsla?)\(([^()]*)\)", re.IGNORECASE)
WHITE = (255, 255, 255)


@dataclass(frozen=True)
class Context:
    """What relative units are relative to, for one element."""

    font_pt: float
    root_pt: float = ROOT_FONT_PT
    page_width_pt: float = 595.0
    page_height_pt: float = 842.0
    #: The colour behind the element (its nearest ancestor's background): what a translucent colour is seen on.
    backdrop: tuple[int, int, int] = WHITE
    #: Whether the document is in quirks mode (tasks/prepare/doctype.py): a bare number is then a length in px.
    quirks: bool = False
    #: The containing block's width, which percentages of margins and paddings are of (0: the page's).
    block_width_pt: float = 0.0

    def points(self, number: float, unit: str) -> float | None:
        unit = unit.lower()
        if unit in ABSOLUTE:
            return number * ABSOLUTE[unit]
        relative = {
            "em": self.font_pt,
            "rem": self.root_pt,
            "ex": self.font_pt / 2,
            "ch": self.font_pt / 2,
            "vw": self.page_width_pt / 100,
            "vh": self.page_height_pt / 100,
            "vmin": min(self.page_width_pt, self.page_height_pt) / 100,
            "vmax": max(self.page_width_pt, self.page_height_pt) / 100,
        }.get(unit)
        return None if relative is None else number * relative


#: Ascent, descent and line gap (in ems) of the faces Chromium prints common families in, by family name:
#: Liberation Serif and Sans have Times New Roman's and Arial's metrics. A family neither here nor in
#: the document's @font-face rules is not installed: the next one in the list is tried.
_SERIF = (0.891, 0.216, 0.042)
_SANS = (0.905, 0.212, 0.033)
_DEJAVU = (0.928, 0.236, 0.0)
_MONO = (0.833, 0.300, 0.0)
FACE_METRICS = {
    **dict.fromkeys(("times new roman", "times", "liberation serif", "tinos"), _SERIF),
    **dict.fromkeys(("arial", "helvetica", "liberation sans", "arimo"), _SANS),
    **dict.fromkeys(("courier new", "courier", "liberation mono", "cousine"), _MONO),
    **dict.fromkeys(("dejavu sans", "dejavu serif", "dejavu sans mono", "monospace"), _DEJAVU),
    # Chromium's other generic families print in its default face here (measured: 12px sans-serif, 15px).
    **dict.fromkeys(("serif", "sans-serif", "cursive", "fantasy", "system-ui"), _SERIF),
}


def normal_line_pt(family: str, document_faces: frozenset[str], font_pt: float) -> float | None:
    """`line-height: normal` in points as Blink makes it, for text of `font_pt` in `family` (a `font-family`
    list): the ascent, descent and line gap of the first installed family's face (the default face's
    when none is), each rounded to whole pixels. None for a face the document brings (`document_faces`)."""
    metrics = _SERIF
    for name in family.split(","):
        name = name.strip().strip("\"'").lower()
        if name in document_faces:
            return None
        if name in FACE_METRICS:
            metrics = FACE_METRICS[name]
            break
    pixels = font_pt / ABSOLUTE["px"]
    return sum(round(share * pixels) for share in metrics) * ABSOLUTE["px"]


def fmt(points: float) -> str:
    """A length in points, short."""
    text = f"{points:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else f"{text}pt"


def resolve_lengths(value: str, context: Context) -> str | None:
    """`value` with every length in points and every calc() evaluated; None when it cannot be.

    A calc() that mixes percentages with lengths has no value without the containing block's
    size, which only the layout knows: such a declaration is dropped (None).
    """
    masked, saved = _mask(value)
    out: list[str] = []
    position = 0
    # Each calc() replaced as the text is walked, never the whole text rebuilt per calc(): linear.
    while (match := _CALC.search(masked, position)) is not None:
        end = closing(masked, match.end() - 1)
        if end < 0:
            return None
        result = evaluate(masked[match.end() : end], context)
        if result is None:
            return None
        out += [masked[position : match.start()], result]
        position = end + 1
    masked = "".join([*out, masked[position:]])

    def length(found: re.Match[str]) -> str:
        points = context.points(float(found.group(1)), found.group(2))
        return found.group(0) if points is None else fmt(points)

    return _unmask(_LENGTH.sub(length, masked), saved)


def evaluate(expression: str, context: Context) -> str | None:
    """A calc() body as a length in points (or a plain number), or None."""
    # CSS requires spaces around a binary minus; a sign sticks to its number.
    expression = re.sub(r"\s-\s", " + -1 * ", expression)
    tokens = re.findall(rf"{_NUMBER}[a-z%]*|[-+*/()]", expression, re.IGNORECASE)
    try:
        value, unit, rest = _sum(tokens, context)
    except (ValueError, IndexError, ZeroDivisionError):
        return None
    if rest or unit == "%":
        return None
    return fmt(value) if unit == "pt" else f"{value:g}"


def _sum(tokens: list[str], context: Context) -> tuple[float, str, list[str]]:
    value, unit, tokens = _product(tokens, context)
    while tokens and tokens[0] in "+-":
        sign = 1 if tokens[0] == "+" else -1
        other, other_unit, tokens = _product(tokens[1:], context)
        unit = _same(unit, other_unit)
        value += sign * other
    return value, unit, tokens


def _product(tokens: list[str], context: Context) -> tuple[float, str, list[str]]:
    value, unit, tokens = _atom(tokens, context)
    while tokens and tokens[0] in "*/":
        operator = tokens[0]
        other, other_unit, tokens = _atom(tokens[1:], context)
        if operator == "*":
            if unit and other_unit:
                raise ValueError("length times length")
            value, unit = value * other, unit or other_unit
        else:
            if other_unit:
                raise ValueError("division by a length")
            value /= other
    return value, unit, tokens


def _atom(tokens: list[str], context: Context) -> tuple[float, str, list[str]]:
    token, tokens = tokens[0], tokens[1:]
    if token == "(":
        value, unit, tokens = _sum(tokens, context)
        if not tokens or tokens[0] != ")":
            raise ValueError("unbalanced")
        return value, unit, tokens[1:]
    if token == "-":
        value, unit, tokens = _atom(tokens, context)
        return -value, unit, tokens
    found = re.fullmatch(rf"({_NUMBER})([a-z%]*)", token, re.IGNORECASE)
    if found is None:
        raise ValueError(token)
    number, unit = float(found.group(1)), found.group(2).lower()
    if not unit:
        return number, "", tokens
    if unit == "%":
        return number, "%", tokens
    points = context.points(number, unit)
    if points is None:
        raise ValueError(unit)
    return points, "pt", tokens


def _same(unit: str, other: str) -> str:
    if unit != other:
        raise ValueError("mixed units")
    return unit


def font_size(
    value: str, parent_pt: float, root_pt: float = ROOT_FONT_PT, page: tuple[float, float] = (595.0, 842.0)
) -> float | None:
    """An element's font size in points from its declared `font-size`, or None if unreadable; `vw` and `vh`
    are of the `page`'s content box (width, height), as in a browser's print."""
    value = value.strip().lower()
    if value in FONT_KEYWORDS:
        return FONT_KEYWORDS[value] * ABSOLUTE["px"]
    if value == "larger":
        return parent_pt * 1.2
    if value == "smaller":
        return parent_pt / 1.2
    if value in ("inherit", "unset"):
        return parent_pt
    if value == "initial":
        return FONT_KEYWORDS["medium"] * ABSOLUTE["px"]
    if value.endswith("%"):
        try:
            return parent_pt * float(value[:-1]) / 100
        except ValueError:
            return None
    context = Context(font_pt=parent_pt, root_pt=root_pt, page_width_pt=page[0], page_height_pt=page[1])
    resolved = resolve_lengths(value, context)
    if resolved is None:
        return None
    found = re.fullmatch(rf"({_NUMBER})pt", resolved.strip())
    return float(found.group(1)) if found else None


def normalise_colors(value: str, backdrop: tuple[int, int, int] = WHITE) -> str:
    """rgb()/hsl() in any syntax (spaces, slash alpha, percentages) as #rrggbb, alpha blended on `backdrop`
    (xhtml2pdf draws no transparency: white at 15 % on a blue header is a lighter blue, not white)."""

    def color(found: re.Match[str]) -> str:
        parsed = _parse_color(found.group(1).lower(), found.group(2), backdrop)
        return found.group(0) if parsed is None else parsed

    return _COLOR_FUNCTION.sub(color, value)


def _parse_color(kind: str, body: str, backdrop: tuple[int, int, int] = WHITE) -> str | None:
    parts = [part for part in re.split(r"[\s,/]+", body.strip()) if part]
    if len(parts) not in (3, 4):
        return None
    try:
        alpha = _fraction(parts[3]) if len(parts) == 4 else 1.0
        if kind.startswith("rgb"):
            rgb = [_channel(part) for part in parts[:3]]
        else:
            rgb = _hsl(float(parts[0].removesuffix("deg")), _fraction(parts[1]), _fraction(parts[2]))
    except ValueError:
        return None
    if alpha <= 0.0:
        return "transparent"
    alpha = min(alpha, 1.0)
    blended = [round(under + (channel - under) * alpha) for channel, under in zip(rgb, backdrop, strict=True)]
    return "#" + "".join(f"{max(0, min(255, channel)):02x}" for channel in blended)


def _channel(part: str) -> float:
    return float(part[:-1]) * 2.55 if part.endswith("%") else float(part)


def _fraction(part: str) -> float:
    return float(part[:-1]) / 100 if part.endswith("%") else float(part)


def _hsl(hue: float, saturation: float, lightness: float) -> list[float]:
    red, green, blue = colorsys.hls_to_rgb((hue % 360) / 360, lightness, saturation)
    return [red * 255, green * 255, blue * 255]


def closing(text: str, opening: int) -> int:
    """The index of the parenthesis that closes the one at `opening`, or -1."""
    depth = 0
    for index in range(opening, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    return -1


def _mask(value: str) -> tuple[str, list[str]]:
    saved: list[str] = []

    def keep(found: re.Match[str]) -> str:
        saved.append(found.group(0))
        return f"\x00{len(saved) - 1}\x00"

    return _MASK.sub(keep, value), saved


def _unmask(value: str, saved: list[str]) -> str:
    return re.sub(r"\x00(\d+)\x00", lambda found: saved[int(found.group(1))], value)


_HEX = re.compile(r"#([\da-f]{6})\b", re.IGNORECASE)


def backdrop(declared: dict[str, str], behind: tuple[int, int, int]) -> tuple[int, int, int]:
    """The colour an element's content is seen on: its own background colour (resolved, #rrggbb) when it
    sets one, else what is behind it."""
    for name in ("background-color", "background"):
        found = _HEX.search(declared.get(name, ""))
        if found:
            digits = found.group(1)
            return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    return behind
