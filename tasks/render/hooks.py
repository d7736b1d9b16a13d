"""What xhtml2pdf runs, during a render, in place of its parser loop and document template.

xhtml2pdf has no progress API: its parse is silent and the ReportLab document it builds is out of
reach, so tasks/render/patches.py puts these in by name. They count elements and attach ReportLab's
progress hook for the render in progress in this context, scale what fits no page, and refuse pages
no content fits; outside `render_pdf` they behave as xhtml2pdf's own.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from reportlab.platypus.flowables import KeepTogether
from xhtml2pdf import parser as x2p_parser
from xhtml2pdf.xhtml2pdf_reportlab import PmlBaseDoc

from tasks.document.failures import RenderFailed
from tasks.document.fidelity import FidelityReport
from tasks.document.units import css_page_refused, page_fits
from tasks.prepare.writing_mode import TURNED
from tasks.render.overflow import FittingDocMixin, MeasuredKeepTogether
from tasks.render.progress import ProgressTracker
from tasks.render.turned import turned_loop

ELEMENT_NODE = 1
# The least room a frame must leave for content, in points.
MIN_FRAME_POINTS = 18.0


class ActiveRender:
    """The render in progress in this context: its tracker, element count, fidelity report and, once
    parsed, the document's anchors (link targets)."""

    def __init__(self, tracker: ProgressTracker, expected: int, report: FidelityReport) -> None:
        self.tracker = tracker
        self.report = report
        self.expected = expected
        self.visited = 0
        self.anchors: frozenset[str] | None = None

    def element(self) -> None:
        self.visited += 1
        if self.visited % 16 == 0:
            self.tracker.parsing(self.visited, self.expected)


active: contextvars.ContextVar[ActiveRender | None] = contextvars.ContextVar("render", default=None)


def current_report() -> FidelityReport | None:
    """The fidelity report of the render in progress in this context; None outside `render_pdf`."""
    render = active.get()
    return None if render is None else render.report


class ReportingDoc(FittingDocMixin, PmlBaseDoc):
    """xhtml2pdf's document template, with ReportLab's progress hook attached; what fits no page is scaled, its
    pages checked."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        render = active.get()
        if render is not None:
            self.setProgressCallBack(render.tracker.layout_event)
            self.fidelity = render.report
            if render.report.mode == "browser":
                self.keepTogetherClass = MeasuredKeepTogether

    def addPageTemplates(self, templates: Any) -> None:
        for template in templates if isinstance(templates, list | tuple) else [templates]:
            check_page(template.pagesize, [(frame._width, frame._height) for frame in template.frames])
        super().addPageTemplates(templates)


def kept_together(flowables: list[Any], maxHeight: float | None = None) -> KeepTogether:
    """The group xhtml2pdf keeps a `break-inside: avoid` block in (with the blocks that must stay with it):
    measured by what it holds in a browser document, ReportLab's own in one written for xhtml2pdf."""
    render = active.get()
    browser = render is not None and render.report.mode == "browser"
    return (MeasuredKeepTogether if browser else KeepTogether)(flowables, maxHeight)


#: The error code of a page the document's CSS sized past the service's bounds, or left no room in.
PAGE_OUT_OF_BOUNDS = "page_out_of_bounds"


def check_page(size: tuple[float, float], frames: list[tuple[float, float]]) -> None:
    """Refuse, naming the cause, a page the document's CSS sized past the page_size option's bounds
    or whose margins leave no room: ReportLab would fail later saying something is larger than a page."""
    width, height = (float(side) for side in size)
    if not page_fits(width, height):
        raise RenderFailed(css_page_refused(width, height), PAGE_OUT_OF_BOUNDS)
    for frame_width, frame_height in frames:
        if frame_width < MIN_FRAME_POINTS or frame_height < MIN_FRAME_POINTS:
            raise RenderFailed(
                "The document's CSS leaves no room for content on its pages (@page margins, or a @frame, "
                f"as large as the {width / 72:g} in x {height / 72:g} in page). Make the margins smaller.",
                PAGE_OUT_OF_BOUNDS,
            )


_original_loop: Callable[..., Any] = x2p_parser.pisaLoop


def counting_loop(node: Any, context: Any, **kw: Any) -> Any:
    """xhtml2pdf's parser loop, counting the elements it visits for the render in progress."""
    # pisaLoop recurses through its module global, so every element comes here.
    render = active.get()
    if render is not None and node.nodeType == ELEMENT_NODE:
        render.element()
        turn = node.getAttribute(TURNED) if render.report.mode == "browser" else ""
        if turn:
            return turned_loop(_original_loop, node, context, turn, **kw)
    return _original_loop(node, context, **kw)
