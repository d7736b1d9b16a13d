"""CSS Paged Media beyond one page, as xhtml2pdf page templates: `@page :first`, `:left`/`:right`, named
pages (`page: chapter`), running heads (`string-set` and `string()`), left/right breaks, and forced
breaks as a browser's print makes them (none before the first content, the margin after one kept).

Each page the document can have (its name, the running heads' values, whether it is the first) becomes
one template; the first page's is the unnamed `@page`, and a `<pdf:nexttemplate>` before the element
that changes the page (a named page's first element, a heading setting a running head) switches to the
next one at the page break. `columns` is in tasks/prepare/columns.py.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

import tinycss2
from lxml import html as lxml_html

from tasks.document.fidelity import FidelityReport
from tasks.prepare import blocks, columns, pages
from tasks.prepare.cascade import Computed
from tasks.prepare.inline_style import declarations, set_style

_PSEUDO = re.compile(r"^([\w-]*)\s*(?::([\w-]+))?$")
_SIDES = ("before", "after")
#: Break values that ask for a left or a right page; Chromium's print breaks the page and adds no blank one.
_PARITY = frozenset({"left", "right", "recto", "verso"})
_NO_BREAK_INSIDE = ("table", "tr", "td", "th", "thead", "tbody", "li", "p", "span", "a")
#: `break-before` values that force a page break (`left` and `right` are plain breaks by then).
_FORCED = frozenset({"always", "page", "left", "right", "recto", "verso"})
#: Whatever is drawn before an element in the body: text, or what is drawn without text of its own.
_DRAWN_BEFORE = "|".join(
    f"preceding::{node}[ancestor::body]"
    for node in ("text()[normalize-space()]", "img", "svg", "table", "hr", "input", "textarea", "select")
)
Strings = tuple[tuple[str, str], ...]


@dataclass
class Rules:
    """The document's `@page` rules, by the pages they select."""

    base: pages.Page
    first: list[tinycss2.ast.AtRule] = field(default_factory=list)
    left: list[tinycss2.ast.AtRule] = field(default_factory=list)
    right: list[tinycss2.ast.AtRule] = field(default_factory=list)
    named: dict[str, list[tinycss2.ast.AtRule]] = field(default_factory=dict)


def read(rules: list[tinycss2.ast.AtRule], report: FidelityReport) -> Rules:
    """The unnamed page (what the cascade sizes against) and the rules of the other pages."""
    unnamed, selected = [], Rules(pages.read_page([], report))
    for rule in rules:
        selector = tinycss2.serialize(rule.prelude).strip().lower()
        found = _PSEUDO.match(selector) if selector else None
        if not selector:
            unnamed.append(rule)
        elif found is None or (found.group(1) and found.group(2)):
            report.ignore(f"@page {selector}")
        elif found.group(2) in ("first", "left", "right"):
            getattr(selected, found.group(2)).append(rule)
        elif found.group(2) == "blank":
            # Only left/right breaks make blank pages, and they make none here (as in Chromium's print).
            continue
        elif found.group(2):
            report.ignore(f"@page {selector}")
        else:
            selected.named.setdefault(found.group(1), []).append(rule)
    selected.base = pages.read_page(unnamed, report)
    return selected


