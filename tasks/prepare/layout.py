"""Boxes xhtml2pdf would lay out unlike a browser, rewritten into ones it lays out alike.

Flex rows and grids become the tables they look like and flex columns the blocks they stack:
xhtml2pdf lays out flex containers itself, but a table with percentage widths inside one loses
all its columns but the first, and its items get less than their max-content width. Blocks
narrower than the page become tables of their width; empty blocks and the first block's top
margin keep their room as spacers; over-wide preformatted text shrinks as Chromium's print does.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from tasks.prepare.cascade import Computed
from tasks.prepare.stylesheets import remove
from tasks.render.fidelity import FidelityReport

_TRACKS = re.compile(r"repeat\(\s*(\d+)\s*,([^()]*(?:\([^()]*\)[^()]*)*)\)")
_SPAN = re.compile(r"span\s+(\d+)")
_PERCENT = re.compile(r"^\s*([\d.]+)%\s*$")
MAX_COLUMNS = 24
#: A monospace face's advance width, in ems (Courier's and most others').
MONOSPACE_ADVANCE = 0.6
#: How far Chromium shrinks a printed page whose content is too wide (Blink's printing maximum).
CHROMIUM_MAX_SHRINK = 1.5
_BLOCKS = frozenset("div section article main header footer nav aside form body".split())
#: What stays on a narrowed block itself; the rest of its box goes to the table cell that holds its content.
_OUTSIDE = ("margin", "width", "max-width", "min-width", "display", "float", "position")
_POINTS = re.compile(r"([\d.]+)pt")
_LEADING_SPACE = re.compile(r"^\s+")


def apply(
    root: lxml_html.HtmlElement,
    computed: dict[lxml_html.HtmlElement, Computed],
    report: FidelityReport,
    page_width: float,
) -> None:
    """Drop what is not displayed; lay flex rows and grids out as tables; narrow blocks as narrow tables."""
    # Innermost first: a grid becomes a table before the flex row around it is looked at.
    for element in reversed(list(root.iter())):
        style = computed.get(element)
        if style is None or not isinstance(element.tag, str):
            continue
        if style.display == "none":
            _drop(element)
        elif style.display in ("flex", "inline-flex") and not _is_row(style):
            # A column without wrapping is a stack of blocks; xhtml2pdf's flex would break its tables.
            _set_display(element, "block")
        elif style.display in ("flex", "inline-flex"):
            _flex_to_table(element, computed)
        elif style.display in ("grid", "inline-grid"):
            columns = _grid_columns(style.grid_columns)
            if columns > 1:
                _grid_to_table(element, computed, columns)
            elif columns == 1:
                _set_display(element, "block")
            elif style.grid_columns:
                report.ignore("grid-template-columns")
    for element in root.iter():
        style = computed.get(element)
        if style is not None and style.cascaded.get("white-space") == "nowrap" and element.tail:
            # xhtml2pdf swallows the space after an element that may not wrap: "2.1 Scope" became
            # "2.1Scope". A non-breaking one survives, and a browser would not break there either.
            element.tail = _LEADING_SPACE.sub("\u00a0", element.tail, count=1)
    for pre in root.iter("pre"):
        _fit_preformatted(pre, computed.get(pre), page_width)
    # Then, with every table in place, the blocks that must become one, and the empty ones that hold space.
    for element in list(root.iter(*_BLOCKS)):
        style = computed.get(element)
        if style is not None and style.display in ("", "block") and _is_empty(element):
            _hold_space(element, style)
    for element in reversed(list(root.iter(*_BLOCKS))):
        style = computed.get(element)
        if style is not None and style.display in ("", "block", "flex", "grid"):
            # A block is as wide as its container anyway; said outright, xhtml2pdf sizes it as a box
            # of its own, and a table inside a table cell loses all its columns but the first.
            _set_style(element, {name: None for name in ("width", "max-width") if style.own.get(name) == "100%"})
            _narrow(element, style, page_width)


def _fit_preformatted(pre: lxml_html.HtmlElement, style: Computed | None, page_width: float) -> None:
    """Preformatted text wider than the page in smaller type, as Chromium's print shrinks what
    overflows (by at most its factor of 1.5); what is still too wide wraps."""
    if style is None:
        return
    longest = max((len(line) for line in pre.text_content().expandtabs(8).splitlines()), default=0)
    needed = longest * MONOSPACE_ADVANCE * style.font_pt
    if needed <= page_width:
        return
    size = max(style.font_pt * page_width / needed, style.font_pt / CHROMIUM_MAX_SHRINK)
    _set_style(pre, {"font-size": f"{size:.2f}pt"})


def _is_empty(element: lxml_html.HtmlElement) -> bool:
    return len(element) == 0 and not (element.text or "").strip() and element.tag != "body"


def _hold_space(element: lxml_html.HtmlElement, style: Computed) -> None:
    """An empty block (a logo's box without its logo, a divider) keeps its room: ReportLab drops it.

    Its top and bottom margins collapse into one, as in a browser; with a border or a background it
    is drawn, and stays as it is."""
    if any(name.startswith(("border", "background")) for name in style.own):
        return
    height = _points(style.own.get("height"))
    top, _, bottom, _ = sides(style.own, "margin")
    room = max(top, bottom) + (0.0 if height == float("inf") else height)
    if room > 0:
        spacer = lxml_html.Element("pdf:spacer")
        spacer.set("height", f"{room:.2f}pt")
        spacer.tail = element.tail
        element.getparent().replace(element, spacer)


def keep_top_margin(root: lxml_html.HtmlElement) -> None:
    """The margin above the document's first block, which a browser keeps at the top of the page and
    ReportLab drops there, as a spacer: the first block's own margin and those it collapses with."""
    body = root.find("body")
    element, margin = body, 0.0
    while element is not None:
        declared = dict(part.split(": ", 1) for part in element.get("style", "").split("; ") if ": " in part)
        top = sides(declared, "margin")[0]
        if top > 0:
            margin = max(margin, top)
            _set_style(element, {"margin-top": "0"})
        sealed = sides(declared, "padding")[0] > 0 or any(name.startswith(("border", "display")) for name in declared)
        if (element.text or "").strip() or sealed:
            break
        element = next((child for child in element if isinstance(child.tag, str)), None)
    if body is not None and margin > 0:
        spacer = lxml_html.Element("pdf:spacer")
        spacer.set("height", f"{margin:.2f}pt")
        body.insert(0, spacer)


def _narrow(element: lxml_html.HtmlElement, style: Computed, page_width: float) -> None:
    """A block narrower than the page (`max-width: 800px; margin: auto`, a framework's container) as a
    table of that width, centred when its side margins are auto: xhtml2pdf draws blocks page-wide.

    A padded block holding a table inside a table cell becomes a table cell too, whatever its width:
    xhtml2pdf drops all but the first column of a percentage-wide table in a padded block there."""
    width = min(_points(style.own.get("max-width")), _points(style.own.get("width")))
    padded = any(name.startswith("padding") and value not in ("0", "0pt") for name, value in style.own.items())
    nested = padded and element.find(".//table") is not None and next(element.iterancestors("td"), None) is not None
    if not (0 < width < page_width * 0.98) and not nested:
        return
    centred = style.own.get("margin-left") == "auto" and style.own.get("margin-right") == "auto"
    box = {name: value for name, value in style.own.items() if not name.startswith(_OUTSIDE)}
    margins = {name: value for name, value in style.own.items() if name.startswith("margin") and value != "auto"}
    table: lxml_html.HtmlElement = lxml_html.Element("table")
    table.set("cellpadding", "0")
    table.set("cellspacing", "0")
    table.set("width", f"{width:.2f}pt" if width < page_width else "100%")
    if centred:
        table.set("align", "center")
    td = etree.SubElement(etree.SubElement(table, "tr"), "td")
    td.set("style", "; ".join(f"{name}: {value}" for name, value in {"vertical-align": "top", **box}.items()))
    td.text, element.text = element.text, None
    for child in list(element):
        td.append(child)
    element.append(table)
    element.set("style", "; ".join(f"{name}: {value}" for name, value in margins.items()))


def sides(declared: dict[str, str], box: str) -> tuple[float, float, float, float]:
    """Top, right, bottom and left `margin` or `padding` in points, shorthand and longhands (0 where not
    in points: auto, a percentage of an unknown width)."""
    values = [0.0, 0.0, 0.0, 0.0]
    shorthand = [_points(part) if part != "0" else 0.0 for part in declared.get(box, "").split()]
    if shorthand:
        top, right, bottom, left = (shorthand * 4)[:4] if len(shorthand) == 1 else (shorthand * 2)[:4]
        if len(shorthand) >= 3:
            top, right, bottom = shorthand[:3]
            left = shorthand[3] if len(shorthand) == 4 else right
        values = [top, right, bottom, left]
    for index, side in enumerate(("top", "right", "bottom", "left")):
        if f"{box}-{side}" in declared:
            values[index] = _points(declared[f"{box}-{side}"]) if declared[f"{box}-{side}"] != "0" else 0.0
    return tuple(0.0 if value == float("inf") else value for value in values)  # type: ignore[return-value]


def _points(value: str | None) -> float:
    found = _POINTS.fullmatch(value.strip()) if value else None
    return float(found.group(1)) if found else float("inf")


def _is_row(style: Computed) -> bool:
    return style.own.get("flex-direction", "row").startswith("row")


def _flex_to_table(element: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> None:
    style = computed[element].own
    items = _children(element, computed)
    if not items:
        return
    justify = style.get("justify-content", "")
    valign = {"center": "middle", "flex-end": "bottom", "end": "bottom"}.get(style.get("align-items", ""), "top")
    gap = _gap(style, "column")
    wraps = style.get("flex-wrap", "nowrap").startswith("wrap")
    rows: list[list[tuple[lxml_html.HtmlElement, str | None]]] = [[]]
    used = 0.0
    for item in items:
        width = _item_width(computed.get(item))
        share = float(width[:-1]) if width and width.endswith("%") else 0.0
        if wraps and rows[-1] and used + share > 100.01:
            rows.append([])
            used = 0.0
        rows[-1].append((item, width))
        used += share
    table = _table(element, style.get("display") == "inline-flex")
    _set_display(element, "block")
    for row in rows:
        tr = etree.SubElement(table, "tr")
        for index, (item, width) in enumerate(row):
            align = None
            if justify in ("space-between", "space-around", "space-evenly") and len(row) > 1:
                align = "right" if index == len(row) - 1 else ("left" if index == 0 else "center")
            elif justify in ("flex-end", "end", "right"):
                align = "right"
            elif justify == "center":
                align = "center"
            _cell(tr, item, width, valign, align, gap if index else None)


def _children(
    element: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]
) -> list[lxml_html.HtmlElement]:
    """The container's items: its element children, and its loose text as anonymous items."""
    items = []
    if element.text and element.text.strip():
        items.append(_anonymous(element.text))
    element.text = None
    for child in list(element):
        if not isinstance(child.tag, str):
            continue
        items.append(child)
        if child.tail and child.tail.strip():
            items.append(_anonymous(child.tail))
        child.tail = None
    for child in list(element):
        element.remove(child)
    return [item for item in items if computed.get(item) is None or computed[item].display != "none"]


def _anonymous(text: str) -> lxml_html.HtmlElement:
    span: lxml_html.HtmlElement = lxml_html.Element("span")
    span.text = text
    return span


def _grid_to_table(
    element: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed], columns: int
) -> None:
    style = computed[element].own
    items = _children(element, computed)
    table = _table(element, False)
    gap = _gap(style, "column")
    row_gap = _gap(style, "row")
    _set_display(element, "block")
    tr = None
    used = columns
    for item in items:
        span = _span(computed.get(item), columns)
        if used + span > columns:
            tr = etree.SubElement(table, "tr")
            used = 0
        assert tr is not None
        cell = _cell(tr, item, f"{100 * span / columns:.4g}%", "top", None, gap if used else None)
        if span > 1:
            cell.set("colspan", str(span))
        if row_gap and len(table) > 1:
            cell.set("style", cell.get("style", "") + f"; padding-top: {row_gap}")
        used += span


