"""Issue 23: the engine on its own (`written_for: xhtml2pdf`, one process, no split) against stock xhtml2pdf.

Two warm spawned processes, one per engine, so that the service's process-wide patches never reach stock:
each document is rendered by one and then the other, the order turning every round, and timed inside the
process (CPU seconds: the machine is shared, and CPU moves less with its load than wall time). Then a
sampling profile (bench/sampler.py) of one more render of each long document, by stock, by the engine
with its speedups taken out (tasks/render/speedups.py `disabled`) and by the engine as it runs: where the
time goes, before and after. Those two engine renders are also compared: the speedups may change no byte
of a PDF but its dates and ids.
"""

from __future__ import annotations

import multiprocessing
import re
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.documents import pages_html
from bench.fidelity.corpus import shared_corpus
from bench.report import Figure, Result, at_least, info
from bench.sampler import Sampler

TITLE = "the engine alone (written_for: xhtml2pdf) against stock xhtml2pdf, and where the time goes"
LONG = ("html5/html5.html", "json/json.html", "odyssey/odyssey.html")
#: The engine's speed-up over stock that issue 23 asks on the long documents, and on xhtml2pdf's samples.
TARGET_LONG = 1.5
TARGET_SAMPLES = 1.0
ROUNDS = 5
QUICK_ROUNDS = 1
QUICK_SAMPLES = 3


@dataclass(frozen=True)
class Doc:
    name: str
    path: Path
    base: Path


def documents(workdir: Path, quick: bool) -> tuple[list[Doc], list[Doc], str]:
    """The long documents and xhtml2pdf's samples, from the team's shared corpus; a note on what was found.

    Without the corpus (or in a quick run) the benchmarks' own report stands in for the long documents."""
    root = shared_corpus()
    long: list[Doc] = []
    if root is not None and not quick:
        paths = [root / "weasyperf" / name for name in LONG]
        long = [Doc(path.parent.name, path, path.parent) for path in paths if path.is_file()]
    note = f"documents from {root}" if root is not None else "no shared corpus: the benchmarks' own report only"
    if not long:
        report = workdir / "report" / "report.html"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(pages_html(3 if quick else 40), encoding="utf-8")
        long = [Doc(f"report ({3 if quick else 40} pages)", report, report.parent)]
    samples: list[Doc] = []
    if root is not None:
        paths = sorted((root / "xhtml2pdf").rglob("*.html"))
        samples = [Doc(str(path.relative_to(root / "xhtml2pdf").with_suffix("")), path, path.parent) for path in paths]
    return long, samples[:QUICK_SAMPLES] if quick else samples, note


# In the spawned processes.


def _quiet() -> None:
    import logging

    for name in ("xhtml2pdf", "fontTools", "reportlab"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _render(engine: str, path: str, base: str, fast: bool = True) -> tuple[float, float, int, bytes | None, str]:
    """CPU seconds, wall seconds, pages, the PDF and the error of one render by `engine` ("stock" or "engine")."""
    from bench.fidelity.engines import _render_service, _render_stock

    if engine == "stock":
        rendered = _render_stock(path, base)
    else:
        from tasks.render import patches, speedups

        patches.install()
        if fast:
            rendered = _render_service(path, base, "xhtml2pdf")
        else:
            with speedups.disabled():
                rendered = _render_service(path, base, "xhtml2pdf")
    return rendered.cpu, rendered.seconds, rendered.pages, rendered.pdf, rendered.error


def _profiled(engine: str, path: str, base: str, fast: bool) -> tuple[float, dict[str, float], bytes | None]:
    """One render under the sampler: CPU seconds, each bucket's share, the PDF."""
    with Sampler() as sampler:
        cpu, _, _, pdf, _ = _render(engine, path, base, fast)
    return cpu, sampler.shares(), pdf


# In the benchmark's own process.


def _pool() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_quiet)


def without_dates(pdf: bytes | None) -> bytes | None:
    """A PDF without what changes from one render to the next: its creation and change dates, its ids."""
    if pdf is None:
        return None
    return re.sub(rb"/(CreationDate|ModDate) \([^)]*\)|/ID\s*\[[^\]]*\]", b"", pdf)


