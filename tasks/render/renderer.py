"""Render HTML to PDF with xhtml2pdf, reporting real progress; no Flask, no Celery."""

from __future__ import annotations

import contextvars
import io
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pypdf
from xhtml2pdf import document as x2p_document
from xhtml2pdf import parser as x2p_parser
from xhtml2pdf.config.resources import RenderLimitError, ResourceAccessPolicy
from xhtml2pdf.context import getDirName
from xhtml2pdf.files import pisaFileObject
from xhtml2pdf.xhtml2pdf_reportlab import PmlBaseDoc

from tasks.fonts import fallback as fonts
from tasks.prepare import Prepared, Reader, prepare
from tasks.render import fidelity_sources, minidom_fix, table_layout
from tasks.render.failures import RenderFailed
from tasks.render.fidelity import FidelityReport
from tasks.render.overflow import FittingDocMixin
from tasks.render.policy import server_policy
from tasks.render.progress import LAYOUT_END, WRITE_END, ProgressCallback, ProgressTracker

if TYPE_CHECKING:  # tasks.render.page_setup reaches this module through the split's CSS reader
    from tasks.render.page_setup import PageOptions

log = logging.getLogger(__name__)
ELEMENT_NODE = 1
# A page's sides, in points, as the page_size option bounds them (1 in to 200 in).
MIN_PAGE_POINTS, MAX_PAGE_POINTS = 72.0, 14400.0
# The least room a frame must leave for content, in points.
MIN_FRAME_POINTS = 18.0


@dataclass
class RenderResult:
    """What a render produced."""

    pdf: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)
    fidelity: FidelityReport = field(default_factory=FidelityReport)


def render_pdf(
    html: str,
    on_progress: ProgressCallback | None = None,
    *,
    policy: ResourceAccessPolicy | None = None,
    path: str = "",
    options: PageOptions | None = None,
    written_for: str = "auto",
) -> RenderResult:
    """Render `html` to PDF bytes, calling `on_progress` as the work advances.

    `path` names the document's file, so that relative URLs (images, CSS)
    resolve beside it. The document is prepared first (tasks/prepare: `written_for` is "auto",
    "browser" or "xhtml2pdf"), then given the page `options`. Exceptions from xhtml2pdf, ReportLab or
    `on_progress` itself (a cancel, say) propagate unchanged; the caller decides what to tell a user.
    """
    _install_hooks()
    tracker = ProgressTracker(on_progress or _ignore)
    tracker.stage("parsing", 0.0)
    policy = policy or server_policy()
    prepared = prepare_document(html, written_for, policy=policy, path=path)
    html = options.apply(prepared.html) if options else prepared.html
    warnings: list[str] = []
    source = html.encode("utf-8")
    report = prepared.report  # the render adds what xhtml2pdf ignored, refused and scaled
    token = _active.set(_Render(tracker, _estimate_elements(html), report))
    try:
        with _collect_warnings(warnings), fidelity_sources.listening(report):
            pdf = x2p_document.pisaDocument(
                _ReportingSource(source, tracker),
                dest_bytes=True,
                encoding="utf-8",
                # Relative URLs resolve beside `path`; the policy decides whether they may be read.
                path=path,
                resource_policy=fidelity_sources.reporting(policy, report),
            )
    finally:
        _active.reset(token)
    tracker.stage("writing", max(tracker.percent, LAYOUT_END))
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    tracker.stage("rendered", WRITE_END)
    return RenderResult(pdf=pdf, pages=pages, warnings=warnings, fidelity=report)


def prepare_document(html: str, written_for: str, *, policy: ResourceAccessPolicy, path: str = "") -> Prepared:
    """The preparation stage, reading the document's stylesheets through `policy` as xhtml2pdf would.

    A document the stage cannot handle is rendered as written, saying so: preparing is there to
    make a render better, never to make it fail."""
    try:
        return prepare(html, written_for, stylesheet_reader(policy, path))
    except (RecursionError, MemoryError, RenderLimitError):
        raise
    except Exception:
        log.warning("the document could not be prepared as a browser would; rendering it as written", exc_info=True)
        prepared = Prepared(html)
        prepared.report.degrade("the document could not be read as a browser would read it: rendered as written")
        return prepared


