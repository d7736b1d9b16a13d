"""Cut a long document where its chapters already start new pages; no Flask, no Celery.

Each part is the whole document (its <head>, every style and static frame)
with only some of the body's chapters, so xhtml2pdf lays each page out as it
would inside the whole. A part after the first begins with the page break
that starts its first chapter, as in the whole, and the empty page that break
leaves at its front is dropped when the parts are joined: the first page of a
document is not laid out like a page after a break (a heading's top margin is
kept on the first, dropped after a break). Page numbers in headers and
footers are drawn afterwards by an overlay document (tasks/split/stamp.py).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xhtml2pdf.config.resources import ResourceAccessPolicy

from tasks.document.policy import guarded, server_policy
from tasks.fonts.scope import document_fonts
from tasks.split.checks import blocker, link_spans
from tasks.split.css import PageRules, Styles, document_css, split_page_rules
from tasks.split.dom import (
    NEXTPAGE,
    Item,
    assemble,
    contentful,
    doctype,
    items,
    open_tag,
    parse,
    residue_of,
    title_of,
    to_html,
)
from tasks.split.outline import open_levels, outline_levels, seeds
from tasks.split.sizes import MIN_PART_BYTES, html_size

# A part smaller than this is not worth a task of its own. A split costs about
# 0.4 s whatever the size (parsing on a worker, the trips through the queue,
# the page numbers, the join: bench/split.py at --quick sizes); 64 KB of HTML
# is about 0.7 s of xhtml2pdf's layout (11 µs a byte on a 120-page report).
# One invisible thing per page of the overlay: ReportLab stops after ten pages without content.
_FILL = '<pdf:spacer height="0"></pdf:spacer>'
_PAGECOUNT = re.compile(r"<pdf:pagecount\b[^>]*>")
# Put in front of a part whose first chapter's page break ended the previous part.
LEADING_BREAK = "<pdf:nextpage></pdf:nextpage>"


@dataclass(frozen=True)
class Part:
    """A part: a name for messages (its first words) and the HTML to render.

    Every part but the first renders an empty page first, which is not the document's.
    """

    name: str
    html: str


@dataclass(frozen=True)
class Plan:
    """How to render a document: in `parts`, or whole for `reason`."""

    parts: tuple[Part, ...] = ()
    reason: str | None = None
    # The document's head, styles and static frames: with the pages added
    # (overlay_html), it draws every page's header and footer. None when they
    # have no page numbers, and the parts draw them themselves.
    overlay: str | None = None
    # How many places the document could be cut at.
    places: int = 0

    @property
    def split(self) -> bool:
        return len(self.parts) > 1


def overlay_html(overlay: str, pages: int) -> str:
    """The overlay of a document of `pages` pages: only its headers and footers, page by page.

    The total is known by now, so <pdf:pagecount> becomes the number itself:
    the layout is the same (only an empty group goes), and xhtml2pdf lays the
    overlay out once instead of twice.
    """
    text = _PAGECOUNT.sub(str(pages), overlay).replace("</pdf:pagecount>", "")
    return text + _FILL + f"{LEADING_BREAK}{_FILL}" * (pages - 1) + "</body></html>"


def plan(
    html: str, parts: int, min_part_bytes: int = MIN_PART_BYTES, policy: ResourceAccessPolicy | None = None
) -> Plan:
    """Cut `html` into at most `parts` parts of at least `min_part_bytes`, balanced by size; or say why not.

    Reading the document's CSS can reach for files and URLs (`@import`): it
    asks `policy` (by default: nothing may be read), as a render would.
    """
    with guarded(policy or server_policy()), document_fonts():
        return _plan(html, parts, min_part_bytes)


@dataclass
class _Reading:
    """What the plan reads from a parsed document: its styles, its static frames and its body's pieces."""

    document: Any
    body: Any
    css: str
    problems: list[str]
    page: PageRules
    styles: Styles
    static: list[Any]
    static_ids: set[str]
    counted: bool  # a static frame shows the page count
    numbered: bool  # a static frame shows a page number or the count
    pieces: list[Item]


