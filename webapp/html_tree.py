"""The parser's stack of open elements, as html5lib builds it, reduced to what decides depth."""

from __future__ import annotations

from collections import Counter, defaultdict

from webapp.html_elements import (
    ARK,
    BREAKOUT,
    CATEGORIES_OF,
    CLOSES_P,
    END_SCOPE,
    FOREIGN,
    FORMATTING,
    FRAMESET_NOT_OK,
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
_NOTABLE = FOREIGN | MARKERS | FORMATTING | {REOPENED, "select"}


class Dangling:
    """Formatting elements closed by something else than their end tag, since the last cell or caption.

    The parser opens them again around whatever comes next, so each adds a level.
    """

    def __init__(self) -> None:
        self.keys: Counter[tuple[str, str]] = Counter()
        self.by_name: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
        self.total = 0

    def add(self, name: str, attributes: str) -> None:
        key = (name, attributes)
        if self.keys[key] >= ARK:
            return  # the parser drops the earliest of four identical ones
        self.keys[key] += 1
        self.by_name[name].append(key)
        self.total += 1

    def end(self, name: str) -> bool:
        """The end tag of a re-opened element: the adoption agency closes it."""
        if not self.by_name[name]:
            return False
        self.keys[self.by_name[name].pop()] -= 1
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
        self.foreign = 0
        # Where the <select> elements parsed as HTML stand: inside one the parser ignores most tags.
        self.selects: list[int] = []
        # After a <frameset> that opens the page the parser reads nothing but framesets.
        self.frameset = False
        self.frameset_ok = True

    @property
    def depth(self) -> int:
        return self.weight + self.dangling_total

    def nearest(self, key: str) -> int:
        """Index of the innermost open element named (or in category) `key`, -1 if none."""
        found = self.at.get(key)
        return found[-1] if found else -1

    def push(self, name: str, attributes: str = "") -> None:
        index = len(self.names)
        self.names.append(name)
        self.attributes.append(attributes)
        self.weight += 1
        at = self.at
        at[name].append(index)
        for category in CATEGORIES_OF.get(name, ()):
            at[category].append(index)
        if name in FOREIGN:
            self.foreign += 1
        elif name in MARKERS:
            self.dangling.append(Dangling())
        elif name == "select" and not self.foreign:
            self.selects.append(index)

    def pop_to(self, index: int) -> None:
        """Close every element from `index` up; formatting ones above it dangle."""
        names, attributes, at = self.names, self.attributes, self.at
        while len(names) > index:
            name = names.pop()
            attribute = attributes.pop()
            self.weight -= 1
            at[name].pop()
            for category in CATEGORIES_OF.get(name, ()):
                at[category].pop()
            if name not in _NOTABLE:
                continue
            if self.selects and self.selects[-1] >= len(names):
                self.selects.pop()
            if name in FOREIGN:
                self.foreign -= 1
            elif name in MARKERS and len(self.dangling) > 1:
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
        if self.frameset:
            if name == "frameset":
                self.push(name)
            return self.depth + (name == "frame")
        select = self.selects[-1] if self.selects else -1
        if select >= 0 and not self.foreign:
            # In a <select> the parser keeps options and ignores other tags; a few end the select first.
            if name in ("option", "optgroup"):
                if self.names[-1] == "option" or (name == "optgroup" and self.names[-1] == "optgroup"):
                    self.pop_to(len(self.names) - 1)
                self.push(name, attributes)
                return self.depth
            if name not in SELECT_ENDERS or (name not in SELECT_BY_ITSELF and self.nearest("table") < 0):
                return self.depth
            self.pop_to(select)
            if name == "select":
                return self.depth
        if (self.foreign or name in FOREIGN) and attributes.endswith("/"):
            return self.depth + 1  # <path/> in SVG closes itself; <div/> in HTML does not
        if self.foreign and name not in BREAKOUT:
            self.push(name, attributes)  # in SVG or MathML every other name is an element of its own
            return self.depth
        if name in ROOTS:
            self.frameset_ok &= name != "body" or not self.names
            return self.depth
        if name == "frameset":
            if self.frameset_ok:
                self.pop_to(0)
                self.frameset = True
                self.push(name)
            return self.depth
        if name in FRAMESET_NOT_OK:
            self.frameset_ok = False
        if name in VOID:
            self.reopen()
            return self.depth + 1
        if name in TABLE_PARTS and self.nearest("table") < 0:
            return self.depth  # a table part outside any table is dropped
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
        if name in CLOSES_P or name in TABLE_PARTS or name == "table":
            self.push(name, attributes)
            if name not in TABLE_PARTS and name != "table":
                self.reopen()  # around the text inside
        else:
            self.reopen()
            self.push(name, attributes)
        return self.depth

    def end(self, name: str) -> int:
        """Close `name` as the parser would; the depth this reached (a stray </p> makes an empty <p>)."""
        if name in ("p", "br") and self.nearest("p" if name == "p" else "@none") <= self.nearest("@button"):
            return self.depth + 1
        if name not in ROOTS:
            self._end(name)
        return self.depth

    def _end(self, name: str) -> None:
        if self.selects and not self.foreign and name not in SELECT_END_TAGS:
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
