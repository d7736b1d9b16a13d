"""Line boxes as CSS sizes them (CSS 2.1, 10.8.1), in documents written for browsers.

CSS adds a line's leading, its `line-height` less the glyphs' ascent and descent, in two equal halves
above and below the glyphs: the line is as tall as its `line-height`, and the first line's text sits
half the leading below the top of its block. xhtml2pdf puts 5/6 of the leading above the baseline and
1/6 below, each at least the font's own ascent or descent, so every line under 1.3em (a browser's
default 1.15 among them) came out taller than written and a page of them ran lines longer than
Chromium's; and it draws the first line with no leading above it, so text with a tall line-height sat
high in its block. A document written for xhtml2pdf keeps xhtml2pdf's lines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tasks.render.hooks import active

Extent = Callable[[Any, float], tuple[float, float]]
Draw = Callable[..., Any]
#: Glyphs this much taller than the line's `line-height` are a larger inline font's, whose own
#: line-height CSS would count: such a line keeps xhtml2pdf's extent, which makes room for them.
_LARGER_FONT = 1.25


def _half_leading(line: Any, leading: float) -> float | None:
    """Half of what `leading` adds to `line`'s glyphs, where lines are sized as CSS sizes them."""
    render = active.get()
    glyphs = float(line.ascent - line.descent)
    if render is None or render.report.mode != "browser" or glyphs > leading * _LARGER_FONT:
        return None
    return (leading - glyphs) / 2


def css_extent(extent: Extent) -> Extent:
    """xhtml2pdf's `_maxLeadingExtent` (a line's height above and below its baseline), as CSS has it."""

    def line_extent(line: Any, leading: float) -> tuple[float, float]:
        half = _half_leading(line, leading)
        if half is None:
            return extent(line, leading)
        return line.ascent + half, half - line.descent

    return line_extent


def first_line_lowered(draw_para: Draw) -> Draw:
    """xhtml2pdf's `Paragraph.drawPara`, its lines drawn half the first line's leading lower, where CSS
    puts them: the paragraph's height already holds that half."""

    def draw(paragraph: Any, debug: int = 0) -> Any:
        lines = getattr(paragraph.blPara, "lines", None)
        auto = getattr(paragraph, "autoLeading", getattr(paragraph.style, "autoLeading", ""))
        half = _half_leading(lines[0], paragraph.style.leading) if paragraph.blPara.kind == 1 and lines else None
        if auto != "max" or not half:
            return draw_para(paragraph, debug)
        canvas = paragraph.canv
        canvas.saveState()
        canvas.translate(0, -half)
        try:
            return draw_para(paragraph, debug)
        finally:
            canvas.restoreState()

    return draw
