"""Inline `<svg>` as the image xhtml2pdf can draw: a data: URI it hands to svglib."""

from __future__ import annotations

import base64
import re

from lxml import etree
from lxml import html as lxml_html

from tasks.prepare.cascade import Computed

#: The HTML parser lowercases names; SVG's are case-sensitive.
_CAMEL = {
    name.lower(): name
    for name in (
        "viewBox preserveAspectRatio gradientUnits gradientTransform patternUnits patternTransform "
        "patternContentUnits clipPathUnits maskUnits maskContentUnits markerWidth markerHeight markerUnits "
        "refX refY stdDeviation textLength lengthAdjust spreadMethod startOffset linearGradient radialGradient "
        "clipPath foreignObject textPath feGaussianBlur feOffset feBlend feColorMatrix feFlood feComposite "
        "feMerge feMergeNode"
    ).split()
}
_NAME = re.compile(r"(</?|\s)([a-z]+)(?=[\s=>/])", re.IGNORECASE)
SVG_NS = "http://www.w3.org/2000/svg"
#: What CSS may say of SVG shapes, written back as attributes for svglib.
PRESENTATION = "fill stroke stroke-width stroke-linecap stroke-linejoin fill-opacity stroke-opacity opacity".split()
MAX_SVG_BYTES = 512 * 1024


def apply(root: lxml_html.HtmlElement, computed: dict[lxml_html.HtmlElement, Computed]) -> None:
    """Replace each inline `<svg>` by an `<img>` of it, sized as the document sizes it."""
    for svg in list(root.iter("svg")):
        if svg.getparent() is None or any(ancestor.tag == "svg" for ancestor in svg.iterancestors()):
            continue
        style = computed.get(svg)
        color = style.inherited.get("color", "#000000") if style else "#000000"
        for shape in svg.iter():
            cascaded = computed[shape].cascaded if shape in computed else {}
            for name in PRESENTATION:
                if name in cascaded:
                    shape.set(name, cascaded[name].replace("pt", "") if name == "stroke-width" else cascaded[name])
        tail, svg.tail = svg.tail, None
        source = _source(svg, color)
        img = lxml_html.Element("img")
        if len(source) <= MAX_SVG_BYTES:
            img.set("src", "data:image/svg+xml;base64," + base64.b64encode(source.encode()).decode("ascii"))
        sizes = {name: (style.own.get(name) if style else None) or svg.get(name) for name in ("width", "height")}
        img.set("style", "; ".join(f"{name}: {_length(value)}" for name, value in sizes.items() if value))
        img.tail = tail
        svg.getparent().replace(svg, img)


def _source(svg: lxml_html.HtmlElement, color: str) -> str:
    svg.attrib.pop("style", None)
    svg.attrib.pop("class", None)
    text = str(etree.tostring(svg, encoding="unicode", method="xml"))
    text = _NAME.sub(lambda found: found.group(1) + _CAMEL.get(found.group(2).lower(), found.group(2)), text)
    text = text.replace("currentColor", color).replace("currentcolor", color)
    if "xmlns=" not in text[: text.find(">")]:
        text = text.replace("<svg", f'<svg xmlns="{SVG_NS}"', 1)
    return text


def _length(value: str) -> str:
    return f"{value}px" if value.replace(".", "", 1).isdigit() else value
