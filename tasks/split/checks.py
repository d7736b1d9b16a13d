"""What a split would get wrong in a document: features that need the whole, and links across parts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tasks.split.css import PageRules, Styles
from tasks.split.dom import NEXTPAGE, Item, name

TOC = "the document has a table of contents (<pdf:toc>)"
TEMPLATES = "it switches page templates (<pdf:nexttemplate>, <pdf:nextpage name>, -pdf-next-page)"
RESETS = "it resets page numbers (<pdf:resetpagenumber>)"
INSERTS = "it inserts pages of another PDF (<pdf:insertpdf>)"
NUMBERS = "it prints page numbers outside its headers and footers"
COUNTERS = "it numbers things with CSS counters (counter-increment, counter())"
PARITY = "it starts pages on the left or the right (page-break-before: left/right)"
MIRRORED = "it has mirrored pages (@page :left / :right)"
BACKGROUND = "it has a page background, which would cover the page numbers drawn beneath the pages"
POSITIONAL = "its CSS picks elements of <body> by position or sibling (such as :first-child or h1 + p)"

_TAG_REASONS = {
    "pdf:toc": TOC,
    "pdf:nexttemplate": TEMPLATES,
    "pdf:template": TEMPLATES,
    "pdf:frame": TEMPLATES,
    "pdf:resetpagenumber": RESETS,
    "pdf:insertpdf": INSERTS,
}
_PARITY_VALUE = re.compile(r"\b(left|right|recto|verso)\b")
_BREAK_PROPERTIES = frozenset({"page-break-before", "page-break-after", "break-before", "break-after"})
_NO_BACKGROUND = frozenset({"", "none", "transparent", "initial"})


def blocker(
    document: Any, styles: Styles, page: PageRules, static: list[Any], numbered: bool, pieces: list[Item]
) -> str | None:
    """Why the document must render whole, or None if a split lays it out as the whole."""
    inside_static = {id(node) for root in static for node in root.getElementsByTagName("*")}
    for node in document.getElementsByTagName("*"):
        tag = name(node)
        if tag in _TAG_REASONS:
            return _TAG_REASONS[tag]
        if tag == NEXTPAGE and node.getAttribute("name"):
            return TEMPLATES
        if tag in ("pdf:pagenumber", "pdf:pagecount") and id(node) not in inside_static:
            return NUMBERS
        reason = _inline_reason(node.getAttribute("style"))
        if reason:
            return reason
    for _, declarations in styles.declarations():
        reason = _rule_reason(declarations)
        if reason:
            return reason
    if page.mirrored:
        return MIRRORED
    if numbered and (page.background or any(_background(styles, node) for node in _roots(document))):
        return BACKGROUND
    tags = {name(piece.node) for piece in pieces if piece.element} | {"*", "html", "body"}
    if styles.structural_tags() & tags:
        return POSITIONAL
    return None


def _roots(document: Any) -> list[Any]:
    return [*document.getElementsByTagName("html"), *document.getElementsByTagName("body")]


def _background(styles: Styles, node: Any) -> bool:
    """Whether <html> or <body> paints a background (xhtml2pdf spreads body's over the page)."""
    attrs = styles.of(node)
    return any(
        str(attrs.get(prop) or "").strip().lower() not in _NO_BACKGROUND
        for prop in ("background-color", "background-image")
    )


def _inline_reason(style: str) -> str | None:
    """What a style attribute holds that a split would get wrong."""
    text = style.lower()
    if not text:
        return None
    if "-pdf-next-page" in text:
        return TEMPLATES
    if "counter-" in text or "counter(" in text:
        return COUNTERS
    for prop in _BREAK_PROPERTIES:
        match = re.search(rf"(?<![-\w]){prop}\s*:\s*([^;]*)", text)
        if match and _PARITY_VALUE.search(match.group(1)):
            return PARITY
    return None


def _rule_reason(declarations: Mapping[str, Any]) -> str | None:
    """What a CSS rule declares that a split would get wrong."""
    for prop, value in declarations.items():
        prop, text = str(prop).lower(), str(value).lower()
        if prop == "-pdf-next-page":
            return TEMPLATES
        if prop in ("counter-reset", "counter-increment") or (prop == "content" and "counter" in text):
            return COUNTERS
        if prop in _BREAK_PROPERTIES and _PARITY_VALUE.search(text):
            return PARITY
    return None


def link_spans(pieces: list[Item]) -> list[tuple[int, int, str]]:
    """(first piece, last piece, target) of each internal link (href="#x") whose target is in another piece."""
    anchors: dict[str, int] = {}
    links: list[tuple[int, str]] = []
    for index, piece in enumerate(pieces):
        if not piece.element:
            continue
        for node in [piece.node, *piece.node.getElementsByTagName("*")]:
            for attribute in ("id", "name") if name(node) == "a" else ("id",):
                value = node.getAttribute(attribute)
                if value:
                    anchors.setdefault(value, index)
            href = node.getAttribute("href").strip() if name(node) == "a" else ""
            if href.startswith("#") and len(href) > 1:
                links.append((index, href[1:]))
    spans = []
    for index, target in links:
        other = anchors.get(target)
        if other is not None and other != index:
            spans.append((min(index, other), max(index, other), target))
    return spans
