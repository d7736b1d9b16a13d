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
from typing import Any

from reportlab.lib import rl_accel
from reportlab.lib.utils import isSeq
from reportlab.pdfbase import pdfmetrics
from xhtml2pdf import bidi
from xhtml2pdf import reportlab_paragraph as x2p_paragraph

_new = object.__new__
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


def frag_keys(frags: Any) -> tuple[tuple[Any, Any, Any, Any], ...]:
    """What xhtml2pdf's line cache compares of each fragment: its identity, its text as `_text_key` reads it,
    its inline object's width and height; the same tuples, each callback looked up once, not twice."""
    keys = []
    for frag in frags:
        text = getattr(frag, "text", None)
        if not (text is None or isinstance(text, str | bytes)):
            text = str(text)
        callback = getattr(frag, "cbDefn", None)
        keys.append((id(frag), text, getattr(callback, "width", None), getattr(callback, "height", None)))
    return tuple(keys)


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
    if style.wordWrap == "CJK":
        broken = self.breakLinesCJK([first_line_width, later_widths])
    else:
        broken = self.breakLines([first_line_width, later_widths])
    overflow = getattr(style, "textOverflow", None)
    if overflow and x2p_paragraph._cutLines(broken, [first_line_width, later_widths], overflow):
        self.width = width
    self._brokenLinesCache = (key, broken, self.width)
    return broken


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
    _ascent_descent.clear()
    _numbers.clear()
