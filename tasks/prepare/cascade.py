"""The cascade a browser runs, written back as inline styles with values xhtml2pdf can read."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import cssselect2
import tinycss2
from lxml import html as lxml_html
from xhtml2pdf.properties import SUPPORTED_PROPERTIES
from xhtml2pdf.w3c.css_variables import SHORTHAND_LONGHANDS

from tasks.document.fidelity import FidelityReport
from tasks.prepare import borders, selectors, undrawn, values
from tasks.prepare.doctype import in_quirks_mode
from tasks.prepare.generated import as_block, line_break
from tasks.prepare.inline_style import padding_and_borders, points, set_style, sides
from tasks.prepare.stylesheets import Declaration, Sheet, parse_declarations

#: Properties children take from their parent, as far as xhtml2pdf draws them.
INHERITED = frozenset(
    "color font-family font-size font-style font-weight line-height text-align text-transform white-space "
    "letter-spacing word-spacing visibility list-style-type list-style-position list-style text-indent".split()
)
#: What xhtml2pdf draws: its own registry of properties, and the shorthands it expands into them.
DRAWN = SUPPORTED_PROPERTIES | {
    name for name, longhands in SHORTHAND_LONGHANDS.items() if set(longhands) & SUPPORTED_PROPERTIES
}
#: Read here, for the grid stage, though xhtml2pdf draws nothing for them.
_SCREEN_ONLY = ("-moz-", "-webkit-", "-ms-", "transition", "animation", "scroll-", "touch-", "caret-", "accent-")
_GRID = frozenset(
    "grid-template-columns grid-template-areas grid-column grid-column-start grid-column-end grid-row grid-row-start "
    "grid-row-end grid-area".split()
)
#: Properties that only make sense on screen or that other stages consume.
_SILENT = frozenset(
    "cursor transition animation pointer-events user-select -webkit-user-select outline resize appearance "
    "-webkit-appearance -moz-appearance scroll-behavior will-change content-visibility tab-size "
    "-webkit-text-size-adjust text-size-adjust -webkit-font-smoothing -moz-osx-font-smoothing "
    "-webkit-tap-highlight-color text-rendering font-feature-settings font-variation-settings "
    "print-color-adjust -webkit-print-color-adjust color-adjust box-sizing -webkit-box-sizing "
    "text-decoration-skip-ink text-underline-offset text-decoration-thickness hyphens -webkit-hyphens "
    "-ms-text-size-adjust -webkit-text-decoration-skip text-decoration-color text-decoration-style "
    "text-decoration-line orphans widows font-kerning font-synthesis font-optical-sizing "
    # SVG's, which tasks/prepare/svg.py writes back as attributes.
    "fill stroke stroke-width stroke-linecap stroke-linejoin fill-opacity stroke-opacity".split()
)
_UNREADABLE = re.compile(r"\b(?:var|env|lab|lch|oklab|oklch|color|color-mix|light-dark|attr|min|max|clamp)\(", re.I)
_VAR = re.compile(r"var\(\s*(--[\w-]+)\s*(,)?")
_OF_THE_WIDTH = ("margin", "padding", "text-indent")
#: Widths whose percentages the layout takes of the room it finds, except inside a calc() with lengths.
_WIDTHS = frozenset(("width", "min-width", "max-width"))
#: Percentages of the containing block's height, where that height is definite.
_OF_THE_HEIGHT = frozenset(("height", "min-height"))
_PERCENT = re.compile(r"(?<![\d.])(-?+(?:\d++(?:\.\d++)?+|\.\d++))%")
_WIDE = {"inherit", "initial", "unset", "revert", "revert-layer"}
MAX_VAR_DEPTH = 8
#: Longest value var() substitution may make, as browsers cap it (Chromium counts tokens): past it the
#: declaration is invalid at computed-value time, as there. Real values (font stacks, shadows) are < 1 KB.
MAX_SUBSTITUTED = 1 << 14
VAR_TOO_LONG = f"var(): substituted values longer than {MAX_SUBSTITUTED} characters"
MAX_REMEMBERED = 256
#: Property → its (origin, value) candidates, as `_cascade` ranks them.
Declared = dict[str, list[tuple[int, str]]]


@dataclass
class Computed:
    """What one element's children need from it."""

    font_pt: float
    custom: dict[str, str] = field(default_factory=dict)
    inherited: dict[str, str] = field(default_factory=dict)
    #: The element's own author-origin declarations, resolved, as written inline.
    own: dict[str, str] = field(default_factory=dict)
    #: Every property the cascade gave the element (any origin), resolved: what `inherit` takes.
    cascaded: dict[str, str] = field(default_factory=dict)
    display: str = ""
    grid_columns: str = ""
    #: ::before and ::after: their resolved declarations.
    generated: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The colour its children are seen on (tasks/prepare/values.backdrop).
    backdrop: tuple[int, int, int] = values.WHITE
    #: Where its font size comes from: the keyword it was set by ("" for none), and whether an absolute
    #: length set it (here or in an ancestor); and whether its family is the generic monospace.
    font_keyword: str = "medium"
    font_absolute: bool = False
    monospace: bool = False
    #: What `line-height: normal` is for its font, as written for xhtml2pdf ("" where it is not normal).
    normal_line: str = ""
    #: The width of its content box, which its children's percentage margins and paddings are of, in
    #: points (0 where not known: the page's content width).
    block_width: float = 0.0
    #: Whether a grid is around it with no box of a set width between: its containing block is then a grid
    #: area, whose width only the layout knows, and `block_width` is the grid's.
    in_grid: bool = False

    def inherited_value(self, name: str, default: str) -> str:
        """Its value of an inherited property: its own, else what it inherits, else `default`."""
        return self.cascaded.get(name) or self.inherited.get(name, default)

    @property
    def border_box(self) -> bool:
        """Whether its `width` holds its padding and borders (`box-sizing: border-box`)."""
        return self.cascaded.get("box-sizing", "").strip() == "border-box"