def _plan(html: str, parts: int, min_part_bytes: int) -> Plan:
    document = parse(html)
    bodies = document.getElementsByTagName("body")
    if not bodies:
        return Plan(reason="it has no <body>")
    doc = _read(document, bodies[0])
    reason = blocker(document, doc.styles, doc.page, doc.static, doc.numbered, doc.pieces)
    reason = reason or next(iter(doc.problems), None)
    if reason is not None:
        return Plan(reason=reason)
    cuts = _cuts(doc.pieces, doc.styles)
    if not cuts:
        return Plan(reason="no chapter starts on a new page at the top level of <body>")
    spans = link_spans(doc.pieces)
    linked = {cut for cut in cuts for low, high, _ in spans if low < cut <= high}
    if len(linked) == len(cuts):
        target = next(target for low, high, target in spans if any(low < cut <= high for cut in cuts))
        return Plan(reason=f'a link (href="#{target}") points into another part of the document', places=len(cuts))
    cuts = {cut: neutral for cut, neutral in cuts.items() if cut not in linked}

    start = doctype(document) + open_tag(document.documentElement) + to_html(_head(document)) + open_tag(doc.body)
    overlay = _take_overlay(doc, start) if doc.numbered else None
    _write_pieces(doc)
    chosen = _choose(doc.pieces, cuts, parts, min_part_bytes)
    if len(chosen) < 2:
        size = sum(len(piece.html.encode("utf-8")) for piece in doc.pieces)
        return Plan(reason=f"it is too short to gain from splitting ({html_size(size)} of HTML)", places=len(cuts))
    # Every part but the first begins with an empty page, to be dropped (stamp.stamp).
    return Plan(parts=_build_parts(doc, start, cuts, chosen), overlay=overlay, places=len(cuts))


def _read(document: Any, body: Any) -> _Reading:
    css, problems = document_css(document)
    css, page = split_page_rules(css)
    static = [node for node in document.getElementsByTagName("*") if node.getAttribute("id") in page.frame_content]
    counted = any(node.getElementsByTagName("pdf:pagecount") for node in static)
    numbered = counted or any(node.getElementsByTagName("pdf:pagenumber") for node in static)
    static_ids = {node.getAttribute("id") for node in static}
    pieces = list(items(body))
    for piece in pieces:
        piece.residue_only = piece.element and residue_of(piece.node, static_ids) == [piece.node]
    return _Reading(document, body, css, problems, page, Styles(css), static, static_ids, counted, numbered, pieces)


def _take_overlay(doc: _Reading, start: str) -> str:
    """The overlay document (all but its pages) of a document whose headers or footers number
    its pages; its static frames are emptied, so the parts draw no header or footer: the overlay does."""
    overlay = start + "".join(to_html(node) for piece in doc.pieces for node in residue_of(piece.node, doc.static_ids))
    for node in doc.static:
        while node.firstChild is not None:
            node.removeChild(node.firstChild)
    return overlay


def _write_pieces(doc: _Reading) -> None:
    """Each piece's HTML, and the residue (styles, metadata, static frames) every part carries."""
    for piece in doc.pieces:
        piece.html = open_tag(piece.node) if piece.opens else to_html(piece.node)
        piece.residue = [to_html(node) for node in residue_of(piece.node, doc.static_ids)] if not piece.opens else []


def _build_parts(doc: _Reading, start: str, cuts: dict[int, bool], chosen: list[tuple[int, int]]) -> tuple[Part, ...]:
    levels = outline_levels(doc.document, doc.css, doc.pieces, doc.styles, doc.static)
    # <pdf:pagecount> puts one more (empty) flowable at the end of the whole's
    # story: a document ending on a page break gets a last, empty page. The
    # last part ends the same way.
    ending = _FILL if doc.counted else ""
    return tuple(
        _part(
            start + seeds(open_levels(levels, low)),
            doc.pieces,
            low,
            high,
            cuts.get(low, False),
            ending if high == len(doc.pieces) else "",
        )
        for low, high in chosen
    )


def _head(document: Any) -> Any:
    return document.getElementsByTagName("head")[0]


