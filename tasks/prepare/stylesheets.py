"""A document's CSS, gathered in cascade order, lowered by lightningcss and parsed into rules."""

from __future__ import annotations

import functools
import posixpath
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import cssselect2
import lightningcss
import tinycss2
from lxml import html as lxml_html

from tasks.document.fidelity import FidelityReport
from tasks.prepare import css_depth, media, selectors

#: Reads a stylesheet by URL, through the render's resource policy; None when refused or missing.
Reader = Callable[[str], str | None]
#: Targets old enough that lightningcss flattens nesting, writes colours as rgb/hex and logical
#: properties as physical ones: what xhtml2pdf's CSS parser knows.
_TARGETS = ["ie 11"]
_FLAGS = lightningcss.calc_parser_flags(nesting=True)
# Possessive, its media list ending at the next at-rule: linear on an `@import` without its `;`.
_IMPORT = re.compile(r"""@import\s++(?:url\(\s*+)?["']?+([^"')\s;]++)["']?+\s*+\)?+\s*+([^;@]*+);""", re.IGNORECASE)
MAX_IMPORT_DEPTH = 4
MAX_REMEMBERED_CSS = 384 * 1024
_URL = re.compile(r"""(url\(\s*)(["']?)([^"')\s]+)\2""", re.IGNORECASE)
_IMPORT_STRING = re.compile(r"""(@import\s+)(["'])([^"']+)\2""", re.IGNORECASE)
_ABSOLUTE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_INTERACTIVE = re.compile(
    r":(?:hover|focus|focus-visible|focus-within|active|visited|checked|disabled|placeholder-shown)\b|"
    r"::?(?:selection|placeholder|-webkit-|-moz-|-ms-)",
    re.IGNORECASE,
)
_DROPPED_AT_RULES = {"keyframes", "-webkit-keyframes", "container", "counter-style", "property", "font-feature-values"}


@dataclass(frozen=True)
class Declaration:
    name: str
    value: str
    important: bool


@dataclass
class Sheet:
    """Style rules ready to match, and the at-rules that describe pages and fonts."""

    matcher: cssselect2.Matcher = field(default_factory=cssselect2.Matcher)
    page_rules: list[tinycss2.ast.AtRule] = field(default_factory=list)
    font_faces: list[str] = field(default_factory=list)
    #: The author's at-rules nothing on paper comes of, with how often they appear.
    ignored: Counter[str] = field(default_factory=Counter)
    rules: int = 0

    def add(self, css: str, origin: int) -> None:
        """Parse `css` (already lowered) into this sheet; `origin` 0 is the browser's, 1 the author's."""
        self._add_rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), origin)

    def _add_rules(self, rules: list[tinycss2.ast.Node], origin: int) -> None:
        for rule in rules:
            if rule.type == "qualified-rule":
                self._add_style_rule(rule, origin)
            elif rule.type == "at-rule":
                self._add_at_rule(rule, origin)

    def _add_style_rule(self, rule: tinycss2.ast.QualifiedRule, origin: int) -> None:
        declarations = parse_declarations(rule.content)
        if not declarations:
            return
        if _INTERACTIVE.search(tinycss2.serialize(rule.prelude)):
            return  # a hover, a focus, a selection: never on paper
        try:
            compiled = selectors.compile_list(rule.prelude)
        except cssselect2.SelectorError:
            return  # form controls' and browsers' own pseudo-classes: nothing to print
        except selectors.TooComplex as too_complex:
            if origin:
                self.ignored[str(too_complex)] += 1
            return
        self.rules += 1
        for selector in compiled:
            self.matcher.add_selector(selector, (origin, self.rules, declarations))

    def _add_at_rule(self, rule: tinycss2.ast.AtRule, origin: int) -> None:
        keyword = rule.lower_at_keyword
        if keyword == "media":
            if rule.content is not None and media.matches(tinycss2.serialize(rule.prelude)):
                self._add_rules(tinycss2.parse_rule_list(rule.content, True, True), origin)
        elif keyword == "layer":
            if rule.content is not None:
                self._add_rules(tinycss2.parse_rule_list(rule.content, True, True), origin)
        elif keyword == "page":
            self.page_rules.append(rule)
        elif keyword == "font-face":
            self.font_faces.append(tinycss2.serialize([rule]))
        elif keyword in _DROPPED_AT_RULES and origin:
            self.ignored[f"@{keyword}"] += 1


