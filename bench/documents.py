"""Sample documents for the benchmarks: N pages, each a heading, paragraphs and a table."""

from __future__ import annotations

STYLE = "h1{color:#234} td{border:1px solid #999;padding:2px} .page{page-break-after:always}"
TEXT = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 8


def pages_html(pages: int) -> str:
    """An HTML document that xhtml2pdf lays out on exactly `pages` full pages."""
    parts = [f"<html><head><meta charset='utf-8'><title>Bench</title><style>{STYLE}</style></head><body>"]
    for page in range(1, pages + 1):
        parts.append(f"<div class='page'><h1>Page {page}</h1>" if page < pages else f"<div><h1>Page {page}</h1>")
        parts.extend(f"<p>Paragraph {paragraph} of page {page}. {TEXT}</p>" for paragraph in range(1, 7))
        rows = "".join(f"<tr><td>row {row}</td><td>{row * page}</td><td>value</td></tr>" for row in range(14))
        parts.append(f"<table>{rows}</table></div>")
    parts.append("</body></html>")
    return "".join(parts)
