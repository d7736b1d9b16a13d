"""The parser's stack of open elements, as html5lib builds it, reduced to what decides depth."""

from __future__ import annotations

import re
from collections import defaultdict

from tasks.nesting.elements import (
    ARK,
    BREAKOUT,
    CATEGORIES_OF,
    CLOSES_P,
    END_SCOPE,
    FOREIGN,
    FORMATTING,
    HEADINGS,
    MARKERS,
    REOPENED,
    ROOTS,
    TABLE_PARTS,
    VOID,
)

# Start tags that end an open <select> (and are then read as usual), and the end tags read inside one.
_SELECT_IN_TABLE = ("caption", "table", "tbody", "tfoot", "thead", "tr", "td", "th")
SELECT_ENDERS = frozenset(("select", "input", "keygen", "textarea", *_SELECT_IN_TABLE))
SELECT_BY_ITSELF = frozenset(("select", "input", "keygen", "textarea"))
SELECT_END_TAGS = frozenset(("option", "optgroup", "select", *_SELECT_IN_TABLE))
# Names whose closing does more than leave the stack.
_NOTABLE = MARKERS | FORMATTING | {REOPENED, "select"}
FOREIGN_PREFIX = "~"
FOREIGN_CATEGORIES = ("@scope", "@button", "@list", "@special", "@li_stop", "@dd_stop")
# Where SVG or MathML content holds HTML again (html5lib 1.1's integration points).
INTEGRATION_POINTS = frozenset(
    [("svg", name) for name in ("foreignobject", "desc", "title")]
    + [("math", name) for name in ("mi", "mo", "mn", "ms", "mtext", "annotation-xml")]
)
_FONT_BREAKOUT = re.compile(r"\b(?:color|face|size)\b", re.IGNORECASE)


class Dangling:
    """Formatting elements closed by something else than their end tag, since the last cell or caption.

    The parser opens them again around whatever comes next, so each adds a level.
    """

    def __init__(self) -> None:
        # Plain dicts: one of these is made per table cell, and Counter() and defaultdict cost more to make.
        self.keys: dict[tuple[str, str], int] = {}
        self.by_name: dict[str, list[tuple[str, str]]] = {}
        self.total = 0

    def add(self, name: str, attributes: str) -> None:
        key = (name, attributes)
        count = self.keys.get(key, 0)
        if count >= ARK:
            return  # the parser drops the earliest of four identical ones
        self.keys[key] = count + 1
        self.by_name.setdefault(name, []).append(key)
        self.total += 1

    def end(self, name: str) -> bool:
        """The end tag of a re-opened element: the adoption agency closes it."""
        opened = self.by_name.get(name)
        if not opened:
            return False
        self.keys[opened.pop()] -= 1
        self.total -= 1
        return True

    def merge(self, other: Dangling) -> Dangling:
        """Both sets in one (the larger one, grown)."""
        into, other = (self, other) if self.total >= other.total else (other, self)
        for keys in other.by_name.values():
            for name, attributes in keys:
                into.add(name, attributes)
        return into


