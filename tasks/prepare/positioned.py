"""Positioned boxes kept where xhtml2pdf places them as a browser does, or laid out in flow and reported.

xhtml2pdf places `position: absolute` and `fixed` boxes itself, from the offsets, against the nearest
positioned block (found again from where its flowables were drawn) or the page, `fixed` on every page,
and moves `relative` blocks by their offsets. What this stage must not do is hide that: a positioned
block narrower than the page keeps its width as side margins rather than becoming a table (a table
is no containing block to xhtml2pdf, and the narrowed block loses its `position`); a box whose
containing block sits inside a table cell, which xhtml2pdf cannot measure, is laid out in flow at the
side its offsets name, and the fidelity report says so.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

from tasks.document.fidelity import FidelityReport
from tasks.prepare import estimate, values
from tasks.prepare.cascade import Computed, restyle
from tasks.prepare.inline_style import auto_sides, points, set_style, sides
from tasks.prepare.stylesheets import remove

ElementStyles = dict[lxml_html.HtmlElement, Computed]
OUT_OF_FLOW = ("absolute", "fixed")
#: A page's height over its width, at the least, in portrait (Letter's 1.29; A4's is 1.41).
PORTRAIT = 1.25
_OFFSETS = ("top", "right", "bottom", "left")
_FUNCTION = re.compile(r"([a-zA-Z]+)\(([^()]*)\)")


def position(style: Computed | None) -> str:
    """The box's `position` (static when not declared)."""
    return (style.cascaded.get("position", "static") if style is not None else "static").strip().lower()


def is_positioned(style: Computed | None) -> bool:
    """Whether xhtml2pdf places the box itself: it must keep its own box, not become a table."""
    return position(style) in ("relative", *OUT_OF_FLOW)


def apply(root: lxml_html.HtmlElement, computed: ElementStyles, report: FidelityReport, page_width: float) -> None:
    """Relative blocks' widths as margins; boxes xhtml2pdf cannot place laid out in flow and reported."""
    for element in list(root.iter()):
        style = computed.get(element)
        kind = position(style)
        if style is None or kind == "static" or not isinstance(element.tag, str):
            continue
        if kind in OUT_OF_FLOW and _draws_nothing(element, style):
            remove(element)
        elif kind in OUT_OF_FLOW and _container_in_cell(element, computed):
            _in_flow(element, style, report)
        elif kind == "relative":
            _relative_offsets(element, style, computed, page_width)
            _width_as_margins(element, style, computed, page_width)
        elif kind in OUT_OF_FLOW:
            _translated(element, style, computed, page_width)
        if kind == "absolute":
            _top_from_padding_edge(element, style, computed)


def tall_boxes_in_flow(
    root: lxml_html.HtmlElement, computed: ElementStyles, report: FidelityReport, page_width: float
) -> None:
    """Absolute boxes taller than a page laid out in flow, as floats of their width at their static position
    (a CV's main column beside its floated sidebar): xhtml2pdf draws a placed box whole, on one page, and what
    does not fit is lost. A page is taken as `PORTRAIT` times its width. Boxes placed side by side by their
    left margins (all at the same static position) become floats that stand beside each other: each one's
    margin loses the width of those floated before it."""
    floated: dict[lxml_html.HtmlElement | None, float] = {}
    for element in list(root.iter()):
        style = computed.get(element)
        if position(style) != "absolute" or style is None or not isinstance(element.tag, str):
            continue
        width = min(points(style.own.get("width")), points(style.own.get("max-width")), page_width)
        if estimate.height(element, computed, width) < page_width * PORTRAIT:
            continue
        set_style(element, {name: None for name in ("position", "z-index", *_OFFSETS)})
        style.cascaded["position"] = "static"
        if style.own.get("width") and style.own.get("right", "auto") == "auto":
            style.cascaded["float"] = "left"
            _beside_earlier_floats(element, style, floated, page_width)
        report.degrade(f"a positioned <{element.tag}> taller than the page was laid out in flow")


def _beside_earlier_floats(
    element: lxml_html.HtmlElement,
    style: Computed,
    floated: dict[lxml_html.HtmlElement | None, float],
    page_width: float,
) -> None:
    """The box's left margin, which placed it from its container's edge, less the widths of the boxes of
    the same container floated before it: a float starts where they end."""
    parent = element.getparent()
    before = floated.get(parent, 0.0)
    margin = sides(style.own, "margin")[3]
    if before and margin:
        restyle(element, style, {"margin-left": f"{max(margin - before, 0.0):.2f}pt"})
    _, margin_right, _, margin_left = sides(style.own, "margin")
    _, pad_right, _, pad_left = sides(style.own, "padding")
    padding = 0.0 if style.border_box else pad_left + pad_right
    floated[parent] = before + min(points(style.own.get("width")), page_width) + padding + margin_left + margin_right


