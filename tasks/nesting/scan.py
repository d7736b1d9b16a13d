"""How deeply an HTML parser would nest a document's elements, in one linear scan."""

from __future__ import annotations

import re

from tasks.nesting.elements import RAW_TEXT
from tasks.nesting.tree import OpenElements


class _Scanner:
    """Finds the next occurrence of a pattern from a position, remembering it so repeated searches stay linear."""

    def __init__(self, text: str, pattern: re.Pattern[str]) -> None:
        self.text, self.pattern = text, pattern
        self.found: tuple[int, int] | None = (-1, -1)

    def next(self, position: int) -> tuple[int, int] | None:
        """(start, end) of the first match at or after `position`, or None."""
        if self.found is None:
            return None
        if self.found[0] < position:
            match = self.pattern.search(self.text, position)
            self.found = match.span() if match else None
        return self.found


_COMMENT_END = re.compile(r"--!?>")
_FRAMESET = re.compile("<frameset", re.IGNORECASE)
# What the scan stops at: a start or end tag, or a comment. Other `<` are text.
MARKUP = re.compile(r"<(?:(/?)([a-zA-Z][^\s/>]*)|!--)")


def nesting_depth(html: str, stop_above: int | None = None) -> int:
    """How deep html5lib (xhtml2pdf's parser) would nest `html`'s elements, counting <html> and <body>.

    One pass, linear in the size of `html` whatever it holds (unclosed tags, runs of `<`).
    Follows the parser's rules for implied end tags (<p>, <li>, table parts), the
    <tbody> and <tr> it adds, end tags it ignores, formatting elements it re-opens,
    and the text of <script>, <style> and comments; where it simplifies, it counts
    deeper. Stops early once the depth exceeds `stop_above`.
    """
    tree = OpenElements()
    deepest = 0
    gt = -1  # where the last search for ">" ended: none after it when -1 came back
    comment_ends = _Scanner(html, _COMMENT_END)
    raw_ends: dict[str, _Scanner] = {}
    position = 0
    search = MARKUP.search
    find = html.find
    while (markup := search(html, position)) is not None:
        name = markup.group(2)
        if name is None:
            after = _after_comment(html, markup.start(), comment_ends)
            if after is None:
                break
            position = after
            continue
        if gt < markup.end():
            gt = find(">", markup.end())
            if gt < 0:
                break  # an unfinished tag at the end: the parser drops it
        position = gt + 1
        name = name.lower()
        if markup.group(1):
            deepest = max(deepest, tree.end(name))
            continue
        deepest = max(deepest, tree.start(name, html[markup.end() : gt]))
        content = _content_of(tree, name)
        if content == "rest" or (stop_above is not None and deepest + 2 > stop_above):
            break
        if content == "raw":
            if name not in raw_ends:
                raw_ends[name] = _Scanner(html, re.compile(f"</{name}[\\s/>]", re.IGNORECASE))
            end = raw_ends[name].next(position)
            if end is None:
                break
            position = end[0]
    # A <frameset> that replaces the body makes the parser read nothing but framesets, and
    # whether it does depends on what came before: each one is counted as a level instead.
    return max(deepest, sum(1 for _ in _FRAMESET.finditer(html))) + 2


def _after_comment(html: str, opening: int, comment_ends: _Scanner) -> int | None:
    """Where the parser reads on after the comment opening at `opening`; None if it never ends."""
    if html.startswith(("<!-->", "<!--->"), opening):
        return opening + 4  # an empty comment hides nothing
    end = comment_ends.next(opening + 4)
    return None if end is None else end[1]


def _content_of(tree: OpenElements, name: str) -> str | None:
    """How the parser reads on after the start tag `name` just opened in `tree`.

    "rest": everything after it is text (<plaintext>); "raw": text up to its own end tag
    (<script>, <style>...); None: markup as usual.
    """
    foreign = bool(tree.foreign) and tree.foreign[-1] is not None  # the element just opened is SVG or MathML
    if foreign:
        return None
    in_select = bool(tree.selects)  # the parser ignores <plaintext>, <style> there
    if name == "plaintext" and not in_select:
        return "rest"
    if name in RAW_TEXT and (not in_select or name == "script"):
        return "raw"
    return None
