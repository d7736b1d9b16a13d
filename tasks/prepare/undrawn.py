"""What a browser draws and xhtml2pdf does not, said in the fidelity report (issue 24): a box's border that
is not drawn, and whole elements left out.

Borders: xhtml2pdf draws none around an image, a table's row groups (`<thead>`, `<tbody>`, `<tfoot>`,
which a browser draws under `border-collapse: collapse`), or `::before` and `::after` content, and no
`outline` at all; each is an ignored CSS feature, counted once per declaration as the cascade's others.
Elements: form controls a browser draws as pictures (tasks/prepare/form_fields.py draws the others), embedded
frames and videos, and a box placed below the page's content
(a browser prints it on a later page), counted per element in one note of each kind.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from lxml import html as lxml_html

from tasks.document.fidelity import FidelityReport
from tasks.prepare.borders import KEYWORDS as WIDTHS
from tasks.prepare.inline_style import points

if TYPE_CHECKING:  # the cascade calls this module as it runs
    from tasks.prepare.cascade import Computed

#: Property -> its (origin, value) candidates, the winner last (tasks/prepare/cascade.py's `Declared`).
Declared = dict[str, list[tuple[int, str]]]
#: Called with a feature and the declaration's value object: counted once per declaration.
Note = Callable[[str, object], None]

ROW_GROUPS = ("thead", "tbody", "tfoot")
BORDER_ON_IMAGE = "border on <img>"
BORDER_ON_ROW_GROUP = "border on a table's <thead>, <tbody> or <tfoot>"
BORDER_ON_GENERATED = "border on ::before or ::after content"
OUTLINE = "outline"
FORM_FIELDS = "form controls drawn as pictures (a file picker, a slider, a colour well) left out"
EMBEDDED = "embedded content (<iframe>, <video>, <embed>) left out"
BELOW_THE_PAGE = "positioned boxes placed below the page's content left out (a browser prints them on a later page)"

_DRAWN_STYLE = re.compile(r"(?<![\w-])(?:solid|dotted|dashed|double|groove|ridge|inset|outset)(?![\w-])", re.I)
#: Properties named like a border's or an outline's that neither draw a line nor give its width.
_NOT_A_LINE = ("-color", "-radius", "-collapse", "-spacing", "-image", "-offset")
_ZERO = re.compile(r"[+-]?(?:0+\.?0*|\.0+)[a-z]*")
_UNDRAWN_FIELDS = {"hidden", "image"}  # a hidden field shows nothing in a browser either; an image button is drawn


def drawn_border(declared: Declared, prefix: str = "border") -> object | None:
    """The value object of an author's declaration that draws a border (or an outline, with `prefix`) in a
    browser: a line style other than none, and a width other than 0 (none said is `medium`); else None."""
    found: object | None = None
    widths: list[str] = []
    for name, candidates in declared.items():
        if not name.startswith(prefix) or name.endswith(_NOT_A_LINE):
            continue
        origin, value = candidates[-1]
        if not name.endswith("-style"):
            widths += [part for part in value.split() if part[:1].isdigit() or part[:1] == "." or part in WIDTHS]
        if origin and not name.endswith("-width") and _DRAWN_STYLE.search(value):
            found = found or value
    if found is None or (widths and all(_ZERO.fullmatch(width) for width in widths)):
        return None
    return found


def check(element: lxml_html.HtmlElement, declared: Declared, table_collapses: bool, note: Note) -> None:
    """Note what of `element`'s declared borders and outline xhtml2pdf does not draw (`table_collapses`:
    whether its parent is a table in the collapsing border model)."""
    if element.tag == "img" and (value := drawn_border(declared)) is not None:
        note(BORDER_ON_IMAGE, value)
    elif element.tag in ROW_GROUPS and table_collapses and (value := drawn_border(declared)) is not None:
        note(BORDER_ON_ROW_GROUP, value)
    if (value := drawn_border(declared, "outline")) is not None:
        note(OUTLINE, value)


def check_generated(declared: Declared, note: Note) -> None:
    """Note a border on `::before` or `::after` content, which xhtml2pdf draws without one."""
    if (value := drawn_border(declared)) is not None:
        note(BORDER_ON_GENERATED, value)


def report_elements(
    root: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed], report: FidelityReport, page: float
) -> None:
    """One note, counted, for each kind of element a browser draws and xhtml2pdf leaves out (`page`: the height
    of the page's content, in points, past which xhtml2pdf draws no positioned box), once layout has run."""
    left_out: Counter[str] = Counter()
    for element in root.iter("input", "textarea", "select", "iframe", "video", "embed"):
        if _hidden(element, computed):
            continue
        if element.tag == "input" and (element.get("type") or "text").strip().lower() in _UNDRAWN_FIELDS:
            continue
        left_out[FORM_FIELDS if element.tag in ("input", "textarea", "select") else EMBEDDED] += 1
    for element, style in computed.items():
        # As the layout stage left it: a box it laid out in flow is drawn.
        below = "position: absolute" in element.get("style", "") and page <= points(style.own.get("top")) < float("inf")
        if below and not _hidden(element, computed) and not _in_a_positioned_box(element, computed):
            left_out[BELOW_THE_PAGE] += 1
    for kind, count in left_out.items():
        report.degrade(f"{kind}: {count}")


def _position(style: Computed | None) -> str:
    """The box's `position` when it is positioned, else ""."""
    position = style.cascaded.get("position", "").strip().lower() if style is not None else ""
    return position if position in ("relative", "absolute", "fixed", "sticky") else ""


def _hidden(element: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> bool:
    """Whether `element` or an ancestor is `display: none`."""
    return any(getattr(computed.get(node), "display", "") == "none" for node in (element, *element.iterancestors()))


def _in_a_positioned_box(element: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> bool:
    """Whether `element`'s containing block is a positioned box rather than the page."""
    return any(_position(computed.get(ancestor)) for ancestor in element.iterancestors())
