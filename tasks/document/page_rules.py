"""A document's own plain @page rule, read from its <style> blocks: page options add to it, not replace it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from tasks.document.css_blocks import MEDIA, at_blocks

# Each pattern matches wherever it starts (an unclosed tag or comment runs to the end, as in a
# parser): a search never fails and restarts further on, so each is linear however the text repeats.
_STYLE = re.compile(r"<style\b([^>]*)(?:>|\Z)(.*?)(?:</style\s*>|\Z)", re.IGNORECASE | re.DOTALL)
_MEDIA = re.compile(r"""\bmedia\s*=\s*["']?([^"'>]*)""", re.IGNORECASE)
_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_BLOCK_EDGES = re.compile(r"[{};]")
SIDES = ("top", "right", "bottom", "left")
T = TypeVar("T")


@dataclass(frozen=True)
class DocumentPage:
    """The document's last unnamed @page rule (the one xhtml2pdf uses): where it stands and what it says."""

    start: int = -1  # the rule's span in the HTML; -1 when the document has none
    end: int = -1
    body: str = ""
    declarations: dict[str, str] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.start >= 0

    def margin_texts(self) -> dict[str, str]:
        """Each side's margin as the rule writes it, for the sides it sets."""
        sides: dict[str, str] = {}
        for name, value in self.declarations.items():
            if name == "margin":
                parts = value.split()
                if 1 <= len(parts) <= 4:
                    sides |= dict(zip(SIDES, expand_sides(parts), strict=True))
            elif name.startswith("margin-") and name[7:] in SIDES:
                sides[name[7:]] = value
        return sides


def document_page(html: str) -> DocumentPage:
    """The last plain `@page { ... }` rule of the <style> blocks xhtml2pdf reads, or an empty `DocumentPage`."""
    found = DocumentPage()
    for style in _STYLE.finditer(html):
        media = _MEDIA.search(style.group(1))
        if media is not None and not {m.strip().lower() for m in media.group(1).split(",")} & MEDIA:
            continue
        # Comments blanked to the same length, so positions in the CSS are positions in the HTML.
        css = _COMMENT.sub(lambda comment: " " * len(comment.group(0)), style.group(2))
        for start, end, prelude, body in at_blocks(css, ("@page",)):
            if prelude.lower() == "@page":
                offset = style.start(2)
                found = DocumentPage(offset + start, offset + end, body, _declarations(body))
    return found


def _declarations(body: str) -> dict[str, str]:
    """The rule's own declarations (nested @frame blocks left out), later ones winning."""
    declarations: dict[str, str] = {}
    for item in _split_nested(body)[0].split(";"):
        name, colon, value = item.partition(":")
        if colon and name.strip():
            declarations[name.strip().lower()] = value.strip()
    return declarations


def _split_nested(body: str) -> tuple[str, list[str]]:
    """A rule's body without its nested at-rule blocks (@frame), and those blocks as written; one pass."""
    flat: list[str] = []
    blocks: list[str] = []
    depth = start = opened = 0
    for edge in _BLOCK_EDGES.finditer(body):
        mark, at = edge.group(), edge.start()
        if mark == "{":
            if depth == 0:
                prelude = body[start:at]
                opened = start + max(prelude.rfind("@"), 0)
                flat.append(body[start:opened])
            depth += 1
        elif mark == "}" and depth:
            depth -= 1
            if depth == 0:
                if body[opened] == "@":
                    blocks.append(body[opened : at + 1])
                start = at + 1
        elif mark == ";" and depth == 0:
            flat.append(body[start : at + 1])
            start = at + 1
    if depth == 0:
        flat.append(body[start:])
    return "".join(flat), blocks


def expand_sides(values: Sequence[T]) -> tuple[T, T, T, T]:
    """1 to 4 values in CSS shorthand order as top, right, bottom and left."""
    if len(values) == 1:
        return values[0], values[0], values[0], values[0]
    if len(values) == 2:
        return values[0], values[1], values[0], values[1]
    if len(values) == 3:
        return values[0], values[1], values[2], values[1]
    return values[0], values[1], values[2], values[3]


def nested_blocks(body: str) -> list[str]:
    """The @frame (and other) blocks inside a rule's body, as written."""
    return _split_nested(body)[1]
