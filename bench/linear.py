"""The web tier's checks on hostile bodies: time per MB at 1, 2 and 4 MB of the worst inputs (issue 11)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from bench.report import Result, at_most, info
from harness.documents import html5lib_depth, report_html
from webapp.decoding import decode_html
from webapp.nesting import nesting_depth
from webapp.page_css import check_page_sizes

TITLE = "Web-tier checks on hostile bodies: linear, and how many ms per MB"
MiB = 2**20
FULL = (1, 2, 4)
QUICK = (1 / 16, 1 / 8, 1 / 4)
# One repeated unit each: the inputs that cost the scan most per byte, and the ones that were quadratic.
WORST = {
    "unclosed tags '<a'": "<a",
    "runs of '<'": "<",
    "'<p>' (each closes the last)": "<p>",
    "'<li>' (each closes the last)": "<li>",
    "'<br>' (void)": "<br>",
    "'<p><b>x</p>' (re-opened formatting)": "<p><b>x</p>",
    "'<li><p>' (each closes two)": "<li><p>",
    "stray '</b>'": "</b>",
    "table cells": "<td>x</td>",
    "unclosed comments '<!--'": "<!--",
}
# At most this many ms of CPU per MB (issue 11).
TARGET_MS_PER_MB = 50
# Every tag (or comment opening) the nesting scan stops at, as it finds them (webapp/nesting.py).
_MARKUP = re.compile(r"<(?:(/?)([a-zA-Z][^\s/>]*)|!--)")


def cpu_ms(check: Callable[[str], object], text: str) -> float:
    """CPU milliseconds `check(text)` takes (CPU, not wall: the machine is shared)."""
    started = time.process_time()
    check(text)
    return (time.process_time() - started) * 1000


def web_checks(html: str) -> object:
    """What the web tier runs on a raw text/html body before queueing it: decode, @page sizes, nesting."""
    text = decode_html(html.encode("utf-8"), "utf-8")
    check_page_sizes(text)
    return nesting_depth(text, stop_above=200)


def find_tags(html: str) -> int:
    """Only find each tag, with C's regex engine and nothing done per tag: the floor of a scan written in Python."""
    return sum(1 for _ in _MARKUP.finditer(html))


def run(directory: Path, quick: bool = False) -> Result:
    """Time the checks on each worst input at three sizes; figures per input, in ms per MB."""
    del directory  # nothing to start: the checks run in this process
    sizes = QUICK if quick else FULL
    result = Result("linear", TITLE, quick=quick)
    rows = ["| input | " + " | ".join(f"{size:g} MB" for size in sizes) + " | 4x size / 1x |", "|---|---|---|---|---|"]
    worst, worst_unit = 0.0, ""
    for label, unit in WORST.items():
        per_mb = []
        for size in sizes:
            text = unit * int(size * MiB / len(unit))
            per_mb.append(min(cpu_ms(web_checks, text) for _ in range(2)) / size)
        growth = per_mb[-1] * sizes[-1] / (per_mb[0] * sizes[0])
        if max(per_mb) > worst:
            worst, worst_unit = max(per_mb), unit
        result.figures.append(info(f"{label}: at {sizes[-1]:g} MB", per_mb[-1], "ms/MB"))
        result.figures.append(at_most(f"{label}: time for 4x the body", growth / (sizes[-1] / sizes[0]) * 4, "x", 6))
        sample = unit * (2048 // len(unit))
        real = html5lib_depth(sample)
        result.checks[f"{label}: the scan counts what html5lib nests"] = real <= nesting_depth(sample) <= real + 2
        rows.append(f"| {label} | " + " | ".join(f"{value:.0f}" for value in per_mb) + f" | {growth:.2f}x |")
    result.figures.append(at_most("worst input, any size", worst, "ms/MB", TARGET_MS_PER_MB))
    worst_text = worst_unit * int(sizes[-1] * MiB / len(worst_unit))
    floor = min(cpu_ms(find_tags, worst_text) for _ in range(2)) / sizes[-1]
    result.figures.append(info(f"floor: only finding the tags of {worst_unit!r}, at {sizes[-1]:g} MB", floor, "ms/MB"))
    report = report_html(max(int(sizes[-1] * 300), 10))
    megabytes = len(report) / MiB
    result.figures.append(
        info(f"a report ({megabytes:.1f} MB, 40 sections a page)", cpu_ms(web_checks, report) / megabytes, "ms/MB")
    )
    result.details += [
        "CPU ms per MB of body for decoding, the inline @page check and the nesting scan, best of two runs:",
        "",
        *rows,
        "",
        "Time per MB stays flat as the body grows: linear. The nesting scan replays html5lib's tree "
        "construction in Python, a few µs per tag, so bodies that are nothing but tags (3-11 bytes each) cost "
        f"up to {worst:.0f} ms per MB of CPU. Only finding the tags of the worst of them, with C's regex engine and "
        f"nothing done per tag, costs {floor:.0f} ms per MB already: a check that looks at each tag from Python "
        f"cannot meet {TARGET_MS_PER_MB} ms per MB on such bodies. The scan runs on a native thread "
        "(webapp/offload.py), so the gevent process keeps answering other requests meanwhile.",
    ]
    return result
