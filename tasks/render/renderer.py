"""Render HTML to PDF with xhtml2pdf, reporting real progress; no Flask, no Celery."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pypdf
from xhtml2pdf import document as x2p_document
from xhtml2pdf.config.resources import ResourceAccessPolicy
from xhtml2pdf.context import getDirName
from xhtml2pdf.files import pisaFileObject

from tasks.document.failures import INPUT_FAULTS, too_deeply_nested
from tasks.document.fidelity import FidelityReport
from tasks.document.policy import server_policy
from tasks.document.stages import Stage
from tasks.fonts import cjk
from tasks.fonts.scope import document_fonts
from tasks.nesting.scan import nesting_depth
from tasks.prepare import Prepared, Reader, prepare
from tasks.render import fidelity_sources, patches, shrink
from tasks.render.hooks import ActiveRender, active
from tasks.render.progress import LAYOUT_END, WRITE_END, ProgressCallback, ProgressTracker

if TYPE_CHECKING:  # tasks.document.page_setup reaches this module through the split's CSS reader
    from tasks.document.page_setup import PageOptions

log = logging.getLogger(__name__)


@dataclass
class RenderResult:
    """What a render produced."""

    pdf: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)
    fidelity: FidelityReport = field(default_factory=FidelityReport)


def render_pdf(
    html: str | Prepared,
    on_progress: ProgressCallback | None = None,
    *,
    policy: ResourceAccessPolicy | None = None,
    path: str = "",
    options: PageOptions | None = None,
    written_for: str = "auto",
) -> RenderResult:
    """Render `html` to PDF bytes, calling `on_progress` as the work advances.

    `path` names the document's file, so that relative URLs (images, CSS) resolve beside it. The
    document is prepared first (tasks/prepare: `written_for` is "auto", "browser" or "xhtml2pdf"),
    unless it comes `Prepared` already, then given the page `options`. Exceptions from xhtml2pdf,
    ReportLab or `on_progress` itself (a cancel, say) propagate unchanged; the caller decides what
    to tell a user.
    """
    patches.install()
    tracker = ProgressTracker(on_progress or _ignore)
    tracker.stage(Stage.PARSING, 0.0)
    policy = policy or server_policy()
    with document_fonts():  # nothing of the document's @font-face outlives its render
        report, pdf, warnings = _render(html, tracker, policy, path, options, written_for)
    tracker.stage(Stage.WRITING, max(tracker.percent, LAYOUT_END))
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    tracker.stage(Stage.RENDERED, WRITE_END)
    return RenderResult(pdf=pdf, pages=pages, warnings=warnings, fidelity=report)


def _render(
    html: str | Prepared,
    tracker: ProgressTracker,
    policy: ResourceAccessPolicy,
    path: str,
    options: PageOptions | None,
    written_for: str,
) -> tuple[FidelityReport, bytes, list[str]]:
    """The prepared document laid out by xhtml2pdf: the fidelity report, the PDF and xhtml2pdf's warnings."""
    prepared = prepare_document(html, written_for, policy=policy, path=path) if isinstance(html, str) else html
    document = options.apply(prepared.html) if options else prepared.html
    warnings: list[str] = []
    source = document.encode("utf-8")
    report = prepared.report  # the render adds what xhtml2pdf ignored, refused and scaled
    token = active.set(ActiveRender(tracker, _estimate_elements(document), report))
    # A CJK font the install step did not convert takes a minute: the bar says so rather than stand still.
    converting = cjk.on_conversion.set(lambda: tracker.stage(Stage.FONTS, tracker.percent))

    def on_warning(message: str) -> None:
        warnings.append(message)
        fidelity_sources.read_warning(report, message)

    try:
        with fidelity_sources.xhtml2pdf_warnings(on_warning), patches.browser_layout(report.mode == "browser"):
            pdf = x2p_document.pisaDocument(
                _ReportingSource(source, tracker),
                dest_bytes=True,
                encoding="utf-8",
                # Relative URLs resolve beside `path`; the policy decides whether they may be read.
                path=path,
                resource_policy=fidelity_sources.reporting(policy, report),
            )
    finally:
        cjk.on_conversion.reset(converting)
        active.reset(token)
    scale = shrink.factor(document)
    return report, shrink.pages(pdf, scale) if scale < 1 else pdf, warnings


def prepare_document(html: str, written_for: str, *, policy: ResourceAccessPolicy, path: str = "") -> Prepared:
    """The preparation stage, reading the document's stylesheets through `policy` as xhtml2pdf would.

    A document the stage cannot handle is rendered as written, saying so: preparing is there to
    make a render better, never to make it fail. A document nested deeper than `policy.max_depth`
    fails it before anything parses it: html5lib's parse of deep nesting is quadratic (5,000
    levels: 15 s), and only after it would xhtml2pdf refuse the document."""
    limit = policy.max_depth
    if limit is not None and nesting_depth(html, stop_above=limit) > limit:
        raise too_deeply_nested(limit)
    try:
        return prepare(html, written_for, stylesheet_reader(policy, path))
    except INPUT_FAULTS:
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