def _cuts(pieces: list[Item], styles: Styles) -> dict[int, bool]:
    """Where a part may begin: index → whether the part needs a page break put in front.

    After a page break (a <pdf:nextpage>, an element with page-break-after)
    the next part gets one of its own in front. An element with
    page-break-before brings its own; that is right only if the page before
    it ends with content, else the whole has a blank page there.
    """
    cuts: dict[int, bool] = {}
    ends_with_content = _endings(pieces, styles)
    for index in range(1, len(pieces)):
        before, piece = pieces[index - 1], pieces[index]
        if before.opens or (before.element and _breaks(styles, before.node, "after")):
            cuts[index] = True
        elif (
            piece.element
            and not piece.residue_only
            and _breaks(styles, piece.node, "before")
            and ends_with_content(index)
        ):
            cuts[index] = False
    return cuts


def _breaks(styles: Styles, node: Any, side: str) -> bool:
    return styles.is_block(node) and styles.page_break(node, side) == "always"


def _endings(pieces: list[Item], styles: Styles) -> Callable[[int], bool]:
    """Whether the story before `pieces[index]` ends with something laid out (not a page break).

    Each piece is looked at once however many cuts ask (a walk back from each was quadratic on a run of
    empty chapters): pieces that lay out nothing take the answer of the story before them."""
    known = {0: False}

    def ends(index: int) -> bool:
        walked = []
        at = index
        while at not in known:
            state = _piece_ends(pieces[at - 1], styles)
            if state is not None:
                known[at] = state
                break
            walked.append(at)
            at -= 1
        for passed in walked:
            known[passed] = known[at]
        return known[index]

    return ends


def _piece_ends(piece: Item, styles: Styles) -> bool | None:
    """Whether the story ends with content after `piece`: None when the piece lays out nothing."""
    if piece.opens:
        return False
    if piece.residue_only or (piece.element and styles.hidden(piece.node)):
        return None
    if not piece.element:
        return True if piece.node.data.strip() else None
    if _ends_badly(piece.node, styles):
        return False
    return True if contentful(piece.node) else None


def _ends_badly(node: Any, styles: Styles) -> bool:
    """Whether what `node` puts last in the story is a page break or keeps with what follows."""
    if node.tagName.lower() == NEXTPAGE:
        return True
    attrs = styles.of(node)
    if styles.page_break(node, "after") not in (None, "auto") or str(attrs.get("-pdf-keep-with-next", "")).lower() in (
        "1",
        "true",
        "yes",
    ):
        return True
    for child in reversed(node.childNodes):
        if child.nodeType == child.TEXT_NODE and child.data.strip():
            return False
        if child.nodeType == child.ELEMENT_NODE and not styles.hidden(child):
            if _ends_badly(child, styles):
                return True
            if contentful(child):
                return False
    return False


def _choose(pieces: list[Item], cuts: dict[int, bool], parts: int, min_bytes: int) -> list[tuple[int, int]]:
    """Ranges of pieces, cut at some of `cuts`, as even in size as the cuts allow; each holds content."""
    sizes = list(itertools.accumulate((len(piece.html) for piece in pieces), initial=0))
    content = list(itertools.accumulate((contentful(piece.node) and not piece.opens for piece in pieces), initial=0))
    # A cut is usable if content lies on both sides; of cuts with no content between them, one will do.
    usable: list[int] = []
    for cut in sorted(cuts):
        if 0 < content[cut] < content[-1] and (not usable or content[usable[-1]] < content[cut]):
            usable.append(cut)
    total = sizes[-1]
    count = min(parts, len(usable) + 1, total // min_bytes if min_bytes else parts)
    bounds = [0]
    for step in range(1, count):
        goal = total * step / count
        # Leave enough cuts after this one for the steps still to come.
        later = [cut for cut in usable if cut > bounds[-1]]
        choices = later[: len(later) - (count - 1 - step)]
        bounds.append(min(choices, key=lambda cut: abs(sizes[cut] - goal)))
    bounds.append(len(pieces))
    return list(itertools.pairwise(bounds))


def _part(start: str, pieces: list[Item], low: int, high: int, leading_break: bool, ending: str) -> Part:
    chosen = pieces[low:high]
    before = "".join(html for piece in pieces[:low] for html in piece.residue)
    after = "".join(html for piece in pieces[high:] for html in piece.residue)
    title = next((title_of(piece.node) for piece in chosen if contentful(piece.node) and not piece.opens), "")
    body = (LEADING_BREAK if leading_break else "") + assemble(chosen)
    return Part(title, start + before + body + after + ending + "</body></html>")
