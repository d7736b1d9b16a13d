"""Reading and writing an element's `style` attribute as the prepare stage writes it (`name: value; …`)."""

from __future__ import annotations

import re

from lxml import html as lxml_html

_POINTS = re.compile(r"(-?[\d.]+)pt")
_BORDER_WIDTH = re.compile(r"(?<![\w.-])(\d+(?:\.\d+)?)pt\b")


def declarations(element: lxml_html.HtmlElement) -> dict[str, str]:
    """The declarations of the element's `style`, as the stage writes them ("name: value; ...")."""
    return dict(part.split(": ", 1) for part in element.get("style", "").split("; ") if ": " in part)


def set_style(element: lxml_html.HtmlElement, changes: dict[str, str | None]) -> None:
    """Set (or, for None, remove) declarations of the element's `style`."""
    if not changes:
        return
    kept = [part for part in element.get("style", "").split("; ") if part and part.split(":")[0] not in changes]
    added = [f"{name}: {value}" for name, value in changes.items() if value is not None]
    element.set("style", "; ".join([*kept, *added]))


def set_display(element: lxml_html.HtmlElement, display: str) -> None:
    """Set the element's `display`."""
    set_style(element, {"display": display})


def sides(declared: dict[str, str], box: str) -> tuple[float, float, float, float]:
    """Top, right, bottom and left `margin` or `padding` in points, shorthand and longhands (0 where not
    in points: auto, a percentage of an unknown width)."""
    values = [0.0, 0.0, 0.0, 0.0]
    shorthand = [points(part) if part != "0" else 0.0 for part in declared.get(box, "").split()]
    if shorthand:
        top, right, bottom, left = (shorthand * 4)[:4] if len(shorthand) == 1 else (shorthand * 2)[:4]
        if len(shorthand) >= 3:
            top, right, bottom = shorthand[:3]
            left = shorthand[3] if len(shorthand) == 4 else right
        values = [top, right, bottom, left]
    for index, side in enumerate(("top", "right", "bottom", "left")):
        if f"{box}-{side}" in declared:
            values[index] = points(declared[f"{box}-{side}"]) if declared[f"{box}-{side}"] != "0" else 0.0
    return tuple(0.0 if value == float("inf") else value for value in values)  # type: ignore[return-value]


def points(value: str | None) -> float:
    """A length in points; infinity when `value` is not one (auto, a percentage, nothing)."""
    found = _POINTS.fullmatch(value.strip()) if value else None
    return float(found.group(1)) if found else float("inf")


def border_width(declared: dict[str, str], side: str) -> float:
    """The width in points of the border on `side` (top, right, bottom, left), longhands and shorthands;
    0 for none or hidden."""
    for name in (f"border-{side}-width", f"border-{side}", "border-width", "border"):
        value = declared.get(name)
        if value is None:
            continue
        if "none" in value.split() or "hidden" in value.split():
            return 0.0
        found = _BORDER_WIDTH.findall(value)
        if name == "border-width" and found:
            parts = (found * 4)[:4] if len(found) == 1 else (found * 2)[:4]
            if len(found) >= 3:
                parts = [*found[:3], found[3] if len(found) == 4 else found[1]]
            return float(parts[("top", "right", "bottom", "left").index(side)])
        return float(found[0]) if found else 0.0
    return 0.0


def padding_and_borders(declared: dict[str, str]) -> float:
    """The padding and borders left and right together, in points: what a content-box `width` leaves out."""
    _, right, _, left = sides(declared, "padding")
    return left + right + border_width(declared, "left") + border_width(declared, "right")


def gap_of(declared: dict[str, str], axis: str) -> str | None:
    """The `row` or `column` gap of a flex or grid container in points, as written ("4.5pt"); None for none,
    or one not in points."""
    value = declared.get(f"{axis}-gap") or declared.get("gap", "")
    parts = value.split()
    if not parts:
        return None
    chosen = parts[0] if axis == "row" or len(parts) == 1 else parts[1]
    return chosen if chosen.endswith("pt") else None


def auto_sides(declared: dict[str, str]) -> tuple[bool, bool]:
    """Whether margin-left and margin-right are `auto`, shorthand and longhands."""
    parts = declared.get("margin", "").split()
    left = right = False
    if parts:
        right = parts[1 if len(parts) > 1 else 0] == "auto"
        left = parts[3 if len(parts) == 4 else (1 if len(parts) > 1 else 0)] == "auto"
    left = declared.get("margin-left", "auto" if left else "") == "auto"
    right = declared.get("margin-right", "auto" if right else "") == "auto"
    return left, right