def page_css(
    rules: Rules, root: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed], report: FidelityReport
) -> str:
    """The `@page` rules xhtml2pdf is given, the elements that switch between them put in the body."""
    body = root.find("body")
    count, gap = columns.apply(root, computed, (rules.base.content_width, rules.base.content_height), report)
    if body is None:
        return pages.page_css(rules.base, root, columns=(count, gap))
    _lower_parity_breaks(body, computed, report)
    walk = _Walk(rules, computed, report)
    walk.visit(body, "")
    _forced_breaks(body, computed)
    for handled in ("string-set", *(["page"] if rules.named else [])):
        report.ignored_css.pop(handled, None)
    mirrored = (rules.left or rules.right) and not (rules.first or walk.switches or walk.first_strings)
    if mirrored:
        # xhtml2pdf cycles :left, :right from page 1; a browser's page 1 is a right page: names swapped.
        css = [
            _template(rules, walk.first_state, root, ":left", "x2p_r", (count, gap), rules.right),
            _template(rules, walk.first_state, root, ":right", "x2p_l", (count, gap), rules.left),
        ]
        return "\n".join(css)
    if rules.left:
        report.ignore("@page :left")
    extra = [*rules.first, *rules.right]
    css = [_template(rules, walk.first_state, root, "", "x2p_page", (count, gap), extra)]
    for number, (state, name) in enumerate(walk.names.items()):
        css.append(_template(rules, state, root, name, f"x2p_t{number}", (count, gap), []))
    if extra:
        # From page 2 on, the page the document starts with without its :first (or :right) rules.
        rest = walk.name(walk.first_state)
        css.append(_template(rules, walk.first_state, root, rest, "x2p_rest", (count, gap), []))
        body.insert(0, _next_template(rest))
    return "\n".join(css)


class _Walk:
    """The body in document order: where the page's name or a running head changes."""

    def __init__(self, rules: Rules, computed: dict[lxml_html.HtmlElement, Computed], report: FidelityReport):
        self.rules, self.computed, self.report = rules, computed, report
        self.page, self.started = "", False
        self.strings: dict[str, str] = {}
        self.first_state: tuple[str, Strings] = ("", ())
        self.first_strings = False
        self.switches = 0
        self.names: dict[tuple[str, Strings], str] = {}

    def name(self, state: tuple[str, Strings]) -> str:
        return self.names.setdefault(state, f"x2p_t{len(self.names)}")

    def visit(self, element: lxml_html.HtmlElement, parent_page: str) -> None:
        style = self.computed.get(element)
        cascaded = style.cascaded if style is not None else {}
        own = cascaded.get("page", "auto").strip().lower()
        # A name no @page rule describes is the page it is on anyway: a browser breaks, but lays it out alike.
        page = own if own in self.rules.named else parent_page
        changed = page != self.page
        set_strings = _string_set(cascaded.get("string-set", ""), element)
        if set_strings:
            self.strings = {**self.strings, **set_strings}
        state = (page, tuple(sorted(self.strings.items())))
        if not self.started:
            self.page = page
            self.first_state = state
            self.first_strings = self.first_strings or bool(set_strings)
        elif (changed or set_strings) and element.getparent() is not None:
            if next(element.iterancestors(*_NO_BREAK_INSIDE), None) is None:
                self.page = page
                self._switch(element, state, page_break=changed)
            else:
                # No page starts inside a table: the page goes on, and nothing after the table changes it back.
                self.report.ignore("page or string-set inside a table or paragraph")
        if (element.text or "").strip() or element.tag in ("img", "svg", "table", "hr"):
            self.started = True
        for child in element:
            if isinstance(child.tag, str):
                self.visit(child, page)
            if (child.tail or "").strip():
                self.started = True

    def _switch(self, element: lxml_html.HtmlElement, state: tuple[str, Strings], *, page_break: bool) -> None:
        """`<pdf:nexttemplate>` before `element`, and a page break when the page's name changes."""
        self.switches += 1
        marks = [_next_template(self.name(state))]
        if page_break:
            # One break, as a browser makes between two differently named pages, even if either asks for one.
            for first in _edge(element, 0):
                set_style(first, {"break-before": None, "page-break-before": None})
            previous = element.getprevious()
            for last in _edge(previous, -1) if previous is not None else []:
                set_style(last, {"break-after": None, "page-break-after": None})
            marks.append(lxml_html.Element("pdf:nextpage"))
        for mark in marks:
            element.addprevious(mark)


