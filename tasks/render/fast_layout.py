"""Line breaking's and PDF writing's most repeated small steps made cheaper, with the same results (issue 23).

Breaking a long `<pre>` into lines (WeasyPerf's JSON: one paragraph of 9,574 spans over 37 pages) clones a
fragment for every word, and asks ReportLab for a face's ascent and descent as often, and the remainder of
the paragraph is broken again on every page. These do the same work for less:

- `clone`: xhtml2pdf's `PmlParaFrag.clone` builds the copy through `ABag.__init__(**attributes)`, a keyword
  dictionary made and unpacked per clone; here the copy's dictionary is filled from the original's directly,
  the same keys in the same order, then the same changes.
- `ascent_descent`: ReportLab's `getAscentDescent` for a (face name, size) is remembered with the face it was
  read from, and used only while that name still stands for that very face (a face registered again under
  the name is read afresh). Forgotten when xhtml2pdf drops its own caches at the end of each render, so no
  document's face outlives its render here.
- `broken_lines`: the key of xhtml2pdf's line cache (every fragment's identity, text and inline object size,
  built at every wrap of the paragraph) in one loop without a generator's frame per fragment.
- `split` and `split_hard`: a paragraph cut at a page's end hands the rest of its lines, as they were broken,
  to the paragraph that carries it on, which takes them instead of breaking its fragments again. Breaking a
  rest's fragments gives its parent's lines back once they come from a rest themselves (the first rest is
  broken afresh: that moves a space from one fragment's start to the previous one's end, and the space of a
  smaller face is narrower); so the paragraph and its first rest are broken, and no other. Handed on only
  where that holds by construction: one width for every line after the first, no text overflow or CJK wrap,
  no inline image or box (their size follows the height offered), no long word cut to fit, no inline box
  reopened at the cut. Each line's width is noted as it is broken (`frag_line`, `para_lines`), since the
  paragraph takes the widest as its own. Without it the rest of a paragraph over N pages was broken N times
  (WeasyPerf's JSON: 73 times): quadratic in its length.
- `same_frag`: whether a word goes on in the line's last fragment (`_sameFrag`, asked for every word of a
  paragraph of several fragments) is answered again for the same two fragments while one paragraph is broken,
  in which nothing it compares changes; most words follow one of their own fragment.
- `split_words`: the words of a fragment's text, encoded by `map(str.encode, ...)` (UTF-8, as before).
- `fp_str`: each number of the content streams is written as ReportLab writes it, once per render.
- `needs_bidi`: a line of ASCII text in a left-to-right paragraph is drawn as it is, told by `str.isascii`.
- `base85`, `escape`: ReportLab without its optional C accelerator (not installed: ReportLab 4 made it a
  package apart) encodes each page's content stream in ASCII85 and escapes each string it draws in a Python
  loop per byte; the standard library's a85 encoder and `str.translate` write the very same characters
  (tests/test_speedups.py compares them on every byte value and on thousands of random inputs).
"""

from __future__ import annotations

import base64
import math
import threading
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from reportlab.lib import rl_accel
from reportlab.lib.utils import isSeq
from reportlab.pdfbase import pdfmetrics
from xhtml2pdf import bidi
from xhtml2pdf import reportlab_paragraph as x2p_paragraph

_new = object.__new__
_original_split_hard = x2p_paragraph._split_blParaHard
_original_split = x2p_paragraph.Paragraph.split
_fonts = pdfmetrics._fonts
_original_ascent_descent = pdfmetrics.getAscentDescent

#: (face name, size) -> (the face object it was read from, (ascent, descent)).
_ascent_descent: dict[tuple[Any, Any], tuple[Any, tuple[float, float]]] = {}
#: A bound the table never outgrows (a document's faces times its sizes stay far below it).
ASCENT_DESCENT_MAX = 10_000


def clone(self: Any, **kwargs: Any) -> Any:
    """xhtml2pdf's `PmlParaFrag.clone`: a copy without the bullet; with changes, and then without the callback."""
    copy = _new(self.__class__)
    attributes = copy.__dict__
    attributes.update(self.__dict__)
    if kwargs:
        attributes.update(kwargs)
        if "cbDefn" in attributes:
            del attributes["cbDefn"]
    copy.bulletText = None
    return copy


