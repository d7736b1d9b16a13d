"""The engine made faster on long documents, with exactly the output it gives (issue 23): put in, taken out.

The speedups themselves are tasks/render/fast_cascade.py (selector matching remembered for the parse of a
document) and tasks/render/fast_layout.py (line breaking and PDF writing); this module puts each in place of
what it replaces, runs the cascade's memory for the length of a parse, and takes them all out again for a
comparison (`disabled`). tests/test_speedups.py renders documents with and without them: the same pages, the
same words at the same places, the same bytes but for a PDF's dates and ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from reportlab.lib import colors
from reportlab.pdfbase import cidfonts, pdfdoc, pdfutils
from reportlab.pdfgen import canvas, pathobject, pdfimages, textobject
from xhtml2pdf import context as x2p_context
from xhtml2pdf import document as x2p_document
from xhtml2pdf import parser as x2p_parser
from xhtml2pdf import reportlab_paragraph as x2p_paragraph
from xhtml2pdf.w3c import css as x2p_css
from xhtml2pdf.w3c import cssDOMElementInterface as x2p_element

from tasks.render import fast_cascade, fast_layout
from tasks.render.fast_cascade import _state

# When the memory lives: from the first look at a parsed document to the end of its parse.

_original_parser = x2p_document.pisaParser
_original_check_depth = x2p_parser._check_depth
_original_add_toc = x2p_context.pisaContext.addTOC


def parse(*args: Any, **kwargs: Any) -> Any:
    """xhtml2pdf's parser, with the cascade's memory for the document it reads, forgotten at the end."""
    _state.parsing = True
    try:
        return _original_parser(*args, **kwargs)
    finally:
        _state.parsing = False
        _state.memo = _state.positions = None


def check_depth(document: Any, limit: int | None) -> None:
    """xhtml2pdf's depth check of the document it has just parsed; then the memory starts, if it may."""
    _original_check_depth(document, limit)
    if _state.parsing and fast_cascade.normalised_names(document):
        _state.memo, _state.positions = {}, {}


def add_toc(self: Any, *args: Any, **kwargs: Any) -> Any:
    """xhtml2pdf's `<pdf:toc>`: it rewrites its element's class, so what was remembered is let go."""
    _state.memo = None
    return _original_add_toc(self, *args, **kwargs)


_original_reset = x2p_document.reset_caches


def reset_caches() -> None:
    """xhtml2pdf's end of a render: its caches dropped, and what fast_layout remembered."""
    _original_reset()
    fast_layout.forget()


#: (owner, attribute, replacement) for each change, and the original it replaces.
_CHANGES: list[tuple[Any, str, Any]] = [
    (x2p_css.CSSSelectorCombinationQualifier, "matches", fast_cascade.combination_matches),
    (x2p_css.CSSSelectorBase, "matches", fast_cascade.selector_matches),
    (x2p_css.CSSSelectorClassQualifier, "matches", fast_cascade.class_matches),
    (x2p_element.CSSDOMElementInterface, "getAttr", fast_cascade.get_attr),
    (x2p_parser, "getElementPosition", fast_cascade.element_position),
    (x2p_parser, "_check_depth", check_depth),
    (x2p_context.pisaContext, "addTOC", add_toc),
    # Line breaking (tasks/render/fast_layout.py).
    (x2p_context.PmlParaFrag, "clone", fast_layout.clone),
    (x2p_paragraph, "getAscentDescent", fast_layout.ascent_descent),
    (x2p_paragraph, "split", fast_layout.split_words),
    (x2p_paragraph.Paragraph, "_brokenLines", fast_layout.broken_lines),
    (x2p_paragraph.Paragraph, "split", fast_layout.split),
    (x2p_paragraph, "_split_blParaHard", fast_layout.split_hard),
    (x2p_paragraph, "FragLine", fast_layout.frag_line),
    (x2p_paragraph, "ParaLines", fast_layout.para_lines),
    (x2p_paragraph, "_sameFrag", fast_layout.same_frag),
    (x2p_document, "reset_caches", reset_caches),
    # Writing the PDF: each module holds its own reference to ReportLab's pure-Python encoders.
    *((module, "asciiBase85Encode", fast_layout.base85) for module in (pdfdoc, pdfimages, pdfutils)),
    *((module, "escapePDF", fast_layout.escape) for module in (pdfdoc, canvas, cidfonts)),
    *((module, "fp_str", fast_layout.fp_str) for module in (canvas, textobject, pathobject, pdfdoc, pdfimages, colors)),
    (x2p_paragraph, "needs_bidi", fast_layout.needs_bidi),
]
_originals: dict[tuple[int, str], Any] = {}


def install() -> None:
    """Put each speedup in place (tasks/render/patches.py calls this once, after its own changes)."""
    global _original_parser
    for owner, name, replacement in _CHANGES:
        _originals.setdefault((id(owner), name), getattr(owner, name))
        setattr(owner, name, replacement)
    _original_parser = _originals.setdefault((id(x2p_document), "pisaParser"), x2p_document.pisaParser)
    x2p_document.pisaParser = parse


@contextmanager
def disabled() -> Iterator[None]:
    """xhtml2pdf (with the service's other patches) as it runs without these, while inside: for comparing."""
    for owner, name, _ in _CHANGES:
        setattr(owner, name, _originals[(id(owner), name)])
    x2p_document.pisaParser = _original_parser
    try:
        yield
    finally:
        install()
