"""The cascade a browser runs, written back as inline styles with values xhtml2pdf can read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import cssselect2
import tinycss2
from lxml import html as lxml_html

from tasks.fidelity import FidelityReport
from tasks.prepare import values
from tasks.prepare.stylesheets import Declaration, Sheet, parse_declarations

#: Properties children take from their parent, as far as xhtml2pdf draws them.
INHERITED = frozenset(
    "color font-family font-size font-style font-weight line-height text-align text-transform "
    "white-space letter-spacing word-spacing visibility list-style-type text-indent".split()
)
#: What a document may set that xhtml2pdf draws nothing for: reported, not written.
UNDRAWN = frozenset(
    "position transform box-shadow text-shadow border-radius opacity filter float clip-path "
    "object-fit overflow mix-blend-mode backdrop-filter columns column-count".split()
)
#: Properties that only make sense on screen or that other stages consume.
_SILENT = frozenset(
    "cursor transition animation pointer-events user-select -webkit-user-select outline resize appearance "
    "-webkit-appearance -moz-appearance scroll-behavior will-change content-visibility tab-size "
    "-webkit-text-size-adjust text-size-adjust -webkit-font-smoothing -moz-osx-font-smoothing "
    "-webkit-tap-highlight-color text-rendering font-feature-settings font-variation-settings "
    "print-color-adjust -webkit-print-color-adjust color-adjust box-sizing z-index".split()
)
_UNREADABLE = re.compile(r"\b(?:var|env|lab|lch|oklab|oklch|color|color-mix|light-dark|attr|min|max|clamp)\(", re.I)
_VAR = re.compile(r"var\(\s*(--[\w-]+)\s*(?:,([^()]*(?:\([^()]*\)[^()]*)*))?\)")
_WIDE = {"inherit", "initial", "unset", "revert", "revert-layer"}
MAX_VAR_DEPTH = 8


@dataclass
class Computed:
    """What one element's children need from it."""

    font_pt: float
    custom: dict[str, str] = field(default_factory=dict)
    inherited: dict[str, str] = field(default_factory=dict)
    #: The element's own author-origin declarations, resolved, as written inline.
    own: dict[str, str] = field(default_factory=dict)
    display: str = ""


ROOT = Computed(font_pt=values.ROOT_FONT_PT)


def apply(root: lxml_html.HtmlElement, sheet: Sheet, report: FidelityReport) -> dict[lxml_html.HtmlElement, Computed]:
    """Match every element, compute its style, and write the author's part as its `style` attribute."""
    computed: dict[lxml_html.HtmlElement, Computed] = {}
    root_pt = values.ROOT_FONT_PT
    for wrapper in cssselect2.ElementWrapper.from_html_root(root).iter_subtree():
        element = wrapper.etree_element
        parent = computed.get(element.getparent(), ROOT) if element.getparent() is not None else ROOT
        declared = _cascade(sheet, wrapper, element)
        style = _compute(declared, parent, root_pt, report)
        if element.tag == "html":
            root_pt = style.font_pt
        computed[element] = style
        if style.own:
            element.set("style", "; ".join(f"{name}: {value}" for name, value in style.own.items()))
        elif "style" in element.attrib:
            del element.attrib["style"]
    return computed


def _cascade(
    sheet: Sheet, wrapper: cssselect2.ElementWrapper, element: lxml_html.HtmlElement
) -> dict[str, list[tuple[int, str]]]:
    """Property → its (origin, value) candidates, the winner last: origin 0 browser, 1 author.

    The losers stay because a stylesheet's fallbacks (`color: #b58; color: lab(…)`) end in a
    value xhtml2pdf cannot read as often as not: the last readable one is used."""
    matches = [match for match in sheet.matcher.match(wrapper) if match[2] is None]
    ranked: list[tuple[tuple[int, int, tuple[int, int, int], int], int, Declaration]] = []
    for specificity, _, _, (origin, order, declarations) in matches:
        for declaration in declarations:
            ranked.append(((int(declaration.important), origin, specificity, order), origin, declaration))
    inline = element.get("style")
    if inline:
        for declaration in parse_declarations(tinycss2.parse_component_value_list(inline)):
            ranked.append(((int(declaration.important), 1, (1, 0, 0), 0), 1, declaration))
    ranked.sort(key=lambda item: item[0])
    declared: dict[str, list[tuple[int, str]]] = {}
    for _, origin, declaration in ranked:
        declared.setdefault(declaration.name, []).append((origin, declaration.value))
    return declared


def _compute(
    declared: dict[str, list[tuple[int, str]]], parent: Computed, root_pt: float, report: FidelityReport
) -> Computed:
    custom = dict(parent.custom)
    for name, candidates in declared.items():
        if name.startswith("--"):
            custom[name] = candidates[-1][1]
    inherited = dict(parent.inherited)
    font_pt = parent.font_pt
    if "font-size" in declared:
        size = values.font_size(_substitute(declared["font-size"][-1][1], custom), parent.font_pt, root_pt)
        font_pt = size if size is not None else parent.font_pt
    context = values.Context(font_pt=font_pt, root_pt=root_pt)
    style = Computed(font_pt=font_pt, custom=custom, inherited=inherited)
    for name, candidates in declared.items():
        if name.startswith("--"):
            continue
        origin, raw = candidates[-1]
        value = None
        for candidate_origin, candidate in reversed(candidates):
            value = _value(name, candidate, custom, parent, context)
            if value is not None:
                origin = candidate_origin
                break
        if name == "display" and value:
            style.display = value
        if value is None:
            if origin:
                report.ignore(f"{name}: {_kind(raw)}")
            continue
        if name in INHERITED:
            inherited[name] = value
        if origin and name not in _SILENT:
            if name in UNDRAWN and value not in ("static", "none", "visible", "0", "normal"):
                report.ignore(name)
            style.own[name] = value
    if "font-size" in declared and declared["font-size"][-1][0]:
        style.own["font-size"] = values.fmt(font_pt)
    return style


def _value(name: str, raw: str, custom: dict[str, str], parent: Computed, context: values.Context) -> str | None:
    value = _substitute(raw, custom).strip()
    lowered = value.lower()
    if lowered in _WIDE:
        return parent.inherited.get(name) if lowered in ("inherit", "unset") and name in INHERITED else None
    if name == "font-size":
        return values.fmt(context.font_pt)
    resolved = values.resolve_lengths(value, context)
    if resolved is None or _UNREADABLE.search(resolved):
        return None
    return values.normalise_colors(resolved)


def _substitute(value: str, custom: dict[str, str], depth: int = MAX_VAR_DEPTH) -> str:
    """`value` with its `var()`s replaced, as far as they resolve."""
    if "var(" not in value or depth == 0:
        return value

    def replace(found: re.Match[str]) -> str:
        name, fallback = found.group(1), found.group(2)
        if name in custom:
            return _substitute(custom[name], custom, depth - 1)
        return _substitute(fallback.strip(), custom, depth - 1) if fallback is not None else found.group(0)

    return _VAR.sub(replace, value)


def _kind(value: str) -> str:
    found = _UNREADABLE.search(value)
    return found.group(0).rstrip("(") + "()" if found else "value"
