"""The fidelity benchmark's figures against issue 14's targets, and its per-document table."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from bench.fidelity.corpus import Document
from bench.fidelity.engines import Rendered
from bench.fidelity.metrics import SIZE_TOLERANCE, TOLERANCE, Comparison
from bench.report import Figure, at_least, info

MIN_RECALL = 0.97
MIN_LAYOUT = 0.6
MIN_SIZE_SHARE = 80.0


@dataclass
class Row:
    """One document rendered three ways, the two xhtml2pdf renders compared with Chromium's."""

    document: Document
    reference: Rendered
    ours: Rendered
    stock: Rendered
    ours_vs: Comparison | None
    stock_vs: Comparison | None


@dataclass(frozen=True)
class PageCount:
    """One xhtml2pdf sample's page count, stock and through the service."""

    name: str
    ours: Rendered
    stock: Rendered

    @property
    def kept(self) -> bool:
        return self.ours.pdf is not None and self.ours.pages == self.stock.pages


def _share(values: list[bool]) -> float:
    return 100.0 * sum(values) / len(values) if values else 0.0


def _of(rows: list[Row], engine: str) -> tuple[list[Rendered], list[Comparison | None]]:
    if engine == "service":
        return [row.ours for row in rows], [row.ours_vs for row in rows]
    return [row.stock for row in rows], [row.stock_vs for row in rows]


def engine_figures(rows: list[Row], engine: str, targets: bool) -> list[Figure]:
    """The four per-document targets for one engine (without a target for stock xhtml2pdf)."""
    rendered, comparisons = _of(rows, engine)
    made = [comparison for comparison in comparisons if comparison is not None]
    # A document that does not render has found none of its words, placed none, sized none.
    recalls = [comparison.recall if comparison else 0.0 for comparison in comparisons]
    layouts = [comparison.layout if comparison else 0.0 for comparison in comparisons]
    sized = [bool(comparison and comparison.size_agrees) for comparison in comparisons]
    ratios = [comparison.size_ratio for comparison in made if comparison.size_ratio is not None]
    values = [
        ("documents that render", _share([item.pdf is not None for item in rendered]), "%", 100.0),
        ("lowest text recall", min(recalls, default=0.0), "", MIN_RECALL),
        ("mean layout agreement, page 1", statistics.fmean(layouts) if layouts else 0.0, "", MIN_LAYOUT),
        (f"documents with text size within {SIZE_TOLERANCE:.0%}", _share(sized), "%", MIN_SIZE_SHARE),
    ]
    figures = [
        at_least(f"{engine}: {label}", value, unit, limit) if targets else info(f"{engine}: {label}", value, unit)
        for label, value, unit, limit in values
    ]
    figures.append(info(f"{engine}: median text size ratio (to Chromium)", statistics.median(ratios or [0.0]), "x"))
    figures.append(info(f"{engine}: render time, all documents", sum(item.seconds for item in rendered), "s"))
    return figures


def page_count_figure(counts: list[PageCount], targets: bool) -> Figure:
    """Share of xhtml2pdf's samples that stock renders whose page count the service keeps."""
    comparable = [count.kept for count in counts if count.stock.pdf is not None]
    label = "service: xhtml2pdf corpus keeps stock's page count"
    return at_least(label, _share(comparable), "%", 100.0) if targets else info(label, _share(comparable), "%")


def _pair(ours: float | None, stock: float | None, digits: int = 2) -> str:
    shown = ["–" if value is None else f"{value:.{digits}f}" for value in (ours, stock)]
    return " / ".join(shown)


def _cell(rendered: Rendered, comparison: Comparison | None, field: str) -> float | None:
    if rendered.pdf is None or comparison is None:
        return None
    value: float | None = getattr(comparison, field)
    return value