def stylesheet_reader(policy: ResourceAccessPolicy, path: str = "") -> Reader:
    """Reads a stylesheet by URL relative to the document at `path`, through `policy`."""
    base = getDirName(path) if path else None

    def read(href: str) -> str | None:
        data = pisaFileObject(href, basepath=base, policy=policy).getData()
        return None if data is None else data.decode("utf-8", errors="replace")

    return read


def _ignore(_: object) -> None:
    pass


def _estimate_elements(html: str) -> int:
    """About how many elements the parser will visit, counted cheaply."""
    return max(html.count("<") - html.count("</") - html.count("<!"), 1)


class _ReportingSource(io.BytesIO):
    """The document as html5lib reads it, chunk by chunk, telling the tracker."""

    def __init__(self, data: bytes, tracker: ProgressTracker) -> None:
        super().__init__(data)
        self._size = len(data)
        self._tracker = tracker

    def read(self, size: int | None = -1, /) -> bytes:
        chunk = super().read(size)
        self._tracker.reading(self.tell(), self._size)
        return chunk


class _Render:
    """The render in progress in this context: its tracker, element count and fidelity report."""

    def __init__(self, tracker: ProgressTracker, expected: int, report: FidelityReport) -> None:
        self.tracker = tracker
        self.report = report
        self.expected = expected
        self.visited = 0

    def element(self) -> None:
        self.visited += 1
        if self.visited % 16 == 0:
            self.tracker.parsing(self.visited, self.expected)


_active: contextvars.ContextVar[_Render | None] = contextvars.ContextVar("render", default=None)


class _ReportingDoc(FittingDocMixin, PmlBaseDoc):
    """xhtml2pdf's document template, with ReportLab's progress hook attached; what fits no page is scaled, its
    pages checked."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        render = _active.get()
        if render is not None:
            self.setProgressCallBack(render.tracker.layout_event)
            self.fidelity = render.report

    def addPageTemplates(self, templates: Any) -> None:
        for template in templates if isinstance(templates, list | tuple) else [templates]:
            check_page(template.pagesize, [(frame._width, frame._height) for frame in template.frames])
        super().addPageTemplates(templates)


def check_page(size: tuple[float, float], frames: list[tuple[float, float]]) -> None:
    """Refuse, naming the cause, a page the document's CSS sized past the page_size option's bounds
    or whose margins leave no room: ReportLab would fail later saying something is larger than a page."""
    width, height = (float(side) for side in size)
    if not (MIN_PAGE_POINTS <= width <= MAX_PAGE_POINTS and MIN_PAGE_POINTS <= height <= MAX_PAGE_POINTS):
        raise RenderFailed(
            f"The document's CSS asks for a {width / 72:g} in x {height / 72:g} in page (@page size); "
            "each side must be between 1 in and 200 in."
        )
    for frame_width, frame_height in frames:
        if frame_width < MIN_FRAME_POINTS or frame_height < MIN_FRAME_POINTS:
            raise RenderFailed(
                "The document's CSS leaves no room for content on its pages (@page margins, or a @frame, "
                f"as large as the {width / 72:g} in x {height / 72:g} in page). Make the margins smaller."
            )


_original_loop: Callable[..., Any] = x2p_parser.pisaLoop


def _counting_loop(node: Any, context: Any, **kw: Any) -> Any:
    # pisaLoop recurses through its module global, so every element comes here.
    render = _active.get()
    if render is not None and node.nodeType == ELEMENT_NODE:
        render.element()
    return _original_loop(node, context, **kw)


def _install_hooks() -> None:
    """Point xhtml2pdf at the reporting parser loop and document template.

    xhtml2pdf has no progress API: its parse is silent and the ReportLab
    document it builds is out of reach, so both are swapped in by name. The
    hooks do nothing outside `render_pdf`.
    """
    x2p_parser.pisaLoop = _counting_loop
    x2p_document.PmlBaseDoc = _ReportingDoc
    fonts.install()
    table_layout.install()
    minidom_fix.install()


class _WarningCollector(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


@contextmanager
def _collect_warnings(sink: list[str]) -> Iterator[None]:
    logger = logging.getLogger("xhtml2pdf")
    handler = _WarningCollector(sink)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
