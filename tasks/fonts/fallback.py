"""Fallback fonts, so Hangul, kana, Han, Hebrew and Arabic come out as text, not boxes.

The functions xhtml2pdf and ReportLab call instead of their own (`by_coverage`, `shape_frag_text`, `toc_entry`,
`to_unicode_cmap`) are put in by tasks/render/patches.py.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import struct
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from arabic_reshaper import ArabicReshaper
from reportlab.lib.fonts import tt2ps
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from xhtml2pdf import context as x2p_context
from xhtml2pdf.util import font_has_glyph, set_asian_fonts
from xhtml2pdf.xhtml2pdf_reportlab import PmlTableOfContents

from tasks.document.failures import INPUT_FAULTS
from tasks.fonts import cjk as cjk_fonts

#: ReportLab's CJK faces (sans, serif), the last resort when no installed Noto face
#: (tasks/fonts/cjk.py) has a run's characters: not embedded, so the viewer must have a font.
CID_FACES: dict[str, tuple[str, str]] = {
    "ko": ("HYGothic-Medium", "HYSMyeongJo-Medium"),
    "ja": ("HeiseiKakuGo-W5", "HeiseiMin-W3"),
    "zh-hans": ("STSong-Light", "STSong-Light"),
    "zh-hant": ("MSung-Light", "MSung-Light"),
}
#: A Han-only run goes to the first face whose legacy charset holds it all,
#: a fair stand-in for the faces' glyph sets (Adobe-Korea1, -GB1, ...).
_CHARSETS = (("ko", "euc_kr"), ("zh-hans", "gbk"), ("ja", "euc_jp"), ("zh-hant", "big5"))
#: Where Debian, Fedora and Arch put DejaVu Sans, which has Hebrew, Arabic
#: (with the presentation forms the reshaper writes), Greek and Cyrillic.
SYSTEM_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF")
SYSTEM_FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf")

# Text that Helvetica and Times can draw whole (Latin-1, dashes, quotes, "…", "€", "™") is left
# alone at the cost of one regex search: that is what keeps Latin documents as fast as before.
_FOREIGN = re.compile(
    "[^\x00-\xff\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_CJK = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
    "\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"
)
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff]")
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_SERIF = ("times", "serif", "myeongjo", "mincho", "min-", "song", "ming", "georgia", "garamond")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_ARABIC_BEH = "\u0628"

_original_by_coverage: Callable[[Any, Any], list[Any]] = x2p_context.pisaContext._byCoverage
_original_shape: Callable[..., str | None] = x2p_context.shape_frag_text
_original_cmap: Callable[[str, list[int]], str] = ttfonts.makeToUnicodeCMap
_original_toc_entry: Callable[..., None] = PmlTableOfContents.addEntry
_font_dirs: tuple[Path, ...] = ()
_faces: dict[str, list[str]] = {}  # regular faces, "configured" and "system", loaded on first need
_variants: dict[str, dict[tuple[int, int], str]] = {}  # regular face -> (bold, italic) -> face
_cid_registered: set[str] = set()


#: What ReportLab raises for a file it cannot embed; a time limit or a cancel is none of these.
_UNREADABLE: tuple[type[Exception], ...] = (TTFError, struct.error, *INPUT_FAULTS)


def configure(font_dirs: Iterable[str | os.PathLike[str]] = ()) -> None:
    """Embed the `*.ttf` of `font_dirs`, before DejaVu Sans and the CID faces, for what documents lack.

    `X-Bold.ttf`, `X-Italic.ttf` (or `-Oblique`) and `X-BoldItalic.ttf` are variants of `X.ttf`."""
    global _font_dirs
    _font_dirs = tuple(Path(directory) for directory in font_dirs)
    _faces.clear()


def fallback_faces(*, configured_only: bool = False) -> list[str]:
    """The regular faces of the fallback TTFs, registered with ReportLab on first use."""
    if "configured" not in _faces:
        _faces["configured"] = _load([path for folder in _font_dirs for path in sorted(folder.glob("*.ttf"))])
    if configured_only:
        return _faces["configured"]
    if "system" not in _faces:
        folder = next((Path(d) for d in SYSTEM_FONT_DIRS if Path(d, SYSTEM_FONT_FILES[0]).is_file()), Path())
        _faces["system"] = _load([folder / name for name in SYSTEM_FONT_FILES if (folder / name).is_file()])
    return _faces["configured"] + _faces["system"]


def _load(paths: list[Path]) -> list[str]:
    """Register each TTF under its file name; the regular faces, with their `-Bold`... files as variants."""
    suffixes = {"-Regular": (0, 0), "-Bold": (1, 0), "-Italic": (0, 1), "-Oblique": (0, 1), "-BoldItalic": (1, 1)}
    suffixes["-BoldOblique"] = (1, 1)
    families: dict[str, dict[tuple[int, int], str]] = {}
    for path in paths:
        name = path.stem
        try:
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(path)))
        except _UNREADABLE:  # not a font ReportLab can embed (a .ttc, CFF outlines, a broken file)
            continue
        suffix = next((suffix for suffix in suffixes if name.endswith(suffix)), "")
        families.setdefault(name.removesuffix(suffix), {})[suffixes.get(suffix, (0, 0))] = name
    _variants.update({styles[0, 0]: styles for styles in families.values() if (0, 0) in styles})
    return [styles[0, 0] for styles in families.values() if (0, 0) in styles]


def _styled(face: str, frag: Any) -> str:
    """`face` in the fragment's weight and slant, as far as its files go."""
    styles, bold, italic = _variants.get(face, {}), int(bool(frag.bold)), int(bool(frag.italic))
    return styles.get((bold, italic)) or styles.get((bold, 0)) or face