def ascent_descent(font_name: Any, font_size: Any = None) -> tuple[float, float]:
    """ReportLab's `getAscentDescent(font_name, font_size)`, read once per face and size."""
    key = (font_name, font_size)
    known = _ascent_descent.get(key)
    if known is not None and _fonts.get(font_name) is known[0]:
        return known[1]
    found: tuple[float, float] = _original_ascent_descent(font_name, font_size)
    face = _fonts.get(font_name)
    if face is not None:
        if len(_ascent_descent) >= ASCENT_DESCENT_MAX:
            _ascent_descent.clear()
        _ascent_descent[key] = (face, found)
    return found


_encode = str.encode
_whitespace_split = x2p_paragraph._wsc_re_split


def split_words(text: Any, delim: Any = None) -> list[bytes]:
    """xhtml2pdf's `split` in its line breaker (every fragment's text, at every wrap): the same words, each
    encoded as UTF-8 by `map` rather than by a comprehension's loop."""
    if isinstance(text, bytes):
        text = text.decode("utf8")
    if isinstance(delim, bytes):
        delim = delim.decode("utf8")
    elif delim is None and "\xa0" in text:
        return list(map(_encode, _whitespace_split(text)))
    return list(map(_encode, text.split(delim)))


def frag_keys(frags: Any) -> tuple[tuple[Any, ...], ...]:
    """What xhtml2pdf's line cache compares of each fragment: its identity, its text as `_text_key` reads it,
    its inline object's width and height; read a column at a time (a paragraph of 10,000 fragments is asked
    at every wrap), so the key holds the same values as columns rather than rows."""
    texts = tuple(map(getattr, frags, repeat("text"), repeat(None)))
    if not _TEXTS.issuperset(map(type, texts)):
        texts = tuple(map(x2p_paragraph._text_key, texts))
    callbacks = tuple(map(getattr, frags, repeat("cbDefn"), repeat(None)))
    return (
        tuple(map(id, frags)),
        texts,
        tuple(map(getattr, callbacks, repeat("width"), repeat(None))),
        tuple(map(getattr, callbacks, repeat("height"), repeat(None))),
    )


#: The texts `_text_key` keeps as they are.
_TEXTS = frozenset((str, bytes, type(None)))


def broken_lines(self: Any, first_line_width: Any, later_widths: Any) -> Any:
    """xhtml2pdf's `Paragraph._brokenLines` (its lines, kept while nothing they were broken from changed), the
    key built by `frag_keys`: a paragraph of 10,000 fragments is asked for it at every wrap."""
    style = self.style
    key = (
        first_line_width,
        later_widths,
        style.wordWrap,
        getattr(style, "textOverflow", None),
        getattr(self, "autoLeading", getattr(style, "autoLeading", "")),
        self.dir,
        frag_keys(self.frags),
    )
    cached = self.__dict__.get("_brokenLinesCache")
    if cached is not None and cached[0] == key and not getattr(self, "_splitpara", 0):
        self.width = cached[2]
        self.height = 0
        return cached[1]
    width = self.width
    handed_on = self.__dict__.pop("_rest_as_broken", None)
    if handed_on is not None and handed_on.fits(first_line_width, later_widths, key[2:6]):
        self.height = 0
        self.width = max(width, *handed_on.widths)
        broken = _ParaLines(kind=1, lines=handed_on.lines)
        self._line_widths = handed_on.widths
    elif style.wordWrap == "CJK":
        broken = self.breakLinesCJK([first_line_width, later_widths])
    else:
        broken, self._line_widths = _measured(self, [first_line_width, later_widths])
    overflow = getattr(style, "textOverflow", None)
    if overflow and x2p_paragraph._cutLines(broken, [first_line_width, later_widths], overflow):
        self.width = width
    self._brokenLinesCache = (key, broken, self.width)
    return broken


_FragLine, _ParaLines = x2p_paragraph.FragLine, x2p_paragraph.ParaLines
#: The paragraph whose lines `_measured` is breaking in this thread, and the width of each line so far.
_measuring = threading.local()


