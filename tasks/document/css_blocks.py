"""The at-rule blocks of a stylesheet's text, found in one pass: what page options and the split's analysis read."""

from __future__ import annotations

from collections.abc import Iterator

# As xhtml2pdf's pisaPreLoop: <style> blocks for these media (or none) are read.
MEDIA = frozenset({"all", "print", "pdf"})


def at_blocks(css: str, names: tuple[str, ...]) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, prelude, body) of each top-level at-rule block named in `names`; one pass."""
    lowered = css.lower()
    # Where each name occurs next: searched again only once passed, so a name that occurs
    # rarely (or never) is not looked for through the rest of the text at every block.
    upcoming = {name: lowered.find(name) for name in names}
    index = 0
    while True:
        for name, at in upcoming.items():
            if 0 <= at < index:
                upcoming[name] = lowered.find(name, index)
        found = [at for at in upcoming.values() if at >= 0]
        if not found:
            return
        start = min(found)
        opening = css.find("{", start)
        if opening < 0:
            return
        end = _matching_brace(css, opening)
        yield start, end, css[start:opening].strip(), css[opening + 1 : end - 1]
        index = end


def _matching_brace(css: str, opening: int) -> int:
    depth = 0
    for index in range(opening, len(css)):
        if css[index] == "{":
            depth += 1
        elif css[index] == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(css)
