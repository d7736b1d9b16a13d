"""Where a render's time goes: a sampling profiler in the rendering process, its samples put in buckets.

A thread looks at the main thread's stack every few milliseconds (`sys._current_frames`) and files the
sample under the first bucket that one of its frames belongs to, innermost frame first: time in
ReportLab's `stringWidth` called from a paragraph's line breaking is string widths, not line breaking.
Unlike cProfile, it does not slow Python calls down, so the shares are those of a render unobserved.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from types import FrameType, TracebackType

STRINGS = "string widths, font metrics"
PARSE = "html5lib parsing (tree building)"
CASCADE = "CSS cascade, selector matching"
CSS = "CSS parsing"
BREAKING = "paragraph line breaking"
LAYOUT = "ReportLab layout (wrap, split, frames, tables)"
DRAWING = "drawing, PDF writing"
WALK = "xhtml2pdf element walk, story building"
SERVICE = "the service's own steps (nesting scan, hooks, page count)"
OTHER = "other"
#: Functions that name what a sample is doing wherever they are on the stack, innermost first.
FUNCTIONS: dict[str, str] = {
    **dict.fromkeys(("stringWidth", "getAscentDescent", "ascent_descent", "instanceStringWidthT1"), STRINGS),
    **dict.fromkeys(("CSSCollect", "CSSCollectPseudo", "collectCSSAttrs", "customProperties"), CASCADE),
    **dict.fromkeys(("breakLines", "breakLinesCJK", "_getFragWords", "_brokenLines", "broken_lines"), BREAKING),
    **dict.fromkeys(("drawOn", "drawPara", "save", "showPage", "_endPage"), DRAWING),
    **dict.fromkeys(("wrapOn", "splitOn", "wrap", "split", "handle_flowable"), LAYOUT),
    "nesting_depth": SERVICE,
}
#: Otherwise, the file of the innermost frame that any of these paths is in, tried in order.
FILES: list[tuple[str, str]] = [
    ("/html5lib/", PARSE),
    ("/xhtml2pdf/w3c/cssParser.py", CSS),
    ("/xhtml2pdf/w3c/", CASCADE),
    ("/tasks/render/speedups.py", CASCADE),
    ("/reportlab/", LAYOUT),
    ("/xhtml2pdf/", WALK),
    ("/tasks/", SERVICE),
    ("/pypdf/", SERVICE),
]


#: Which of two named functions on one stack names the sample: the earlier bucket here.
PRIORITY = [STRINGS, CASCADE, BREAKING, DRAWING, LAYOUT, SERVICE]


def bucket(frame: FrameType | None) -> str:
    """The bucket of a sample whose innermost frame is `frame`: by the functions on its stack, then by file."""
    stack = []
    while frame is not None:
        stack.append(frame.f_code)
        frame = frame.f_back
    named = {FUNCTIONS.get(code.co_name) for code in stack if code.co_name in FUNCTIONS}
    for name in PRIORITY:
        if name in named and (name != SERVICE or any("/tasks/" in code.co_filename for code in stack)):
            return name
    for code in stack:
        for path, name in FILES:
            if path in code.co_filename:
                return name
    return OTHER


class Sampler:
    """Samples the thread that enters it, every `interval` seconds, until it leaves: `counts` per bucket."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.counts: Counter[str] = Counter()
        self._stop = threading.Event()
        self._target = 0
        self._switch = 0.005
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._target = threading.get_ident()
        # The sampler takes its sample when the rendering thread lets go of the GIL: by default every 5 ms in
        # Python code, but at once in a C call that releases it (zlib, os.urandom), which would be counted
        # many times over. Handing over often keeps each sample near the moment it was due.
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(0.0002)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(5)
        sys.setswitchinterval(self._switch)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            frame = sys._current_frames().get(self._target)
            self.counts[bucket(frame)] += 1
            del frame
            time.sleep(0)

    def shares(self) -> dict[str, float]:
        """Each bucket's share of the samples, from 0 to 1."""
        total = sum(self.counts.values()) or 1
        return {name: count / total for name, count in self.counts.items()}
