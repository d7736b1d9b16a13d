"""Right-to-left documents as a browser lays them out, and emoji xhtml2pdf has no font for.

xhtml2pdf itself aligns a `dir="rtl"` paragraph to the right, orders its bidi runs line by line and
mirrors a table's columns. This stage gives it what it reads: CSS `direction` as the `dir` attribute,
`text-align: start`/`end` as the side they mean, and the flex rows it turned into tables with their
cells' alignment mirrored. Emoji, which no installed font draws in colour, become the text symbol
DejaVu Sans has for them, or are left out; the fidelity report names each.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from lxml import html as lxml_html

from tasks.document.fidelity import FidelityReport
from tasks.fonts.fallback import SYSTEM_FONT_DIRS
from tasks.prepare.cascade import Computed
from tasks.prepare.inline_style import set_style

_EMOJI = re.compile(
    "(?:[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\u2190-\u21ff\u3030\u303d\u3297\u3299]"
    "[\ufe0e\ufe0f]?(?:\u200d[\U0001f000-\U0001faff\u2600-\u27bf][\ufe0e\ufe0f]?)*|[\U0001f1e6-\U0001f1ff]{2})"
    "[\U0001f3fb-\U0001f3ff]?"
)
#: Emoji a browser draws in colour, and the symbol of the same meaning DejaVu Sans draws in text.
SUBSTITUTES = {
    "\U0001f6eb": "\u2708",
    "\U0001f6ec": "\u2708",
    "\U0001f4de": "\u260e",
    "\U0001f4f1": "\u260e",
    "\U0001f4e7": "\u2709",
    "\U0001f4e9": "\u2709",
    "\u2705": "\u2714",
    "\u274c": "\u2718",
    "\u2b50": "\u2605",
    "\U0001f31f": "\u2605",
    "\U0001f4cd": "\u25cf",
    "\U0001f552": "\u231a",
    "\U0001f550": "\u231a",
    "\u23f0": "\u231a",
}
_SWAP = {"left": "right", "right": "left"}


def apply(root: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed], report: FidelityReport) -> None:
    """Directions as xhtml2pdf reads them, and emoji as text it can draw."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        style = computed.get(element)
        direction = (style.cascaded.get("direction", "") if style is not None else "").strip().lower()
        if direction in ("rtl", "ltr") and not element.get("dir"):
            element.set("dir", direction)
            report.ignored_css.pop("direction", None)
        rtl = _is_rtl(element)
        if style is not None:
            align = style.own.get("text-align", "").lower()
            if align in ("start", "end"):
                side = "right" if (align == "start") == rtl else "left"
                set_style(element, {"text-align": side})
            if rtl and style.display in ("flex", "inline-flex"):
                _mirror_flex_cells(element)
        _substitute_emoji(element, report)


def _is_rtl(element: lxml_html.HtmlElement) -> bool:
    for node in (element, *element.iterancestors()):
        value = (node.get("dir") or "").lower()
        if value in ("rtl", "ltr"):
            return value == "rtl"
    return False


def _mirror_flex_cells(element: lxml_html.HtmlElement) -> None:
    """A flex row laid out as a table: xhtml2pdf mirrors the columns; the alignments follow them."""
    tables = [child for child in element if child.tag == "table"]
    if len(tables) != 1:
        return
    for td in tables[0].iter("td"):
        if td.getparent() is None or td.getparent().getparent() is not tables[0]:
            continue
        declarations = [part for part in td.get("style", "").split("; ") if part]
        mirrored = []
        for part in declarations:
            name, _, value = part.partition(": ")
            if name == "text-align" and value in _SWAP:
                part = f"text-align: {_SWAP[value]}"
            elif name == "padding-left":
                part = f"padding-right: {value}"
            mirrored.append(part)
        td.set("style", "; ".join(mirrored))


def _substitute_emoji(element: lxml_html.HtmlElement, report: FidelityReport) -> None:
    for attribute in ("text", "tail"):
        text = getattr(element, attribute)
        if text and _EMOJI.search(text):
            setattr(element, attribute, _EMOJI.sub(lambda found: _drawable(found.group(0), report), text))


def _drawable(emoji: str, report: FidelityReport) -> str:
    """`emoji` as text a font here has: itself in text style, its substitute, or nothing."""
    base = emoji[0]
    if len(emoji) <= 2 and emoji[1:] in ("", "\ufe0f", "\ufe0e") and _drawn(base):
        return base
    substitute = SUBSTITUTES.get(base)
    if substitute:
        report.degrade(f"emoji {emoji} drawn as the symbol {substitute} (no colour emoji font)")
        return substitute
    report.degrade(f"emoji {emoji} left out (no font here draws it)")
    return ""


@functools.lru_cache(maxsize=1)
def _dejavu_characters() -> frozenset[int]:
    from reportlab.pdfbase.ttfonts import TTFontFile

    for folder in SYSTEM_FONT_DIRS:
        path = Path(folder) / "DejaVuSans.ttf"
        if path.exists():
            return frozenset(TTFontFile(str(path)).charToGlyph)
    return frozenset()


def _drawn(character: str) -> bool:
    return ord(character) in _dejavu_characters()
