"""How deeply CSS nests its blocks, brackets and parentheses, found in one linear scan before any parser reads it."""

from __future__ import annotations

import re

from tasks.document.failures import css_too_deeply_nested

#: Far below where lightningcss crashes the process (5,000 nested blocks, 10,000 calc()s) and where
#: the cascade's own recursion would (300 to 500 parentheses), far above real stylesheets (under 20).
MAX_CSS_DEPTH = 128
# What a CSS tokenizer reads as one token whatever brackets it holds: comments, strings (ending at
# the line's end when unclosed), escaped characters. Possessive, and an unclosed one runs to the end.
_OPAQUE = re.compile(r"""/\*.*?(?:\*/|\Z)|"(?:[^"\\\n]|\\.)*+"?|'(?:[^'\\\n]|\\.)*+'?|\\.""", re.DOTALL)
_NOT_BRACKET = re.compile(r"[^{}()\[\]]++")
_CLOSES = {"}": "{", ")": "(", "]": "["}


def nests_deeper(css: str, limit: int = MAX_CSS_DEPTH) -> bool:
    """Whether `css` nests `{`, `(` and `[` deeper than `limit` as a CSS parser counts them: outside
    comments and strings, a closer ending only the innermost open bracket, of its own kind."""
    if sum(css.count(opener) for opener in "{([") <= limit:
        return False  # the common case, at C speed: too few openers to nest that deep
    open_: list[str] = []
    for mark in _NOT_BRACKET.sub("", _OPAQUE.sub(" ", css)):
        opener = _CLOSES.get(mark)
        if opener is None:
            open_.append(mark)
            if len(open_) > limit:
                return True
        elif open_ and open_[-1] == opener:
            open_.pop()
    return False


def check(css: str, limit: int = MAX_CSS_DEPTH) -> None:
    """Raise `too_deeply_nested` (naming CSS) when `css` nests deeper than `limit`."""
    if nests_deeper(css, limit):
        raise css_too_deeply_nested(limit)
