"""Page size, margins, header, footer and metadata from a request, as xhtml2pdf's own CSS."""

from __future__ import annotations

import contextlib
import html as html_lib
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace

from reportlab.lib import pagesizes

from tasks.document.modes import WRITTEN_FOR
from tasks.document.page_rules import DocumentPage, document_page, expand_sides, nested_blocks
from tasks.document.units import PAGE_SIDES, POINTS_PER_UNIT, page_fits

#: The mark a prepared document carries when it is laid out wider than the paper and its pages are to be
#: shrunk back to it (tasks/prepare/shrink.py, tasks/render/shrink.py).
SHRINK_META = "html2pdf-shrink"
#: The most Chromium's print shrinks a page whose content is too wide (measured: a 1,200 px line on A4
#: prints at 1/1.5; wider content is clipped at that scale, not shrunk further).
MAXIMUM_SHRINK = 1.5
_SHRINK_MARK = re.compile(rf"<meta name=\"{SHRINK_META}\" content=\"[\d.]+\">")

PAGE_SIZES = {name: getattr(pagesizes, name.upper()) for name in ("a3", "a4", "a5", "b4", "b5", "letter", "legal")}
_LENGTH = re.compile(r"(\d+(?:\.\d+)?)(pt|px|mm|cm|in)")
# One length as written, a number and whatever word follows it kept together, so an error
# quotes "2 cm" (CSS allows no space there) rather than "2".
_TOKEN = re.compile(r"\d+(?:\.\d+)?(?:\s*[A-Za-z%]+)?|\S+")
DEFAULT_MARGIN = 1.0 * POINTS_PER_UNIT["cm"]
BAND_MARGIN = 2.5 * POINTS_PER_UNIT["cm"]  # top/bottom margin that leaves room for a header or footer
MAX_TEXT = 2000
PAGE_FIELDS = ("page_size", "orientation", "margin", "header_html", "footer_html")
NO_PAGE = DocumentPage()
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
    #: Who the document was written for: "browser", "xhtml2pdf", or "auto" (tasks/prepare decides).
    written_for: str | None = None

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
        if options.written_for not in (None, *WRITTEN_FOR):
            raise OptionError("written_for", f"must be one of {', '.join(WRITTEN_FOR)}")
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

    def page_points(self, document_size: str | None = None) -> tuple[float, float]:
        """The page's width and height in points; without `page_size`, the document's own size turned."""
        if not self.page_size and document_size:
            words = document_size.lower().split()
            size = " ".join(word for word in words if word not in ("portrait", "landscape")) or None
            turned = self.orientation or ("landscape" if "landscape" in words else None)
            with contextlib.suppress(OptionError):  # a size only xhtml2pdf understands: A4 then
                return replace(self, page_size=size, orientation=turned).page_points()
        size = (self.page_size or "a4").strip().lower()
        if size in PAGE_SIZES:
            width, height = PAGE_SIZES[size]
        else:
            parts = _TOKEN.findall(size)
            if len(parts) != 2:
                raise OptionError(
                    "page_size", f"{self.page_size!r} is not A3, A4, A5, B4, B5, Letter, Legal or 'width height'"
                )
            width, height = (_points(part, "page_size") for part in parts)
        if self.orientation not in (None, "portrait", "landscape"):
            raise OptionError("orientation", "must be 'portrait' or 'landscape'")
        if self.orientation is not None and (self.orientation == "landscape") != (width > height):
            width, height = height, width
        if not page_fits(width, height):
            raise OptionError("page_size", PAGE_SIDES)
        return width, height

    def margins(self, own: DocumentPage = NO_PAGE) -> tuple[float, float, float, float]:
        """Top, right, bottom and left margins in points (CSS shorthand order).

        The option's, else the document's own @page rule's, else xhtml2pdf's
        default; a header or footer widens only a margin nobody set.
        """
        if self.margin:
            values = [_points(part, "margin") for part in _TOKEN.findall(self.margin)]
            if not 1 <= len(values) <= 4:
                raise OptionError("margin", "give 1 to 4 lengths, as in CSS: '2cm' or '2cm 1.5cm'")
            return expand_sides(values)
        texts = own.margin_texts()
        unset = 0.0 if own.found else DEFAULT_MARGIN  # as xhtml2pdf: an @page rule's margins start at 0
        top, right, bottom, left = (
            _length(texts[side]) if side in texts else unset for side in ("top", "right", "bottom", "left")
        )
        if self.header_html and "top" not in texts:
            top = max(top, BAND_MARGIN)
        if self.footer_html and "bottom" not in texts:
            bottom = max(bottom, BAND_MARGIN)
        return top, right, bottom, left

    def is_empty(self) -> bool:
        """Nothing to change on the page (`written_for` is not about the page)."""
        return not (self.as_dict().keys() - {"written_for"})

    def sets_page(self) -> bool:
        """Whether any option changes the page itself (not only the metadata)."""
        return any(getattr(self, name) for name in PAGE_FIELDS)

    def apply(self, html: str) -> str:
        """`html` with these options added to its own @page rule, and their frames and metadata tags.

        What is not sent keeps what the document says: its size, margins and frames.
        """
        extra: list[str] = []
        if self.sets_page():
            # The page sent replaces the document's own, and with it any shrinking to fit (tasks/prepare/shrink.py).
            html = _SHRINK_MARK.sub("", html, count=1)
            own = document_page(html)
            rule = self._page_rule(own, extra)
            # In the document's own rule's place: xhtml2pdf uses the last plain @page rule, whole.
            html = f"{html[: own.start]}{rule}{html[own.end :]}" if own.found else f"{html}<style>{rule}</style>"
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
        # Appended: xhtml2pdf reads metadata wherever it stands, and the last <title> wins.
        return f"{html}{''.join(extra)}"

    def _page_rule(self, own: DocumentPage, content: list[str]) -> str:
        """The document's @page rule with the options sent written over it; frame contents go to `content`."""
        declarations = dict(own.declarations)
        if self.page_size or self.orientation:
            width, height = self.page_points(own.declarations.get("size"))
            declarations["size"] = f"{width:.2f}pt {height:.2f}pt"
        top, right, bottom, left = self.margins(own)
        if self.margin or not own.found:
            for name in [name for name in declarations if name == "margin" or name.startswith("margin-")]:
                del declarations[name]
            declarations["margin"] = f"{top:.1f}pt {right:.1f}pt {bottom:.1f}pt {left:.1f}pt"
        frames = nested_blocks(own.body)
        if self.header_html:
            declarations.setdefault("margin-top", f"{top:.1f}pt")
            frames.append(_frame("x2p_header", left, right, f"top: {top * 0.25:.1f}pt", top * 0.6))
            content.append(f'<div id="x2p_header">{_numbered(self.header_html)}</div>')
        if self.footer_html:
            declarations.setdefault("margin-bottom", f"{bottom:.1f}pt")
            frames.append(_frame("x2p_footer", left, right, f"bottom: {bottom * 0.25:.1f}pt", bottom * 0.6))
            content.append(f'<div id="x2p_footer">{_numbered(self.footer_html)}</div>')
        body = "; ".join(f"{name}: {value}" for name, value in declarations.items())
        return f"@page {{ {body}; {' '.join(frames)} }}"


def _length(text: str) -> float:
    """A length the document wrote, in points; xhtml2pdf's default margin for one this cannot read."""
    if text.strip() == "0":
        return 0.0
    match = _LENGTH.fullmatch(text.strip().lower())
    return float(match.group(1)) * POINTS_PER_UNIT[match.group(2)] if match else DEFAULT_MARGIN


def _points(text: str, field: str) -> float:
    match = _LENGTH.fullmatch(text)
    if match is None:
        raise OptionError(field, f"{text!r} is not a length such as '2cm', '15mm', '1in' or '72pt'")
    return float(match.group(1)) * POINTS_PER_UNIT[match.group(2)]


def _frame(name: str, left: float, right: float, position: str, height: float) -> str:
    return (
        f"@frame {name}_frame {{ -pdf-frame-content: {name}; left: {left:.1f}pt; right: {right:.1f}pt; "
        f"{position}; height: {height:.1f}pt; }}"
    )


def _numbered(fragment: str) -> str:
    """Header and footer HTML with {page} and {pages} as xhtml2pdf's page tags."""
    return fragment.replace("{page}", "<pdf:pagenumber/>").replace("{pages}", "<pdf:pagecount/>")