def _measured(paragraph: Any, widths: list[Any]) -> tuple[Any, list[Any]]:
    """`paragraph.breakLines(widths)`, and the width of each line (breakLines keeps only the largest)."""
    global _last_same
    entry, outer = paragraph.width, getattr(_measuring, "state", None)
    _measuring.state = (paragraph, [])
    _last_same = (None, None, None)
    paragraph.width = -math.inf
    try:
        broken = paragraph.breakLines(widths)
    finally:
        line_widths = _measuring.state[1]
        _measuring.state = outer
        _last_same = (None, None, None)
        paragraph.width = max(entry, paragraph.width, *line_widths)
    return broken, line_widths


_original_same_frag = x2p_paragraph._sameFrag
#: The last two fragments `same_frag` compared and its answer, while `_measured` breaks a paragraph.
_last_same: tuple[Any, Any, Any] = (None, None, None)


def same_frag(f: Any, g: Any) -> Any:
    """xhtml2pdf's `_sameFrag(f, g)`, the answer for the last two fragments asked kept."""
    global _last_same
    last = _last_same
    if f is last[0] and g is last[1]:
        return last[2]
    found = _original_same_frag(f, g)
    _last_same = (f, g, found)
    return found


def _line_ends() -> None:
    """breakLines has just taken the paragraph's width as the largest of its own and the line's: kept as the
    line's, the paragraph's set back so that the next line's is kept alone."""
    state = getattr(_measuring, "state", None)
    if state is not None:
        state[1].append(state[0].width)
        state[0].width = -math.inf


def frag_line(**attributes: Any) -> Any:
    """xhtml2pdf's `FragLine` (a line broken), its width noted when `_measured` is breaking."""
    _line_ends()
    return _FragLine(**attributes)


def para_lines(**attributes: Any) -> Any:
    """xhtml2pdf's `ParaLines`: a paragraph's lines (`kind` given) or its last line, whose width is noted."""
    if "kind" not in attributes:
        _line_ends()
    return _ParaLines(**attributes)


@dataclass(frozen=True)
class _Rest:
    """The lines after a paragraph's cut, as broken: what they were broken at, and each one's width."""

    lines: list[Any]
    widths: list[Any]
    width: Any
    settings: tuple[Any, ...]

    def fits(self, first_line_width: Any, later_widths: Any, settings: tuple[Any, ...]) -> bool:
        """Whether breaking at these widths and settings gives these lines."""
        return first_line_width == later_widths == self.width and settings == self.settings


def split_hard(lines: Any, start: int, stop: int) -> list[Any]:
    """xhtml2pdf's `_split_blParaHard` (the fragments of lines `start` to `stop`, with a space added to the word
    that ends each line but the last); the lines of a rest are first kept as they were broken, each word it
    changes replaced by a copy. A paragraph that takes them shares their other words with its fragments:
    only the words that end lines are ever changed, and those are its own."""
    if start > 0 and stop == len(lines.lines):
        cut = lines.lines[start:stop]
        touched = _touched(cut)
        lines._rest = (start, [_copy(line, touched[i]) if i in touched else line for i, line in enumerate(cut)])
    fragments: list[Any] = _original_split_hard(lines, start, stop)
    return fragments


def _touched(lines: list[Any]) -> dict[int, set[int]]:
    """Where the words are that `_split_blParaHard` ends with a space (line -> places in it): for each line but
    the last, the last word up to its end that is not an empty inline object."""
    touched: dict[int, set[int]] = {}
    last = None
    for i, line in enumerate(lines):
        for place in range(len(line.words) - 1, -1, -1):
            word = line.words[place]
            if not hasattr(word, "cbDefn") or getattr(word.cbDefn, "width", None):
                last = (i, place)
                break
        if last is not None and i < len(lines) - 1:
            touched.setdefault(last[0], set()).add(last[1])
    return touched


def _copy(line: Any, places: set[int]) -> Any:
    """`line` with the words at `places` copies."""
    words = list(line.words)
    for place in places:
        words[place] = words[place].clone()
    return line.clone(words=words)


def split(self: Any, available_width: Any, available_height: Any) -> list[Any]:
    """ReportLab's `Paragraph.split` as xhtml2pdf has it; the rest, when it is there, carries its lines on."""
    parts: list[Any] = _original_split(self, available_width, available_height)
    broken = self.__dict__.get("blPara")
    rest = broken.__dict__.pop("_rest", None) if broken is not None else None
    if rest is not None and len(parts) == 2 and rest[0] == len(parts[0].blPara.lines):
        plain = self.__dict__.get("_plain_rest")
        parts[1]._plain_rest = _plain(parts[1].frags) if plain is None else plain
        handed_on = _handed_on(self, broken, rest[0], rest[1], parts[1]) if plain else None
        if handed_on is not None:
            parts[1]._rest_as_broken = handed_on
    return parts


