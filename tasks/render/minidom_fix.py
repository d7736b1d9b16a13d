"""Let xhtml2pdf free a DOM whose element has both `lang` and `xml:lang`, as every XHTML 1.0 page's <html> does.

html5lib keeps `xml:lang` on an HTML element as a plain attribute; minidom
files it under (no namespace, "lang"), the key `lang` already holds, and its
`Attr.unlink` then deletes that key twice: the KeyError ended the render
after the document was read (xhtml2pdf unlinks the DOM once its story is built).
"""

from __future__ import annotations

from xml.dom import minidom

_original_unlink = minidom.Attr.unlink


def unlink_attr(self: minidom.Attr) -> None:
    """minidom's `Attr.unlink`, tolerating the pair (put in by tasks/render/patches.py)."""
    filed: dict[tuple[str | None, str], minidom.Attr] | None = getattr(self.ownerElement, "_attrsNS", None)
    if filed is not None and (self.namespaceURI, self.localName) not in filed:
        # The other attribute of the pair took the key with it: file this one back for a moment.
        filed[(self.namespaceURI, self.localName)] = self
    _original_unlink(self)
