"""`<hr>` as a flowable whose width is points or a percentage, never another string.

tasks/render/patches.py has xhtml2pdf's `<hr>` build `HorizontalRule`. ReportLab's rule keeps its
width as written: an inline-block or flex item measuring its content compared "100%" with a number
(TypeError), and `width="50px"` failed float() when the rule was laid out (ValueError).
"""

from __future__ import annotations

import re
from typing import Any

from reportlab.platypus.flowables import HRFlowable
from xhtml2pdf.builders.flex import LARGE
from xhtml2pdf.util import getSize

from tasks.render.hooks import current_report

FULL = "100%"
_WIDTH = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)(%|px|pt|pc|cm|mm|in)?$")


class HorizontalRule(HRFlowable):
    """ReportLab's rule, its width read where it enters.

    A percentage is of the box the rule is laid out in. A box sized by its
    content does not count it, as in a browser: measured (at xhtml2pdf's
    unbounded `LARGE` width), such a rule is no wider than nothing.
    """

    def __init__(self, width: Any = FULL, **kwargs: Any) -> None:
        super().__init__(width=rule_width(width), **kwargs)
        if isinstance(self.width, str):
            self._minWidth = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if isinstance(self.width, str) and availWidth >= LARGE:
            self._width = 0.0
            return 0.0, self.lineWidth
        width, height = super().wrap(availWidth, availHeight)
        return width, height


def rule_width(value: Any) -> float | str:
    """A rule's width as points or "N%"; what is neither is the full width, as a browser ignores it."""
    if isinstance(value, int | float):
        return max(float(value), 0.0)
    text = str(value).strip().lower()
    found = _WIDTH.match(text)
    if found is None:
        report = current_report()
        if report is not None:
            report.ignore("<hr width> that is not a length")
        return FULL
    number, unit = found.groups()
    if unit == "%":
        return f"{float(number):g}%"
    # Unitless is points, as xhtml2pdf reads every unitless length.
    return float(getSize(text)) if unit else float(number)
