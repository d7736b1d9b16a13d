"""An image that cannot be shown stands as its `alt` text, as a browser shows it.

xhtml2pdf drops an `<img>` whose file is missing, refused or unreadable, and its alternative text with
it: a logo absent from an upload left a hole, and the words a browser prints in its place were lost.
Only in documents written for browsers (the preparation stage's `browser` mode): one written for
xhtml2pdf keeps xhtml2pdf's own output.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from typing import Any

from PIL import Image
from reportlab.platypus.paraparser import ABag
from xhtml2pdf.util import getSize
from xhtml2pdf.xhtml2pdf_reportlab import PmlImage

from tasks.render.hooks import active

Start = Callable[[Any, Any], None]
_SIDES = ("top", "right", "bottom", "left")


def showing_alt(start: Start) -> Start:
    """`pisaTagIMG.start` that adds the image's alt text when it added no image."""

    def start_image(tag: Any, context: Any) -> None:
        before = (len(context.fragList), context.image)
        start(tag, context)
        render = active.get()
        if render is None or render.report.mode != "browser" or (len(context.fragList), context.image) != before:
            return
        alt = " ".join((tag.node.getAttribute("alt") or "").split())
        if alt:
            _add_box(context, alt)

    return start_image


def _add_box(context: Any, alt: str) -> None:
    """The alt text as Chromium (in standards mode) lays out a broken image: a box around the text inside
    the image's padding, which makes its line taller; the image's `width` and `height` do not apply.
    The text is drawn at the top of the box here, and without the broken-image icon Chromium puts before it."""
    context.addFrag(alt)
    padding = {side: getSize(context.cssAttr.get(f"padding-{side}", 0), default=0.0) for side in _SIDES}
    if any(padding.values()):
        height = context.frag.fontSize + padding["top"] + padding["bottom"]
        context.fragList.append(_space(context.frag, padding["left"] + padding["right"], height))


def _space(like: Any, width: float, height: float) -> Any:
    """An inline frag of nothing, `width` wide and `height` high from the top of its line."""
    frag = like.clone()
    spacer = PmlImage(_clear_png())
    spacer.drawWidth, spacer.drawHeight = width, height
    frag.text = ""
    frag.cbDefn = ABag(
        kind="img", image=spacer, valign="top", fontName=frag.fontName, fontSize=height, width=width, height=height
    )
    return frag


@cache
def _clear_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (1, 1), (0, 0, 0, 0)).save(out, format="PNG")
    return out.getvalue()
