"""A document's CSS as the splitter needs it: xhtml2pdf's own cascade, its @page rules, what would break."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from xhtml2pdf.config.resources import active_policy
from xhtml2pdf.context import pisaContext
from xhtml2pdf.default import DEFAULT_CSS
from xhtml2pdf.parser import POSITIONAL_PSEUDO_CLASSES, CSSCollect, pageBreakValue

from tasks.document.css_blocks import MEDIA, at_blocks
from tasks.document.policy import server_policy

# An unclosed comment runs to the end (as CSS says), so the search never fails and restarts: linear.
_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_FRAME_CONTENT = re.compile(r"-pdf-frame-content\s*:\s*[\"']?([^;}\s\"']+)", re.IGNORECASE)
_PAGE_PRELUDE = re.compile(r":\s*(left|right)\b", re.IGNORECASE)
_BACKGROUND = re.compile(r"(?<![-\w])background(-image|-color)?\s*:", re.IGNORECASE)
_BLOCK_DISPLAYS = frozenset({"block", "flex"})


@dataclass
class PageRules:
    """What the document's @page rules say that matters for a split."""

    frame_content: set[str] = field(default_factory=set)
    mirrored: bool = False
    background: bool = False


def document_css(document: Any) -> tuple[str, list[str]]:
    """The text of the <style> blocks xhtml2pdf reads, in order, and what the splitter cannot see."""
    texts: list[str] = []
    problems: list[str] = []
    for node in document.getElementsByTagName("*"):
        name = node.tagName.lower()
        if name not in ("style", "link"):
            continue
        media = {m.strip() for m in node.getAttribute("media").lower().split(",") if m.strip()}
        if node.getAttribute("type").lower() not in ("", "text/css") or (media and not media & MEDIA):
            continue
        if name == "link" and node.getAttribute("rel").lower() == "stylesheet":
            problems.append("it loads an external stylesheet (<link rel=stylesheet>)")
        elif name == "style":
            texts.append("".join(child.data for child in node.childNodes if child.nodeType == child.TEXT_NODE))
    css = _COMMENT.sub(" ", "\n".join(texts))
    if "@import" in css.lower():
        problems.append("its CSS imports another stylesheet (@import)")
    return css, problems


def split_page_rules(css: str) -> tuple[str, PageRules]:
    """`css` without its @page and @font-face blocks, and what the @page ones say.

    Those blocks are read here, not by xhtml2pdf's parser: parsing them loads
    fonts and background images, which an analysis must not do.
    """
    rules = PageRules()
    kept: list[str] = []
    position = 0
    for start, end, prelude, body in at_blocks(css, ("@page", "@font-face")):
        kept.append(css[position:start])
        position = end
        if prelude.lower().startswith("@page"):
            rules.frame_content.update(_FRAME_CONTENT.findall(body))
            rules.mirrored |= bool(_PAGE_PRELUDE.search(prelude))
            # A page's or a frame's background is drawn on every page of every part.
            rules.background |= bool(_BACKGROUND.search(body))
    kept.append(css[position:])
    return "".join(kept), rules


class Styles:
    """xhtml2pdf's own cascade (its parser, selector engine and default CSS) over a document's elements."""

    def __init__(self, css: str) -> None:
        self.context = pisaContext("")
        # What an @import may read: the analysis's policy (tasks/document/policy.py), else nothing at all.
        self.context.resource_policy = active_policy() or server_policy()
        self.context.addDefaultCSS(DEFAULT_CSS)
        self.context.addCSS(css)
        self.context.parseCSS()

    def of(self, node: Any) -> Mapping[str, Any]:
        """The properties xhtml2pdf computes for `node` (its style attribute included)."""
        attrs: Mapping[str, Any] = CSSCollect(node, self.context)
        return attrs

    def page_break(self, node: Any, side: str) -> str | None:
        """`always`, `left`, `right`, `avoid` or None: what `page-break-<side>` asks of `node`."""
        value: str | None = pageBreakValue(self.of(node), side)
        return value

    def is_block(self, node: Any) -> bool:
        """Whether xhtml2pdf lays `node` out as a block (only blocks break pages)."""
        return str(self.of(node).get("display", "inline")).strip().lower() in _BLOCK_DISPLAYS

    def hidden(self, node: Any) -> bool:
        """Whether `node` has display: none (xhtml2pdf emits nothing for it, page breaks included)."""
        return str(self.of(node).get("display", "")).strip().lower() == "none"

    def declarations(self) -> Iterator[tuple[Any, Mapping[str, Any]]]:
        """Every author rule: (selector, declarations)."""
        for rules in self.context.css:
            yield from rules.items()

    def structural_tags(self) -> set[str]:
        """Tags some author rule selects by position or siblings (":first-child", "h1 + p", ":has()")."""
        tags: set[str] = set()
        for selector, _ in self.declarations():
            for compound in _compounds(selector):
                for qualifier in getattr(compound, "qualifiers", ()):
                    positional = qualifier.isPseudo() and qualifier.name in POSITIONAL_PSEUDO_CLASSES
                    if positional or getattr(qualifier, "op", None) in ("+", "~"):
                        tags.add(str(compound.name).lower())
        return tags


def _compounds(selector: Any) -> Iterator[Any]:
    """The compound selectors a complex selector chains, subject first."""
    yield selector
    for qualifier in getattr(selector, "qualifiers", ()):
        inner = getattr(qualifier, "selector", None)
        if inner is not None:
            yield from _compounds(inner)
        for argument in getattr(qualifier, "selectors", ()) or ():
            yield from _compounds(argument)
