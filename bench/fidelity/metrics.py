"""How close one PDF's text is to a reference PDF's: recall, placement on page 1, and size."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from bench.fidelity.words import Page, Word

#: A word is placed as the reference places it when its centre is within this share of the
#: page's width horizontally and of its height vertically (positions normalised by page size).
TOLERANCE = 0.06
#: Text size agrees when the median width ratio is within this share of 1.
SIZE_TOLERANCE = 0.15


@dataclass(frozen=True)
class Comparison:
    """One PDF against the reference."""

    recall: float
    layout: float
    size_ratio: float | None
    matched: int
    reference_words: int
    #: Median distance in points (on the reference's page) between matched page-1 words' centres,
    #: positions taken as shares of each page: shows progress that all-or-nothing layout hides.
    displacement: float | None = None

    @property
    def size_agrees(self) -> bool:
        return self.size_ratio is not None and abs(self.size_ratio - 1) <= SIZE_TOLERANCE


def recall(reference: list[Page], ours: list[Page]) -> float:
    """Share of the reference's words found in ours, counted as a multiset over all pages.

    pdftotext cuts a word into letters where an engine draws each glyph at a position of its own
    (Chromium's letter-spacing: "L O W E R") and reads it whole where the spacing is the PDF's own
    (xhtml2pdf's): a run of one side's words, next to each other on a page, that spells a word the other
    side has and does not otherwise use counts as that word, found. Text that is missing stays missing.
    """
    wanted = Counter(word.text for page in reference for word in page.words)
    total = sum(wanted.values())
    if total == 0:
        return 1.0
    ours, split = _joined(ours, wanted)
    found = Counter(word.text for page in ours for word in page.words)
    reference, joined = _joined(reference, found)
    wanted = Counter(word.text for page in reference for word in page.words)
    kept = sum(min(count, found[text]) for text, count in wanted.items())
    # A word ours split was one of the reference's; a word the reference split was several.
    return (kept + len(split) + sum(joined)) / total


#: The most words of one side that are joined into one word of the other.
_MOST_PIECES = 40


def _joined(pages: list[Page], other: Counter[str]) -> tuple[list[Page], list[int]]:
    """`pages` with runs of words that spell a word `other` has more of than `pages` do taken out, and
    how many words each run held. A run is made only of words `other` does not need: joining never takes
    a word the other side has on its own."""
    own = Counter(word.text for page in pages for word in page.words)
    surplus, spare = other - own, own - other
    if not surplus:
        return pages, []
    longest = max(map(len, surplus))
    kept_pages: list[Page] = []
    runs: list[int] = []
    for page in pages:
        kept: list[Word] = []
        words, start = page.words, 0
        while start < len(words):
            end = _run(words, start, surplus, spare, longest)
            if end > start:
                runs.append(end - start)
                start = end
            else:
                kept.append(words[start])
                start += 1
        kept_pages.append(Page(page.width, page.height, tuple(kept)))
    return kept_pages, runs


def _run(words: tuple[Word, ...], start: int, surplus: Counter[str], spare: Counter[str], longest: int) -> int:
    """Where a run of spare words from `start` that spells a word of `surplus` ends (both counts taken
    down), or `start` when there is none."""
    spelled, used = "", Counter[str]()
    for end in range(start, min(len(words), start + _MOST_PIECES)):
        piece = words[end].text
        used[piece] += 1
        spelled += piece
        if used[piece] > spare[piece] or len(spelled) > longest:
            return start
        if end > start and surplus[spelled] > 0:
            surplus[spelled] -= 1
            spare.subtract(used)
            return end + 1
    return start


def matched_words(reference: Page, ours: Page) -> list[tuple[Word, Word]]:
    """Pairs of the same word on both pages, matched in reading order (longest common runs first)."""
    matcher = SequenceMatcher(
        None, [word.text for word in reference.words], [word.text for word in ours.words], autojunk=False
    )
    return [
        (reference.words[block.a + offset], ours.words[block.b + offset])
        for block in matcher.get_matching_blocks()
        for offset in range(block.size)
    ]


def layout_agreement(reference: Page, ours: Page, pairs: list[tuple[Word, Word]]) -> float:
    """Share of the reference page's words whose matched word on our page sits where it sits."""
    if not reference.words:
        return 1.0
    placed = 0
    for theirs, mine in pairs:
        (rx, ry), (ox, oy) = theirs.centre, mine.centre
        if abs(rx / reference.width - ox / ours.width) <= TOLERANCE and (
            abs(ry / reference.height - oy / ours.height) <= TOLERANCE
        ):
            placed += 1
    return placed / len(reference.words)


def size_ratio(pairs: list[tuple[Word, Word]]) -> float | None:
    """Median of our word width over the reference's, for matched words (None when none matched)."""
    ratios = [mine.width / theirs.width for theirs, mine in pairs if theirs.width > 0.5 and mine.width > 0]
    return statistics.median(ratios) if ratios else None


def displacement(reference: Page, ours: Page, pairs: list[tuple[Word, Word]]) -> float | None:
    """Median distance of matched words from where the reference puts them, in the reference's points."""
    distances = [
        math.hypot(
            (mine.centre[0] / ours.width - theirs.centre[0] / reference.width) * reference.width,
            (mine.centre[1] / ours.height - theirs.centre[1] / reference.height) * reference.height,
        )
        for theirs, mine in pairs
    ]
    return statistics.median(distances) if distances else None


def compare(reference: list[Page], ours: list[Page]) -> Comparison:
    """Every figure of `ours` against `reference`; page 1 for placement and size."""
    empty = Page(1.0, 1.0, ())
    first, mine = (reference or [empty])[0], (ours or [empty])[0]
    pairs = matched_words(first, mine)
    return Comparison(
        recall=recall(reference, ours),
        layout=layout_agreement(first, mine, pairs),
        size_ratio=size_ratio(pairs),
        matched=len(pairs),
        reference_words=len(first.words),
        displacement=displacement(first, mine, pairs),
    )
