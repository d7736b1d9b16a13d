"""Links drawn only where they lead: a link to a place the document does not have is plain text.

xhtml2pdf drops such a link from text it parsed itself, but not from an inline-block or a positioned
box (`<a href="#" style="display: inline-block">`, every e-mail's button): its link drawing failed on
`href="#"` (IndexError) and ReportLab on `#missing` or `document:x` when it wrote the PDF (ValueError).
tasks/render/patches.py puts `parse` and `draw_link` in place of xhtml2pdf's parser and link drawing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xhtml2pdf import document as x2p_document
from xhtml2pdf import reportlab_paragraph

from tasks.render.hooks import active

DANGLING = 'links to a place the document does not have (href="#…") are plain text'

_parse: Callable[..., Any] = x2p_document.pisaParser
_draw: Callable[[Any, str, Any], None] = reportlab_paragraph._doLink


def parse(src: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
    """xhtml2pdf's parser; then the render in progress learns the document's anchors, and the report
    the links xhtml2pdf dropped for want of one."""
    result = _parse(src, context, *args, **kwargs)
    render = active.get()
    if render is not None:
        render.anchors = frozenset(context.anchorName)
        if any(anchor not in render.anchors for _, anchor in context.anchorFrag):
            render.report.degrade(DANGLING)
    return result


def draw_link(tx: Any, link: str, rect: Any) -> None:
    """Draw `link` over `rect`, unless it is internal and leads nowhere."""
    target = internal_target(link)
    if target is not None:
        render = active.get()
        anchors = render.anchors if render is not None else None
        if not target or (anchors is not None and target not in anchors):
            if render is not None:
                render.report.degrade(DANGLING)
            return
    _draw(tx, link, rect)


def internal_target(link: str) -> str | None:
    """The anchor an internal link (`#name`, xhtml2pdf's `document:name`) names; None for any other link."""
    if link.startswith("#"):
        return link[1:]
    scheme, colon, rest = link.partition(":")
    return rest if colon and scheme.lower() == "document" else None
