"""The page size a document's own CSS asks for (`@page { size: ... }`), checked at submission like the option."""

from __future__ import annotations

import re

from webapp.errors import ApiError

# Points per unit, as CSS defines them.
_UNITS = {"in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "q": 72 / 101.6, "pt": 1.0, "pc": 12.0, "px": 0.75}
_AT_PAGE = re.compile(r"@page\b", re.IGNORECASE)
_SIZE = re.compile(r"(?:^|[;{\s])size\s*:\s*([^;}]*)", re.IGNORECASE)
_LENGTH = re.compile(r"^([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)(in|cm|mm|q|pt|pc|px)$", re.IGNORECASE)
MIN_POINTS, MAX_POINTS = 72.0, 14400.0  # 1 in to 200 in a side, as options.page_size


def check_page_sizes(html: str) -> None:
    """Refuse (400) an inline `@page` whose size has a side outside 1 in to 200 in.

    Linear: each `@page` rule's block is read once, and the scan goes on after it.
    Sizes it cannot read (keywords, relative units, CSS from files) are left to the renderer,
    which refuses them the same way (tasks/render/renderer.py).
    """
    position = 0
    while (rule := _AT_PAGE.search(html, position)) is not None:
        opening = html.find("{", rule.end())
        if opening < 0:
            return
        closing = html.find("}", opening)
        if closing < 0:
            return
        block = html[opening:closing]
        position = closing + 1
        for size in _SIZE.finditer(block):
            _check(size.group(1))


def _check(value: str) -> None:
    lengths = [_LENGTH.match(part) for part in value.split()[:2]]
    if not lengths or not all(lengths):
        return  # a keyword (A4, landscape) or a unit only the renderer knows
    sides = [float(length.group(1)) * _UNITS[length.group(2).lower()] for length in lengths if length]
    width, height = sides[0], sides[-1]  # one length: a square page
    if not (MIN_POINTS <= width <= MAX_POINTS and MIN_POINTS <= height <= MAX_POINTS):
        raise ApiError(
            400,
            "bad_page_size",
            f"The document's CSS asks for a {width / 72:g} in x {height / 72:g} in page (@page size); "
            "each side must be between 1 in and 200 in.",
            field="html",
        )
