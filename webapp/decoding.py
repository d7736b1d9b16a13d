"""Decode uploaded HTML as a browser would: BOM, declared charset, <meta>, then sniffing."""

from __future__ import annotations

import codecs
import re

import charset_normalizer
import webencodings

from webapp.errors import ApiError

# Signatures of files people upload by mistake instead of a web page.
BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"BM")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Decode an HTML file as a browser would: BOM, declared charset, <meta>, then sniffing."""
    if data.startswith(BINARY_MAGIC) or (b"\x00" in data[:1024] and not data.startswith(_utf16_boms())):
        raise ApiError(415, "not_html", "The upload is a binary file, not HTML. Upload a .html file.")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom) :], encoding)
    for label in (declared, _meta_charset(data)):
        codec = _codec(label)
        if codec is not None:
            return _decode(data, codec)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    guess = charset_normalizer.from_bytes(data).best()
    if guess is None:
        raise ApiError(
            400,
            "undecodable",
            "The file's text encoding could not be recognised. Save it as UTF-8 "
            'or declare it with <meta charset="...">.',
        )
    return str(guess)


def _utf16_boms() -> tuple[bytes, ...]:
    return (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def _codec(label: str | None) -> str | None:
    """Python's codec for a WHATWG encoding label (EUC-KR means cp949, as in browsers)."""
    if not label:
        return None
    encoding = webencodings.lookup(label)
    if encoding is None:
        return None
    if encoding.name in ("utf-16le", "utf-16be"):
        # A <meta> cannot truthfully claim UTF-16: the bytes that carry it are ASCII.
        return "utf-8"
    return str(encoding.codec_info.name)


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise ApiError(
            400,
            "undecodable",
            f"The file says it is {encoding} but is not valid {encoding}. Save it as UTF-8 or fix its <meta charset>.",
        ) from None
