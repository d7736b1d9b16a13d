"""How blocks go into frames: what cannot fit a page is scaled into the frame, said so, and never fails the
render; groups kept together are measured by what they hold; a negative margin's spacer pulls a block up."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from reportlab.platypus.doctemplate import ActionFlowable, LayoutError, LCActionFlowable
from reportlab.platypus.flowables import Image, KeepInFrame, KeepTogether, Preformatted, Spacer
from reportlab.platypus.paragraph import Paragraph
from reportlab.platypus.tables import Table
from reportlab.platypus.xpreformatted import XPreformatted
from xhtml2pdf.reportlab_paragraph import Paragraph as PisaParagraph
from xhtml2pdf.xhtml2pdf_reportlab import PmlImage, PmlParagraphAndImage

from tasks.document.fidelity import FidelityReport

# What a user calls the block, by ReportLab class: the first match names it.
_NAMES: list[tuple[type, str]] = [
    (Table, "a table"),
    (Image, "an image"),
    (PmlImage, "an image"),
    (Preformatted, "preformatted text"),
    (XPreformatted, "preformatted text"),
    (Paragraph, "a paragraph"),
    (PisaParagraph, "a paragraph"),
    (PmlParagraphAndImage, "a paragraph"),
    (Spacer, "a blank space"),
    (KeepTogether, "a group of blocks kept together"),
    (KeepInFrame, "a block"),
]


def block_name(flowable: object) -> str:
    """How the page report names `flowable` ("a table", "an image", ...)."""
    for kind, name in _NAMES:
        if isinstance(flowable, kind):
            return name
    return "a block"


class Fitted(KeepInFrame):
    """A flowable that fits no frame whole and cannot split, drawn scaled down to the frame it lands in.

    Measured against the whole frame, not what is left of it, so that it moves
    to the next frame rather than shrinking into the bottom of this one.
    """

    def __init__(self, content: Any, report: FidelityReport | None) -> None:
        super().__init__(0, 0, content=[content], mode="shrink")
        self.report = report
        self.what = block_name(content)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        frame = getattr(self, "_frame", None)
        height = frame._aH if frame is not None else availHeight
        self.maxWidth, self.maxHeight = availWidth, height
        width, height = super().wrap(availWidth, height)
        return width, height

    def drawOn(self, canv: Any, x: float, y: float, _sW: float = 0) -> None:
        scale = getattr(self, "_scale", 1.0)
        if self.report is not None and scale > 1.0:
            percent = max(int(100 / scale), 1)
            # KeepInFrame fills the frame's height when height was the limit.
            side = "taller" if self.height >= 0.95 * self.maxHeight else "wider"
            page = canv.getPageNumber()
            done = "shortened" if self.what == "a blank space" else f"scaled to {percent} %"
            self.report.degrade(f"{self.what} {side} than the page on page {page} was {done}")
        super().drawOn(canv, x, y, _sW)


class MeasuredKeepTogether(KeepTogether):
    """ReportLab's KeepTogether, measured by the blocks it holds with any inner group opened; split where it
    does not fit, it gives back what it holds as it was, each inner group still kept.

    KeepTogether answers `wrap` with 0xffffff points to force its own split, so a group holding one (a heading
    with `break-after: avoid; break-inside: avoid` before the block it must stay with) measured taller than
    any page: it broke the page before itself, and left a page blank when it was at the top of one.
    """

    _content: list[Any]

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        held = self._content
        self._content = opened(held)
        try:
            return super().wrap(aW, aH)  # type: ignore[no-any-return]
        finally:
            self._content = held

    def split(self, aW: float, aH: float) -> list[Any]:
        parts: list[Any] = super().split(aW, aH)
        if parts and not isinstance(parts[0], ActionFlowable):
            # It fits here: ReportLab places the first part at once, which an inner group never fits.
            return opened(parts)
        return parts


def opened(flowables: list[Any]) -> list[Any]:
    """`flowables`, each KeepTogether among them replaced by what it holds."""
    flat: list[Any] = []
    for flowable in flowables:
        flat.extend(opened(flowable._content) if isinstance(flowable, KeepTogether) else [flowable])
    return flat


class FittingDocMixin:
    """A document template that scales what is too large for any frame instead of raising LayoutError.

    ReportLab's `handle_flowable` takes the flowable off the list and tries it
    in the frame; when it neither fits nor splits, it puts it back and ends the
    frame, and when it fails in the next frame too (or refuses in
    `-pdf-keep-in-frame-mode: error`) it raises `LayoutError`. The flowable it
    tried is the list's head after `handle_keepWithNext` (which may group it
    with what follows). Here, a head moved on from an empty frame is scaled
    into that frame instead (no blank page), and one that made ReportLab raise
    is put back scaled.
    """

    fidelity: FidelityReport | None = None
    _head: Any = None
    _flowables: list[Any] | None = None

    def handle_keepWithNext(self, flowables: list[Any]) -> None:
        super().handle_keepWithNext(flowables)  # type: ignore[misc]
        self._head = flowables[0] if flowables else None

    def handle_flowable(self, flowables: list[Any]) -> None:
        self._head, self._flowables = None, flowables
        try:
            super().handle_flowable(flowables)  # type: ignore[misc]
        except LayoutError:
            head = self._head
            if head is None or isinstance(head, Fitted) or (flowables and flowables[0] is head):
                raise
            if isinstance(head, KeepInFrame) and head.mode == "error":
                # The author asked for an error when it does not fit; a PDF is more use to them.
                head.mode = "shrink"
            flowables.insert(0, Fitted(head, self.fidelity))
        finally:
            self._head = self._flowables = None

    def handle_frameEnd(self, resume: int = 0) -> None:
        head, flowables, frame = self._head, self._flowables, getattr(self, "frame", None)
        moved_on = bool(flowables) and flowables[0] is head and not isinstance(head, Fitted)  # type: ignore[index]
        if flowables and moved_on and getattr(head, "_postponed", False) and getattr(frame, "_atTop", False):
            # Nothing was drawn in this frame: the next one would leave it blank and fail the same way.
            flowables[0] = Fitted(head, self.fidelity)
            return
        super().handle_frameEnd(resume)  # type: ignore[misc]


def pulling_up(stack: Callable[..., tuple[list[Any], float]]) -> Callable[..., tuple[list[Any], float]]:
    """xhtml2pdf's `_stack` (a box's content stacked for measuring and drawing), a spacer of negative
    height kept as one: the preparation stage's negative top margin, which pulls the block after it up
    (tasks/prepare/blocks.py). The stack took any flowable of no height as one of none."""

    def stack_pulling_up(content: Any, *args: Any, **kwargs: Any) -> tuple[list[Any], float]:
        entries, height = stack(content, *args, **kwargs)
        for index, entry in enumerate(entries):
            pull = entry.flowable.height if isinstance(entry.flowable, Spacer) else 0.0
            if pull < 0 and entry.height == 0:
                entries[index] = dataclasses.replace(entry, height=pull)
                height += pull
        return entries, height

    return stack_pulling_up


def breaks_inert_in_boxes(init: Callable[..., None]) -> Callable[..., None]:
    """An inline-block or positioned box (xhtml2pdf's InlineBox) without the page and frame breaks of what
    it holds: a break inside such a box breaks nothing in a browser, and ReportLab's refuse to be measured
    there (`<pdf:nextframe style="position: fixed">` failed the render)."""

    def init_without_breaks(self: Any, content: Any, *args: Any, **kwargs: Any) -> None:
        init(self, [flowable for flowable in content if not isinstance(flowable, LCActionFlowable)], *args, **kwargs)

    return init_without_breaks
