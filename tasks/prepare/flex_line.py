"""How a browser sizes the items of one flex line (CSS Flexbox §9.7) and spaces them (justify-content).

Each item starts at its flex basis (its width, else its content's); the line's free space goes to the
items that grow, in proportion to `flex-grow`; a deficit is taken from those that shrink, in proportion to
`flex-shrink` times their basis; what is left free, `margin-left: auto` or justify-content places.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import html as lxml_html

from tasks.prepare import estimate
from tasks.prepare.cascade import Computed
from tasks.prepare.inline_style import padding_and_borders, points, sides


@dataclass(frozen=True)
class Flex:
    """An item's `flex`: how it grows and shrinks, and the width it starts from."""

    grow: float
    shrink: float
    #: "auto" (the item's width, else its content's) or a length: "0pt", "120pt", "30%".
    basis: str


@dataclass(frozen=True)
class Line:
    """The items' widths in points, and the free space before each item and after the last."""

    widths: list[float]
    before: list[float]
    after: float


def flex_of(style: dict[str, str]) -> Flex:
    """The item's grow and shrink factors and basis, from `flex` and its longhands."""
    grow, shrink, basis = 0.0, 1.0, "auto"
    parts = style.get("flex", "").split()
    if parts == ["none"]:
        grow, shrink = 0.0, 0.0
    elif parts == ["auto"]:
        grow = 1.0
    elif parts and parts != ["initial"]:
        numbers = [part for part in parts if _number(part) is not None]
        lengths = [part for part in parts if _number(part) is None]
        if numbers:
            grow = _number(numbers[0]) or 0.0
            basis = "0pt"
        if len(numbers) > 1:
            shrink = _number(numbers[1]) or 0.0
        if lengths:
            basis = lengths[0]
    longhand_grow, longhand_shrink = _number(style.get("flex-grow", "")), _number(style.get("flex-shrink", ""))
    grow = longhand_grow if longhand_grow is not None else grow
    shrink = longhand_shrink if longhand_shrink is not None else shrink
    return Flex(grow or 0.0, shrink or 0.0, style.get("flex-basis", basis).strip() or "auto")


def is_row(style: Computed) -> bool:
    """Whether the flex container lays its items out in a row (else: in a column)."""
    return style.own.get("flex-direction", "row").startswith("row")


