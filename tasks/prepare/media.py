"""Media queries as Chromium's print answers them: print media, the page's width in CSS pixels."""

from __future__ import annotations

import re

#: A4 less Chromium's default 1 cm print margins, in CSS px: what `min-width` is compared with.
PAGE_WIDTH_PX = 718.0
PAGE_HEIGHT_PX = 1047.0
_FEATURE = re.compile(r"\(\s*+([a-z-]++)\s*+(?::\s*+([^()]++))?+\)")
_TRUE_FEATURES = {
    ("orientation", "portrait"),
    ("prefers-color-scheme", "light"),
    ("hover", "none"),
    ("pointer", "none"),
}
_FALSE_FEATURES = {"hover", "pointer", "any-hover", "any-pointer", "prefers-reduced-motion", "forced-colors"}


def matches(query_list: str, width_px: float = PAGE_WIDTH_PX, height_px: float = PAGE_HEIGHT_PX) -> bool:
    """Whether a `@media` prelude (or a `media` attribute) applies to the printed page."""
    queries = [query.strip().lower() for query in query_list.split(",")]
    return not query_list.strip() or any(_query(query, width_px, height_px) for query in queries if query)


def _query(query: str, width_px: float, height_px: float) -> bool:
    negate = query.startswith("not ")
    query = query.removeprefix("not ").removeprefix("only ").strip()
    media_type = query.split("(")[0].replace(" and", "").strip() or "all"
    result = media_type in ("all", "print") and all(
        _feature(name, value.strip() if value else None, width_px, height_px) for name, value in _FEATURE.findall(query)
    )
    return result != negate


def _feature(name: str, value: str | None, width_px: float, height_px: float) -> bool:
    if value is None:
        return name not in _FALSE_FEATURES
    if (name, value) in _TRUE_FEATURES:
        return True
    for prefix in ("min-", "max-"):
        if name.startswith(prefix) and name[len(prefix) :] in ("width", "height", "device-width", "device-height"):
            size = width_px if "width" in name else height_px
            limit = _px(value)
            return limit is not None and (size >= limit if prefix == "min-" else size <= limit)
    return False


def _px(value: str) -> float | None:
    found = re.fullmatch(r"([\d.]+)\s*(px|em|rem)?", value)
    if found is None:
        return None
    number = float(found.group(1))
    return number * 16 if found.group(2) in ("em", "rem") else number
