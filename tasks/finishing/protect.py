"""Encrypt a PDF with AES-256 (the PDF 2.0 standard security handler, revision 6) and set its permissions."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.constants import UserAccessPermissions as Flag

from tasks.document.finishing import Protect

# Bits 7, 8 and 13 to 32 of /P must be 1 (ISO 32000-2, table 22); 1 and 2 must be 0.
RESERVED = Flag(0xFFFFF0C0)
FLAGS = {
    "print": Flag.PRINT,
    "modify": Flag.MODIFY,
    "copy": Flag.EXTRACT,
    "annotate": Flag.ADD_OR_MODIFY,
    "fill_forms": Flag.FILL_FORM_FIELDS,
    "accessibility": Flag.EXTRACT_TEXT_AND_GRAPHICS,
    "assemble": Flag.ASSEMBLE_DOC,
    "print_high": Flag.PRINT_TO_REPRESENTATION,
}


def permission_flags(names: tuple[str, ...]) -> Flag:
    """The /P value granting exactly `names`."""
    flags = RESERVED
    for name in names:
        flags |= FLAGS[name]
    return flags


def protect_pdf(pdf: bytes, protect: Protect, owner_password: str) -> bytes:
    """`pdf` encrypted with AES-256 (R6): opened with the user password under the permissions, or the owner's."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(
        user_password=protect.user_password,
        owner_password=owner_password,
        permissions_flag=permission_flags(protect.permissions),
        algorithm="AES-256",
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