def shrinks_in_a_row(item: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> bool:
    """Whether the item is one of a flex row's that may shrink (flex-shrink above 0, the default): its width
    is where it starts, not a floor, and it gives way to a narrower row."""
    parent = item.getparent()
    row = computed.get(parent) if parent is not None else None
    if row is None or row.display not in ("flex", "inline-flex") or not is_row(row):
        return False
    return flex_of(computed[item].own if item in computed else {}).shrink > 0


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def line(
    items: list[lxml_html.HtmlElement],
    computed: dict[lxml_html.HtmlElement, Computed],
    room: float,
    gap: float,
    justify: str,
) -> Line | None:
    """The line's layout in `room` points, or None where an item's basis cannot be told (a percentage
    `max-width`, say): the caller then keeps xhtml2pdf's table layout."""
    styles = [computed[item].own if item in computed else {} for item in items]
    flexes = [flex_of(style) for style in styles]
    sized = [basis(item, style, flex, computed, room) for item, style, flex in zip(items, styles, flexes, strict=True)]
    if any(size is None for size in sized):
        return None
    bases = [size[0] for size in sized if size is not None]
    around = [size[1] for size in sized if size is not None]
    gaps = [0.0] + [gap] * (len(items) - 1)
    free = room - sum(bases) - sum(around) - sum(gaps)
    if free < 0 or any(flex.grow for flex in flexes):
        sizes = _flexed(items, computed, bases, flexes, free)
        return Line([size + extra for size, extra in zip(sizes, around, strict=True)], gaps, 0.0)
    before, after = _justify(free, len(items), justify, [_auto_left(style) for style in styles])
    widths = [start + extra for start, extra in zip(bases, around, strict=True)]
    return Line(widths, [space + between for space, between in zip(before, gaps, strict=True)], after)


def _flexed(
    items: list[lxml_html.HtmlElement],
    computed: dict[lxml_html.HtmlElement, Computed],
    bases: list[float],
    flexes: list[Flex],
    free: float,
) -> list[float]:
    """The items' sizes once the free space is shared by those that grow, or the deficit taken from those
    that shrink (none below its longest word)."""
    if free >= 0:
        total = sum(flex.grow for flex in flexes)
        return [start + free * flex.grow / total for start, flex in zip(bases, flexes, strict=True)]
    floors = [min(estimate.min_content(item, computed), start) for item, start in zip(items, bases, strict=True)]
    return _shrink(bases, [flex.shrink for flex in flexes], floors, free)


def _shrink(bases: list[float], factors: list[float], floors: list[float], deficit: float) -> list[float]:
    """The items' sizes with `-deficit` points taken from them in proportion to flex-shrink times their basis,
    none below its floor (its min-content width): one that would be is held there, and the rest share what
    is left (§9.7's frozen items)."""
    sizes = list(bases)
    frozen = [not factor for factor in factors]
    for _ in range(len(bases)):
        left = deficit + sum(bases[index] - sizes[index] for index in range(len(bases)) if frozen[index])
        weights = [0.0 if frozen[index] else factors[index] * bases[index] for index in range(len(bases))]
        total = sum(weights)
        if not total:
            break
        targets = [bases[index] + left * weights[index] / total for index in range(len(bases))]
        below = [index for index in range(len(bases)) if not frozen[index] and targets[index] < floors[index]]
        for index in range(len(bases)):
            if not frozen[index]:
                sizes[index] = max(targets[index], floors[index])
        if not below:
            break
        for index in below:
            frozen[index] = True
    return sizes


def basis(
    item: lxml_html.HtmlElement,
    style: dict[str, str],
    flex: Flex,
    computed: dict[lxml_html.HtmlElement, Computed],
    room: float,
) -> tuple[float, float] | None:
    """The item's flex basis and what its box adds around it (margins, and paddings and borders outside a
    set width), in points: its width before it grows or shrinks."""
    size = flex.basis if flex.basis not in ("auto", "content") else style.get("width", "auto")
    _, margin_right, _, margin_left = sides(style, "margin")
    margins, paddings = margin_left + margin_right, padding_and_borders(style)
    border_box = item in computed and computed[item].border_box
    around = margins + (0.0 if border_box else paddings)
    if size.endswith("%"):
        return float(size[:-1]) * room / 100, around
    if points(size) != float("inf"):
        return points(size), around
    if size.strip() in ("0", "0%"):
        return 0.0, around
    if style.get("max-width", "").endswith("%"):
        return None
    content = estimate.max_content(item, computed.get(item), computed)
    return min(content, points(style.get("max-width"))), margins + paddings


def _auto_left(style: dict[str, str]) -> bool:
    margin = style.get("margin", "").split()
    left = margin[1] if len(margin) in (2, 3) else (margin[3] if len(margin) == 4 else "")
    return style.get("margin-left", left) == "auto"


def _justify(free: float, count: int, justify: str, auto_left: list[bool]) -> tuple[list[float], float]:
    """The free space before each of `count` items and after the last, as justify-content (or an item's
    `margin-left: auto`, which takes it all first) puts it."""
    before = [0.0] * count
    if any(auto_left):
        before[auto_left.index(True)] = free
        return before, 0.0
    if justify == "space-between" and count > 1:
        return [0.0] + [free / (count - 1)] * (count - 1), 0.0
    if justify == "space-around":
        return [free / count / 2] + [free / count] * (count - 1), free / count / 2
    if justify == "space-evenly":
        return [free / (count + 1)] * count, free / (count + 1)
    if justify in ("flex-end", "end", "right"):
        return [free] + [0.0] * (count - 1), 0.0
    if justify == "center":
        return [free / 2] + [0.0] * (count - 1), free / 2
    return before, free
