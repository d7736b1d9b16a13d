"""CSS Paged Media as xhtml2pdf frames: @page size and margins, margin boxes with page counters."""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass, field

import tinycss2
from lxml import html as lxml_html

from tasks.document.fidelity import FidelityReport
from tasks.document.page_setup import PAGE_SIZES
from tasks.document.units import page_fits
from tasks.prepare import values
from tasks.prepare.stylesheets import parse_declarations

#: Chromium's default print margin.
DEFAULT_MARGIN_PT = 72 / 2.54
BANDS = {"top": ("top-left", "top-center", "top-right"), "bottom": ("bottom-left", "bottom-center", "bottom-right")}
_CORNERS = {"top-left-corner", "top-right-corner", "bottom-left-corner", "bottom-right-corner"}
_SIDES = {"left-top", "left-middle", "left-bottom", "right-top", "right-middle", "right-bottom"}
#: Where a margin box shows `string(name)`: replaced by the named string's value on each page's template.
STRING_MARK = "\ue000{}\ue001"
_BOX_STYLE = {"font-size", "font-family", "font-weight", "font-style", "color", "text-align", "text-transform"}


@dataclass
class Page:
    """The document's page: its size and margins in points, and its margin boxes' content and style."""

    width: float
    height: float
    margins: list[float]
    boxes: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)

    @property
    def content_width(self) -> float:
        return self.width - self.margins[1] - self.margins[3]

    @property
    def content_height(self) -> float:
        return self.height - self.margins[0] - self.margins[2]


def read_page(rules: list[tinycss2.ast.AtRule], report: FidelityReport) -> Page:
    """The page the document's own `@page` rules (the unnamed, every-page ones) describe."""
    width, height = PAGE_SIZES["a4"]
    page = Page(width, height, [DEFAULT_MARGIN_PT] * 4)
    for rule in rules:
        selector = tinycss2.serialize(rule.prelude).strip()
        if selector:
            report.ignore(f"@page {selector}")
            continue
        apply_rule(page, rule, report)
    return page


def apply_rule(page: Page, rule: tinycss2.ast.AtRule, report: FidelityReport) -> None:
    """What one `@page` rule says, on top of `page`: its size, margins and margin boxes."""
    context = values.Context(font_pt=values.ROOT_FONT_PT)
    for node in tinycss2.parse_blocks_contents(rule.content or [], skip_comments=True, skip_whitespace=True):
        if node.type == "at-rule":
            _margin_box(node, page.boxes, report)
        elif node.type == "declaration":
            value = tinycss2.serialize(node.value).strip()
            if node.lower_name == "size":
                parsed = _size(value, context)
                if parsed:
                    page.width, page.height = parsed
            elif node.lower_name.startswith("margin"):
                _set_margin(page.margins, node.lower_name, value, context)


def page_css(
    page: Page,
    root: lxml_html.HtmlElement,
    name: str = "",
    prefix: str = "x2p_page",
    columns: tuple[int, float] = (1, 0),
) -> str:
    """One xhtml2pdf `@page` rule for `page` (`name`d, or the unnamed one), its margin boxes as static
    frames whose content is appended to the body, its content box in `columns` (count, gap in points)."""
    width, height, margins, boxes = page.width, page.height, page.margins, page.boxes
    top, right, bottom, left = margins
    frames = _column_frames(page, prefix, *columns)
    body = root.find("body")
    for band, names in BANDS.items():
        contents = [boxes.get(name) for name in names]
        if not any(contents) or body is None:
            continue
        depth = top if band == "top" else bottom
        frame_id = f"{prefix}_{band}"
        position = f"top: {values.fmt(depth * 0.2)}" if band == "top" else f"bottom: {values.fmt(depth * 0.2)}"
        frames.append(
            f"@frame {frame_id}_frame {{ -pdf-frame-content: {frame_id}; left: {values.fmt(left)}; "
            f"right: {values.fmt(right)}; {position}; height: {values.fmt(max(depth * 0.6, 12))}; }}"
        )
        body.append(_band(frame_id, contents))
    return (
        f"@page {name} {{ size: {width:.2f}pt {height:.2f}pt; margin: {values.fmt(top)} {values.fmt(right)} "
        f"{values.fmt(bottom)} {values.fmt(left)}; {' '.join(frames)} }}"
    )


def _column_frames(page: Page, prefix: str, count: int, gap: float) -> list[str]:
    """The content box as `count` frames side by side, `gap` points apart; none for one column."""
    if count < 2:
        return []
    top, left = page.margins[0], page.margins[3]
    width = (page.content_width - gap * (count - 1)) / count
    return [
        f"@frame {prefix}_col{index} {{ left: {values.fmt(left + index * (width + gap))}; "
        f"top: {values.fmt(top)}; width: {values.fmt(width)}; height: {values.fmt(page.content_height)}; }}"
        for index in range(count)
    ]


