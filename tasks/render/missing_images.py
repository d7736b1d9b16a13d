"""An image that cannot be shown stands as its `alt` text, as a browser shows it.

xhtml2pdf drops an `<img>` whose file is missing, refused or unreadable, and its alternative text with
it: a logo absent from an upload left a hole, and the words a browser prints in its place were lost.
Only in documents written for browsers (the preparation stage's `browser` mode): one written for
xhtml2pdf keeps xhtml2pdf's own output.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tasks.render.hooks import active

Start = Callable[[Any, Any], None]


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
            context.addFrag(alt)

    return start_image
