"""WOFF and WOFF2 fonts measured before xhtml2pdf unpacks them, so a compression bomb is refused, not unpacked."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

import brotli
from fontTools.misc import sstruct
from fontTools.ttLib.woff2 import WOFF2DirectoryEntry, woff2DirectoryFormat, woff2DirectorySize
from xhtml2pdf import context as x2p_context
from xhtml2pdf.opentype import FontConversionError

#: The most a web font may unpack to. The largest CJK web fonts are about 20 MB unpacked; fontTools
#: unpacks a font whole, before it compares the size with the one the font declares.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024
_WOFF_HEADER = struct.Struct(">4s4sLHHLHHLLLLL")
_WOFF_ENTRY = struct.Struct(">4sLLLL")

_original_to_truetype: Callable[[bytes], bytes] = x2p_context.to_truetype


def checked_to_truetype(data: bytes) -> bytes:
    """xhtml2pdf's conversion, after `check` (its FontConversionError makes xhtml2pdf skip the font).

    xhtml2pdf converts every OpenType/WOFF/WOFF2 font for @font-face with this (tasks/render/patches.py)."""
    check(data)
    return _original_to_truetype(data)


def check(data: bytes) -> None:
    """Raise FontConversionError if `data`, a WOFF or WOFF2 font, unpacks to more than it declares or the limit."""
    try:
        if data[:4] == b"wOF2":
            _check_woff2(data)
        elif data[:4] == b"wOFF":
            _check_woff(data)
    except FontConversionError:
        raise
    except (struct.error, zlib.error, brotli.error, ValueError, KeyError, EOFError) as error:
        raise FontConversionError(f"not a font fontTools can read: {error!r}") from error


def _check_woff2(data: bytes) -> None:
    header = sstruct.unpack(woff2DirectoryFormat, data[:woff2DirectorySize])
    stream = io.BytesIO(data)
    stream.seek(woff2DirectorySize)
    declared = 0
    for _ in range(header["numTables"]):
        entry = WOFF2DirectoryEntry()
        entry.fromFile(stream)
        declared += entry.length
    _declared(declared)
    decompressor = brotli.Decompressor()
    unpacked = len(decompressor.process(stream.read(header["totalCompressedSize"]), output_buffer_limit=_CHUNK))
    while not decompressor.is_finished():
        _within(unpacked, declared)
        chunk = decompressor.process(b"", output_buffer_limit=_CHUNK)
        if not chunk and decompressor.can_accept_more_data():
            break  # a truncated stream, which fontTools refuses on its own
        unpacked += len(chunk)
    _within(unpacked, declared)


def _check_woff(data: bytes) -> None:
    tables = _WOFF_HEADER.unpack_from(data)[3]
    entries = [_WOFF_ENTRY.unpack_from(data, _WOFF_HEADER.size + index * _WOFF_ENTRY.size) for index in range(tables)]
    _declared(sum(entry[3] for entry in entries))
    for _tag, offset, compressed, original, _checksum in entries:
        if compressed != original:  # as fontTools reads it: stored whole only when the sizes agree
            unpacked = zlib.decompressobj().decompress(data[offset : offset + compressed], original + 1)
            _within(len(unpacked), original)


def _declared(declared: int) -> None:
    if declared > MAX_UNPACKED_BYTES:
        raise FontConversionError(f"the font declares {declared} bytes unpacked, more than {MAX_UNPACKED_BYTES}")


def _within(size: int, declared: int) -> None:
    if size > declared:
        raise FontConversionError(f"the font unpacks to more than the {declared} bytes it declares")
