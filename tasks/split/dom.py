"""The pieces of a parsed document the splitter cuts between, and their HTML; no Flask, no Celery."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import html5lib
from html5lib.serializer import HTMLSerializer

NEXTPAGE = "pdf:nextpage"
# Elements every part carries wherever they stand, as the whole does: styles
# and metadata (xhtml2pdf reads them anywhere) and fonts.
RESIDUE_TAGS = frozenset({"style", "link", "meta", "title", "base", "pdf:font"})
# Elements that draw something even without text.
_VISIBLE_EMPTY = frozenset({"img", "hr", "table", "svg", "canvas", "input", "textarea", "select", "pdf:barcode"})
# A wrapper xhtml2pdf does not know: it carries the rest of a <pdf:nextpage>'s
# children into a later part without the page break the element opens with.
RESUME_TAG = "x2p-resume"
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")

_WALKER = html5lib.getTreeWalker("dom")
_SERIALIZER = HTMLSerializer(omit_optional_tags=False, quote_attr_values="always")


def parse(html: str) -> Any:
    """The document as xhtml2pdf parses it: html5lib's DOM tree."""
    return html5lib.parse(html, treebuilder="dom")


def name(node: Any) -> str:
    return str(node.tagName).lower() if node.nodeType == node.ELEMENT_NODE else ""


def to_html(node: Any) -> str:
    """`node` and its descendants as HTML that html5lib parses back to the same tree."""
    return str(_SERIALIZER.render(_WALKER(node)))


def open_tag(node: Any, tag: str | None = None) -> str:
    """The start tag of `node` (renamed to `tag`), its attributes kept."""
    shell = node.ownerDocument.createElement(tag or node.tagName)
    for key, value in node.attributes.items():
        shell.setAttribute(key, value)
    html = to_html(shell)
    return html[: html.rfind("</")] if html.endswith(">") and "</" in html else html


def close_tag(tag: str) -> str:
    return f"</{tag}>"


def doctype(document: Any) -> str:
    found = document.doctype
    if found is None:
        return ""
    ids = "".join(f' "{value}"' for value in (found.publicId, found.systemId) if value)
    keyword = " PUBLIC" if found.publicId else " SYSTEM" if found.systemId else ""
    return f"<!DOCTYPE {found.name}{keyword}{ids}>"


def text_of(node: Any, limit: int = 60) -> str:
    """The first `limit` characters of the text in `node`, spaces collapsed."""
    parts: list[str] = []
    for text in _texts(node):
        parts.append(text)
        if sum(len(part) for part in parts) > limit:
            break
    words = " ".join(" ".join(parts).split())
    return words if len(words) <= limit else words[: limit - 1] + "…"


def title_of(node: Any) -> str:
    """What a part is called in messages: its first heading, else its first words."""
    if node.nodeType == node.ELEMENT_NODE:
        for tag in HEADINGS:
            found = [node] if name(node) == tag else node.getElementsByTagName(tag)
            if found:
                return text_of(found[0])
    return text_of(node)


def _texts(node: Any) -> Iterator[str]:
    if node.nodeType == node.TEXT_NODE:
        yield node.data
    for child in node.childNodes:
        yield from _texts(child)


def contentful(node: Any) -> bool:
    """Whether `node` puts something on the page: text, an image, a rule, a table."""
    if node.nodeType == node.TEXT_NODE:
        return bool(node.data.strip())
    if node.nodeType != node.ELEMENT_NODE:
        return False
    if name(node) in _VISIBLE_EMPTY:
        return True
    return any(contentful(child) for child in node.childNodes)


@dataclass
class Item:
    """One piece of the body in order: a child of <body> (or of a <pdf:nextpage> there), or the
    page break a <pdf:nextpage> opens with (`opens` is that element)."""

    node: Any
    wrappers: tuple[Any, ...]
    opens: bool = False
    residue_only: bool = False
    residue: list[str] = field(default_factory=list)
    html: str = ""

    @property
    def element(self) -> bool:
        return not self.opens and self.node.nodeType == self.node.ELEMENT_NODE


def items(body: Any, wrappers: tuple[Any, ...] = ()) -> Iterator[Item]:
    """The body's pieces in document order.

    html5lib ignores the slash of <pdf:nextpage/>, so the element holds the
    rest of its parent: its children are pieces too, inside its wrapper.
    """
    for child in body.childNodes:
        if child.nodeType not in (child.ELEMENT_NODE, child.TEXT_NODE):
            continue
        if name(child) == NEXTPAGE and not child.getAttribute("name"):
            yield Item(child, wrappers, opens=True)
            yield from items(child, (*wrappers, child))
        else:
            yield Item(child, wrappers)


def residue_of(node: Any, static_ids: set[str]) -> list[Any]:
    """The elements in `node` (itself included) every part must carry: styles, metadata, static frame content."""
    if node.nodeType != node.ELEMENT_NODE:
        return []
    if name(node) in RESIDUE_TAGS or node.getAttribute("id") in static_ids:
        return [node]
    found: list[Any] = []
    for child in node.childNodes:
        found.extend(residue_of(child, static_ids))
    return found


def assemble(pieces: list[Item]) -> str:
    """The HTML of `pieces`, each inside its wrappers: a <pdf:nextpage> opened in an earlier
    part becomes the neutral RESUME_TAG (its page break was that part's last)."""
    out: list[str] = []
    stack: list[tuple[Any, str]] = []
    for piece in pieces:
        target = piece.wrappers
        while stack and tuple(node for node, _ in stack) != target[: len(stack)]:
            out.append(close_tag(stack.pop()[1]))
        for wrapper in target[len(stack) :]:
            out.append(open_tag(wrapper, RESUME_TAG))
            stack.append((wrapper, RESUME_TAG))
        if piece.opens:
            out.append(open_tag(piece.node))
            stack.append((piece.node, NEXTPAGE))
        else:
            out.append(piece.html)
    out.extend(close_tag(tag) for _, tag in reversed(stack))
    return "".join(out)