def by_coverage(self: Any, frag: Any) -> list[Any]:
    """xhtml2pdf's split of a fragment by font coverage, with fallback fonts for what it lacks."""
    text = getattr(frag, "text", None)
    # Exactly str: <pdf:pagenumber> and friends carry objects that must stay whole. This runs for every
    # fragment of every document: ASCII text (an O(1) check) is never foreign, the search is left for the rest.
    if type(text) is not str or text.isascii() or not _FOREIGN.search(text):
        return _original_by_coverage(self, frag)
    runs = _runs(self, frag, text)
    if len(runs) == 1 and runs[0][1] is None:
        return _original_by_coverage(self, frag)
    parts: list[Any] = []
    for run, font_name, cjk in runs:
        part = frag.clone()
        part.text = run
        if font_name is not None:
            part.fontName = part.bulletFontName = font_name
            # No spaces between Chinese or Japanese words: a run wider than
            # the line may break anywhere rather than run off the page.
            part.splitLongWords = part.splitLongWords or cjk
        parts.extend(_original_by_coverage(self, part))
    return parts


def toc_entry(self: Any, level: int, text: str, page: Any, key: Any = None) -> None:
    """A <pdf:toc> entry, its text marked up with the faces its style's font lacks."""
    if not text.isascii() and _FOREIGN.search(text):
        style = self.levelStyles[min(level, len(self.levelStyles) - 1)]
        frag = SimpleNamespace(fontName=style.fontName, fontFamilies=(), bold=0, italic=0)
        runs = _runs(self, frag, text)
        text = "".join(f'<font face="{font}">{run}</font>' if font else run for run, font, _ in runs)
    _original_toc_entry(self, level, text, page, key)


def _runs(ctx: Any, frag: Any, text: str) -> list[tuple[str, str | None, bool]]:
    """`text` cut into (run, font, is CJK); font None keeps the fragment's own font-family list."""
    try:
        own = [frag.fontName] + [tt2ps(family, frag.bold, frag.italic) for family in frag.fontFamilies or ()]
    except (AttributeError, ValueError):
        own = [frag.fontName]
    # Per document and font list: the same few hundred characters come back in every fragment.
    memo = ctx.__dict__.setdefault("_fallback_kinds", {}).setdefault((*own, frag.bold, frag.italic), {})
    kinds: list[str] = []
    for char in text:
        kind = memo.get(char)
        if kind is None:
            kind = memo[char] = _kind(char, own, frag)
        if kind in (" ", "~"):
            # A space stays in its run, as in xhtml2pdf's split, and so does punctuation after CJK or
            # RTL text: cut out of a Hebrew run, a comma put the words around it out of order when read.
            prev = kinds[-1] if kinds else ""
            absorb = kind == " " or prev == "cjk" or (prev != "" and font_has_glyph(prev, char))
            kind = prev if absorb else ""
        kinds.append(kind)
    runs: list[tuple[str, str | None, bool]] = []
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or kinds[index] != kinds[start]:
            run, kind = text[start:index], kinds[start]
            cjk = kind == "cjk"
            runs.append((run, _cjk_font(ctx, frag, run) if cjk else kind or None, cjk))
            start = index
    return runs


