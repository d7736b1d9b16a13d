"""Turn render exceptions into messages a user can act on, never library text."""

from __future__ import annotations

from reportlab.pdfbase.ttfonts import TTFError
from reportlab.platypus.doctemplate import LayoutError
from xhtml2pdf.config.resources import RenderLimitError

from tasks.assets import AssetError

# xhtml2pdf's and ReportLab's messages can quote fetched files or the
# document's internals: they go to the worker log, never to the user.
_MESSAGES: list[tuple[type[BaseException], str]] = [
    (
        LayoutError,
        "Something in the document is taller or wider than a page (a large image, "
        "a table row or a font size) and cannot be split across pages. Make it "
        "smaller or allow it to break.",
    ),
    (
        RenderLimitError,
        "The document goes beyond what the service renders (too large, too deeply "
        "nested, too many or too large images, or too slow). Simplify it or split it.",
    ),
    (
        TTFError,
        "A font in the document could not be read. Check the @font-face rules: fonts must be TrueType, "
        "OpenType, WOFF or WOFF2 files.",
    ),
    (
        MemoryError,
        "The document needs more memory than a render may use (very large images?). Reduce the size of its images.",
    ),
    (
        RecursionError,
        "The document nests elements too deeply to render. Flatten its structure.",
    ),
]


class RenderFailed(Exception):
    """A render ended with a message that is safe to show to the user."""


class LimitExceeded(RenderFailed):
    """The document went past one of the service's configured limits."""


def too_many_pages(limit: int) -> LimitExceeded:
    return LimitExceeded(f"The document runs past {limit} pages, the most this service renders. Split it.")


def pdf_too_large(size: int, limit: int) -> LimitExceeded:
    return LimitExceeded(
        f"The PDF would be {size // 2**20} MiB, more than the {limit // 2**20} MiB this service keeps. "
        "Use smaller images or split the document."
    )


def describe(exc: BaseException) -> str:
    """The user-facing reason a render failed."""
    if isinstance(exc, RenderFailed | AssetError):
        return str(exc)
    for kind, message in _MESSAGES:
        if isinstance(exc, kind):
            return message
    return (
        f"xhtml2pdf could not render this document ({type(exc).__name__}). Check it for unusual markup, CSS or images."
    )


def worker_lost(times: int) -> str:
    return (
        f"The worker rendering this document stopped unexpectedly {times} times "
        "(out of memory or killed). The document was not converted."
    )


def timed_out(seconds: float) -> str:
    return (
        f"The document took longer than {seconds:g} s to render and was stopped. "
        "Split it into smaller documents or simplify its layout."
    )
