"""Sample documents, and how deep xhtml2pdf's parser nests one."""

from __future__ import annotations

import html5lib
from html5lib import treebuilders


def report_html(sections: int = 40, paragraphs: int = 6) -> str:
    """A report of `sections` sections: headings, paragraphs and a table each."""
    parts = [
        "<html><head><meta charset='utf-8'><title>Quarterly report</title>",
        "<style>h1{color:#234} td{border:1px solid #999;padding:2px}</style></head><body>",
    ]
    for section in range(1, sections + 1):
        parts.append(f"<h1>Section {section}</h1>")
        for paragraph in range(1, paragraphs + 1):
            text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 8
            parts.append(f"<p>Paragraph {paragraph} of section {section}. {text}</p>")
        rows = "".join(f"<tr><td>row {row}</td><td>{row * section}</td><td>value</td></tr>" for row in range(8))
        parts.append(f"<table>{rows}</table>")
    parts.append("</body></html>")
    return "".join(parts)


def slow_preparation_html(rules: int = 3000, paragraphs: int = 6000) -> str:
    """A valid browser document whose cascade is long only because it is large: `rules` class rules over
    `paragraphs` paragraphs (the defaults: about 330 KB, tens of seconds to prepare on these machines)."""
    css = "".join(f".c{rule} em {{ color: #{rule % 999:03d} }}\n" for rule in range(rules))
    body = "".join(
        f"<p class='c{index % rules}'>Paragraph <em>{index}</em> of the body.</p>" for index in range(paragraphs)
    )
    return f"<!doctype html><html><head><style>{css}</style></head><body>{body}</body></html>"


def html5lib_depth(html: str) -> int:
    """How deep xhtml2pdf's parser nests `html`, walked as xhtml2pdf's own depth check walks it."""
    document = html5lib.HTMLParser(tree=treebuilders.getTreeBuilder("dom")).parse(html)
    stack, deepest = [(document, 0)], 0
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.childNodes if child.nodeType == child.ELEMENT_NODE)
    return deepest