def compiled(defaults: str, sheets: tuple[str, ...]) -> Sheet:
    """The browser's `defaults` and the document's `sheets`, lowered and ready to match.

    Kept per process when small: a batch of invoices links the same framework stylesheet every
    time, and parsing Bootstrap's (232 KB) is most of the preparation's cost. Nothing mutates a
    sheet once built. A larger one is built for its document alone: kept, it would weigh on the next."""
    build = _remembered if len(defaults) + sum(map(len, sheets)) <= MAX_REMEMBERED_CSS else _compile
    return build(defaults, sheets)


def _compile(defaults: str, sheets: tuple[str, ...]) -> Sheet:
    sheet = Sheet()
    sheet.add(defaults, 0)
    for css in sheets:
        sheet.add(lower(css), 1)
    return sheet


#: At most 8 sheets of at most 384 KB of CSS each: about 50 MB at worst (Bootstrap's 232 KB parse to 3.2 MB).
_remembered = functools.lru_cache(maxsize=8)(_compile)


def parse_declarations(content: list[tinycss2.ast.Node] | None) -> list[Declaration]:
    """The declarations of a rule's block (or a style attribute's tokens)."""
    found = []
    for node in tinycss2.parse_blocks_contents(content or [], skip_comments=True, skip_whitespace=True):
        if node.type == "declaration":
            found.append(Declaration(node.lower_name, tinycss2.serialize(node.value).strip(), node.important))
    return found


def lower(css: str) -> str:
    """Modern CSS (nesting, colour syntax, logical properties) as older CSS, by lightningcss.

    CSS nested too deeply is refused before lightningcss reads it: it crashes the process on
    5,000 nested blocks, and a crash cannot be caught."""
    css_depth.check(css)
    try:
        return lightningcss.process_stylesheet(
            css, parser_flags=_FLAGS, browsers_list=_TARGETS, minify=True, error_recovery=True
        )
    except ValueError:  # what lightningcss raises on input it cannot recover from
        return css


def gather(root: lxml_html.HtmlElement, read: Reader, report: FidelityReport) -> Iterator[str]:
    """Each stylesheet of the document in cascade order (`<style>` and `<link rel=stylesheet>`),
    imports inlined; removes them from the document."""
    for element in list(root.iter("style", "link")):
        if element.tag == "link":
            relations = (element.get("rel") or "").lower().split()
            if "stylesheet" not in relations or "alternate" in relations:
                continue
            href = element.get("href") or ""
            text = read(href) if href else None
            if text is None:
                report.block(href)
        else:
            text = element.text or ""
        wanted = media.matches(element.get("media") or "")
        remove(element)
        if text and wanted:
            yield _inline_imports(rebase(text, href) if element.tag == "link" else text, read, report, MAX_IMPORT_DEPTH)


def _inline_imports(css: str, read: Reader, report: FidelityReport, depth: int) -> str:
    def replace(found: re.Match[str]) -> str:
        url, media_list = found.group(1), found.group(2).strip()
        text = read(url) if depth > 0 else None
        if text is None:
            report.block(url)
            return ""
        text = _inline_imports(rebase(text, url), read, report, depth - 1)
        return f"@media {media_list} {{{text}}}" if media_list else text

    return _IMPORT.sub(replace, css)


def rebase(css: str, href: str) -> str:
    """`css` from the file at `href`, its relative `url()`s and `@import`s made relative to the document."""
    folder = posixpath.dirname(href)
    if not folder or _ABSOLUTE.match(href):
        return css

    def replace(found: re.Match[str]) -> str:
        url = found.group(3)
        if _ABSOLUTE.match(url) or url.startswith(("/", "#")):
            return found.group(0)
        return f"{found.group(1)}{found.group(2)}{posixpath.normpath(posixpath.join(folder, url))}{found.group(2)}"

    return _IMPORT_STRING.sub(replace, _URL.sub(replace, css))


def remove(element: lxml_html.HtmlElement) -> None:
    """Take `element` out of the document, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