def _plain(frags: list[Any]) -> bool:
    """Whether no fragment is an inline image or box, a long word to cut, or text that is not a string; what
    is true of a rest's fragments is true of its own rest's, which are copies of them."""
    for frag in frags:
        inline = getattr(frag, "cbDefn", None)
        if getattr(frag, "splitLongWords", False) or not isinstance(getattr(frag, "text", ""), str | bytes):
            return False
        if inline is not None and (getattr(inline, "kind", None) in ("img", "box") or getattr(inline, "width", None)):
            return False
    return True


def _handed_on(paragraph: Any, broken: Any, start: int, lines: list[Any], rest: Any) -> _Rest | None:
    """The rest's lines for `rest`, if breaking its fragments gives them by construction (module docstring)."""
    cached = paragraph.__dict__.get("_brokenLinesCache")
    widths = paragraph.__dict__.get("_line_widths")
    if cached is None or cached[1] is not broken or widths is None or len(widths) != len(broken.lines):
        return None
    key = cached[0]
    if key[2] == "CJK" or key[3] or len(rest.frags) != sum(len(line.words) for line in lines):
        return None
    return _Rest(lines, widths[start:], key[1], key[2:6])


_original_base85 = rl_accel.asciiBase85Encode
_original_escape = rl_accel.escapePDF
#: What ReportLab's escapePDF writes for each byte: octal below 32 and from 127, a backslash before \\ ( ).
ESCAPES = [rf"\{code:03o}" if code < 32 or code >= 127 else chr(code) for code in range(256)]
for _special in b"\\()":
    ESCAPES[_special] = "\\" + chr(_special)


def base85(data: Any) -> str:
    """ReportLab's `asciiBase85Encode` (every page's content stream): the same characters, `z` for four zero
    bytes of a whole group, the last group cut to its length plus one, `~>` at the end, from the
    standard library's encoder in place of a loop over every four bytes."""
    if type(data) is not bytes:
        found: str = _original_base85(data)
        return found
    return base64.a85encode(data).decode("ascii") + "~>"


def escape(data: Any) -> str:
    """ReportLab's `escapePDF` (every piece of text drawn) for bytes: each byte through the same table, at once."""
    if type(data) is not bytes:
        found: str = _original_escape(data)
        return found
    return data.decode("latin-1").translate(ESCAPES)


_original_fp_str = rl_accel.fp_str
#: number -> how ReportLab writes it; a number equal to another (1, 1.0, True) is written the same way.
_numbers: dict[Any, str] = {}
NUMBERS_MAX = 100_000


def fp_str(*numbers: Any) -> str:
    """ReportLab's `fp_str` (every coordinate, size and colour of every page): each number written as before,
    once per render, since a page's positions, sizes and colours recur on every page."""
    given = numbers
    if len(numbers) == 1 and isSeq(numbers[0]):
        numbers = numbers[0]
    written = []
    try:
        for number in numbers:
            text = _numbers.get(number)
            if text is None:
                text = _original_fp_str(number)
                if len(_numbers) >= NUMBERS_MAX:
                    _numbers.clear()
                _numbers[number] = text
            written.append(text)
    except TypeError:  # a number that is no key (unhashable): as ReportLab writes it, without remembering
        found: str = _original_fp_str(*given)
        return found
    return " ".join(written)


_original_needs_bidi = bidi.needs_bidi


def needs_bidi(text: Any, base_dir: str | None = "L") -> bool:
    """xhtml2pdf's `needs_bidi` (each line drawn): ASCII text in a left-to-right paragraph never does, and
    `isascii` tells in one pass what the search through every right-to-left range would."""
    if base_dir == "L" and type(text) is str and text.isascii():
        return False
    found: bool = _original_needs_bidi(text, base_dir)
    return found


def forget() -> None:
    """Drop what is remembered (at the end of each render, with xhtml2pdf's own caches)."""
    global _last_same
    _ascent_descent.clear()
    _numbers.clear()
    _last_same = (None, None, None)
