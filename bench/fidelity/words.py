"""The words of a PDF with their boxes, as `pdftotext -bbox` (poppler-utils) reads them."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

PDFTOTEXT = "pdftotext"
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.DOTALL)
_WORD = re.compile(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>')
# Punctuation around a word is often the engines' business (a `dt::after { content: ':' }`, a
# list bullet), not the author's words: compare what is left.
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


@dataclass(frozen=True)
class Word:
    """One word: its normalised text and its box in points from the page's top-left corner."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2


@dataclass(frozen=True)
class Page:
    """A page's size in points and its words in reading order."""

    width: float
    height: float
    words: tuple[Word, ...]


def available() -> bool:
    """Whether poppler's pdftotext is installed."""
    return shutil.which(PDFTOTEXT) is not None


def normalise(text: str) -> str:
    """A word as compared: compatibility forms folded (ligatures), case folded, edge punctuation off."""
    return _EDGES.sub("", unicodedata.normalize("NFKC", text).casefold())


def parse_bbox(xhtml: str) -> list[Page]:
    """The pages of `pdftotext -bbox` output; words that are only punctuation are dropped."""
    pages = []
    for width, height, body in _PAGE.findall(xhtml):
        words = []
        for x0, y0, x1, y1, raw in _WORD.findall(body):
            text = normalise(html.unescape(raw))
            if text:
                words.append(Word(text, float(x0), float(y0), float(x1), float(y1)))
        pages.append(Page(float(width), float(height), tuple(words)))
    return pages


def pdf_words(pdf: bytes, timeout: float = 120) -> list[Page]:
    """Run pdftotext on `pdf` and parse its word boxes."""
    with tempfile.TemporaryDirectory(prefix="fidelity-") as workdir:
        source = Path(workdir) / "in.pdf"
        source.write_bytes(pdf)
        done = subprocess.run(
            [PDFTOTEXT, "-bbox", "-enc", "UTF-8", str(source), "-"],
            capture_output=True,
            timeout=timeout,
            check=True,
        )
    return parse_bbox(done.stdout.decode("utf-8", "replace"))