ROOT = Computed(font_pt=values.ROOT_FONT_PT)
_FACE_NAME = re.compile(r"font-family\s*:\s*[\"']?([^;\"'}]+)", re.IGNORECASE)
_POINTS = re.compile(r"(\d+(?:\.\d+)?)pt")
_FONT_LINE_HEIGHT = re.compile(r"/\s*([^\s,]+)")
_FONT_SHORTHAND = re.compile(
    r"((?:(?:normal|italic|oblique|small-caps|bold|bolder|lighter|[1-9]00|(?:ultra-|extra-|semi-)?"
    r"(?:condensed|expanded))\s+)*)([^\s/]+)(?:\s*/\s*([^\s/]+))?\s+([^\s/].*)",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\+?(?:\d+\.?\d*|\.\d+)")
_INLINE_SPECIFICITY = (1 << 30, 0, 0)
#: The shorthands whose longhands the stage reads itself (tasks/prepare/inline_style.sides).
_LONGHANDS = {box: SHORTHAND_LONGHANDS[box] for box in ("margin", "padding")}


def apply(
    root: lxml_html.HtmlElement, sheet: Sheet, report: FidelityReport, page_width: float, page_height: float
) -> dict[lxml_html.HtmlElement, Computed]:
    """Match every element, compute its style, and write the author's part as its `style` attribute.

    `page_width` and `page_height` (the page's content box, in points) are what `vw`, `vh` and
    percentage margins and paddings are taken of."""
    computed: dict[lxml_html.HtmlElement, Computed] = {}
    pseudos: list[tuple[lxml_html.HtmlElement, str, Computed]] = []
    root_pt = values.ROOT_FONT_PT
    page = (page_width, page_height)
    faces = frozenset(name.lower() for face in sheet.font_faces for name in _FACE_NAME.findall(face))
    quirks = in_quirks_mode(root)
    # What matching and resolving learn about this document: dropped after it, never seen by the next.
    with selectors.matching(), _resolving():
        for wrapper in cssselect2.ElementWrapper.from_html_root(root).iter_subtree():
            element = wrapper.etree_element
            parent = computed.get(element.getparent(), ROOT) if element.getparent() is not None else ROOT
            matches = sheet.matcher.match(wrapper)
            declared = _cascade(matches, None, element.get("style"))
            style = _compute(declared, parent, root_pt, page, report, faces, quirks)
            style.block_width = _content_width(element, style, parent.block_width or page[0])
            collapses = parent.cascaded.get("border-collapse", "").strip().lower() == "collapse"
            undrawn.check(element, declared, collapses, functools.partial(_ignore_once, report))
            if element.tag == "html":
                root_pt = style.font_pt
            for pseudo in ("before", "after"):
                if any(match[2] == pseudo for match in matches):
                    declared = _cascade(matches, pseudo, None)
                    generated = _compute(declared, style, root_pt, page, report, faces, quirks)
                    if "content" in generated.own:
                        style.generated[pseudo] = generated.own
                        pseudos.append((element, pseudo, generated))
                        undrawn.check_generated(declared, functools.partial(_ignore_once, report))
            computed[element] = style
            if style.own:
                element.set("style", _inline(style.own))
            elif "style" in element.attrib:
                del element.attrib["style"]
    for element, pseudo, generated in pseudos:
        block = as_block(element, pseudo, generated.own)
        if block is not None:
            computed[block] = generated
            del computed[element].generated[pseudo]
        elif computed[element].cascaded.get("display", "").strip() == "inline":
            line_break(element, pseudo, generated.own)
    return computed


#: Elements whose box is inline unless a stylesheet says otherwise, and those a table's width passes through.
INLINE_TAGS = frozenset(
    "a abbr b bdi bdo br cite code data dfn em font i img kbd label mark q s samp small span strong sub sup svg time "
    "tt u var".split()
)
_ROW_GROUPS = frozenset(("tr", "tbody", "thead", "tfoot"))


def _content_width(element: lxml_html.HtmlElement, style: Computed, containing: float) -> float:
    """How wide the element's content box is in a containing block `containing` points wide, by its width
    (or `width` attribute) and its margins, borders and padding; an inline box's is its containing block's."""
    cascaded = style.cascaded
    display = cascaded.get("display", "").strip() or ("inline" if element.tag in INLINE_TAGS else "block")
    if display in ("inline", "contents") or element.tag in _ROW_GROUPS:
        return containing
    width = width_in(cascaded.get("width", ""), containing)
    attribute = element.get("width", "").strip() if element.tag in ("table", "td", "th") else ""
    if width is None and attribute:
        width = width_in(attribute if attribute.endswith("%") else f"{attribute}px", containing)
    inside = padding_and_borders(cascaded)
    if width is None:
        _, margin_right, _, margin_left = sides(cascaded, "margin")
        return max(containing - margin_left - margin_right - inside, 0.0)
    return max(width - inside if style.border_box else width, 0.0)


def width_in(value: str, containing: float) -> float | None:
    """A `width` in points: a length, or a percentage of `containing`; None for auto or what is not one."""
    value = value.strip().lower()
    if value.endswith("%"):
        try:
            return float(value[:-1]) * containing / 100
        except ValueError:
            return None
    if value.endswith("px") and value[:-2].replace(".", "", 1).isdigit():
        return float(value[:-2]) * 0.75
    found = _POINTS.fullmatch(value)
    return float(found.group(1)) if found else None


def restyle(element: lxml_html.HtmlElement, style: Computed | None, changes: dict[str, str | None]) -> None:
    """Set (or, for None, remove) declarations of the element, in its `style` and in what the cascade
    computed for it, which later steps read."""
    set_style(element, changes)
    if style is None:
        return
    for name, value in changes.items():
        for declarations in (style.own, style.cascaded):
            if value is None:
                declarations.pop(name, None)
            else:
                declarations[name] = value


def generated_css(computed: dict[lxml_html.HtmlElement, Computed]) -> str:
    """Rules for the ::before and ::after content the cascade found, each element marked by a class."""
    rules: list[str] = []
    for number, (element, style) in enumerate(item for item in computed.items() if item[1].generated):
        marker = f"x2p-g{number}"
        element.set("class", f"{element.get('class', '')} {marker}".strip())
        rules.extend(f".{marker}::{pseudo} {{ {_inline(own)} }}" for pseudo, own in style.generated.items())
    return "\n".join(rules)


def _inline(declarations: dict[str, str]) -> str:
    return "; ".join(f"{name}: {value}" for name, value in declarations.items())


def _cascade(
    matches: list[tuple[tuple[int, int, int], int, str | None, Any]], pseudo: str | None, inline: str | None
) -> Declared:
    """Property → its (origin, value) candidates, the winner last: origin 0 browser, 1 author.

    The losers stay because a stylesheet's fallbacks (`color: #b58; color: lab(…)`) end in a
    value xhtml2pdf cannot read as often as not: the last readable one is used."""
    ranked: list[tuple[tuple[int, int, tuple[int, int, int], int], int, Declaration]] = []
    for specificity, _, match_pseudo, (origin, order, declarations) in matches:
        if match_pseudo != pseudo:
            continue
        for declaration in declarations:
            ranked.append(((int(declaration.important), origin, specificity, order), origin, declaration))
    if inline:
        for declaration in parse_declarations(tinycss2.parse_component_value_list(inline)):
            # A style attribute outranks every selector, however many ids it has.
            ranked.append(((int(declaration.important), 1, _INLINE_SPECIFICITY, 0), 1, declaration))
    ranked.sort(key=lambda item: item[0])
    declared: Declared = {}
    for _, origin, declaration in ranked:
        # A shorthand sets its longhands: those that lost to it are gone (`padding: 0` over the browser's
        # `padding-left: 40px` on a list); a longhand that outranks it comes after it and wins.
        for longhand in _LONGHANDS.get(declaration.name, ()):
            declared.pop(longhand, None)
        expanded = font_longhands(declaration.value) if declaration.name == "font" else None
        for name, value in expanded or ((declaration.name, declaration.value),):
            declared.setdefault(name, []).append((origin, value))
    return declared


def font_longhands(value: str) -> list[tuple[str, str]] | None:
    """The longhands the `font` shorthand sets (`italic bold 12px/1.4 Arial, sans-serif`), each it leaves
    out at its initial value, as a browser expands it (`font-variant` only where it is small caps: xhtml2pdf
    draws none); None for a value this does not read (a system font, a `var()`)."""
    found = _FONT_SHORTHAND.fullmatch(value.strip())
    if found is None or "var(" in value:
        return None
    modifiers, size, line_height, family = found.groups()
    longhands = {"font-style": "normal", "font-weight": "normal"}
    for word in modifiers.split():
        lowered = word.lower()
        if lowered in ("italic", "oblique"):
            longhands["font-style"] = lowered
        elif lowered == "small-caps":
            longhands["font-variant"] = lowered
        elif lowered != "normal" and not lowered.endswith(("condensed", "expanded")):
            longhands["font-weight"] = lowered
    longhands |= {"font-size": size, "line-height": line_height or "normal", "font-family": family}
    return list(longhands.items())


def _compute(
    declared: Declared,
    parent: Computed,
    root_pt: float,
    page: tuple[float, float],
    report: FidelityReport,
    faces: frozenset[str],
    quirks: bool,
) -> Computed:
    custom = _custom_properties(declared, parent.custom)
    size = _font_size(declared, custom, parent, root_pt, _generic_monospace(declared, parent), page)
    font_pt = size.pt
    context = values.Context(
        font_pt=font_pt,
        root_pt=root_pt,
        page_width_pt=page[0],
        page_height_pt=page[1],
        backdrop=parent.backdrop,
        quirks=quirks,
        block_width_pt=parent.block_width or page[0],
    )
    style = Computed(
        font_pt=font_pt,
        custom=custom,
        inherited=parent.inherited,
        font_keyword=size.keyword,
        font_absolute=size.absolute,
        monospace=size.monospace,
        in_grid=_in_grid_area(parent),
    )
    for name, candidates in declared.items():
        if not name.startswith("--"):
            _declare(style, name, candidates, parent, context, report)
    style.backdrop = values.backdrop(style.cascaded, parent.backdrop)
    if style.cascaded.get("float", "none") != "none":
        _keep_float_in_margins(style)
    borders.default_widths(style.own)
    _normal_line_height(style, parent, faces)
    if size.rescaled or ("font-size" in declared and declared["font-size"][-1][0]):
        style.own["font-size"] = values.fmt(font_pt)
    return style


def _normal_line_height(style: Computed, parent: Computed, faces: frozenset[str]) -> None:
    """`line-height: normal` as Blink makes it: the first available face's ascent, descent and line gap,
    each rounded to whole pixels (12px Times: 15px; 12px Arial: 14px; 16px either: 18px). Written where
    it changes (a new size or family); a face the document brings, whose metrics are unknown here, has
    1.15, about what the common faces have."""
    line_height = style.inherited.get("line-height", "normal")
    if "font" in style.own and "line-height" not in style.own:
        # The `font` shorthand sets the line height, to `normal` when it names none.
        found = _FONT_LINE_HEIGHT.search(style.own["font"])
        line_height = found.group(1) if found else "normal"
        style.inherited = {**style.inherited, "line-height": line_height}
    if line_height.strip().lower() != "normal":
        return
    family = style.inherited.get("font-family", "")
    points = values.normal_line_pt(family, faces, style.font_pt)
    style.normal_line = "115%" if points is None else values.fmt(points)
    if style.normal_line != parent.normal_line:
        style.own["line-height"] = style.normal_line


def _custom_properties(declared: Declared, inherited: dict[str, str]) -> dict[str, str]:
    """The custom properties (`--x`) an element sees: `inherited`, itself when the element sets none."""
    # Shared with the parent unless this element changes them: most elements change none.
    own_custom = [(name, candidates[-1][1]) for name, candidates in declared.items() if name.startswith("--")]
    if not own_custom:
        return inherited
    custom = dict(inherited)
    for name, text in own_custom:
        # `--x: initial` is the guaranteed-invalid value: var(--x, fallback) takes the fallback.
        if text.strip().lower() == "initial":
            custom.pop(name, None)
        else:
            custom[name] = text
    return custom


@dataclass(frozen=True)
class _FontSize:
    pt: float
    keyword: str
    absolute: bool
    monospace: bool
    #: Whether the generic monospace's own default size changed it (xhtml2pdf is then told the size).
    rescaled: bool = False


def _font_size(
    declared: Declared,
    custom: dict[str, str],
    parent: Computed,
    root_pt: float,
    monospace: bool,
    page: tuple[float, float],
) -> _FontSize:
    """The element's font size as Blink computes it, monospace default included: text in the generic
    monospace family has a `medium` of 13px where other text has 16px. Where the family changes to or
    from monospace and no absolute length set the size, a keyword size is taken again from the other
    family's table and any other size is scaled by 13/16 (or 16/13): `FontBuilder::CheckForGenericFamilyChange`."""
    size = _declared_size(declared, custom, parent, root_pt, monospace, page)
    if size.absolute or monospace == parent.monospace:
        return size
    if size.keyword:
        return _FontSize(values.keyword_pt(size.keyword, monospace), size.keyword, False, monospace, rescaled=True)
    scale = values.MONOSPACE_MEDIUM / values.FONT_KEYWORDS["medium"]
    return _FontSize(size.pt * (scale if monospace else 1 / scale), "", False, monospace, rescaled=True)


def _declared_size(
    declared: Declared,
    custom: dict[str, str],
    parent: Computed,
    root_pt: float,
    monospace: bool,
    page: tuple[float, float],
) -> _FontSize:
    """The element's font size from its own `font-size`, before any change of generic family."""
    inherited = _FontSize(parent.font_pt, parent.font_keyword, parent.font_absolute, monospace)
    if "font-size" not in declared:
        return inherited
    origin, raw = declared["font-size"][-1]
    value = _substitute(raw, custom)
    if value is None:
        return inherited
    value = value.strip().lower()
    if value in values.FONT_KEYWORDS or value == "initial":
        keyword = "medium" if value == "initial" else value
        return _FontSize(values.keyword_pt(keyword, monospace), keyword, False, monospace)
    pt = values.font_size(value, parent.font_pt, root_pt, page)
    if pt is None or value in ("inherit", "unset"):
        return inherited
    # Sizes relative to the parent's keep its absoluteness; so does the browser stylesheet's only length,
    # `html { font-size: 12pt }`, which is the initial `medium` spelled for xhtml2pdf.
    relative = value in ("larger", "smaller") or (value.endswith(("%", "em", "ex", "ch")) and not value.endswith("rem"))
    absolute = parent.font_absolute if relative or not origin else True
    return _FontSize(pt, "", absolute, monospace)


def _generic_monospace(declared: Declared, parent: Computed) -> bool:
    """Whether the element's family is the generic monospace alone, the one Blink gives a 13px medium
    (`"Courier New", monospace` and `monospace, monospace` are not). The browser stylesheet's
    `pre { font-family: "Courier New", monospace }` names the face for xhtml2pdf; a browser's says `monospace`."""
    if "font-family" not in declared:
        return parent.monospace
    origin, family = declared["font-family"][-1]
    names = [name.strip().lower() for name in family.split(",")]
    return "monospace" in names if not origin else names == ["monospace"]


def _declare(
    style: Computed,
    name: str,
    candidates: list[tuple[int, str]],
    parent: Computed,
    context: values.Context,
    report: FidelityReport,
) -> None:
    """Give `style` property `name`: the last of its candidates xhtml2pdf can read, in the cascaded,
    inherited and own (author's, drawn) values it belongs in; report what is left unread."""
    raw = candidates[-1][1]
    if candidates[-1][0] and "var(" in raw and _substitute(raw, style.custom) is None:
        report.ignore(VAR_TOO_LONG)  # dropped, as a browser drops it; an earlier candidate may stand
    origin, value = _readable(name, candidates, style.custom, parent, context)
    if value is None:
        # A var() that resolves to nothing makes the declaration unset, in a browser too.
        if origin and "var(" not in raw:
            _ignore_once(report, f"{name}: {_kind(raw)}", raw)
        return
    _note_layout(style, name, value)
    style.cascaded[name] = value
    if name in INHERITED and style.inherited.get(name) != value:
        if style.inherited is parent.inherited:
            style.inherited = dict(style.inherited)
        style.inherited[name] = value
    if origin and name not in _SILENT:
        if name in DRAWN:
            style.own[name] = value
        elif name not in _GRID and not name.startswith(_SCREEN_ONLY):
            _ignore_once(report, name, raw)


def _readable(
    name: str, candidates: list[tuple[int, str]], custom: dict[str, str], parent: Computed, context: values.Context
) -> tuple[int, str | None]:
    """The origin and resolved value of the last candidate xhtml2pdf can read; the winner's origin
    and None when it can read none."""
    for origin, candidate in reversed(candidates):
        value = _value(name, candidate, custom, parent, context)
        if value is not None:
            return origin, value
    return candidates[-1][0], None


def _note_layout(style: Computed, name: str, value: str) -> None:
    """Keep what the layout stage reads: the display and the grid's columns."""
    if name == "display" and value:
        style.display = value
    if name in _GRID and value:
        style.grid_columns = value if name == "grid-template-columns" else style.grid_columns


def _keep_float_in_margins(style: Computed) -> None:
    """xhtml2pdf does not float: a float pulled into the margin (a hanging section number) stays
    in the flow, where its negative margin would drag it over the text before it."""
    for side in ("margin-left", "margin-right"):
        if style.own.get(side, "").startswith("-"):
            del style.own[side]


def _value(name: str, raw: str, custom: dict[str, str], parent: Computed, context: values.Context) -> str | None:
    substituted = _substitute(raw, custom)
    if substituted is None:
        return None
    value = substituted.strip()
    lowered = value.lower()
    if lowered in _WIDE:
        if lowered == "inherit" or (lowered == "unset" and name in INHERITED):
            return parent.cascaded.get(name) or parent.inherited.get(name)
        return None
    if name == "font-size":
        return values.fmt(context.font_pt)
    if name == "line-height":
        value = _line_height(value)
    elif name == "font":
        value = _FONT_LINE_HEIGHT.sub(lambda found: "/" + _line_height(found.group(1)), value)
    if name == "grid-template-columns":
        return value  # its percentages are of the grid's width, also in calc(): resolved by the layout
    if name in _ONE_VALUE and _components(value) > 1:
        return None  # invalid, so dropped, as a browser drops it (`line-height: 1fr 2fr` broke xhtml2pdf)
    if name in _LENGTHS:
        length = _unitless_length(value, context.quirks)
        if length is None:
            return None  # invalid, so dropped (`padding-top: 20`): the declaration before it stands
        value = length
    return _resolved(name, _of_containing_block(name, value, parent, context), context)


def _unitless_length(value: str, quirks: bool) -> str | None:
    """A length property's value with its bare numbers (other than 0) in pixels in quirks mode, as a browser
    reads them there; None where it has one in standards mode, which makes it invalid."""
    if "(" in value or not any(float(number) for number in _BARE_NUMBER.findall(value)):
        return value
    if not quirks:
        return None
    return _BARE_NUMBER.sub(lambda found: found.group() + ("px" if float(found.group()) else ""), value)


def _of_containing_block(name: str, value: str, parent: Computed, context: values.Context) -> str:
    """`value` with its percentages of the containing block's height (a `height`, where that is definite)
    or width (margins, paddings, `text-indent`, a width's calc() that mixes them with lengths) in points."""
    if name in _OF_THE_HEIGHT and _PERCENT.fullmatch(value):
        basis = _definite_height(parent, context)
        if basis is not None:
            return values.fmt(float(value[:-1]) * basis / 100)
    # calc(100% - 200px), where the containing block's width is known (not a grid area's)
    mixed = name in _WIDTHS and "%" in value and "calc(" in value.lower() and not _in_grid_area(parent)
    if "%" in value and (name.startswith(_OF_THE_WIDTH) or mixed):
        value = _PERCENT.sub(lambda found: values.fmt(float(found.group(1)) * context.block_width_pt / 100), value)
    return value


def _in_grid_area(parent: Computed) -> bool:
    """Whether a child of `parent` has a grid area for its containing block, or is inside a box that does
    and sets no width of its own: the cascade does not know how wide it is."""
    grid = parent.display.strip() in ("grid", "inline-grid")
    return grid or (parent.in_grid and points(parent.cascaded.get("width")) == float("inf"))


def _definite_height(parent: Computed, context: values.Context) -> float | None:
    """The height a percentage `height` is taken of: the page's for the root (`html, body { height: 100% }`),
    else the parent's where it is a length; None where it depends on the content (the percentage is then
    left as written)."""
    if parent is ROOT:
        return context.page_height_pt
    found = _POINTS.fullmatch(parent.cascaded.get("height", "").strip())
    return float(found.group(1)) if found else None


def _line_height(value: str) -> str:
    """A number as a percentage, which xhtml2pdf multiplies by each fragment's font size as CSS does a
    number (it read `1` to `7` as HTML's `<font size>`: `line-height: 1` was 6pt)."""
    number = _NUMBER.fullmatch(value)
    return f"{float(number.group(0)) * 100:g}%" if number else value


#: Properties whose value is one component: a declaration giving more is invalid.
#: Properties whose numbers need a unit, but for 0; in quirks mode a browser takes a bare one as pixels.
_LENGTHS = frozenset(
    "width height min-width max-width min-height max-height top right bottom left margin margin-top margin-right "
    "margin-bottom margin-left padding padding-top padding-right padding-bottom padding-left text-indent "
    "letter-spacing word-spacing border-width border-top-width border-right-width border-bottom-width "
    "border-left-width".split()
)
_BARE_NUMBER = re.compile(r"(?<![\w.#%+-])[+-]?(?:\d+\.?\d*|\.\d+)(?![\w.%])")
_ONE_VALUE = frozenset(
    "line-height width height min-width max-width min-height max-height top right bottom left letter-spacing "
    "word-spacing text-indent z-index opacity font-weight font-style vertical-align position float clear "
    "white-space text-transform text-align box-sizing visibility".split()
)


def _components(value: str) -> int:
    """How many whitespace-separated component values `value` has, a function's or a string's inside counted
    as one."""
    count, depth, quote, after_space = 0, 0, "", True
    for char in value:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if char.isspace() and not depth and not quote:
            after_space = True
        elif after_space:
            count, after_space = count + 1, False
    return count


def _resolved(name: str, value: str, context: values.Context) -> str | None:
    """A declaration's value in what xhtml2pdf reads; the same few hundred short values recur on every
    element, and are remembered for the cascade (a long one is rare: kept, it would weigh)."""
    return (_resolved_short if len(value) <= MAX_REMEMBERED else _resolve)(name, value, context)


@contextmanager
def _resolving() -> Iterator[None]:
    """One cascade's remembered values, forgotten after it: nothing of a document outlives its job."""
    noted = _NOTED.set({})
    try:
        yield
    finally:
        _NOTED.reset(noted)
        _resolved_short.cache_clear()


# The declarations whose ignored feature this cascade has reported, by the identity of their value
# (one object for a stylesheet's declaration, however many elements it applies to; one per
# element for a style attribute's): each is held, so no identity is reused while the cascade runs.
_NOTED: ContextVar[dict[tuple[str, int], object]] = ContextVar("_NOTED")


def _ignore_once(report: FidelityReport, feature: str, declared: object) -> None:
    """Report `feature` of the declaration whose value is `declared` as ignored: once per declaration,
    as written, not once per element it matched (two tables under one rule are one declaration)."""
    noted = _NOTED.get()
    if (feature, id(declared)) not in noted:
        noted[(feature, id(declared))] = declared
        report.ignore(feature)


def _resolve(name: str, value: str, context: values.Context) -> str | None:
    if name == "font-weight":
        return _weight(value.lower())
    resolved = values.resolve_lengths(borders.widths(name, value), context)
    # xhtml2pdf reads attr() (and counters) in generated content itself.
    unreadable = _UNREADABLE.search(resolved.replace("attr(", "")) if name == "content" and resolved else None
    if resolved is None or (unreadable if name == "content" else _UNREADABLE.search(resolved)):
        return None
    return values.normalise_colors(resolved, context.backdrop)


#: At most 4,096 values of at most 256 characters each: about 2 MB, even within one document.
_resolved_short = functools.lru_cache(maxsize=1 << 12)(_resolve)


def _weight(value: str) -> str | None:
    """Numeric weights as the two faces xhtml2pdf has: 600 and up bold, as a browser picks them."""
    if value.isdigit():
        return "bold" if int(value) >= 600 else "normal"
    return {"bolder": "bold", "lighter": "normal"}.get(value, value)


class _TooLong(Exception):
    """A var() substitution past MAX_SUBSTITUTED characters."""


def _substitute(value: str, custom: dict[str, str]) -> str | None:
    """`value` with its `var()`s replaced, as far as they resolve (fallbacks may nest); None when that
    would make it longer than MAX_SUBSTITUTED (`--b: var(--a) var(--a)`, … doubles at every level)."""
    if "var(" not in value:
        return value
    try:
        return _expand(value, custom, MAX_VAR_DEPTH, {})
    except _TooLong:
        return None


def _expand(value: str, custom: dict[str, str], depth: int, expanded: dict[tuple[str, int], str]) -> str:
    """`_substitute`'s work: each custom property expanded once per depth (`expanded`), however often used."""
    if "var(" not in value or depth == 0:
        return value
    out, position, size = [], 0, 0
    while (found := _VAR.search(value, position)) is not None:
        end = values.closing(value, found.start() + 3)
        if end < 0:
            break
        name = found.group(1)
        fallback = value[found.end() : end] if found.group(2) else None
        if name in custom:
            if (name, depth) not in expanded:
                expanded[name, depth] = _expand(custom[name], custom, depth - 1, expanded)
            replacement = expanded[name, depth]
        elif fallback is not None:
            replacement = _expand(fallback.strip(), custom, depth - 1, expanded)
        else:
            replacement = value[found.start() : end + 1]
        out += [value[position : found.start()], replacement]
        size += found.start() - position + len(replacement)
        if size > MAX_SUBSTITUTED:
            raise _TooLong
        position = end + 1
    out.append(value[position:])
    return "".join(out)


def _kind(value: str) -> str:
    found = _UNREADABLE.search(value)
    return found.group(0).rstrip("(") + "()" if found else "value"
