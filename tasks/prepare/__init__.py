"""The preparation stage: HTML written for browsers turned into HTML xhtml2pdf renders as a browser would.

Pure: no Flask, no Celery. `prepare()` takes the document and a reader for its stylesheets (the
render's resource policy decides what may be read) and returns a self-contained document: the
author's CSS computed into each element's `style`, a browser's defaults beneath it, flex rows and
grids as tables, `@page` margin boxes as frames. Preparing it again changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources

from lxml import etree
from lxml import html as lxml_html

from tasks.document.fidelity import FidelityReport
from tasks.document.modes import WRITTEN_FOR as MODES
from tasks.prepare import (
    blocks,
    cascade,
    css_depth,
    form_fields,
    layout,
    paged,
    quirks,
    rtl,
    shrink,
    svg,
    undrawn,
    writing_mode,
)
from tasks.prepare.doctype import in_quirks_mode
from tasks.prepare.stylesheets import Reader, compiled, gather

__all__ = ["MODES", "Prepared", "Reader", "is_browser_document", "prepare"]
GENERATOR = "html2pdf-live prepare"
BROWSER_DEFAULTS = resources.files(__package__).joinpath("browser.css").read_text(encoding="utf-8")
# Every scan below is linear whatever the text repeats: a tag's attributes are read no further than
# the next `<` and a number only from its first digit, possessively, so no failed match is retried
# over the same run (`\d+rem` was quadratic on a paragraph of digits).
#
# Detection runs on every document of `auto` mode, so it must cost little beside the render: one
# case-insensitive alternation tried every pattern at every character (12 ms on the benchmarks'
# 20-page report). The text is folded to lower case once (`_folded`) and each mark is a pattern of
# its own that starts with a literal, which the regex engine finds at C speed; a leading `\b` is
# checked by a lookbehind after the literal. A document matches one of these on its folded text
# exactly when it matched the case-insensitive alternation (tests/test_prepare.py holds them to it).
#: xhtml2pdf's own tags, properties, frames and charts, or this stage's own mark.
_XHTML2PDF_MARKS = tuple(
    re.compile(pattern)
    for pattern in (r"<pdf(?::|toc|-)", r"-pdf-", r"@frame\b", r"<canvas\b[^<>]*type=", re.escape(GENERATOR))
)
#: Marks of the web: an HTML5 doctype, a viewport or IE's compatibility mode, modern layout
#: and values, CSS that only a browser lays out (boxes sized, rounded, shadowed, transformed, floated,
#: placed or set in columns, widths that respond to the screen, the system's UI font), page margin
#: boxes, HTML5's sectioning elements, a CSS framework's class names. A plain @page is not one:
#: documents written for xhtml2pdf use it as much.
_BROWSER_MARKS = tuple(
    re.compile(pattern)
    for pattern in (
        r"^\s*<!doctype\s+html\s*>",
        r"<meta\b[^<>]*name=[\"']?viewport",
        r"x-ua-compatible",
        r"display\s*:\s*(?:(?:inline-)?(?:flex|grid)|inline-block|table)",
        r"var\(--",
        *(
            rf"{word}(?<!\w{word})\s*:"
            for word in ("box-sizing", "border-radius", "box-shadow", "max-width", "min-width", "column-count")
        ),
        r"transform(?<!\wtransform)\s*:",
        r"position(?<!\wposition)\s*:\s*(?:absolute|fixed|relative)",
        r"float(?<!\wfloat)\s*:\s*(?:left|right)",
        r"@media\b[^{;@]*+(?:max|min)-width",
        r"-apple-system",
        r"system-ui(?<!\wsystem-ui)\b",
        # `(?<!\d)\d++(?:\.\d++)?+rem\b` matches exactly where a digit stands right before `rem\b`.
        r"rem(?<=\drem)\b",
        r"@(?:top|bottom)-(?:left|center|right)\b",
        r"<(?:header|footer|section|article|nav|main)[\s>]",
        r"class=[\"'](?:[^\"']*\s)?(?:container(?:-fluid)?|row|col(?:-\w+)*|d-flex|flex|grid|mx-auto|"
        r"(?:[mp][xytblr]?|text|bg|w|h)-[\w/.\[\]-]+)(?:[\s\"'])",
    )
)
#: The characters other than A-Z that a case-insensitive match takes for an ASCII letter, as that letter.
_FOLD_TO_ASCII = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def _folded(text: str) -> str:
    """`text` as the marks read it: lower case, U+0130, U+0131 and U+017F as the letters `re.I` takes them for."""
    return text.translate(_FOLD_TO_ASCII).lower() if not text.isascii() else text.lower()


def _marked(folded: str, marks: tuple[re.Pattern[str], ...]) -> bool:
    return any(mark.search(folded) for mark in marks)


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_LINKED = re.compile(r"<link\b[^<>]*href=[\"']?([^\"'\s>]+\.css)\b", re.IGNORECASE)


@dataclass
class Prepared:
    """What to hand xhtml2pdf."""

    html: str
    report: FidelityReport = field(default_factory=FidelityReport)


def is_browser_document(html: str, read: Reader = lambda _: None) -> bool:
    """Written for a browser rather than for xhtml2pdf: no xhtml2pdf tags, properties or frames, and
    some mark of the web in the document or the stylesheets it links (an HTML5 doctype, a viewport,
    flex or grid, custom properties, rem, CSS only a browser lays out such as floats, positioned boxes,
    max-width or rounded corners, page margin boxes, HTML5's sectioning elements, a CSS framework's
    class names)."""
    folded = _folded(html)
    if _marked(folded, _XHTML2PDF_MARKS):
        return False
    if _marked(folded, _BROWSER_MARKS):
        return True
    linked = (_folded(read(href) or "") for href in _LINKED.findall(html))
    return any(_marked(css, _BROWSER_MARKS) and not _marked(css, _XHTML2PDF_MARKS) for css in linked)


#: What a document's head may hold; the first element that is none of these starts its body.
_HEAD_ELEMENTS = frozenset(("title", "meta", "link", "style", "script", "base", "noscript", "template"))


def prepare(html: str, mode: str = "auto", read: Reader = lambda _: None) -> Prepared:
    """`html` as xhtml2pdf should see it under `mode` ("auto" decides by `is_browser_document`)."""
    read = _remembering(read)
    if mode == "xhtml2pdf" or (mode == "auto" and not is_browser_document(html, read)):
        return Prepared(html)
    report = FidelityReport(mode="browser")
    # lxml takes no encoding declaration with text already decoded (XHTML documents carry one).
    root = lxml_html.document_fromstring(_XML_DECLARATION.sub("", html, count=1))
    _body_from_first_content(root)
    for inline in root.xpath("//@style"):
        css_depth.check(str(inline))  # parsed and evaluated recursively by the cascade
    stylesheets = tuple(gather(root, read, report))
    quirks_mode = in_quirks_mode(root)
    sheet = compiled(BROWSER_DEFAULTS + quirks.CSS if quirks_mode else BROWSER_DEFAULTS, stylesheets)
    for feature, count in sheet.ignored.items():
        report.ignore(feature, count)
    page_rules = paged.read(sheet.page_rules, report)
    page = page_rules.base
    zoom = shrink.factor(root, sheet, (html, *stylesheets), page)
    if zoom < 1:
        shrink.scale(page, zoom)
    computed = cascade.apply(root, sheet, report, page.content_width, page.content_height)
    if quirks_mode:
        quirks.reset_table_fonts(root, computed)
        quirks.drop_top_margins_at_body_top(root, computed)
    form_fields.apply(root, computed)
    layout.apply(root, computed, report, page.content_width, page.content_height)
    undrawn.report_elements(root, computed, report, page.content_height)
    rtl.apply(root, computed, report)
    blocks.pull_up_negative_margins(root, computed)
    blocks.keep_top_margin(root, computed)
    svg.apply(root, computed)
    writing_mode.apply(root, computed, report)
    head = root.find("head")
    if head is None:
        head = etree.SubElement(root, "head")
        root.insert(0, head)
    marker = etree.Element("meta", name="generator", content=GENERATOR)
    defaults = etree.Element("style")
    defaults.text = BROWSER_DEFAULTS
    style = etree.Element("style")
    page_css = paged.page_css(page_rules, root, computed, report)
    style.text = "\n".join([page_css, cascade.generated_css(computed), *sheet.font_faces])
    # The shrink mark first: the renderer looks for it at the head's start (tasks/render/shrink.py).
    shrunk = [etree.Element("meta", name=shrink.META, content=f"{zoom:.6f}")] if zoom < 1 else []
    head[0:0] = [*shrunk, marker, defaults, style]
    return Prepared(_serialise(root), report)


def _body_from_first_content(root: lxml_html.HtmlElement) -> None:
    """What HTML5 parsing puts in the body and lxml's HTML 4 parser left in the head: a document without a
    `<body>` tag whose content starts with an element it does not know (`<article>`, `<main>`), which
    ends the head as any content does (§13.2.6.4.4)."""
    head = root.find("head")
    if head is None:
        return
    first = next((child for child in head if isinstance(child.tag, str) and child.tag not in _HEAD_ELEMENTS), None)
    if first is None:
        return
    body = root.find("body")
    if body is None:
        body = etree.SubElement(root, "body")
    moved = list(head)[head.index(first) :]
    for element in reversed(moved):
        body.insert(0, element)


def _remembering(read: Reader) -> Reader:
    """`read`, each URL read once: detection and the cascade both want the linked stylesheets."""
    cache: dict[str, str | None] = {}

    def once(href: str) -> str | None:
        if href not in cache:
            cache[href] = read(href)
        return cache[href]

    return once


def _serialise(root: lxml_html.HtmlElement) -> str:
    return "<!DOCTYPE html>\n" + str(lxml_html.tostring(root, encoding="unicode", method="html"))
