"""The mode a browser lays a document out in, from its doctype (the HTML standard, §13.2.6.4.1)."""

from __future__ import annotations

from lxml import html as lxml_html

# Public identifiers whose doctype leaves a document in quirks mode (the HTML standard's list, in short).
_QUIRKS_IDS = ("-//w3c//dtd html 3", "-//w3c//dtd html 4.0 transitional//", "-//w3c//dtd html 4.0 frameset//")
_QUIRKS_WITHOUT_SYSTEM_ID = ("-//w3c//dtd html 4.01 transitional//", "-//w3c//dtd html 4.01 frameset//")


def in_quirks_mode(root: lxml_html.HtmlElement) -> bool:
    """Whether a browser lays the document out in quirks mode: no doctype, or an old HTML one."""
    info = root.getroottree().docinfo
    if not info.doctype:
        return True
    public = (info.public_id or "").lower()
    return public.startswith(_QUIRKS_IDS) or (public.startswith(_QUIRKS_WITHOUT_SYSTEM_ID) and not info.system_url)
