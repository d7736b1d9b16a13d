"""The resource policy for untrusted HTML, with a budget of decoded image pixels per document."""

from __future__ import annotations

import hashlib
import weakref
from dataclasses import dataclass

from xhtml2pdf.config.resources import RenderBudget, ResourceAccessError, ResourceAccessPolicy, active_budget

# Four images at the per-image limit (25 megapixels, a 6000 x 4000 photograph): 400 MB as RGBA.
MAX_DOCUMENT_PIXELS = 100_000_000
# What xhtml2pdf names an image by when it has no URI: such images are never taken for one another.
_NAMELESS = frozenset(("an image", "an SVG image"))
_spent: weakref.WeakKeyDictionary[RenderBudget, dict[object, int]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class ServerPolicy(ResourceAccessPolicy):
    """xhtml2pdf's server policy, and the pixels one document's images may decode to in all.

    xhtml2pdf bounds each image and the bytes of fetched resources, but not
    `data:` images taken together: 60 distinct 4990 x 4990 PNGs written
    inline (250 KB of HTML) decoded for 60 s to 351 MB. Each image is charged
    once, however often it is drawn; past the budget an image is refused like
    a fetch past the resource budget (left out, with a warning).
    """

    max_document_pixels: int | None = None

    def check_image_pixels(self, width: float, height: float, where: object) -> None:
        super().check_image_pixels(width, height, where)
        budget, limit = active_budget(), self.max_document_pixels
        if budget is None or limit is None:
            return
        spent = _spent.setdefault(budget, {})
        name = str(where)
        key: object = object() if name in _NAMELESS else (hashlib.sha256(name.encode()).digest(), width, height)
        if key in spent:
            return
        pixels = int(width) * int(height)
        if sum(spent.values()) + pixels > limit:
            raise ResourceAccessError(
                f"{name[:120]!r} would take the document's images past the {limit} pixels they may decode to in all"
            )
        spent[key] = pixels
