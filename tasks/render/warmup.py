"""A render worker's parent made ready before it forks: CJK faces parsed, one small document rendered.

A prefork child starts as a copy of its parent, and `worker_max_tasks_per_child` replaces children all the
time. Whatever a child does for its first render only, each new child did again: parsing the Noto faces
(0.1-0.25 s each), ReportLab's and xhtml2pdf's first-use imports, caches and subsetting code. Done once in
the parent, every child starts with it (issue 24: the first Korean job within 2x of the second).
"""

from __future__ import annotations

import gc
import time

from tasks.fonts import cjk
from tasks.render.renderer import render_pdf

#: A line the face of each language draws (kana for Japanese, a `lang` for Han), by `cjk.PACKAGES` key.
SAMPLES: dict[str, tuple[str, str]] = {
    "ko": ("ko", "한국어"),
    "ja": ("ja", "日本語のかな"),
    "zh-hans": ("zh-Hans", "简体中文"),
    "zh-hant": ("zh-Hant", "繁體中文"),
}


def document(faces: list[tuple[str, bool]]) -> str:
    """A small fixed document in Latin, a table, and a line for each of `faces` (language, serif)."""
    lines = "".join(
        f"<p lang='{SAMPLES[language][0]}' style='font-family:{'serif' if serif else 'sans-serif'}'>"
        f"{SAMPLES[language][1]}</p>"
        for language, serif in faces
    )
    return (
        "<html><head><meta charset='utf-8'><style>td{border:1px solid #999}</style></head><body>"
        f"<h1>Warm-up</h1><p>Latin text, <b>bold</b> and <i>italic</i>.</p>{lines}"
        "<table><tr><td>1</td><td>2</td></tr></table></body></html>"
    )


def warm_up() -> str:
    """Register the CJK faces that are ready (never converting one), render a document that draws each, and
    move everything made so far out of the garbage collector's reach, so children share its memory pages.
    Returns what it did, for the worker's log."""
    started = time.perf_counter()
    names = cjk.preload()
    with cjk.registered_only():  # a line no ready face fully draws falls back to the CID face, never converts
        render_pdf(document(cjk.registered()))
    gc.freeze()  # collections in a child would otherwise write to (and so copy) every object inherited
    faces = ", ".join(names) or "none ready: run `python -m tasks.fonts.cjk` when installing"
    return f"renderer warmed up before forking in {time.perf_counter() - started:.2f} s; CJK faces parsed: {faces}"
