"""`display: table`, `table-row` and `table-cell` on other elements, as the tables they lay out as.

CSS 2.1 §17.2.1: cells outside a row get an anonymous row, rows (and cells) outside a table an
anonymous table, and a table's loose content an anonymous cell. xhtml2pdf stacks such boxes one under
another; as real tables they sit side by side. Where a table cannot go (inside a paragraph or an inline
element, which the HTML parser would close or leave), the boxes are laid out in flow and the report says so.
"""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

from tasks.document.fidelity import FidelityReport
from tasks.prepare.cascade import Computed
from tasks.prepare.inline_style import set_style

_TABLE = {"table": "table", "inline-table": "table"}
_ROWS = {"table-row": "tr", "table-row-group": "tbody", "table-header-group": "tbody", "table-footer-group": "tbody"}
_PARTS = frozenset({*_TABLE, *_ROWS, "table-cell"})
#: Elements whose content the HTML parser ends at a table: a table cannot be put inside them.
_PHRASING = frozenset("p span a b i em strong small label h1 h2 h3 h4 h5 h6 font code".split())
_NATIVE = frozenset("table thead tbody tfoot tr td th caption col colgroup".split())
ElementStyles = dict[lxml_html.HtmlElement, Computed]


def apply(root: lxml_html.HtmlElement, computed: ElementStyles, report: FidelityReport) -> None:
    """Every element displayed as a table part, outermost first, turned into that part of a table."""
    for element in list(root.iter()):
        if isinstance(element.tag, str) and element.tag not in _NATIVE and _display(element, computed) in _PARTS:
            _lower(element, computed, report)
    for marked in root.xpath("//*[@data-anonymous]"):
        del marked.attrib["data-anonymous"]


def _display(element: lxml_html.HtmlElement, computed: ElementStyles) -> str:
    style = computed.get(element)
    return style.display if style is not None else ""


def _lower(element: lxml_html.HtmlElement, computed: ElementStyles, report: FidelityReport) -> None:
    display = _display(element, computed)
    parent = element.getparent()
    if parent is None or element.tag in ("html", "body"):
        return
    if any(ancestor.tag in _PHRASING for ancestor in element.iterancestors()) or element.tag in _PHRASING - {"span"}:
        set_style(element, {"display": "block"})
        report.degrade(f"display: {display} inside <{parent.tag}> laid out in flow")
        return
    if display in _TABLE:
        _as_table(element, computed)
    elif parent.tag not in ("table", "tbody", "tr") and not _in_lowered_table(parent, computed):
        # A row or cell with no table around it: an anonymous one, holding its run of siblings alike.
        _anonymous_table(element, computed)


def _in_lowered_table(parent: lxml_html.HtmlElement, computed: ElementStyles) -> bool:
    return _display(parent, computed) in _PARTS


def _as_table(element: lxml_html.HtmlElement, computed: ElementStyles) -> None:
    """The element as a table: its rows as rows, its cells in anonymous rows, loose content in a cell."""
    element.tag = "table"
    element.set("cellpadding", "0")
    element.set("cellspacing", "0")
    children = _take_children(element)
    row: lxml_html.HtmlElement | None = None
    for child in children:
        display = _display(child, computed) if isinstance(child, lxml_html.HtmlElement) else ""
        if display in _ROWS:
            row = None
            _as_row(child, computed)
            element.append(child)
            continue
        if row is None:
            row = etree.SubElement(element, "tr")
        if display == "table-cell":
            _as_cell(child, computed)
            row.append(child)
        else:
            _anonymous_cell(row).append(child)


def _as_row(element: lxml_html.HtmlElement, computed: ElementStyles) -> None:
    display = _display(element, computed)
    element.tag = _ROWS[display]
    if element.tag == "tbody":
        for child in _take_children(element):
            element.append(child)
            if _display(child, computed) == "table-row":
                _as_row(child, computed)
        return
    for child in _take_children(element):
        if _display(child, computed) == "table-cell":
            _as_cell(child, computed)
            element.append(child)
        else:
            _anonymous_cell(element).append(child)


def _as_cell(element: lxml_html.HtmlElement, computed: ElementStyles) -> None:
    element.tag = "td"
    style = computed.get(element)
    own = style.own if style is not None else {}
    padded = any(name.startswith("padding") for name in own)
    # Not the browser defaults' 1px of a real cell's padding: an element's own, or none.
    set_style(element, {"display": None, **({} if padded else {"padding": "0"})})


def _anonymous_cell(row: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    last = row[-1] if len(row) else None
    if last is not None and last.get("data-anonymous") == "cell":
        return last
    cell: lxml_html.HtmlElement = etree.SubElement(row, "td")
    cell.set("style", "padding: 0")
    cell.set("data-anonymous", "cell")
    return cell


def _take_children(element: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """The element's children, removed from it, its loose text as anonymous spans (blank text dropped)."""
    taken: list[lxml_html.HtmlElement] = []
    if element.text and element.text.strip():
        taken.append(_span(element.text))
    element.text = None
    for child in list(element):
        tail, child.tail = child.tail, None
        element.remove(child)
        taken.append(child)
        if tail and tail.strip():
            taken.append(_span(tail))
    return taken


def _span(text: str) -> lxml_html.HtmlElement:
    span: lxml_html.HtmlElement = lxml_html.Element("span")
    span.text = text
    return span


def _anonymous_table(element: lxml_html.HtmlElement, computed: ElementStyles) -> None:
    """A row or cell outside any table, with the run of rows or cells beside it, in an anonymous table."""
    parent = element.getparent()
    run = [element]
    sibling = element.getnext()
    while sibling is not None and _display(sibling, computed) in ("table-row", "table-cell") and not run[-1].tail:
        run.append(sibling)
        sibling = sibling.getnext()
    table: lxml_html.HtmlElement = lxml_html.Element("table")
    table.set("cellpadding", "0")
    table.set("cellspacing", "0")
    table.set("data-anonymous", "table")
    parent.replace(element, table)
    table.tail, run[-1].tail = run[-1].tail, None
    row: lxml_html.HtmlElement | None = None
    for part in run:
        if part is not element:
            parent.remove(part)
        if _display(part, computed) == "table-row":
            row = None
            _as_row(part, computed)
            table.append(part)
        else:
            if row is None:
                row = etree.SubElement(table, "tr")
            _as_cell(part, computed)
            row.append(part)