def _forced_breaks(body: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> None:
    """Forced page breaks as a browser's print makes them (CSS Fragmentation 3, sections 3.1 and 5.2):
    one before anything is drawn makes no blank first page, and the margins after one stay at the top of
    the new page, where ReportLab drops them. A broken element's break becomes a `<pdf:nextpage>`, so
    that the spacer holding its margin comes after the break."""
    for element in list(body.iter("pdf:nextpage")):
        following = element.getnext()
        if following is not None:
            blocks.hold_top_margin(following, computed, element.getparent(), element.getparent().index(following))
    for element in [element for element in body.iter() if isinstance(element.tag, str) and _breaks_before(element)]:
        if next(element.iterancestors(*_NO_BREAK_INSIDE), None) is not None:
            continue
        set_style(element, {"break-before": None, "page-break-before": None})
        if element.xpath(_DRAWN_BEFORE):
            element.addprevious(lxml_html.Element("pdf:nextpage"))
            blocks.hold_top_margin(element, computed, element.getparent(), element.getparent().index(element))


def _breaks_before(element: lxml_html.HtmlElement) -> bool:
    own = declarations(element)
    value = own.get("page-break-before") or own.get("break-before") or ""
    return value.strip().lower() in _FORCED


def _edge(element: lxml_html.HtmlElement, end: int) -> list[lxml_html.HtmlElement]:
    """`element` and its first (`end` 0) or last (-1) descendants: those whose break is the same break."""
    chain = [element]
    while True:
        children = [child for child in chain[-1] if isinstance(child.tag, str)]
        text = chain[-1].text if end == 0 else (children[-1].tail if children else None)
        if not children or (text or "").strip():
            return chain
        chain.append(children[end])


def _template(
    rules: Rules,
    state: tuple[str, Strings],
    root: lxml_html.HtmlElement,
    name: str,
    prefix: str,
    columns_: tuple[int, float],
    extra: list[tinycss2.ast.AtRule],
) -> str:
    page_name, strings = state
    page = copy.deepcopy(rules.base)
    sink = FidelityReport()
    for rule in [*rules.named.get(page_name, []), *extra]:
        pages.apply_rule(page, rule, sink)
    values = dict(strings)
    page.boxes = {
        box: (re.sub("\ue000([^\ue001]*)\ue001", lambda found: _escape(values.get(found.group(1), "")), text), style)
        for box, (text, style) in page.boxes.items()
    }
    page.boxes = {box: item for box, item in page.boxes.items() if item[0]}
    return pages.page_css(page, root, name=name, prefix=prefix, columns=columns_)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _next_template(name: str) -> lxml_html.HtmlElement:
    mark = lxml_html.Element("pdf:nexttemplate")
    mark.set("name", name)
    return mark


def _string_set(value: str, element: lxml_html.HtmlElement) -> dict[str, str]:
    """`string-set: name content() [, name2 "text" attr(x)]`: each name's value on `element`."""
    found: dict[str, str] = {}
    if not value or value.strip().lower() == "none":
        return found
    for part in value.split(","):
        tokens = [token for token in tinycss2.parse_component_value_list(part) if token.type != "whitespace"]
        if not tokens or tokens[0].type != "ident":
            continue
        text = []
        for token in tokens[1:]:
            if token.type == "string":
                text.append(token.value)
            elif token.type == "function" and token.lower_name == "content":
                text.append(" ".join(element.text_content().split()))
            elif token.type == "function" and token.lower_name == "attr":
                text.append(element.get(tinycss2.serialize(token.arguments).strip(), ""))
        found[tokens[0].lower_value] = "".join(text)
    return found


def _lower_parity_breaks(
    body: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed], report: FidelityReport
) -> None:
    """`break-before: right` (or left) as a plain page break: Chromium's print adds no blank page."""
    for element in body.iter():
        style = computed.get(element)
        if style is None:
            continue
        for side in _SIDES:
            value = style.cascaded.get(f"break-{side}") or style.cascaded.get(f"page-break-{side}") or ""
            if value.strip().lower() in _PARITY:
                set_style(element, {f"break-{side}": None, f"page-break-{side}": "always"})
                report.ignore(f"break-{side}: {value.strip().lower()} (a plain page break, as in Chromium)")
