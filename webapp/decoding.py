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
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom) :], codec)
    for label in (declared, _meta_charset(data)):
        encoding = _encoding(label)
        if encoding is not None:
            return _decode(data, encoding)
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


def _encoding(label: str | None) -> webencodings.Encoding | None:
    """The WHATWG encoding a label names, as browsers read it (EUC-KR means cp949, x-user-defined works)."""
    if not label:
        return None
    encoding = webencodings.lookup(label)
    if encoding is not None and encoding.name in ("utf-16le", "utf-16be"):
        # A <meta> cannot truthfully claim UTF-16: the bytes that carry it are ASCII.
        return webencodings.UTF8
    return encoding


def _decode(data: bytes, encoding: webencodings.Encoding | str) -> str:
    if isinstance(encoding, str):
        codec, name = codecs.lookup(encoding), encoding
    elif encoding.name == "replacement":
        # ISO-2022-KR, HZ and the like: browsers show one replacement character, never the bytes.
        return "\ufffd" if data else ""
    else:
        # The codec object, not its name: x-user-defined is webencodings' own, unknown to Python by name.
        codec, name = encoding.codec_info, encoding.name
    try:
        return str(codec.decode(data, "strict")[0])
    except UnicodeDecodeError:
        raise ApiError(
            400,
            "undecodable",
            f"The file says it is {name} but is not valid {name}. Save it as UTF-8 or fix its <meta charset>.",
        ) from None
