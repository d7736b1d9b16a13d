"""Page size, margins, header, footer and metadata from a request, as xhtml2pdf's own CSS."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from reportlab.lib import pagesizes

# Points per unit, as CSS defines them.
UNITS = {"pt": 1.0, "px": 0.75, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0}
PAGE_SIZES = {name: getattr(pagesizes, name.upper()) for name in ("a3", "a4", "a5", "b4", "b5", "letter", "legal")}
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(pt|px|mm|cm|in)\s*$")
DEFAULT_MARGIN = 1.0 * UNITS["cm"]
BAND_MARGIN = 2.5 * UNITS["cm"]  # top/bottom margin that leaves room for a header or footer
MAX_TEXT = 2000
MIN_CONTENT = 72.0  # points of page left between the margins, each way


class OptionError(ValueError):
    """An option that cannot be used, with the field it came from."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"options.{field}: {message}")
        self.field = f"options.{field}"


@dataclass(frozen=True)
class PageOptions:
    """How the PDF's pages look; every field optional."""

    page_size: str | None = None
    orientation: str | None = None
    margin: str | None = None
    header_html: str | None = None
    footer_html: str | None = None
    title: str | None = None
    author: str | None = None
    subject: str | None = None

    @classmethod
    def parse(cls, raw: object) -> PageOptions:
        """Validate `raw` (a JSON object); raise `OptionError` naming the first bad field."""
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise OptionError("", "options must be a JSON object")
        unknown = set(raw) - set(cls.__dataclass_fields__)
        if unknown:
            raise OptionError(sorted(unknown)[0], f"unknown option; known: {', '.join(cls.__dataclass_fields__)}")
        for name, value in raw.items():
            if value is not None and not isinstance(value, str):
                raise OptionError(name, "must be a string")
            if value is not None and len(value) > MAX_TEXT:
                raise OptionError(name, f"must be at most {MAX_TEXT} characters")
        options = cls(**raw)
        width, height = options.page_points()
        top, right, bottom, left = options.margins()
        if width - left - right < MIN_CONTENT or height - top - bottom < MIN_CONTENT:
            raise OptionError(
                "margin",
                f"the margins leave less than 1 in of the {width / 72:.2f} in x {height / 72:.2f} in page for the "
                "content; make them smaller or the page larger",
            )
        return options

    def as_dict(self) -> dict[str, str]:
        return {name: value for name, value in asdict(self).items() if value is not None}

    def page_points(self) -> tuple[float, float]:
        """The page's width and height in points."""
        size = (self.page_size or "a4").strip().lower()
        if size in PAGE_SIZES:
            width, height = PAGE_SIZES[size]
        else:
            parts = size.split()
            if len(parts) != 2:
                raise OptionError(
                    "page_size", f"{self.page_size!r} is not A3, A4, A5, B4, B5, Letter, Legal or 'width height'"
                )
            width, height = (_points(part, "page_size") for part in parts)
        if self.orientation not in (None, "portrait", "landscape"):
            raise OptionError("orientation", "must be 'portrait' or 'landscape'")
        if self.orientation is not None and (self.orientation == "landscape") != (width > height):
            width, height = height, width
        if not (72 <= width <= 14400 and 72 <= height <= 14400):
            raise OptionError("page_size", "each side must be between 1 in and 200 in")
        return width, height

    def margins(self) -> tuple[float, float, float, float]:
        """Top, right, bottom and left margins in points (CSS shorthand order)."""
        if self.margin is None:
            values = [DEFAULT_MARGIN]
        else:
            values = [_points(part, "margin") for part in self.margin.split()]
            if not 1 <= len(values) <= 4:
                raise OptionError("margin", "give 1 to 4 lengths, as in CSS: '2cm' or '2cm 1.5cm'")
        top, right, bottom, left = _expand(values)
        if self.header_html:
            top = max(top, BAND_MARGIN)
        if self.footer_html:
            bottom = max(bottom, BAND_MARGIN)
        return top, right, bottom, left

    def is_empty(self) -> bool:
        return not self.as_dict()

    def apply(self, html: str) -> str:
        """`html` with these options added as an @page rule, frames and metadata tags."""
        if self.is_empty():
            return html
        width, height = self.page_points()
        top, right, bottom, left = self.margins()
        frames = []
        extra = []
        if self.header_html:
            frames.append(_frame("x2p_header", left, right, f"top: {top * 0.25:.1f}pt", top * 0.6))
            extra.append(f'<div id="x2p_header">{_numbered(self.header_html)}</div>')
        if self.footer_html:
            frames.append(_frame("x2p_footer", left, right, f"bottom: {bottom * 0.25:.1f}pt", bottom * 0.6))
            extra.append(f'<div id="x2p_footer">{_numbered(self.footer_html)}</div>')
        page = (
            f"@page {{ size: {width:.2f}pt {height:.2f}pt; "
            f"margin: {top:.1f}pt {right:.1f}pt {bottom:.1f}pt {left:.1f}pt; {' '.join(frames)} }}"
        )
        meta = []
        if self.title is not None:
            meta.append(f"<title>{html_lib.escape(self.title)}</title>")
        for name in ("author", "subject"):
            value = getattr(self, name)
            if value is not None:
                meta.append(f'<meta name="{name}" content="{html_lib.escape(value)}">')
        if meta:
            # In a block of its own: <title> takes whatever text is still pending.
            extra.append(f"<div>{''.join(meta)}</div>")
        # Appended: xhtml2pdf reads styles and metadata wherever they stand,
        # and the last @page and <title> win over the document's own.
        return f"{html}<style>{page}</style>{''.join(extra)}"


def _points(text: str, field: str) -> float:
    match = _LENGTH.match(text)
    if match is None:
        raise OptionError(field, f"{text!r} is not a length such as '2cm', '15mm', '1in' or '72pt'")
    return float(match.group(1)) * UNITS[match.group(2)]


def _expand(values: list[float]) -> tuple[float, float, float, float]:
    if len(values) == 1:
        return values[0], values[0], values[0], values[0]
    if len(values) == 2:
        return values[0], values[1], values[0], values[1]
    if len(values) == 3:
        return values[0], values[1], values[2], values[1]
    return values[0], values[1], values[2], values[3]


def _frame(name: str, left: float, right: float, position: str, height: float) -> str:
    return (
        f"@frame {name}_frame {{ -pdf-frame-content: {name}; left: {left:.1f}pt; right: {right:.1f}pt; "
        f"{position}; height: {height:.1f}pt; }}"
    )


def _numbered(fragment: str) -> str:
    """Header and footer HTML with {page} and {pages} as xhtml2pdf's page tags."""
    return fragment.replace("{page}", "<pdf:pagenumber/>").replace("{pages}", "<pdf:pagecount/>")