def _margin_box(
    node: tinycss2.ast.AtRule, boxes: dict[str, tuple[str, dict[str, str]]], report: FidelityReport
) -> None:
    name = node.lower_at_keyword
    if name in _CORNERS or name in _SIDES:
        report.ignore(f"@{name}")
        return
    if not any(name in band for band in BANDS.values()):
        return
    context = values.Context(font_pt=values.ROOT_FONT_PT)
    content: str | None = None
    style: dict[str, str] = {}
    for declaration in parse_declarations(node.content):
        if declaration.name == "content":
            content = _content(declaration.value, report)
        elif declaration.name in _BOX_STYLE:
            resolved = values.resolve_lengths(declaration.value, context)
            if resolved:
                style[declaration.name] = values.normalise_colors(resolved)
    if content:
        boxes[name] = (content, style)
    elif content is not None:
        # `content: none` or '' on a page that otherwise has the box (a cover without the running head).
        boxes.pop(name, None)


def _content(value: str, report: FidelityReport) -> str:
    """A margin box's `content` as HTML: strings escaped, page counters as xhtml2pdf's tags."""
    parts = []
    for token in tinycss2.parse_component_value_list(value, skip_comments=True):
        if token.type == "string":
            parts.append(html_lib.escape(token.value))
        elif token.type == "function" and token.lower_name == "counter":
            counter = tinycss2.serialize(token.arguments).strip().lower()
            if counter == "page":
                parts.append("<pdf:pagenumber/>")
            elif counter == "pages":
                parts.append("<pdf:pagecount/>")
            else:
                report.ignore(f"counter({counter})")
        elif token.type == "function" and token.lower_name == "string":
            # The running head's value, which depends on the page: filled in per page template (paged.py).
            parts.append(STRING_MARK.format(tinycss2.serialize(token.arguments).split(",")[0].strip().lower()))
        elif token.type == "function":
            report.ignore(f"{token.lower_name}() in a page margin box")
    return "".join(parts)


def _band(frame_id: str, contents: list[tuple[str, dict[str, str]] | None]) -> lxml_html.HtmlElement:
    """The frame's content: a one-row table with the left, centre and right boxes."""
    cells = []
    for (content, style), align in zip(
        [item or ("", {}) for item in contents], ("left", "center", "right"), strict=True
    ):
        style = {"text-align": align, "font-size": values.fmt(values.ROOT_FONT_PT * 0.75), **style}
        css = "; ".join(f"{name}: {value}" for name, value in style.items())
        cells.append(f'<td style="{html_lib.escape(css)}">{content}</td>')
    element: lxml_html.HtmlElement = lxml_html.fragment_fromstring(
        f'<div id="{frame_id}"><table style="width: 100%"><tr>{"".join(cells)}</tr></table></div>'
    )
    return element


def _size(value: str, context: values.Context) -> tuple[float, float] | None:
    words = value.lower().split()
    landscape = "landscape" in words
    words = [word for word in words if word not in ("portrait", "landscape")]
    if len(words) == 1 and words[0] in PAGE_SIZES:
        width, height = PAGE_SIZES[words[0]]
    elif words:
        lengths = [_points(word, context) for word in words[:2]]
        if None in lengths:
            return None
        width, height = lengths[0] or 0.0, lengths[-1] or 0.0
    else:
        width, height = PAGE_SIZES["a4"]
    if landscape and width < height:
        width, height = height, width
    if not page_fits(width, height):
        return None
    return width, height


def _set_margin(margins: list[float], name: str, value: str, context: values.Context) -> None:
    lengths = [_points(word, context) for word in value.split()]
    if any(length is None for length in lengths) or not lengths:
        return
    found = [length or 0.0 for length in lengths]
    sides = {"margin-top": [0], "margin-right": [1], "margin-bottom": [2], "margin-left": [3]}
    if name in sides and len(found) == 1:
        margins[sides[name][0]] = found[0]
    elif name == "margin" and len(found) <= 4:
        top, right, bottom, left = (found * 4)[:4] if len(found) == 1 else (found * 2)[:4]
        if len(found) >= 3:
            top, right, bottom = found[:3]
            left = found[3] if len(found) == 4 else right
        margins[:] = [top, right, bottom, left]


def _points(word: str, context: values.Context) -> float | None:
    resolved = values.resolve_lengths(word, context)
    if resolved is None:
        return None
    if resolved.strip() == "0":
        return 0.0
    return float(resolved[:-2]) if resolved.endswith("pt") else None
