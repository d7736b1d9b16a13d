"""::before and ::after content that is a block (CSS 2.1 §12.1), as an element of its own.

xhtml2pdf writes generated content inline, whatever its `display`: a timeline's `content: '|'` set
`display: block` between two years ran into the second. Text given as strings becomes a real block
element in the pseudo-element's place; anything else (counters, `attr()`) stays xhtml2pdf's to write.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

from tasks.prepare.inline_style import points

_STRING = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'", re.DOTALL)
_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.DOTALL)
_BLOCKS = ("block", "flex", "list-item", "table", "grid")
#: Elements that hold no generated content in a browser: void and replaced ones.
_NO_CONTENT = frozenset(
    "area base br col embed hr img input link meta source track wbr svg iframe video audio canvas select "
    "textarea object".split()
)


def text_of(content: str) -> str | None:
    """The text of a `content` value made of strings only (escapes read), else None."""
    content = content.strip()
    parts, end = [], 0
    for found in _STRING.finditer(content):
        if content[end : found.start()].strip():
            return None
        parts.append(_unescape(found.group(1) if found.group(1) is not None else found.group(2)))
        end = found.end()
    return "".join(parts) if parts and not content[end:].strip() else None


def _unescape(text: str) -> str:
    def one(found: re.Match[str]) -> str:
        if found.group(1):
            code = int(found.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
        return found.group(2)

    return _ESCAPE.sub(one, text)


def as_block(element: lxml_html.HtmlElement, pseudo: str, own: dict[str, str]) -> lxml_html.HtmlElement | None:
    """The pseudo-element's block put in the element (first for ::before, last for ::after) with its
    declarations, if it is a block in the flow of text or of a height (not a blank clearfix); else None."""
    text = _block_text(element, own)
    if text is None or not (text.strip() or _has_height(own)):
        return None
    block: lxml_html.HtmlElement = lxml_html.Element("div")
    block.text = text if text.strip() else None
    style = "; ".join(f"{name}: {value}" for name, value in own.items() if name != "content")
    if style:
        block.set("style", style)
    if pseudo == "before":
        block.tail, element.text = element.text, None
        element.insert(0, block)
    else:
        element.append(block)
    return block


def _has_height(own: dict[str, str]) -> bool:
    height = points(own.get("height"))
    return 0 < height < float("inf")


def _block_text(element: lxml_html.HtmlElement, own: dict[str, str]) -> str | None:
    """The text of a pseudo-element that is a block in the flow made of strings only, else None."""
    if element.tag in _NO_CONTENT or own.get("display") not in _BLOCKS or own.get("position") in ("absolute", "fixed"):
        return None
    return text_of(own.get("content", ""))


def line_break(element: lxml_html.HtmlElement, pseudo: str, own: dict[str, str]) -> None:
    """A blank block generated in an inline element (`dt::before { content: ""; display: block }` in a
    line of `dt` and `dd`) ends the line it is in, where there is text on both sides of it: a `<br>`."""
    text = _block_text(element, own)
    if text is None or text.strip():
        return
    br: lxml_html.HtmlElement = lxml_html.Element("br")
    if pseudo == "before" and _text_before(element) and element.text_content().strip():
        br.tail, element.text = element.text, None
        element.insert(0, br)
    elif pseudo == "after" and _text_after(element) and element.text_content().strip():
        element.append(br)


def _text_before(element: lxml_html.HtmlElement) -> bool:
    parent = element.getparent()
    if parent is None:
        return False
    before = [parent.text or ""]
    for sibling in parent:
        if sibling is element:
            break
        if isinstance(sibling.tag, str):
            before.append(sibling.text_content())
        before.append(sibling.tail or "")
    return bool("".join(before).strip())


def _text_after(element: lxml_html.HtmlElement) -> bool:
    after = [element.tail or ""]
    for sibling in element.itersiblings():
        if isinstance(sibling.tag, str):
            after.append(sibling.text_content())
        after.append(sibling.tail or "")
    return bool("".join(after).strip())
