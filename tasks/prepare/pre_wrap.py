"""`white-space: pre-wrap` text that wraps as a browser wraps it: its spaces and line breaks kept, its lines
broken at spaces where they meet the edge of their box.

xhtml2pdf keeps such spaces unbreakable, so a long line never wrapped: it ran past its box and off the
page, and its end was lost. Here each run of spaces becomes no-break spaces ending in one ordinary space (a
line may break after it; the run keeps its width), a line's leading spaces all no-break (its indent), and
each newline a `<br>`: the text is then laid out as normal text.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

from tasks.prepare.cascade import Computed, restyle

_WRAPPING = ("pre-wrap", "break-spaces")
_NBSP = "\u00a0"
_RUN = re.compile(r" {2,}")


def apply(root: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> None:
    """The text of every element whose `white-space` is pre-wrap, rewritten to wrap as normal text."""
    for element in list(root.iter()):
        style = computed.get(element)
        if style is None or not wraps(style):
            continue
        if element.text:
            element.text = _lines(element, element.text, 0)
        for child in list(element):
            if child.tail:
                child.tail = _lines(element, child.tail, element.index(child) + 1)
        restyle(element, style, {"white-space": "normal"})


def wraps(style: Computed) -> bool:
    """Whether the element's text keeps its spaces and wraps (`pre-wrap`, `break-spaces`)."""
    return style.inherited_value("white-space", "normal").strip().lower() in _WRAPPING


def _lines(parent: lxml_html.HtmlElement, text: str, at: int) -> str:
    """`text`'s first line; each further line after a `<br>` put into `parent` at `at` and on."""
    lines = text.expandtabs(8).split("\n")
    for offset, line in enumerate(lines[1:]):
        br = lxml_html.Element("br")
        br.tail = _spaced(line)
        parent.insert(at + offset, br)
    return _spaced(lines[0])


def _spaced(line: str) -> str:
    """The line's spaces as they keep their width: leading ones unbreakable, a break after each run."""
    body = line.lstrip(" ")
    indent = _NBSP * (len(line) - len(body))
    return indent + _RUN.sub(lambda run: _NBSP * (len(run.group()) - 1) + " ", body)
