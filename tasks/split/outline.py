"""Bookmarks across a split: where each part's outline starts, so its entries nest as in the whole."""

from __future__ import annotations

from typing import Any

from tasks.split.css import Styles
from tasks.split.dom import HEADINGS, Item, name

# The text of the entries a part opens with, on the empty page that is dropped.
SEED = "x2p-outline-seed"


Level = tuple[int, bool]  # a bookmark's level, and whether it is open


def outline_levels(document: Any, css: str, pieces: list[Item], styles: Styles, static: list[Any]) -> list[list[Level]]:
    """For each piece, the levels (and open states) of the bookmarks xhtml2pdf makes for it, in order.

    Headings are the elements with bookmarks, unless the document's CSS
    mentions -pdf-outline: then every element is asked.
    """
    everywhere = "-pdf-outline" in css or any(
        "-pdf-outline" in node.getAttribute("style") for node in document.getElementsByTagName("*")
    )
    inside_static = {id(node) for root in static for node in [root, *root.getElementsByTagName("*")]}
    levels: list[list[Level]] = []
    for piece in pieces:
        found: list[Level] = []
        if piece.element and id(piece.node) not in inside_static:
            nodes = [piece.node, *piece.node.getElementsByTagName("*")]
            for node in nodes if everywhere else [n for n in nodes if name(n) in HEADINGS]:
                level = _level(node, styles, inside_static, piece.node)
                if level is not None:
                    found.append(level)
        levels.append(found)
    return levels


def _level(node: Any, styles: Styles, inside_static: set[int], top: Any) -> Level | None:
    attrs = styles.of(node)
    if not _true(attrs.get("-pdf-outline")) or id(node) in inside_static:
        return None
    ancestor = node
    while ancestor is not None and ancestor.nodeType == ancestor.ELEMENT_NODE:
        if styles.hidden(ancestor):
            return None
        if ancestor is top:
            break
        ancestor = ancestor.parentNode
    try:
        level = int(str(attrs.get("-pdf-outline-level", "0")).strip())
    except ValueError:
        level = 0
    return level, _true(attrs.get("-pdf-outline-open"))


def _true(value: object) -> bool:
    return str(value or "").strip().lower() in ("true", "1", "yes")


def open_levels(levels: list[list[Level]], upto: int) -> list[Level]:
    """The bookmarks still open (entries to nest under) before piece `upto`, as xhtml2pdf keeps them."""
    stack: list[Level] = []
    for found in levels[:upto]:
        for level in found:
            while stack and stack[-1][0] >= level[0]:
                stack.pop()
            stack.append(level)
    return stack


def seeds(stack: list[Level]) -> str:
    """Bookmarks that stand for `stack` at the start of a part, on the empty page that is dropped.

    The part's bookmarks nest under them as under the ones they stand for;
    and each says whether the one it stands for is open (tasks/split/stamp.py).
    """
    return "".join(
        f'<div style="-pdf-outline: true; -pdf-outline-level: {level}; '
        f'-pdf-outline-open: {"true" if is_open else "false"}">{SEED}</div>'
        for level, is_open in stack
    )
