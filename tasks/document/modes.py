"""Who a document was written for: the `written_for` option's values, and the preparation stage's modes."""

from __future__ import annotations

#: auto: decide by the document (tasks/prepare.is_browser_document); browser: always prepare it as a
#: browser would lay it out; xhtml2pdf: render it as written.
WRITTEN_FOR = ("auto", "browser", "xhtml2pdf")
