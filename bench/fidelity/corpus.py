"""The fidelity corpus: browser-styled documents kept here, and the team's shared corpus by reference."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent / "corpus"
REPO = Path(__file__).resolve().parents[2]
ENV = "BENCH_SHARED_CORPUS"

# Browser-styled documents gathered from public repositories (bench/fidelity/SOURCES.md).
BROWSER = (
    "weasyprint-report/report.html",
    "weasyprint-invoice/invoice.html",
    "weasyprint-letter/letter.html",
    "weasyprint-ticket/ticket.html",
    "sparksuite-invoice/invoice.html",
    "anvil-invoice/index.html",
    "bootstrap-invoice/invoice.html",
    "bootdey-bill/printbill.html",
    "preline-invoice/invoice.html",
    "eforms-invoice/form.html",
    "pagedjs-counter-pages/counter-pages.html",
)
WEASYPERF = ("columns/columns.html", "html5/html5.html", "json/json.html", "odyssey/odyssey.html")
# A handful of xhtml2pdf's own samples go through the whole comparison; all of them through the page counts.
XHTML2PDF = (
    "testrender/simple-test.html",
    "testrender/test-list.html",
    "testrender/test-tables.html",
    "testrender/test-loremipsum.html",
    "manual_test/test-invoice.html",
)
QUICK_BROWSER = ("sparksuite-invoice/invoice.html", "bootstrap-invoice/invoice.html")
QUICK_XHTML2PDF = ("testrender/simple-test.html",)
QUICK_PAGE_COUNTS = 5


@dataclass(frozen=True)
class Document:
    """One document: where it is, and the folder it may read files from (a zip upload's root)."""

    name: str
    group: str
    path: Path
    base: Path
    #: What the service is told the document was written for (its `written_for` option).
    written_for: str = "auto"


def browser_documents(quick: bool = False) -> list[Document]:
    """The browser-styled documents; they share one folder of assets, as one zip upload would."""
    names = [name for name in BROWSER if name in QUICK_BROWSER] if quick else list(BROWSER)
    return [Document(name.split("/")[0], "browser", HERE / name, HERE) for name in names]


def shared_corpus() -> Path | None:
    """`<repo>/../shared/corpus` (or the main checkout's, from a git worktree, or $BENCH_SHARED_CORPUS)."""
    candidates = [Path(os.environ[ENV])] if os.environ.get(ENV) else []
    candidates.append(REPO.parent / "shared" / "corpus")
    common = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--path-format=absolute", "--git-common-dir"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if common:
        candidates.append(Path(common).parent.parent / "shared" / "corpus")
    return next((path for path in candidates if (path / "weasyperf").is_dir()), None)


def shared_documents(root: Path, quick: bool = False) -> list[Document]:
    """WeasyPerf's samples (not in quick runs: they are long) and a handful of xhtml2pdf's."""
    documents = []
    if not quick:
        for name in WEASYPERF:
            path = root / "weasyperf" / name
            if path.is_file():
                # Written for browsers and WeasyPrint (their README), as a user sending them would say:
                # two of the four carry no mark of the web that "auto" could tell them by.
                documents.append(Document(f"weasyperf/{path.stem}", "weasyperf", path, path.parent, "browser"))
    for name in QUICK_XHTML2PDF if quick else XHTML2PDF:
        path = root / "xhtml2pdf" / name
        if path.is_file():
            documents.append(Document(f"xhtml2pdf/{path.stem}", "xhtml2pdf", path, path.parent))
    return documents


def xhtml2pdf_documents(root: Path, quick: bool = False) -> list[Document]:
    """Every HTML document of xhtml2pdf's own samples, for the page-count check."""
    paths = sorted((root / "xhtml2pdf").rglob("*.html"))
    if quick:
        paths = paths[:QUICK_PAGE_COUNTS]
    return [
        Document(f"xhtml2pdf/{path.relative_to(root / 'xhtml2pdf').with_suffix('')}", "xhtml2pdf", path, path.parent)
        for path in paths
    ]
