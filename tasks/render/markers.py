"""List markers where a browser draws them, in documents written for browsers: ending a space before
the item's text (CSS Lists: an outside marker box ends at the item's content edge, its text "1. ").
xhtml2pdf drew them from the list's margin edge, 40px in a browser list, which put "1." half an inch
left of where Chromium prints it. A document written for xhtml2pdf keeps xhtml2pdf's markers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth
from xhtml2pdf import reportlab_paragraph as x2p_paragraph

from tasks.render.hooks import active

DrawBullet = Callable[[Any, float, float, Any, Any], float]


def before_the_text(draw_bullet: DrawBullet) -> DrawBullet:
    """xhtml2pdf's `_drawBullet`, the marker drawn so that it ends a space before the item's text."""

    def draw(canvas: Any, offset: float, cur_y: float, bullet: Any, style: Any) -> float:
        render = active.get()
        width = x2p_paragraph._bulletWidth(bullet, style)
        if render is None or render.report.mode != "browser":
            return draw_bullet(canvas, offset, cur_y, bullet, style)
        if not width:
            return offset  # `list-style: none`: no marker, and no room for one before the text
        drawn_at = style.bulletIndent
        space = stringWidth(" ", style.bulletFontName, style.bulletFontSize)
        style.bulletIndent = style.leftIndent - width - space
        try:
            draw_bullet(canvas, offset, cur_y, bullet, style)
        finally:
            style.bulletIndent = drawn_at
        return offset  # the marker ends before the text: the first line starts where the others do

    return draw


def no_first_line_overrun(handle_bullet_width: Callable[..., None]) -> Callable[..., None]:
    """xhtml2pdf's `_handleBulletWidth`, which narrows an item's first line by the room its marker overruns,
    and by 0.6em more even for none: in a browser document the marker sits before the text (above), so the
    first line is as wide as the others (a `list-style: none` item in a flex row wrapped early)."""

    def handle(bullet_text: Any, style: Any, max_widths: list[float], *, rtl: bool = False) -> None:
        render = active.get()
        if render is None or render.report.mode != "browser":
            handle_bullet_width(bullet_text, style, max_widths, rtl=rtl)
        elif rtl and bullet_text and x2p_paragraph._bulletWidth(bullet_text, style):
            handle_bullet_width(bullet_text, style, max_widths, rtl=rtl)  # a right-to-left marker: xhtml2pdf's

    return handle