def _table(element: lxml_html.HtmlElement, inline: bool) -> lxml_html.HtmlElement:
    table: lxml_html.HtmlElement = etree.SubElement(element, "table")
    table.set("cellpadding", "0")
    table.set("cellspacing", "0")
    if not inline:
        table.set("style", "width: 100%")
    return table


def _set_display(element: lxml_html.HtmlElement, display: str) -> None:
    _set_style(element, {"display": display})


def _set_style(element: lxml_html.HtmlElement, changes: dict[str, str | None]) -> None:
    """Set (or, for None, remove) declarations of the element's `style`."""
    if not changes:
        return
    kept = [part for part in element.get("style", "").split("; ") if part and part.split(":")[0] not in changes]
    added = [f"{name}: {value}" for name, value in changes.items() if value is not None]
    element.set("style", "; ".join([*kept, *added]))


def _cell(
    tr: lxml_html.HtmlElement,
    item: lxml_html.HtmlElement,
    width: str | None,
    valign: str,
    align: str | None,
    gap: str | None,
) -> lxml_html.HtmlElement:
    td: lxml_html.HtmlElement = etree.SubElement(tr, "td")
    declarations = [f"vertical-align: {valign}", "padding: 0"]
    if width:
        td.set("width", width)
    if align:
        declarations.append(f"text-align: {align}")
    if gap:
        declarations.append(f"padding-left: {gap}")
    td.set("style", "; ".join(declarations))
    td.append(item)
    return td


