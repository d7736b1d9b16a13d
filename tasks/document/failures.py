"""Turn render exceptions into a stable code and a message a user can act on, never library text."""

from __future__ import annotations

from lxml import etree
from reportlab.pdfbase.ttfonts import TTFError
from reportlab.platypus.doctemplate import LayoutError
from xhtml2pdf.config.resources import RenderLimitError

from tasks.document.assets import AssetError
from tasks.document.bounds import MAX_MESSAGE, clip

# A failed job's `error`: the same {"code", "message"} shape as every HTTP error.
Failure = dict[str, str]

#: What a library raises on input it cannot handle. A step the render can do without (the preparation
#: stage, a split's analysis) catches these and goes on; never `Exception`, which would take a time
#: limit, a cancel or a shutdown (Celery's are Exceptions) for a bad document and carry on past it.
INPUT_FAULTS: tuple[type[Exception], ...] = (
    ArithmeticError,
    AssertionError,
    AttributeError,
    LookupError,
    OSError,
    TypeError,
    ValueError,
    etree.LxmlError,
)

# xhtml2pdf's and ReportLab's messages can quote fetched files or the
# document's internals: they go to the worker log, never to the user.
_MESSAGES: list[tuple[type[BaseException], str, str]] = [
    (
        LayoutError,
        "layout",
        "Something in the document is taller or wider than a page (a large image, "
        "a table row or a font size) and cannot be split across pages. Make it "
        "smaller or allow it to break.",
    ),
    (
        RenderLimitError,
        "render_limit",
        "The document goes beyond what the service renders (too large, too deeply "
        "nested, too many or too large images, or too slow). Simplify it or split it.",
    ),
    (
        TTFError,
        "bad_font",
        "A font in the document could not be read. Check the @font-face rules: fonts must be TrueType, "
        "OpenType, WOFF or WOFF2 files.",
    ),
    (
        MemoryError,
        "out_of_memory",
        "The document needs more memory than a render may use (very large images?). Reduce the size of its images.",
    ),
    (
        RecursionError,
        "too_deep",
        "The document nests elements too deeply to render. Flatten its structure.",
    ),
]


class RenderFailed(Exception):
    """A render ended with a stable `code` and a message that is safe to show to the user (and short)."""

    def __init__(self, message: str, code: str = "invalid_document") -> None:
        super().__init__(clip(message, MAX_MESSAGE))  # it can quote the document: an archive entry's name
        self.code = code

    @property
    def error(self) -> Failure:
        """The job's `error` object."""
        return {"code": self.code, "message": str(self)}


class LimitExceeded(RenderFailed):
    """The document went past one of the service's configured limits."""


def too_many_pages(limit: int) -> LimitExceeded:
    return LimitExceeded(
        f"The document runs past {limit} pages, the most this service renders. Split it.", "too_many_pages"
    )


def too_deeply_nested(limit: int) -> LimitExceeded:
    return LimitExceeded(
        f"The HTML nests elements more than {limit} levels deep. Close its tags or flatten its structure.",
        "too_deeply_nested",
    )


class PreparationLimitExceeded(LimitExceeded, RenderLimitError):
    """A limit the preparation stage found: also xhtml2pdf's `RenderLimitError`, which the stage's
    fallback ("render it as written") lets through, as it does the render's own limits."""


def css_too_deeply_nested(limit: int) -> LimitExceeded:
    return PreparationLimitExceeded(
        f"The CSS nests blocks, brackets or parentheses more than {limit} levels deep. Flatten its rules and values.",
        "too_deeply_nested",
    )


def pdf_too_large(size: int, limit: int) -> LimitExceeded:
    return LimitExceeded(
        f"The PDF would be {size // 2**20} MiB, more than the {limit // 2**20} MiB this service keeps. "
        "Use smaller images or split the document.",
        "pdf_too_large",
    )


def describe(exc: BaseException) -> RenderFailed:
    """The user-facing reason a render failed, with its code."""
    if isinstance(exc, RenderFailed):
        return exc
    if isinstance(exc, AssetError):
        return RenderFailed(str(exc), exc.code)
    for kind, code, message in _MESSAGES:
        if isinstance(exc, kind):
            return RenderFailed(message, code)
    return RenderFailed(
        f"xhtml2pdf could not render this document ({type(exc).__name__}). Check it for unusual markup, CSS or images."
    )


def worker_lost(times: int) -> RenderFailed:
    return RenderFailed(
        f"The worker rendering this document stopped unexpectedly {times} times "
        "(out of memory or killed). The document was not converted.",
        "worker_lost",
    )


def timed_out(seconds: float) -> RenderFailed:
    return RenderFailed(
        f"The document took longer than {seconds:g} s to render and was stopped. "
        "Split it into smaller documents or simplify its layout.",
        "render_timeout",
    )


def part_failed(index: int, name: str, reason: RenderFailed) -> RenderFailed:
    """Part `index` (from 0) of a many-part job failed: the job's failure names the part."""
    return RenderFailed(f"Part {index + 1} ({clip(name)}) failed: {reason}", "part_failed")


def part_missing(index: int, name: str) -> RenderFailed:
    """Part `index`'s PDF is not there for the join."""
    return part_failed(index, name, RenderFailed(PART_MISSING))


def part_unreadable(index: int, name: str) -> RenderFailed:
    """Part `index`'s PDF could not be read for the join."""
    return part_failed(index, name, RenderFailed(PART_UNREADABLE))


def split_mismatch() -> RenderFailed:
    """The parts of a split document did not line up when joined."""
    return RenderFailed(SPLIT_MISMATCH, "split_mismatch")


PART_MISSING = "its PDF is missing (it was not rendered, or it was lost). Submit the document again."
PART_UNREADABLE = "its PDF could not be read for the join. Submit the document again."
SPLIT_MISMATCH = (
    "The parts of this document did not line up when joined. Submit it again with "
    '"split": "never" to render it in one piece.'
)
