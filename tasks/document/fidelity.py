"""What a render could not reproduce as a browser would: the job's fidelity report."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tasks.document.bounds import MAX_ENTRIES, clip

# The report's lists, as the job JSON names them; `omitted` counts, for each, the notes left out once it was full.
LISTS = ("ignored_css", "blocked_resources", "degraded")


#: How many refused resources a render remembers beyond the report's list (a bound on a hostile document).
MAX_REFUSED = 10_000


@dataclass
class FidelityReport:
    """Filled by the preparation stage and the renderer; shown to the user as "what may look different".

    `mode` is "browser" when the document was prepared with a browser's defaults, "xhtml2pdf"
    when it was rendered as written. Each list holds `MAX_ENTRIES` notes of
    at most `MAX_TEXT` bytes (tasks/document/bounds.py); `omitted` counts the
    notes that came once a list was full (a repeated one each time).
    """

    mode: str = "xhtml2pdf"
    ignored_css: Counter[str] = field(default_factory=Counter)
    blocked_resources: list[str] = field(default_factory=list)
    degraded: list[str] = field(default_factory=list)
    omitted: Counter[str] = field(default_factory=Counter)
    #: Every resource refused while this report was filled, past the list's bound too (not in the JSON):
    #: what later notes are checked against, so a refused image is never also "left out".
    refused: set[str] = field(default_factory=set, compare=False, repr=False)

    def ignore(self, feature: str, count: int = 1) -> None:
        """A CSS feature (a property, an at-rule, a selector form) that had no effect."""
        feature = clip(feature)
        if feature in self.ignored_css or len(self.ignored_css) < MAX_ENTRIES:
            self.ignored_css[feature] += count
        else:
            self.omitted["ignored_css"] += count

    def block(self, url: str) -> None:
        """A resource the policy refused to read or fetch."""
        if len(self.refused) < MAX_REFUSED:
            self.refused.add(clip(url))
        self._note(self.blocked_resources, "blocked_resources", url)

    def degrade(self, what: str) -> None:
        """Something changed so that the document could render (scaled, split, laid out as blocks)."""
        self._note(self.degraded, "degraded", what)

    def _note(self, notes: list[str], name: str, text: str) -> None:
        text = clip(text)
        if text in notes:
            return
        if len(notes) < MAX_ENTRIES:
            notes.append(text)
        else:
            self.omitted[name] += 1

    def as_dict(self) -> dict[str, Any]:
        """The report as it appears in the job JSON."""
        return {
            "mode": self.mode,
            "ignored_css": dict(self.ignored_css.most_common()),
            "blocked_resources": list(self.blocked_resources),
            "degraded": list(self.degraded),
            "omitted": {name: self.omitted[name] for name in LISTS},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FidelityReport:
        """The report `as_dict` gave, held to the same bounds."""
        report = cls(mode=str(data.get("mode", "xhtml2pdf")))
        for feature, count in dict(data.get("ignored_css") or {}).items():
            report.ignore(str(feature), int(count))
        for url in data.get("blocked_resources") or []:
            report.block(str(url))
        for what in data.get("degraded") or []:
            report.degrade(str(what))
        omitted = dict(data.get("omitted") or {})
        for name in LISTS:
            report.omitted[name] += int(omitted.get(name, 0))
        return report

    def merge(self, other: FidelityReport, page_offset: int = 0, same_document: bool = False) -> None:
        """Add `other`, the report of a part whose first page is page `page_offset` + 1 of the whole.

        The parts of one document cut in pieces (`same_document`) share its
        stylesheets: a feature counts as often as the most any part saw it,
        and so do the notes each part left out.
        """
        self.mode = other.mode
        for name in LISTS:
            mine, theirs = self.omitted[name], other.omitted[name]
            self.omitted[name] = max(mine, theirs) if same_document else mine + theirs
        for feature, count in other.ignored_css.items():
            extra = max(count - self.ignored_css.get(feature, 0), 0) if same_document else count
            if extra:
                self.ignore(feature, extra)
        for url in other.blocked_resources:
            self.block(url)
        for what in other.degraded:
            self.degrade(_PAGE.sub(lambda page: f"on page {int(page.group(1)) + page_offset}", what))


_PAGE = re.compile(r"\bon page (\d+)")
