"""Lengths in points: what each CSS unit is worth, and the sides a page may have."""

from __future__ import annotations

#: Points per absolute unit, as CSS defines them (1px = 1/96 in = 0.75 pt).
POINTS_PER_UNIT = {"pt": 1.0, "px": 0.75, "pc": 12.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "q": 72 / 101.6}

#: A page's sides, in points: 1 in to 200 in, whether the page_size option or the document's CSS sets them.
MIN_PAGE_POINTS, MAX_PAGE_POINTS = 72.0, 14400.0
#: Why a page outside those bounds is refused.
PAGE_SIDES = f"each side must be between {MIN_PAGE_POINTS / 72:g} in and {MAX_PAGE_POINTS / 72:g} in"


def page_fits(width: float, height: float) -> bool:
    """Whether a page `width` x `height` points is within the bounds on each side."""
    return MIN_PAGE_POINTS <= width <= MAX_PAGE_POINTS and MIN_PAGE_POINTS <= height <= MAX_PAGE_POINTS


def css_page_refused(width: float, height: float) -> str:
    """What to tell the author of a document whose own `@page { size }` is outside the bounds."""
    return f"The document's CSS asks for a {width / 72:g} in x {height / 72:g} in page (@page size); {PAGE_SIDES}."
