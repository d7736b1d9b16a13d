"""Line boxes as CSS sizes them (CSS 2.1, 10.8.1), in documents written for browsers.

CSS gives each run of text on a line a box of its own `line-height`: its leading, the line-height less
the glyphs' ascent and descent, split in two equal halves above and below the glyphs. The line is as
tall as its tallest boxes above and below the baseline, and the first line's text sits half its leading
below the top of its block. xhtml2pdf sized a line by the paragraph's first line-height alone, 5/6 of
it above the baseline and 1/6 below, each at least the glyphs': every line under 1.3em (a browser's
default 1.15 among them) came out taller than written and a page of them ran lines longer than
Chromium's, a larger run's own line-height was ignored (a 24px title with `line-height: 28px` in a
14px heading was set 12pt apart, its lines overlapping), and text with a tall line-height sat high in
its block. A document written for xhtml2pdf keeps xhtml2pdf's lines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xhtml2pdf import reportlab_paragraph as x2p_paragraph

from tasks.render.hooks import active

Extent = Callable[[Any, float], tuple[float, float]]
Draw = Callable[..., Any]


def _css_extent(line: Any, leading: float) -> tuple[float, float] | None:
    """How far `line` reaches above and below its baseline as CSS lays it out; None outside browser
    documents, or for a line without text."""
    render = active.get()
    if render is None or render.report.mode != "browser":
        return None
    above = below = tallest = deepest = float("-inf")
    for run in getattr(line, "words", ()):
        name, size = getattr(run, "fontName", None), getattr(run, "fontSize", None)
        if not name or not size or not getattr(run, "text", "") or getattr(run, "cbDefn", None) is not None:
            continue
        ascent, descent = x2p_paragraph.getAscentDescent(name, size)
        half = ((getattr(run, "leading", None) or leading) + descent - ascent) / 2
        # A superscript's or subscript's box moves with its text (vertical-align: super, sub).
        rise = getattr(run, "rise", 0) or 0
        above, below = max(above, ascent + half + rise), max(below, half - descent - rise)
        tallest, deepest = max(tallest, ascent), max(deepest, -descent)
    if above == float("-inf"):
        return None
    # The block's own line-height (its strut) around the line's glyphs.
    strut = (leading - tallest - deepest) / 2
    above, below = max(above, tallest + strut), max(below, deepest + strut)
    # What stands on the line besides text (an image, an inline box) keeps its own height.
    if line.ascent > tallest + 0.01:
        above = max(above, line.ascent)
    if -line.descent > deepest + 0.01:
        below = max(below, -line.descent)
    return above, below


def css_extent(extent: Extent) -> Extent:
    """xhtml2pdf's `_maxLeadingExtent` (a line's height above and below its baseline), as CSS has it."""

    def line_extent(line: Any, leading: float) -> tuple[float, float]:
        return _css_extent(line, leading) or extent(line, leading)

    return line_extent


def first_line_lowered(draw_para: Draw) -> Draw:
    """xhtml2pdf's `Paragraph.drawPara`, its lines drawn as far lower as CSS puts the first line's
    baseline below its top than xhtml2pdf (its ascent): the paragraph's height already holds that."""

    def draw(paragraph: Any, debug: int = 0) -> Any:
        lines = getattr(paragraph.blPara, "lines", None)
        auto = getattr(paragraph, "autoLeading", getattr(paragraph.style, "autoLeading", ""))
        css = _css_extent(lines[0], paragraph.style.leading) if paragraph.blPara.kind == 1 and lines else None
        shift = css[0] - lines[0].ascent if css is not None and lines else 0.0
        if auto != "max" or not shift:
            return draw_para(paragraph, debug)
        canvas = paragraph.canv
        canvas.saveState()
        canvas.translate(0, -shift)
        try:
            return draw_para(paragraph, debug)
        finally:
            canvas.restoreState()

    return draw