class OpenElements:
    """The parser's stack of open elements, with the lookups the tree-building rules need in O(1)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.attributes: list[str] = []
        # Formatting elements the parser opened again, one entry for the lot.
        self.reopened: dict[int, Dangling] = {}
        self.weight = 0
        self.at: defaultdict[str, list[int]] = defaultdict(list)
        self.dangling = [Dangling()]
        self.dangling_total = 0
        # Per open element: True for SVG and MathML ones.
        self.foreign: list[str | None] = []  # per open element: "svg", "math" or None (HTML)
        # Where the <select> elements parsed as HTML stand: inside one the parser ignores most tags.
        self.selects: list[int] = []

    def in_foreign(self) -> bool:
        """Whether the parser reads the next tag as SVG or MathML: the current element is one, not a door to HTML."""
        space = self.foreign[-1] if self.foreign else None
        return space is not None and (space, self.names[-1]) not in INTEGRATION_POINTS

    @property
    def depth(self) -> int:
        return self.weight + self.dangling_total

    def nearest(self, key: str) -> int:
        """Index of the innermost open element named (or in category) `key`, -1 if none."""
        found = self.at.get(key)
        return found[-1] if found else -1

    def push(self, name: str, attributes: str = "", foreign: str | None = None) -> None:
        """Open `name`: an HTML element, or an SVG or MathML one (`foreign` says which) HTML rules never match."""
        index = len(self.names)
        self.names.append(name)
        self.attributes.append(attributes)
        self.foreign.append(foreign)
        self.weight += 1
        at = self.at
        if foreign:
            # Filed apart, and a wall to every HTML scope: counting deeper is the safe side.
            at[FOREIGN_PREFIX + name].append(index)
            for category in FOREIGN_CATEGORIES:
                at[category].append(index)
            return
        at[name].append(index)
        for category in CATEGORIES_OF.get(name, ()):
            at[category].append(index)
        if name in MARKERS:
            self.dangling.append(Dangling())
        elif name == "select":
            self.selects.append(index)

    def pop_to(self, index: int) -> None:
        """Close every element from `index` up; formatting ones above it dangle."""
        names, attributes, at = self.names, self.attributes, self.at
        while len(names) > index:
            name = names.pop()
            attribute = attributes.pop()
            self.weight -= 1
            if self.foreign.pop():
                at[FOREIGN_PREFIX + name].pop()
                for category in FOREIGN_CATEGORIES:
                    at[category].pop()
                continue
            at[name].pop()
            for category in CATEGORIES_OF.get(name, ()):
                at[category].pop()
            if name not in _NOTABLE:
                continue
            if self.selects and self.selects[-1] >= len(names):
                self.selects.pop()
            if name in MARKERS and len(self.dangling) > 1:
                self.dangling_total -= self.dangling.pop().total
            elif name == REOPENED:
                group = self.reopened.pop(len(names))
                self.weight -= group.total - 1
                before = self.dangling[-1].total
                self.dangling[-1] = self.dangling[-1].merge(group)
                self.dangling_total += self.dangling[-1].total - before
            elif name in FORMATTING and len(names) > index:
                before = self.dangling[-1].total
                self.dangling[-1].add(name, attribute)
                self.dangling_total += self.dangling[-1].total - before

    def reopen(self) -> None:
        """The parser opens the dangling formatting elements again, here."""
        group = self.dangling[-1]
        if not group.total:
            return
        self.reopened[len(self.names)] = group
        self.dangling[-1] = Dangling()
        self.dangling_total -= group.total
        self.push(REOPENED)
        self.weight += group.total - 1

    def close_if_inside(self, names: tuple[str, ...], *boundaries: str) -> None:
        """Close the innermost open element of `names` unless a `boundaries` element is open inside it."""
        at, found = self.at, -1
        for name in names:
            open_ = at.get(name)
            if open_ and open_[-1] > found:
                found = open_[-1]
        if found < 0:
            return
        for boundary in boundaries:
            open_ = at.get(boundary)
            if open_ and open_[-1] > found:
                return
        self.pop_to(found)

    def table_start(self, name: str) -> None:
        """A table part (or a table) inside a table: the cells, rows and sections it ends, and those it implies."""
        cell = max(self.nearest("td"), self.nearest("th"), self.nearest("caption"))
        row = self.nearest("tr")
        section = max(self.nearest("tbody"), self.nearest("thead"), self.nearest("tfoot"))
        table = self.nearest("table")
        if cell > max(row, section, table):
            if name == "table":
                return  # a table in a cell nests
            self.pop_to(cell)
            cell = -1
        if name in ("td", "th"):
            if row > max(section, table):
                self.pop_to(row + 1)
                return
            if section < table:
                self.pop_to(table + 1)
                self.push("tbody")
            else:
                self.pop_to(section + 1)
            self.push("tr")
            return
        if row > max(section, table):
            self.pop_to(row)
            row = -1
        if name == "tr":
            if section < table:
                self.pop_to(table + 1)
                self.push("tbody")
            else:
                self.pop_to(section + 1)
            return
        if name == "table":
            self.pop_to(table)  # a table directly in a table ends it
            return
        self.pop_to(table + 1)

    def start(self, name: str, attributes: str) -> int:
        """Open `name` as the parser would; the depth this reached."""
        if self.in_foreign():
            reached = self._start_in_foreign(name, attributes)
            if reached is not None:
                return reached
        if self.selects and self._start_in_select(name, attributes):
            return self.depth
        if name in FOREIGN:
            self.reopen()
            if attributes.endswith("/"):
                return self.depth + 1
            self.push(name, attributes, foreign=name)
            return self.depth
        if name in ROOTS or name == "frameset":
            return self.depth  # framesets are counted apart (tasks/nesting/scan.py)
        if name in VOID:
            self.reopen()
            return self.depth + 1
        if name in TABLE_PARTS and self.nearest("table") < 0:
            return self.depth  # a table part outside any table is dropped
        self._close_before(name)
        if name in CLOSES_P or name in TABLE_PARTS or name == "table":
            self.push(name, attributes)
            if name not in TABLE_PARTS and name != "table":
                self.reopen()  # around the text inside
        else:
            self.reopen()
            self.push(name, attributes)
        return self.depth

    def _start_in_foreign(self, name: str, attributes: str) -> int | None:
        """A start tag inside SVG or MathML: the depth it reached there, or None when it ends that content."""
        breakout = name in BREAKOUT and (name != "font" or _FONT_BREAKOUT.search(attributes))
        if not breakout:
            if not attributes.endswith("/"):  # <path/> closes itself here; <div/> in HTML does not
                self.push(name, attributes, foreign=self.foreign[-1])
                return self.depth
            return self.depth + 1
        while self.in_foreign():  # an HTML tag ends the SVG or MathML it stands in
            self.pop_to(len(self.names) - 1)
        return None

    def _start_in_select(self, name: str, attributes: str) -> bool:
        """A start tag in a <select>: True when the select took it, False when it ended the select and reads as usual.

        The parser keeps options there and ignores other tags; a few end the select first.
        """
        if name in ("option", "optgroup"):
            if self.names[-1] == "option" or (name == "optgroup" and self.names[-1] == "optgroup"):
                self.pop_to(len(self.names) - 1)
            self.push(name, attributes)
            return True
        if name not in SELECT_ENDERS or (name not in SELECT_BY_ITSELF and self.nearest("table") < 0):
            return True
        self.pop_to(self.selects[-1])
        return name == "select"

    def _close_before(self, name: str) -> None:
        """Close what a start tag of `name` implicitly ends: an <li>, <dd>, <p>, heading, option or table part."""
        if name == "li":
            self.close_if_inside(("li",), "@li_stop", "@list")
        elif name in ("dd", "dt"):
            self.close_if_inside(("dd", "dt"), "@dd_stop", "@scope")
        elif name in TABLE_PARTS or (name == "table" and self.nearest("table") >= 0):
            self.table_start(name)
        elif name in ("option", "optgroup") and self.names and self.names[-1] == "option":
            self.pop_to(len(self.names) - 1)
        if name in CLOSES_P:
            self.close_if_inside(("p",), "@button")
        if name in HEADINGS and self.names and self.names[-1] in HEADINGS:
            self.pop_to(len(self.names) - 1)

    def end(self, name: str) -> int:
        """Close `name` as the parser would; the depth this reached (a stray </p> makes an empty <p>)."""
        if name in ("p", "br") and self.nearest("p" if name == "p" else "@none") <= self.nearest("@button"):
            return self.depth + 1
        if name not in ROOTS:
            self._end(name)
        return self.depth

    def _end(self, name: str) -> None:
        if self.foreign and self.foreign[-1]:
            # In SVG or MathML an end tag closes the innermost element of its name above any HTML one.
            found = self.nearest(FOREIGN_PREFIX + name)
            html = len(self.foreign) - 1
            while html >= 0 and self.foreign[html]:
                html -= 1
            if found > html:
                self.pop_to(found)
                return
        if self.selects and name not in SELECT_END_TAGS:
            return  # ignored inside a <select>
        if name == "form":
            return  # the parser takes the form out of the stack and leaves what it holds open
        found = self.nearest("@heading" if name in HEADINGS else name)
        if found < 0:
            if name in FORMATTING and self.dangling[-1].end(name):
                self.dangling_total -= 1
            elif name in FORMATTING and self.nearest(REOPENED) >= 0:
                self.weight -= self.reopened[self.nearest(REOPENED)].end(name)
            return
        boundary = END_SCOPE.get(name, "@scope" if name in HEADINGS else "@special")
        if boundary == "@special":
            # Any other end tag closes the innermost element of its name, unless a special one is open inside it.
            if self.nearest("@special") > found:
                return
        elif found < self.nearest(boundary):
            return
        self.pop_to(found)