def table(rows: list[Row]) -> list[str]:
    """The per-document table (markdown), service first, stock xhtml2pdf second."""
    lines = [
        "| document | pages: Chromium / service / stock | text recall | layout, page 1 | text size | "
        "seconds: service / stock / Chromium |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        pages = " / ".join(
            str(item.pages) if item.pdf is not None else f"fails ({item.error})"
            for item in (row.reference, row.ours, row.stock)
        )
        cells = [
            _pair(_cell(row.ours, row.ours_vs, field), _cell(row.stock, row.stock_vs, field))
            for field in ("recall", "layout", "size_ratio")
        ]
        seconds = " / ".join(f"{item.seconds:.2f}" for item in (row.ours, row.stock, row.reference))
        lines.append(f"| {row.document.name} | {pages} | {' | '.join(cells)} | {seconds} |")
    return lines


def groups(rows: list[Row]) -> list[str]:
    """Mean layout agreement and lowest recall per group of documents, both engines."""
    lines = []
    for group in dict.fromkeys(row.document.group for row in rows):
        members = [row for row in rows if row.document.group == group]
        parts = []
        for engine in ("service", "stock"):
            _, comparisons = _of(members, engine)
            layouts = [comparison.layout if comparison else 0.0 for comparison in comparisons]
            recalls = [comparison.recall if comparison else 0.0 for comparison in comparisons]
            parts.append(f"{engine} mean layout {statistics.fmean(layouts):.2f}, lowest recall {min(recalls):.2f}")
        lines.append(f"- **{group}** ({len(members)} documents): " + "; ".join(parts) + ".")
    return lines


def reports(rows: list[Row]) -> list[str]:
    """The service's own fidelity report per document, where it says anything."""
    lines = []
    for row in rows:
        report = row.ours.report or {}
        said = {key: value for key, value in report.items() if key != "mode" and value}
        if said or report.get("mode", "xhtml2pdf") != "xhtml2pdf":
            lines.append(
                f"  - {row.document.name}: mode {report.get('mode')}; "
                + "; ".join(f"{key} {value}" for key, value in said.items())
            )
    if not lines:
        return ["- The service's fidelity reports (job JSON) were empty for every document."]
    return ["- The service's fidelity reports (job JSON), where not empty:", *lines]


def page_count_lines(counts: list[PageCount]) -> list[str]:
    """What the page-count check found, naming every sample that differs or fails."""
    stock_renders = [count for count in counts if count.stock.pdf is not None]
    fails = [f"{count.name} ({count.stock.error})" for count in counts if count.stock.pdf is None]
    differ = [
        f"{count.name} ({count.stock.pages} → {count.ours.pages if count.ours.pdf else 'fails: ' + count.ours.error})"
        for count in stock_renders
        if not count.kept
    ]
    kept = len(stock_renders) - len(differ)
    lines = [
        f"- **xhtml2pdf's samples, page counts**: {len(counts)} documents; stock xhtml2pdf renders "
        f"{len(stock_renders)}; the service keeps the page count of {kept} of them."
    ]
    if differ:
        lines.append(f"  Different: {', '.join(differ)}.")
    if fails:
        lines.append(f"  Stock fails (not counted): {', '.join(fails)}.")
    return lines


METHOD = (
    f"- Method: each document rendered once per engine: the service's renderer (as the worker renders a zip "
    "upload: decoded as the web tier decodes, the server resource policy with reads inside the upload's "
    "folder), stock xhtml2pdf (`pisaDocument` defaults) and Chromium's print (the reference). Words from "
    "`pdftotext -bbox`, compared after NFKC + case folding, punctuation at a word's edges dropped. Text recall: "
    "share of the reference's words found in ours (multiset, all pages). Layout: share of the reference's "
    "page-1 words whose match on our page 1 (difflib over the word sequences) has its centre within "
    f"{TOLERANCE:.0%} of the page width and {TOLERANCE:.0%} of the page height of the reference's, positions "
    "divided by the page size. Text size: median over the matched page-1 words of our width / the reference's. "
    "A document that does not render counts 0 for recall and layout. Figures are service / stock."
)