def _draws_nothing(element: lxml_html.HtmlElement, style: Computed) -> bool:
    """An empty box without border or background (a decoration drawn by its ::before, a spacer)."""
    empty = len(element) == 0 and not (element.text or "").strip() and not style.generated
    painted = any(name.startswith(("border", "background")) for name in style.own)
    return empty and not painted and element.tag not in ("img", "svg")


def _container_in_cell(element: lxml_html.HtmlElement, computed: ElementStyles) -> bool:
    """Whether the box's containing block is, or lies inside, a table cell: xhtml2pdf measures a containing
    block from the frame it was drawn in, and a cell's content is drawn in none."""
    if position(computed.get(element)) == "fixed":
        return False
    for ancestor in element.iterancestors():
        if ancestor.tag in ("td", "th"):
            return True
        if is_positioned(computed.get(ancestor)):
            return any(above.tag in ("td", "th") for above in ancestor.iterancestors())
    return False


def _top_from_padding_edge(element: lxml_html.HtmlElement, style: Computed, computed: ElementStyles) -> None:
    """`top` measured from the containing block's padding edge, as CSS measures it: xhtml2pdf measures it
    from the content edge, below the container's padding-top (a certificate's `padding-top: 100%` frame
    pushed its text off the page, and it was lost)."""
    top = points(style.own.get("top"))
    container = next((above for above in element.iterancestors() if is_positioned(computed.get(above))), None)
    if top == float("inf") or container is None:
        return
    padding_top, _, _, _ = sides(computed[container].own, "padding")
    if padding_top > 0:
        restyle(element, style, {"top": f"{top - padding_top:.2f}pt"})


def _translated(element: lxml_html.HtmlElement, style: Computed, computed: ElementStyles, page_width: float) -> None:
    """A placed box's `transform: translate(…)` as its margins, which move it the same way (a certificate
    centred by `top: 50%; left: 50%; transform: translate(-50%, -50%)`). Other transforms are left as they
    are (reported)."""
    shift = _shift(element, style, computed, page_width)
    if shift is not None:
        margin_top, _, _, margin_left = sides(style.own, "margin")
        moved: dict[str, str | None] = {"margin-left": values.fmt(margin_left + shift[0])}
        moved["margin-top"] = values.fmt(margin_top + shift[1])
        restyle(element, style, moved)


def _relative_offsets(
    element: lxml_html.HtmlElement, style: Computed, computed: ElementStyles, page_width: float
) -> None:
    """A relative block's offsets in points, as xhtml2pdf moves it by: a percentage `top` or `bottom` of its
    containing block's height where that is set (else none, as CSS says), and a `transform: translate(…)`
    added to them (a card lowered to the middle of a page-tall body by `top: 50%; translateY(-50%)`)."""
    own = style.own
    parent = element.getparent()
    basis = points(computed[parent].own.get("height")) if parent is not None and parent in computed else float("inf")
    offsets = {name: _offset(own.get(name), basis) for name in _OFFSETS}
    shift = _shift(element, style, computed, page_width)
    if shift is None and not any("%" in own.get(name, "") for name in _OFFSETS):
        return
    across = offsets["left"] if offsets["left"] is not None else -(offsets["right"] or 0.0)
    down = offsets["top"] if offsets["top"] is not None else -(offsets["bottom"] or 0.0)
    if shift is not None:
        across, down = across + shift[0], down + shift[1]
    changes: dict[str, str | None] = {"right": None, "bottom": None}
    changes.update(left=values.fmt(across), top=values.fmt(down))
    restyle(element, style, changes)


def _offset(value: str | None, basis: float) -> float | None:
    """An offset in points (a percentage of `basis`, none where that is not set); None for auto."""
    value = (value or "auto").strip()
    if value.endswith("%"):
        return float(value[:-1]) * basis / 100 if basis != float("inf") else 0.0
    length = points(value)
    return None if length == float("inf") else length


