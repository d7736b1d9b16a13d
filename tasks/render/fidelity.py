"""What a render could not reproduce as a browser would: the job's fidelity report."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Each list keeps at most this many entries, so a hostile document cannot grow the job record.
MAX_ENTRIES = 20


@dataclass
class FidelityReport:
    """Filled by the preparation stage and the renderer; shown to the user as "what may look different".

    `mode` is "browser" when the document was prepared with a browser's defaults, "xhtml2pdf"
    when it was rendered as written.
    """

    mode: str = "xhtml2pdf"
    ignored_css: Counter[str] = field(default_factory=Counter)
    blocked_resources: list[str] = field(default_factory=list)
    degraded: list[str] = field(default_factory=list)

    def ignore(self, feature: str, count: int = 1) -> None:
        """A CSS feature (a property, an at-rule, a selector form) that had no effect."""
        if feature in self.ignored_css or len(self.ignored_css) < MAX_ENTRIES:
            self.ignored_css[feature] += count

    def block(self, url: str) -> None:
        """A resource the policy refused to read or fetch."""
        url = url if len(url) <= 200 else url[:199] + "…"
        if url not in self.blocked_resources and len(self.blocked_resources) < MAX_ENTRIES:
            self.blocked_resources.append(url)

    def degrade(self, what: str) -> None:
        """Something changed so that the document could render (scaled, split, laid out as blocks)."""
        if what not in self.degraded and len(self.degraded) < MAX_ENTRIES:
            self.degraded.append(what)

    def as_dict(self) -> dict[str, Any]:
        """The report as it appears in the job JSON."""
        return {
            "mode": self.mode,
            "ignored_css": dict(self.ignored_css.most_common()),
            "blocked_resources": list(self.blocked_resources),
            "degraded": list(self.degraded),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FidelityReport:
        """The report `as_dict` gave."""
        report = cls(mode=str(data.get("mode", "xhtml2pdf")))
        report.ignored_css.update({str(k): int(v) for k, v in dict(data.get("ignored_css") or {}).items()})
        report.blocked_resources.extend(str(url) for url in data.get("blocked_resources") or [])
        report.degraded.extend(str(what) for what in data.get("degraded") or [])
        return report

    def merge(self, other: FidelityReport, page_offset: int = 0, same_document: bool = False) -> None:
        """Add `other`, the report of a part whose first page is page `page_offset` + 1 of the whole.

        The parts of one document cut in pieces (`same_document`) share its
        stylesheets: a feature counts as often as the most any part saw it.
        """
        self.mode = other.mode
        for feature, count in other.ignored_css.items():
            extra = max(count - self.ignored_css.get(feature, 0), 0) if same_document else count
            if extra:
                self.ignore(feature, extra)
        for url in other.blocked_resources:
            self.block(url)
        for what in other.degraded:
            self.degrade(_PAGE.sub(lambda page: f"on page {int(page.group(1)) + page_offset}", what))


_PAGE = re.compile(r"\bon page (\d+)")
