"""Content-Disposition for a download whose name any client can save under."""

from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

from werkzeug.http import dump_options_header

FALLBACK_STEM = "document"


def ascii_name(filename: str) -> str:
    """`filename` in ASCII for clients that ignore `filename*`: accents dropped, else `document.<ext>`."""
    path = PurePosixPath(filename)
    stem = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode("ascii")
    stem = " ".join(stem.split()).strip(" .-_")
    if not any(char.isalnum() for char in stem):
        stem = FALLBACK_STEM
    suffix = path.suffix.encode("ascii", "ignore").decode("ascii") or ".pdf"
    return stem + suffix


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """The header's value: the name itself when it is ASCII, else an ASCII fallback plus `filename*`."""
    kind = "inline" if inline else "attachment"
    try:
        filename.encode("ascii")
    except UnicodeEncodeError:
        quoted = quote(filename, safe="!#$&+-.^_`|~")
        return dump_options_header(kind, {"filename": ascii_name(filename), "filename*": f"UTF-8''{quoted}"})
    return dump_options_header(kind, {"filename": filename})