@dataclass
class Timed:
    stock: list[float]
    engine: list[float]
    stock_wall: list[float]
    engine_wall: list[float]
    pages: tuple[int, int]
    errors: tuple[str, str]


def timed(pools: dict[str, ProcessPoolExecutor], doc: Doc, rounds: int) -> Timed:
    """`rounds` renders of `doc` by each engine, alternating which goes first."""
    runs: dict[str, list[tuple[float, float, int, bytes | None, str]]] = {"stock": [], "engine": []}
    for turn in range(rounds):
        for name in ("stock", "engine") if turn % 2 == 0 else ("engine", "stock"):
            runs[name].append(pools[name].submit(_render, name, str(doc.path), str(doc.base)).result(900))
    stock, engine = runs["stock"], runs["engine"]
    return Timed(
        [run[0] for run in stock],
        [run[0] for run in engine],
        [run[1] for run in stock],
        [run[1] for run in engine],
        (stock[-1][2], engine[-1][2]),
        (stock[-1][4], engine[-1][4]),
    )


def profile_table(doc: Doc, runs: dict[str, tuple[float, dict[str, float]]]) -> list[str]:
    """Markdown: where `doc`'s CPU time goes with each engine, seconds and share per bucket."""
    columns = [("stock", "stock xhtml2pdf"), ("before", "engine, speedups out"), ("after", "engine")]
    names = sorted({name for _, shares in runs.values() for name in shares}, key=lambda n: -runs["stock"][1].get(n, 0))
    lines = [
        f"**{doc.name}** (CPU s: stock {runs['stock'][0]:.2f}, engine before {runs['before'][0]:.2f}, "
        f"after {runs['after'][0]:.2f})",
        "",
        "| where the time goes | " + " | ".join(label for _, label in columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for name in names:
        cells = []
        for key, _ in columns:
            cpu, shares = runs[key]
            share = shares.get(name, 0.0)
            cells.append(f"{share * cpu:.2f} s ({share:.0%})" if share else "–")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def profiles(pools: dict[str, ProcessPoolExecutor], doc: Doc) -> tuple[list[str], bool]:
    """The profile table of `doc`, and whether the engine wrote the same PDF with its speedups and without."""
    jobs = [("stock", "stock", True), ("before", "engine", False), ("after", "engine", True)]
    runs: dict[str, tuple[float, dict[str, float]]] = {}
    pdfs: dict[str, bytes | None] = {}
    for key, engine, fast in jobs:
        cpu, shares, pdf = pools[engine].submit(_profiled, engine, str(doc.path), str(doc.base), fast).result(900)
        runs[key], pdfs[key] = (cpu, shares), pdf
    same = pdfs["after"] is not None and without_dates(pdfs["after"]) == without_dates(pdfs["before"])
    return profile_table(doc, runs), same


def same_without_speedups(pool: ProcessPoolExecutor, doc: Doc) -> bool:
    """Whether the engine writes `doc`'s PDF byte for byte the same without its speedups (dates and ids aside)."""
    fast = pool.submit(_render, "engine", str(doc.path), str(doc.base), True).result(900)[3]
    slow = pool.submit(_render, "engine", str(doc.path), str(doc.base), False).result(900)[3]
    return without_dates(fast) == without_dates(slow)


def differs(doc: Doc, run: Timed) -> list[str]:
    """`doc`, with what each engine made of it, where the engine lost stock's pages (a page count of its own,
    or a failure where stock rendered); else nothing. A document stock fails on and the service renders
    (the service's fixes: a CDATA section, an entity, a font file) is no loss."""
    stock_failed = bool(run.errors[0]) or not run.pages[0]
    if stock_failed or (run.pages[0] == run.pages[1] and not run.errors[1]):
        return []
    said = [f"{pages} pages{' ' + error if error else ''}" for pages, error in zip(run.pages, run.errors, strict=True)]
    return [f"{doc.name} (stock {said[0]}, engine {said[1]})"]


def stock_fails(doc: Doc, run: Timed) -> list[str]:
    """`doc`, with stock's error and the engine's pages, if stock failed on it."""
    if not run.errors[0] and run.pages[0]:
        return []
    engine = f"{run.pages[1]} pages" + (f", {run.errors[1]}" if run.errors[1] else "")
    return [f"{doc.name} ({run.errors[0] or 'no PDF'}; engine: {engine})"]


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def run(workdir: Path, quick: bool = False) -> Result:
    result = Result("engine", TITLE, quick=quick)
    long, samples, note = documents(workdir, quick)
    rounds = QUICK_ROUNDS if quick else ROUNDS
    pools = {"stock": _pool(), "engine": _pool()}
    try:
        warm = long[-1]
        for engine in pools:  # imports, fonts, first-render costs: not in any figure
            pools[engine].submit(_render, engine, str(warm.path), str(warm.base)).result(900)
        started = time.monotonic()
        measure(result, pools, long, samples, rounds)
        result.details.append(f"timed renders took {time.monotonic() - started:.0f} s; {note}")
        identical, tables = True, []
        for doc in long:
            table, same = profiles(pools, doc)
            tables += table
            identical = identical and same
        for doc in samples:
            identical = same_without_speedups(pools["engine"], doc) and identical
        result.checks["the speedups change no byte of any PDF (dates and ids aside)"] = identical
        result.details += ["", "Where the time goes (a sampling profile of one more render each):", "", *tables]
    finally:
        for pool in pools.values():
            pool.shutdown(cancel_futures=True)
    return result


def measure(
    result: Result, pools: dict[str, ProcessPoolExecutor], long: list[Doc], samples: list[Doc], rounds: int
) -> None:
    """The timed renders: a ratio per long document, one over all the samples together."""
    differ: list[str] = []
    failing: list[str] = []
    rows = [
        "| document | pages | stock CPU s | engine CPU s | stock / engine | wall: stock / engine |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    add: Callable[[Figure], None] = result.figures.append
    for doc in long:
        run_ = timed(pools, doc, rounds)
        stock, engine = _median(run_.stock), _median(run_.engine)
        ratio = stock / engine if engine else 0.0
        add(info(f"{doc.name}: stock xhtml2pdf, CPU (median of {rounds})", stock, "s"))
        add(info(f"{doc.name}: engine, CPU (median of {rounds})", engine, "s"))
        add(at_least(f"{doc.name}: stock / engine", ratio, "x", TARGET_LONG))
        differ += differs(doc, run_)
        failing += stock_fails(doc, run_)
        wall = _median(run_.stock_wall) / (_median(run_.engine_wall) or 1)
        rows.append(f"| {doc.name} | {run_.pages[1]} | {stock:.2f} | {engine:.2f} | {ratio:.3f}x | {wall:.3f}x |")
    if samples:
        per_sample = []
        for doc in samples:
            run_ = timed(pools, doc, rounds)
            per_sample.append((doc.name, _median(run_.stock), _median(run_.engine)))
            differ += differs(doc, run_)
            failing += stock_fails(doc, run_)
        stock_total = sum(stock for _, stock, _ in per_sample)
        engine_total = sum(engine for _, _, engine in per_sample)
        add(info(f"xhtml2pdf's {len(samples)} samples: stock, CPU (sum of medians)", stock_total, "s"))
        add(info(f"xhtml2pdf's {len(samples)} samples: engine, CPU (sum of medians)", engine_total, "s"))
        whole = stock_total / engine_total
        add(at_least(f"xhtml2pdf's {len(samples)} samples: stock / engine, whole set", whole, "x", TARGET_SAMPLES))
        slowest = min(per_sample, key=lambda row: row[1] / row[2] if row[2] else 1.0)
        add(info(f"xhtml2pdf's samples: lowest single ratio ({slowest[0]})", slowest[1] / slowest[2], "x"))
        rows.append(
            f"| xhtml2pdf's {len(samples)} samples | | {stock_total:.2f} | {engine_total:.2f} | "
            f"{stock_total / engine_total:.3f}x | |"
        )
    result.checks["the engine keeps stock's page count on every document stock renders"] = not differ
    if differ:
        result.details.append("Page counts that differ from stock's: " + "; ".join(differ) + ".")
    if failing:
        result.details.append("Stock fails on: " + "; ".join(failing) + ".")
    rule = f"Rounds: {rounds}, each engine first in turn; CPU seconds inside each rendering process."
    result.details += [rule, "", *rows, ""]
