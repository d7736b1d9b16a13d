"""Every change the service makes to xhtml2pdf, ReportLab and minidom, made by one call to `install()`.

The changes are process-wide and reach into the libraries' insides, so they hold only for the versions
they were written for: importing this module checks the installed ones against `WRITTEN_FOR` and
refuses to go on with any other. The replacements live with the domain they serve (fonts, tables,
progress); this module is where the libraries are changed. tests/test_patches.py proves each one
still does its job.

Beyond the names `install` replaces, these lean on library internals, guarded by the same check:
- tasks/render/table_layout.py: ContentSizedTable overrides ReportLab Table's `_wrapInside`, `_calc`,
  `_getFirstPossibleSplitRowPosition` and reads `_colWidths`, `_cellStyles`, `_spanCmds`,
  `_normWidth`, `_frame`; `table_cell` builds xhtml2pdf's private `_CellPart`; `spanned_columns_count`
  adds to the table data's `col_with_content`; `placeholders_in_column_order` sorts its `span`.
- tasks/render/overflow.py: FittingDocMixin overrides BaseDocTemplate's `handle_flowable`,
  `handle_keepWithNext` and `handle_frameEnd` and reads a frame's `_aH`, `_atTop`, a flowable's
  `_postponed`; tasks/render/hooks.py reads a frame's `_width` and `_height`.
- tasks/render/minidom_fix.py reads an element's `_attrsNS`.
- tasks/render/markers.py wraps xhtml2pdf's paragraph module's `_drawBullet` and calls its `_bulletWidth`.
- tasks/render/overflow.py's MeasuredKeepTogether reads a KeepTogether's `_content`; `pulling_up` wraps xhtml2pdf's
  block builder's `_stack` and rebuilds its entries.
- tasks/render/line_boxes.py replaces xhtml2pdf's paragraph module's `_maxLeadingExtent` and wraps its
  `Paragraph.drawPara`, reading a line's `ascent` and `descent` and a paragraph's `blPara` and `autoLeading`.
- tasks/render/rules.py sets ReportLab HRFlowable's `_width` and `_minWidth` and knows the width xhtml2pdf
  measures content at (`builders.flex.LARGE`); tasks/render/links.py reads the parse context's
  `anchorName` and `anchorFrag`.
- tasks/render/fidelity_sources.py reads the text of xhtml2pdf's warnings; tasks/split/css.py runs
  xhtml2pdf's cascade (`pisaContext`, `CSSCollect`, `pageBreakValue`) outside a render;
  tasks/prepare/cascade.py reads xhtml2pdf's `SUPPORTED_PROPERTIES`.
- tasks/render/speedups.py (issue 23: faster, the same bytes) replaces xhtml2pdf's `CSSSelectorBase.matches`,
  `CSSSelectorCombinationQualifier.matches`, `CSSSelectorClassQualifier.matches`, `CSSDOMElementInterface.getAttr`
  (reading minidom's `_attrs`), `getElementPosition`, `_check_depth`, `pisaContext.addTOC`,
  `PmlParaFrag.clone`, `Paragraph._brokenLines`, `reset_caches` and, in its paragraph module,
  `getAscentDescent`, `split` and `needs_bidi`; ReportLab's `asciiBase85Encode`, `escapePDF` and `fp_str`
  where its modules hold them; wraps `pisaParser`; reads the cascade's `_scope`, each selector's
  `completeName` and `qualifiers` (tasks/render/fast_cascade.py), and ReportLab's font table `pdfmetrics._fonts`
  (tasks/render/fast_layout.py).
  `speedups.disabled()` puts them all back.
- `add_object` below: pypdf's `PdfWriter._add_object`, for tasks/split/stamp.py.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from xml.dom import minidom

from pypdf import PdfWriter
from pypdf.generic import IndirectObject, PdfObject
from reportlab.pdfbase import ttfonts
from xhtml2pdf import context as x2p_context
from xhtml2pdf import default as x2p_default
from xhtml2pdf import document as x2p_document
from xhtml2pdf import parser as x2p_parser
from xhtml2pdf import reportlab_paragraph as x2p_paragraph
from xhtml2pdf import tables as x2p_tables
from xhtml2pdf import tags as x2p_tags
from xhtml2pdf.builders import block as x2p_block
from xhtml2pdf.builders import flex as x2p_flex
from xhtml2pdf.xhtml2pdf_reportlab import PmlImage, PmlTableOfContents

from tasks.fonts import cjk, fallback, families, scope, webfonts
from tasks.render import (
    drawings,
    hooks,
    line_boxes,
    links,
    markers,
    minidom_fix,
    missing_images,
    overflow,
    rules,
    speedups,
    table_layout,
)

#: The distributions the patches reach into, and the versions they were written for (requirements.txt pins them).
WRITTEN_FOR: dict[str, str] = {"xhtml2pdf": "0.2.28", "reportlab": "5.1.0", "pypdf": "7.1.0", "html5lib": "1.1"}


def installed_versions() -> dict[str, str | None]:
    """The installed version of each distribution in `WRITTEN_FOR`; None for one that is not installed."""
    found: dict[str, str | None] = {}
    for name in WRITTEN_FOR:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


def check_versions(found: Mapping[str, str | None]) -> None:
    """Raise RuntimeError naming the first library in `found` not at the version the patches were written for."""
    for name, expected in WRITTEN_FOR.items():
        version = found.get(name)
        if version != expected:
            raise RuntimeError(
                f"tasks/render/patches.py was written for {name} {expected}, but {name} "
                f"{version or '(not installed)'} is installed: check each patch against it (tests/test_patches.py), "
                "then update WRITTEN_FOR and the pin in requirements.txt"
            )


check_versions(installed_versions())

_installed = False
_added_families: dict[str, str] = {}


def install() -> None:
    """Make every change below to the libraries, once per process: later calls do nothing."""
    global _installed
    if _installed:
        return
    # Progress: xhtml2pdf has no progress API. Its parser loop recurses through this module global, so
    # the counting loop sees every element; the document template it builds gets ReportLab's progress
    # hook, scales what fits no page instead of failing with LayoutError, and refuses impossible pages.
    x2p_parser.pisaLoop = hooks.counting_loop
    x2p_document.PmlBaseDoc = hooks.ReportingDoc
    # Fonts: a fragment xhtml2pdf would draw in a face that lacks its characters is cut into runs, each
    # in a face that has them (Noto CJK, DejaVu); Arabic is shaped for the face that draws it.
    x2p_context.pisaContext._byCoverage = fallback.by_coverage
    x2p_context.shape_frag_text = fallback.shape_frag_text
    # <pdf:toc> entries are drawn as paragraphs in the TOC's style: their text gets the same faces.
    PmlTableOfContents.addEntry = fallback.toc_entry
    # ReportLab's ToUnicode CMap maps Arabic presentation forms back to the letters typed, and code
    # points past U+FFFF as UTF-16 (it wrote five hex digits, which readers reject): text extracts.
    ttfonts.makeToUnicodeCMap = fallback.to_unicode_cmap
    # A CID face a document names is drawn in the embedded Noto face of its kind, not left to the viewer.
    x2p_context.pisaContext.getFontNames = cjk.font_names
    # Common system and web font families stand for the built-in face of their kind (every document
    # copies this table): `Menlo, Consolas` is monospace, not Helvetica with a warning.
    _add_family_aliases()
    # A WOFF/WOFF2 font is measured before xhtml2pdf unpacks it: a compression bomb is refused.
    x2p_context.to_truetype = webfonts.checked_to_truetype
    # A document's @font-face is registered for its own render only (tasks/fonts/scope.py): ReportLab's
    # font tables are process-wide, and one job's `helvetica` had become every later job's.
    x2p_context.pisaContext.loadFont = scope.loading_font(x2p_context.pisaContext.loadFont)
    # <table> builds tables whose automatic columns are sized by content, and cells that are cut
    # across pages rather than shrunk to one (xhtml2pdf looks both names up in its tables module).
    x2p_tables.PmlTable = table_layout.ContentSizedTable
    x2p_tables.PmlKeepInFrame = table_layout.table_cell
    # A cell's `vertical-align` that is a length reached ReportLab's VALIGN as a tuple and failed the render.
    x2p_tables.pisaTagTD.start = table_layout.aligning_cell(x2p_tables.pisaTagTD.start)
    # A column reached only by spanning cells was taken for empty and fixed at its padding's width.
    x2p_tables.pisaTagTD.start = table_layout.spanned_columns_count(x2p_tables.pisaTagTD.start)
    # A cell after a rowspan's place and its row's own colspans was put under the rowspan, and not drawn.
    x2p_tables.TableData.get_data = table_layout.placeholders_in_column_order(x2p_tables.TableData.get_data)
    # A right-to-left table's spanning cells keep their content (it was left in a cell ReportLab does not draw).
    x2p_tables._mirror_columns = table_layout.mirroring_spans(x2p_tables._mirror_columns)
    # Values a browser takes in its stride and ReportLab did not (each failed the render): a row height
    # in percent (ContentSizedTable), an <hr> width left a string, a link to an anchor the document does
    # not have, an SVG transform that flattens its element.
    x2p_tags.HRFlowable = rules.HorizontalRule
    x2p_document.pisaParser = links.parse
    x2p_paragraph._doLink = links.draw_link
    PmlImage.getDrawing = drawings.drawing
    # An image that cannot be shown stands as its alt text, as in a browser (documents written for one).
    x2p_tags.pisaTagIMG.start = missing_images.showing_alt(x2p_tags.pisaTagIMG.start)
    # A page or frame break inside an inline-block or positioned box is left out of it, as a browser ignores it.
    x2p_flex.InlineBox.__init__ = overflow.breaks_inert_in_boxes(x2p_flex.InlineBox.__init__)
    # A group of blocks kept together is measured by what it holds, inner groups too (browser documents).
    x2p_parser.KeepTogether = hooks.kept_together
    # Browser documents only, and in place only while one renders (browser_layout): they sit on paths
    # taken for every line, which a document written for xhtml2pdf then takes without them.
    _BROWSER_ONLY[:] = [
        # A line is as tall as its line-height, its leading shared equally above and below.
        (x2p_paragraph, "_maxLeadingExtent", line_boxes.css_extent(x2p_paragraph._maxLeadingExtent)),
        (x2p_paragraph.Paragraph, "drawPara", line_boxes.first_line_lowered(x2p_paragraph.Paragraph.drawPara)),
        # A list's marker ends a space before the item's text, as a browser draws it.
        (x2p_paragraph, "_drawBullet", markers.before_the_text(x2p_paragraph._drawBullet)),
        (x2p_paragraph, "_handleBulletWidth", markers.no_first_line_overrun(x2p_paragraph._handleBulletWidth)),
        # A negative top margin pulls its block up inside a box too (its spacer of negative height).
        (x2p_block, "_stack", overflow.pulling_up(x2p_block._stack)),
    ]
    # An element with both `lang` and `xml:lang` (every XHTML 1.0 page's <html>) made minidom's
    # unlink raise KeyError after the document was read; html5lib files both under one key.
    minidom.Attr.unlink = minidom_fix.unlink_attr  # type: ignore[method-assign]
    # Faster, with the same answers: the cascade remembers per element what it worked out (tasks/render/speedups.py).
    speedups.install()
    _installed = True


#: (owner, name, replacement) for the changes `browser_layout` puts in place while a browser document renders.
_BROWSER_ONLY: list[tuple[Any, str, Any]] = []


@contextmanager
def browser_layout(browser: bool) -> Iterator[None]:
    """The changes only documents written for browsers get, in place while inside when `browser` is true.
    (Each also checks the render in progress, so one that outlives its render changes nothing else.)"""
    if not browser:
        yield
        return
    install()
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in _BROWSER_ONLY]
    for owner, name, replacement in _BROWSER_ONLY:
        setattr(owner, name, replacement)
    try:
        yield
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def _add_family_aliases() -> None:
    table = x2p_default.DEFAULT_FONT
    for family, face in families.aliases().items():
        if family not in table:
            table[family] = _added_families[family] = face


@contextmanager
def without_family_aliases() -> Iterator[None]:
    """xhtml2pdf's own table of font families while inside (for measuring the renderer as it was)."""
    install()
    for family in _added_families:
        x2p_default.DEFAULT_FONT.pop(family, None)
    try:
        yield
    finally:
        x2p_default.DEFAULT_FONT.update(_added_families)


def add_object(writer: PdfWriter, obj: PdfObject) -> IndirectObject:
    """`obj` as an indirect object of `writer`: pypdf has no public call for a new one (a form XObject,
    a content stream) but the private one its own methods use."""
    return writer._add_object(obj)