def _kind(char: str, own: list[str], frag: Any) -> str:
    """What `char` needs: " " a space; "~" or "" punctuation or else that the fragment's fonts have;
    "cjk"; else the first fallback face with it, in the fragment's style, or "" if none has it."""
    if char.isspace():
        return " "
    if any(font_has_glyph(name, char) for name in own):
        return "~" if unicodedata.category(char)[0] == "P" else ""
    if _CJK.match(char):
        return "cjk"
    face = next((face for face in fallback_faces() if font_has_glyph(face, char)), None)
    return _styled(face, frag) if face else ""


def _cjk_font(ctx: Any, frag: Any, run: str) -> str:
    """A configured TTF that has all of `run`, else the embedded Noto face of its language and style
    (or of another CJK language that has all of it), else ReportLab's CID face for it."""
    chars = [char for char in run if not char.isspace()]
    for face in fallback_faces(configured_only=True):
        if all(font_has_glyph(face, char) for char in chars):
            return _styled(face, frag)
    language = "ko" if _HANGUL.search(run) else "ja" if _KANA.search(run) else _han_language(run, _declared_lang(ctx))
    serif = _is_serif(frag.fontName)
    for candidate in sorted(cjk_fonts.FALLBACK_ORDER, key=lambda other: other != language):
        embedded = cjk_fonts.face(candidate, serif)
        if embedded is not None and all(font_has_glyph(embedded, char) for char in chars):
            return embedded
    # No installed font has the whole run: a face the reader's PDF viewer has to bring.
    face = CID_FACES[language][serif]
    if face not in _cid_registered:
        set_asian_fonts(face)
        _cid_registered.add(face)
    return face


def _han_language(run: str, lang: str) -> str:
    """Which CJK face draws Han ideographs: the declared language's, if its face has them all."""
    if lang.startswith("zh"):
        wanted = "zh-hant" if any(tag in lang for tag in ("hant", "-tw", "-hk", "-mo")) else "zh-hans"
    else:
        wanted = {"ja": "ja", "ko": "ko"}.get(lang[:2], "")
    for language, charset in sorted(_CHARSETS, key=lambda pair: pair[0] != wanted):
        with contextlib.suppress(UnicodeEncodeError):
            run.encode(charset)
            return language
    return wanted or "ko"


def _declared_lang(ctx: Any) -> str:
    """The `lang` of the element being laid out or its nearest ancestor, else the document's."""
    node = getattr(ctx, "node", None)
    while node is not None and getattr(node, "nodeType", None) == 1:
        lang = node.getAttribute("lang") or node.getAttribute("xml:lang")
        if lang:
            return str(lang).strip().lower()
        node = node.parentNode
    return str(getattr(ctx, "lang_tag", "") or "").strip().lower()


@functools.cache
def _is_serif(font_name: str) -> bool:
    """Whether `font_name` looks like a serif face (Times and the like)."""
    lowered = font_name.lower()
    return any(mark in lowered for mark in _SERIF) and "sans" not in lowered


#: Arabic joined as xhtml2pdf joins it, keeping the harakat (vowel marks, shadda) a browser draws, which
#: arabic_reshaper deletes unless told: with ligatures, then without (fonts differ most in those).
_KEEPING_HARAKAT = (
    ArabicReshaper(configuration={"delete_harakat": False}),
    ArabicReshaper(configuration={"delete_harakat": False, "support_ligatures": False}),
)


def shape_frag_text(text: str, font_name: str | None = None) -> str | None:
    """xhtml2pdf's Arabic shaping, for the fallback face when the fragment's cannot draw Arabic, with the
    text's harakat kept where the face can draw them."""
    if text.isascii() or not _ARABIC.search(text):
        return _original_shape(text, font_name)
    if font_name is not None and not font_has_glyph(font_name, _ARABIC_BEH):
        font_name = next((face for face in fallback_faces() if font_has_glyph(face, _ARABIC_BEH)), font_name)
    for reshaper in _KEEPING_HARAKAT:
        shaped: str = reshaper.reshape(text)
        if font_name is None or all(font_has_glyph(font_name, char) for char in shaped):
            return shaped
    return _original_shape(text, font_name)


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap, reading back Arabic letters as typed, not in the joined forms
    the reshaper drew, and code points past U+FFFF (emoji, rare Han) as UTF-16, not five hex digits."""
    cmap = _original_cmap(fontname, subset)
    for code, codepoint in enumerate(subset):
        if 0xFB50 <= codepoint <= 0xFEFF or codepoint > 0xFFFF:
            text = chr(codepoint)
            if codepoint <= 0xFFFF:
                text = unicodedata.normalize("NFKC", text).strip() or text
            utf16 = text.encode("utf-16-be").hex().upper()
            cmap = cmap.replace(f"<{code:02X}> <{codepoint:04X}>", f"<{code:02X}> <{utf16}>")
    return cmap