def _shift(
    element: lxml_html.HtmlElement, style: Computed, computed: ElementStyles, page_width: float
) -> tuple[float, float] | None:
    """How far the box's `transform` moves it, if it only translates: a percentage is of the box's own
    border box (shrink-to-fit when it is placed out of flow), its height estimated."""
    translation = _translation(style.cascaded.get("transform", ""), style.font_pt)
    if translation is None:
        return None
    _, right, _, left = sides(style.own, "padding")
    width = points(style.own.get("width"))
    if width == float("inf") and position(style) in OUT_OF_FLOW:
        # Shrink-to-fit: no wider than its content (the page's width had stood in for it, so a badge
        # centred by `left: 50%; translate(-50%)` was moved back by half the page).
        width = min(estimate.max_content(element, style, computed), page_width)
    elif width == float("inf"):
        width = page_width  # a block in flow is as wide as its container
    elif not style.border_box:
        width = min(width, page_width) + left + right + _border_widths(style.own)
    height = estimate.height(element, computed, width)  # with its padding and borders
    (across, across_percent), (down, down_percent) = translation
    return (across * width / 100 if across_percent else across, down * height / 100 if down_percent else down)


def _translation(transform: str, font_pt: float) -> tuple[tuple[float, bool], tuple[float, bool]] | None:
    """A transform made of translations only, as (amount, whether a percentage) across and down; None for
    none or one with other functions."""
    functions = _FUNCTION.findall(transform)
    if not functions or _FUNCTION.sub("", transform).strip():
        return None
    across, down = (0.0, False), (0.0, False)
    for name, arguments in functions:
        amounts = [_amount(part, font_pt) for part in arguments.split(",")]
        found = [amount for amount in amounts if amount is not None]
        if len(found) < len(amounts) or name.lower() not in ("translate", "translatex", "translatey"):
            return None
        if name.lower() == "translatey":
            down = found[0]
        else:
            across = found[0]
            if name.lower() == "translate" and len(found) > 1:
                down = found[1]
    return across, down


def _amount(text: str, font_pt: float) -> tuple[float, bool] | None:
    """A translation's amount: a percentage, or a length in points."""
    text = text.strip()
    try:
        if text.endswith("%"):
            return float(text[:-1]), True
        resolved = values.resolve_lengths(text, values.Context(font_pt=font_pt))
        return (float(resolved.removesuffix("pt")), False) if resolved else None
    except ValueError:
        return None


def _in_flow(element: lxml_html.HtmlElement, style: Computed, report: FidelityReport) -> None:
    """The box in the flow of its container: at its end when placed from the bottom, on the right when
    placed from the right."""
    offsets = {name: style.own.get(name, "auto") for name in _OFFSETS}
    changes: dict[str, str | None] = {name: None for name in ("position", "z-index", *_OFFSETS)}
    if offsets["right"] != "auto" and offsets["left"] == "auto":
        changes["text-align"] = "right"
    set_style(element, changes)
    parent = element.getparent()
    if offsets["bottom"] != "auto" and offsets["top"] == "auto" and parent is not None:
        remove(element)
        parent.append(element)
    report.degrade(f"a positioned <{element.tag}> inside a table cell was laid out in flow")


def _width_as_margins(
    element: lxml_html.HtmlElement, style: Computed, computed: ElementStyles, page_width: float
) -> None:
    """A relative block narrower than its container, its width said as a right margin (both margins when
    centred), so that it stays a block xhtml2pdf can measure for the boxes placed inside it."""
    own = style.own
    width = min(points(own.get("max-width")), points(own.get("width")))
    # Its container's content box, the browser's margins counted (the body's 8px had been left out, and
    # a box placed at the container's right side drawn 12pt short of it).
    container = next((above for above in element.iterancestors() if above in computed), None)
    available = (computed[container].block_width if container is not None else 0.0) or page_width
    if not 0 < width < available * 0.98 or element.tag in ("table", "td", "th", "tr", "img"):
        return
    top, right, bottom, left = sides(own, "margin")
    if not style.border_box:
        _, pad_right, _, pad_left = sides(own, "padding")
        width += pad_left + pad_right + _border_widths(own)
    centred = auto_sides(own) == (True, True)
    if centred:
        left = right = max((available - width) / 2, 0.0)
    else:
        right = max(available - left - width, 0.0)
    set_style(
        element,
        {
            "width": None,
            "max-width": None,
            "margin": None,
            "margin-left": f"{left:.2f}pt",
            "margin-right": f"{right:.2f}pt",
            "margin-top": f"{top:.2f}pt",
            "margin-bottom": f"{bottom:.2f}pt",
        },
    )


def _border_widths(own: dict[str, str]) -> float:
    total = 0.0
    for side in ("left", "right"):
        value = own.get(f"border-{side}-width") or own.get(f"border-{side}") or own.get("border") or ""
        width = next((points(part) for part in value.split() if points(part) != float("inf")), 0.0)
        total += width
    return total
