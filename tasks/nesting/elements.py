"""The element sets of html5lib 1.1's tree builder (xhtml2pdf's parser), for tasks/nesting/tree.py."""

from __future__ import annotations

_WORDS = str.split
# html5lib 1.1 predates <template> and <main> as special elements: so do these sets.
VOID = frozenset(_WORDS("area base basefont bgsound br col command embed frame hr image img input keygen link meta"))
VOID |= frozenset(_WORDS("param source track wbr"))
# Never counted: the parser makes one of each whatever the document says.
ROOTS = frozenset(_WORDS("html head body"))
# Their content is text to the parser, not tags.
RAW_TEXT = frozenset(_WORDS("script style textarea title xmp iframe noembed noframes"))
FOREIGN = frozenset(("svg", "math"))
FORMATTING = frozenset(_WORDS("a b big code em font i nobr s small strike strong tt u"))
_FOREIGN_SCOPE = frozenset(_WORDS("mi mo mn ms mtext annotation-xml foreignobject desc title"))
SPECIAL = _FOREIGN_SCOPE - {"mi", "mo", "mn", "ms", "mtext"}
SPECIAL |= frozenset(
    _WORDS(
        "address applet area article aside base basefont bgsound blockquote body br button caption center col "
        "colgroup command dd details dir div dl dt embed fieldset figure footer form frame frameset h1 h2 h3 h4 "
        "h5 h6 head header "
        "hr html iframe image img input isindex li link listing marquee menu meta nav noembed noframes noscript "
        "object ol p param plaintext pre script section select style table tbody td textarea tfoot th thead "
        "title tr ul wbr xmp"
    )
)
_SCOPE = frozenset(_WORDS("applet caption html table td th marquee object")) | _FOREIGN_SCOPE
# The HTML standard's "has an element in ... scope" boundaries, and what stops
# the search for an open <li>, <dd> or <dt> that a new one closes.
CATEGORIES: dict[str, frozenset[str]] = {
    "@scope": _SCOPE,
    "@button": _SCOPE | {"button"},
    "@list": _SCOPE | {"ol", "ul"},
    "@table": frozenset(("html", "table")),
    "@special": SPECIAL,
    "@li_stop": SPECIAL - {"address", "div", "p", "li"},
    "@dd_stop": SPECIAL - {"address", "div", "p", "dd", "dt"},
    "@heading": frozenset(_WORDS("h1 h2 h3 h4 h5 h6")),
}
HEADINGS = CATEGORIES["@heading"]
CATEGORIES_OF = {
    name: tuple(category for category, members in CATEGORIES.items() if name in members)
    for name in frozenset().union(*CATEGORIES.values())
}
# Start tags that close an open <p> (in button scope) before they open. Not
# <table>: without a doctype (quirks mode) it does not, and counting deeper is safe.
CLOSES_P = (
    frozenset(
        _WORDS(
            "address article aside blockquote center details dir div dl fieldset figcaption figure footer header "
            "hgroup main menu nav ol p section summary ul pre listing form li dd dt plaintext xmp hr"
        )
    )
    | HEADINGS
)
TABLE_PARTS = frozenset(_WORDS("td th tr tbody thead tfoot caption colgroup"))
# Elements that wall off the formatting elements opened before them.
MARKERS = frozenset(_WORDS("applet caption marquee object td th"))
# HTML start tags that end SVG or MathML content (here they nest as HTML inside it, never shallower).
BREAKOUT = frozenset(
    _WORDS(
        "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing "
        "menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var font"
    )
)
# End tags and the scope their element must be in; the rest stop at a special element.
END_SCOPE = dict.fromkeys(
    _WORDS(
        "address article aside blockquote button center details dialog dir div dl fieldset figcaption figure "
        "footer header hgroup listing main menu nav ol pre section summary ul dd dt applet marquee object"
    ),
    "@scope",
)
END_SCOPE |= {"p": "@button", "li": "@list"}
END_SCOPE |= dict.fromkeys(("td", "th", "tr", "table", "tbody", "thead", "tfoot", "caption", "colgroup"), "@table")
# The parser re-opens at most three identical formatting elements (its "Noah's ark").
ARK = 3
# The stack entry that stands for formatting elements opened again.
REOPENED = "#reopened"
