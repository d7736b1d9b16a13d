"""A document's images, CSS and fonts as one checked zip, unpacked into a private directory."""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from tempfile import TemporaryDirectory

MAX_FILES = 500
MAX_RATIO = 200  # uncompressed / compressed, per entry: beyond this it is a bomb
HTML_SUFFIXES = (".html", ".htm", ".xhtml")


class AssetError(ValueError):
    """An archive that must not be unpacked; `status` is 400 or 413."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class Bundle:
    """A checked archive and where the document stands in it."""

    archive: bytes
    document: str  # the HTML's path inside the archive, e.g. "site/index.html"


def check_archive(data: bytes, max_unpacked: int, document: str | None = None) -> Bundle:
    """Refuse zip-slip paths, links, bombs and oversize archives; find the HTML document unless given."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise AssetError(400, "bad_zip", "The .zip file is damaged or not a zip archive.") from None
    with archive:
        entries = [entry for entry in archive.infolist() if not entry.is_dir()]
        if len(entries) > MAX_FILES:
            raise AssetError(413, "too_many_files", f"The archive holds more than {MAX_FILES} files.")
        total = 0
        files: set[PurePosixPath] = set()
        folders: set[PurePosixPath] = set()
        for entry in entries:
            _check_entry(entry)
            _check_unique(PurePosixPath(entry.filename), files, folders)
            total += entry.file_size
            if total > max_unpacked:
                raise AssetError(
                    413, "archive_too_large", f"The archive unpacks to more than {max_unpacked // 2**20} MiB."
                )
        return Bundle(data, document or _document(entry.filename for entry in entries))


def pack(files: dict[str, bytes]) -> bytes:
    """Uploaded files (name → bytes) as one zip archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@contextmanager
def unpacked(bundle: Bundle, max_unpacked: int) -> Iterator[Path]:
    """The archive unpacked into a fresh private directory, removed afterwards."""
    check_archive(bundle.archive, max_unpacked, bundle.document)  # again: the worker trusts no one
    with TemporaryDirectory(prefix="pdfjob-") as directory, zipfile.ZipFile(io.BytesIO(bundle.archive)) as archive:
        root = Path(directory).resolve()
        for entry in archive.infolist():
            if entry.is_dir():
                continue
            target = (root / entry.filename).resolve()
            target.parent.mkdir(parents=True, exist_ok=True)
            # Read at most the declared size plus one byte: a lying header cannot inflate it.
            with archive.open(entry) as source:
                data = source.read(entry.file_size + 1)
            if len(data) > entry.file_size:
                raise AssetError(400, "bad_zip", f"{entry.filename!r} is larger than the archive says.")
            target.write_bytes(data)
        yield root


def _check_entry(entry: zipfile.ZipInfo) -> None:
    name = PurePosixPath(entry.filename)
    if name.is_absolute() or ".." in name.parts or "\\" in entry.filename or ":" in entry.filename:
        raise AssetError(400, "unsafe_path", f"The archive entry {entry.filename!r} points outside the archive.")
    if stat.S_ISLNK(entry.external_attr >> 16):
        raise AssetError(400, "symlink", f"The archive entry {entry.filename!r} is a symbolic link.")
    if entry.file_size > MAX_RATIO * max(entry.compress_size, 1) and entry.file_size > 2**20:
        raise AssetError(413, "zip_bomb", f"The archive entry {entry.filename!r} expands suspiciously much.")


def _check_unique(name: PurePosixPath, files: set[PurePosixPath], folders: set[PurePosixPath]) -> None:
    """Each entry unpacks to a path of its own: no two alike, no file where another needs a folder."""
    if name in files:
        raise AssetError(400, "path_conflict", f"The archive holds {str(name)!r} twice.")
    clash = name if name in folders else next((parent for parent in name.parents if parent in files), None)
    if clash is not None:
        raise AssetError(
            400, "path_conflict", f"The archive holds both a file and a folder named {str(clash)!r}; rename one."
        )
    files.add(name)
    folders.update(name.parents)


def _document(names: Iterator[str]) -> str:
    # The shallowest index.html wins: "index.html" over "docs/index.html".
    pages = sorted((name for name in names if name.lower().endswith(HTML_SUFFIXES)), key=lambda n: (n.count("/"), n))
    for candidate in pages:
        if PurePosixPath(candidate).name.lower() in ("index.html", "index.htm"):
            return candidate
    if len(pages) == 1:
        return pages[0]
    raise AssetError(
        400,
        "no_document",
        "The archive needs an index.html (or exactly one .html file) to render."
        if not pages
        else f"The archive holds {len(pages)} HTML files; name the one to render index.html.",
    )