def _item_width(style: Computed | None) -> str | None:
    if style is None:
        return None
    for name in ("width", "flex-basis", "max-width"):
        value = style.own.get(name, "")
        if _PERCENT.match(value) or value.endswith("pt"):
            return value.strip()
    # The flex shorthand's basis is its last part when that is a length: `70%`, `1 70%`, `0 0 120pt`.
    parts = style.own.get("flex", "").split()
    return parts[-1] if parts and (_PERCENT.match(parts[-1]) or parts[-1].endswith("pt")) else None


def _span(style: Computed | None, columns: int) -> int:
    if style is None:
        return 1
    value = style.grid_column
    if value.replace(" ", "") in ("1/-1", "1/span" + str(columns)):
        return columns
    found = _SPAN.search(value)
    return min(int(found.group(1)), columns) if found else 1


def _grid_columns(template: str) -> int:
    """How many columns `grid-template-columns` makes, 0 when it cannot be told."""
    template = template.strip()
    if not template or template == "none":
        return 0
    count = 0
    rest = template
    for found in _TRACKS.finditer(template):
        count += int(found.group(1)) * max(len(_split_tracks(found.group(2))), 1)
        rest = rest.replace(found.group(0), " ")
    count += len(_split_tracks(rest))
    return count if count <= MAX_COLUMNS else 0


def _split_tracks(text: str) -> list[str]:
    tracks, depth, current = [], 0, ""
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if char.isspace() and depth == 0:
            if current:
                tracks.append(current)
            current = ""
        else:
            current += char
    if current:
        tracks.append(current)
    return [track for track in tracks if not track.startswith("[")]


def _gap(style: dict[str, str], axis: str) -> str | None:
    value = style.get(f"{axis}-gap") or style.get("gap", "")
    parts = value.split()
    if not parts:
        return None
    chosen = parts[0] if axis == "row" or len(parts) == 1 else parts[1]
    return chosen if chosen.endswith("pt") else None


def _drop(element: lxml_html.HtmlElement) -> None:
    if element.getparent() is not None and element.tag not in ("html", "body"):
        remove(element)
