"""Issue 8: one long document split across the worker processes, against the same document rendered whole."""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bench.client import Api, watch
from bench.report import Result, at_most, info
from bench.stack import Stack
from harness.pdf import pdf_text
from harness.sse import SseEvent
from tasks.split.plan import plan

TITLE = "long documents in parallel: one report split across the worker processes vs rendered whole"
TEXT = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. " * 5
HEAD = """<html><head><meta charset="utf-8"><title>Annual report</title><style>
@page { size: a4; margin: 2cm 2cm 2.5cm 2cm;
  @frame footer { -pdf-frame-content: footer; left: 2cm; right: 2cm; bottom: 1cm; height: 1cm; } }
h1 { color: #234; page-break-before: always } h1.first { page-break-before: auto }
td { border: 1px solid #999; padding: 2px }
</style></head><body><div id="footer">Page <pdf:pagenumber/> of <pdf:pagecount/></div>"""


@dataclass(frozen=True)
class Sizes:
    chapters: int
    processes: tuple[int, ...]
    rounds: int


FULL = Sizes(chapters=60, processes=(1, 2, 4), rounds=3)
QUICK = Sizes(chapters=6, processes=(1, 2), rounds=1)


def report_html(chapters: int) -> str:
    """A report of `chapters` chapters of about two A4 pages each, every chapter starting a page (a class rule),
    with "Page N of M" in a footer frame."""
    parts = [HEAD]
    for number in range(1, chapters + 1):
        parts.append(f"<h1{' class=first' if number == 1 else ''}>Chapter {number}</h1>")
        parts.extend(f"<p>Paragraph {p} of chapter {number}. {TEXT}</p>" for p in range(1, 9))
        rows = "".join(f"<tr><td>row {row}</td><td>{row * number}</td><td>value</td></tr>" for row in range(24))
        parts.append(f"<table>{rows}</table>")
    parts.append("</body></html>")
    return "".join(parts)


def submit(api: Api, html: str, split: str) -> str:
    unique = f"{html}<!-- bench split {time.time_ns()} -->"
    fields = {"html": unique, "filename": "report.pdf", "reuse": False, "split": split}
    job_id: str = api.client.submit_json(fields)["id"]
    return job_id


def timed(api: Api, html: str, split: str) -> tuple[float, list[SseEvent], bytes]:
    """Seconds from POST to the `end` event, the events, the PDF."""
    started = time.perf_counter()
    job_id = submit(api, html, split)
    events = watch(api.base, job_id, deadline=600)
    elapsed = time.perf_counter() - started
    return elapsed, events, api.pdf(job_id)


@dataclass
class Checks:
    """What every split job must show, whatever its timing."""

    texts_match: bool = True
    split_path: bool = True
    monotonic: bool = True
    pages: int = 0
    parts: int = 0

    def see(self, events: list[SseEvent], split_pdf: bytes, single_pdf: bytes) -> None:
        end = events[-1].job
        percents = [event.job["progress"]["percent"] for event in events]
        self.monotonic &= percents == sorted(percents)
        self.split_path &= end["state"] == "SUCCESS" and end.get("render", {}).get("path") == "split"
        self.texts_match &= pdf_text(split_pdf) == pdf_text(single_pdf)
        self.pages, self.parts = end["pdf"]["pages"], end["render"]["parts"]


def measure(api: Api, html: str, rounds: int, checks: Checks) -> tuple[list[float], list[float]]:
    """Seconds from submit to `end`, `rounds` times each: whole (split "never"), split ("always")."""
    whole, split = [], []
    for _ in range(rounds):
        seconds, _, single_pdf = timed(api, html, "never")
        whole.append(seconds)
        seconds, events, split_pdf = timed(api, html, "always")
        split.append(seconds)
        checks.see(events, split_pdf, single_pdf)
    return whole, split


def run(directory: Path, quick: bool = False) -> Result:
    """For 1, 2 and 4 worker processes: the report rendered whole (split "never") and split ("always").

    Twice: with "Page N of M" in its footer, which makes xhtml2pdf lay the
    whole out twice (<pdf:pagecount>), and with "Page N" only (one layout).
    """
    sizes = QUICK if quick else FULL
    html = report_html(sizes.chapters)
    plain = html.replace(" of <pdf:pagecount/>", "")
    result = Result("split", TITLE, quick=quick)
    started = time.perf_counter()
    cut = plan(html, 2, min_part_bytes=0)
    analysis = time.perf_counter() - started
    cores = os.cpu_count() or 1
    # The target is for the Procfile's worker, one process per core (or the most processes tried).
    target = min(cores, max(sizes.processes))
    checks = Checks()
    auto = ""
    for processes in sizes.processes:
        with Stack(directory / f"processes-{processes}", concurrency=processes) as stack, Api(stack.base) as api:
            watch(stack.base, submit(api, "<p>warm</p>" * 50, "never"))  # every pool child has started
            whole, split = measure(api, html, sizes.rounds, checks)
            plain_whole, plain_split = measure(api, plain, sizes.rounds, checks)
            if processes == target:
                auto = events_of_auto(api, html)
        label = f"{processes} process{'es' if processes > 1 else ''}"
        if processes == cores:
            label += " (the Procfile's worker, one per core)"
        ratio = statistics.median(split) / statistics.median(whole)
        plain_ratio = statistics.median(plain_split) / statistics.median(plain_whole)
        name = f"{label}: split / whole, Page N of M"
        result.figures += [
            at_most(name, ratio, "x", 0.6) if processes == target else info(name, ratio, "x"),
            info(f"{label}: whole, submit → end (median of {sizes.rounds})", statistics.median(whole), "s"),
            info(f"{label}: split in {checks.parts}, submit → end (median)", statistics.median(split), "s"),
            info(f"{label}: split / whole, Page N only", plain_ratio, "x"),
        ]
        result.details.append(
            f"- {label}: Page N of M: whole {_list(whole)} s, split into {checks.parts} parts {_list(split)} s; "
            f"Page N only: whole {_list(plain_whole)} s, split {_list(plain_split)} s."
        )
    result.figures.append(info("analysing the report for a split (parse + cut)", analysis, "s"))
    result.checks.update(
        {
            "the split PDF's text is the whole one's, page by page": checks.texts_match,
            "every split job ended SUCCESS on the split path": checks.split_path,
            # The quick report is too short for "auto" to split it.
            f'"auto" took the {"single" if quick else "split"} path with {target} processes': auto
            == ("single" if quick else "split"),
            "percent never went backwards": checks.monotonic,
        }
    )
    result.details.insert(
        0,
        f"- The report: {sizes.chapters} chapters, {checks.pages} A4 pages, {len(html) // 1024} KiB of HTML, each "
        f'chapter starting a page (a class rule), "Page N of M" in a footer frame. Cut into {len(cut.parts)} parts '
        f"when asked for 2; analysing it took {analysis:.2f} s in this process (the web tier leaves it to a worker). "
        f"This machine has {cores} cores: past {cores} processes the parts only share them.",
    )
    return result


def events_of_auto(api: Api, html: str) -> str:
    """The path "auto" takes for the report."""
    events = watch(api.base, submit(api, html, "auto"), deadline=600)
    path: str = events[-1].job.get("render", {}).get("path", "")
    return path


def _list(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)
