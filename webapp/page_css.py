"""The page size a document's own CSS asks for (`@page { size: ... }`), checked at submission like the option."""

from __future__ import annotations

import re

from tasks.document.units import POINTS_PER_UNIT, css_page_refused, page_fits
from webapp.errors import ApiError

_AT_PAGE = re.compile(r"@page\b", re.IGNORECASE)
_SIZE = re.compile(r"(?:^|[;{\s])size\s*:\s*([^;}]*)", re.IGNORECASE)
_LENGTH = re.compile(r"^([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)(in|cm|mm|q|pt|pc|px)$", re.IGNORECASE)


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
    sides = [float(length.group(1)) * POINTS_PER_UNIT[length.group(2).lower()] for length in lengths if length]
    width, height = sides[0], sides[-1]  # one length: a square page
    if not page_fits(width, height):
        raise ApiError(400, "bad_page_size", css_page_refused(width, height), field="html")
