"""Content in a vertical writing mode, drawn a quarter turn from the page (tasks/prepare/writing_mode.py).

The flowables xhtml2pdf builds for a turned wrapper's content are laid out as horizontal text on a line
as long as their max-content (at most the page's height, which is what a browser gives an orthogonal
flow of unknown size) and drawn turned: clockwise, the first block at the right (`vertical-rl`), or
at the left (`vertical-lr`); anticlockwise, the first block at the left (`sideways-lr`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.platypus.flowables import Flowable
from xhtml2pdf.builders.flex import content_widths
from xhtml2pdf.util import getSize

_LARGE = 1e6


class Turned(Flowable):
    """Flowables laid out on lines of `limit` points at most, drawn a quarter turn."""

    def __init__(self, content: list[Any], turn: str, limit: float) -> None:
        super().__init__()
        self.content = content
        self.clockwise = not turn.startswith("ccw")
        self.left_to_right = "lr" in turn.split()
        self.hAlign = "RIGHT" if "end" in turn.split() else "LEFT"
        self.limit = limit
        self.inline = self.block = 0.0
        self.placed: list[tuple[Any, float]] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        canv = getattr(self, "canv", None)
        self.inline = min(max(_max_content(flowable, canv) for flowable in self.content), self.limit)
        self.placed, block = [], 0.0
        for index, flowable in enumerate(self.content):
            if index:
                block += flowable.getSpaceBefore()
            height = flowable.wrapOn(canv, self.inline, _LARGE)[1]
            self.placed.append((flowable, block + height))
            block += height + (flowable.getSpaceAfter() if index < len(self.content) - 1 else 0.0)
        self.block = block
        self.width, self.height = block, self.inline
        return self.width, self.height

    def minWidth(self) -> float:
        return float(self.width)

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        if self.clockwise:
            canv.translate(0, self.inline)
            canv.rotate(-90)
        else:
            canv.translate(self.block, 0)
            canv.rotate(90)
        for flowable, bottom in self.placed:
            # Unturned, the content runs down from its top (y = block); clockwise, a block flow from the
            # left runs up from y = 0 instead.
            top = bottom if self.clockwise and self.left_to_right else self.block - bottom + flowable.height
            flowable.drawOn(canv, 0, top - flowable.height)
        canv.restoreState()


def _max_content(flowable: Any, canv: Any) -> float:
    """The flowable's max-content width, its letter-spacing in (which xhtml2pdf draws but does not measure)."""
    width = float(content_widths([flowable], canv)[1])
    style = getattr(flowable, "style", None)
    spacing = getattr(style, "letterSpacing", "normal")
    if style is None or spacing == "normal" or not hasattr(flowable, "frags"):
        return width
    characters = sum(len(getattr(frag, "text", "") or "") for frag in flowable.frags)
    return width + float(getSize("".join(spacing), style.fontSize)) * characters


def turned_loop(loop: Callable[..., Any], node: Any, context: Any, turn: str, **kw: Any) -> Any:
    """xhtml2pdf's parser loop over `node`, its content put in the story as one Turned flowable."""
    context.addPara()
    start = len(context.story)
    result = loop(node, context, **kw)
    context.addPara()
    content = context.story[start:]
    del context.story[start:]
    if content:
        context.addStory(Turned(content, turn, float(context.pageSize[1])))
    return result
