"""What a job asks done to its PDF after the render: `options.stamp`, `options.protect`, `options.sign`."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from tasks.document.page_setup import MAX_TEXT, OptionError

KEYS = ("stamp", "protect", "sign")
# The PDF's standard 14 fonts: text stays text with no font to embed.
STAMP_FONTS = (
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-Oblique",
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Courier",
    "Courier-Bold",
)
POSITIONS = ("center", "top", "bottom", "top-left", "top-right", "bottom-left", "bottom-right")
LAYERS = ("over", "under")
# The PDF's user access permissions (ISO 32000-2, table 22), by the names the API takes.
PERMISSIONS = ("print", "print_high", "modify", "copy", "annotate", "fill_forms", "accessibility", "assemble")
MAX_IMAGE_BYTES = 2 * 2**20
MAX_PASSWORD_BYTES = 127  # the R6 security handler uses the first 127 bytes of a password's UTF-8
_PAGES = re.compile(r"(\d+)(?:-(\d+))?")
_COLOUR = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_DATA_URI = re.compile(r"data:([a-z]+/[a-z0-9.+-]+);base64,(.*)", re.DOTALL)
IMAGE_TYPES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff", "application/pdf": b"%PDF-"}


@dataclass(frozen=True)
class Stamp:
    """Text or an image (PNG, JPEG or a one-page PDF) drawn on the pages asked, over or under the content."""

    text: str | None = None
    image: str | None = None  # a data: URI, as sent
    font: str = "Helvetica-Bold"
    size: float = 48.0
    color: str = "#cc0000"
    opacity: float = 0.3
    rotation: float = 0.0
    position: str = "center"
    layer: str = "over"
    pages: str = "all"
    width: float | None = None  # an image's width in points; its height follows

    def image_data(self) -> tuple[str, bytes]:
        """The image's media type and bytes."""
        return _image(self.image or "")

    def page_indexes(self, count: int) -> list[int]:
        """The 0-based pages of a `count`-page PDF the stamp goes on."""
        if self.pages == "all":
            return list(range(count))
        if self.pages == "first":
            return [0] if count else []
        if self.pages == "last":
            return [count - 1] if count else []
        match = _PAGES.fullmatch(self.pages)
        assert match is not None, "checked by parse"
        first = int(match.group(1))
        last = int(match.group(2) or first)
        return list(range(first - 1, min(last, count)))

    def rgb(self) -> tuple[float, float, float]:
        digits = self.color[1:]
        if len(digits) == 3:
            digits = "".join(digit * 2 for digit in digits)
        red, green, blue = (int(digits[index : index + 2], 16) / 255 for index in (0, 2, 4))
        return red, green, blue


@dataclass(frozen=True)
class Protect:
    """AES-256 encryption: who may open the PDF, and what a reader without the owner password may do."""

    user_password: str = ""
    owner_password: str | None = None
    permissions: tuple[str, ...] = PERMISSIONS


@dataclass(frozen=True)
class SignatureField:
    """Where a visible signature is drawn: page (from 1), and a box in points from the page's bottom-left."""

    page: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Sign:
    """A PAdES signature with the operator's identity; invisible unless `field` places it."""

    reason: str | None = None
    location: str | None = None
    contact: str | None = None
    field: SignatureField | None = None


@dataclass(frozen=True)
class Finishing:
    """The finishing steps a job asked for; each None when not asked."""

    stamp: Stamp | None = None
    protect: Protect | None = None
    sign: Sign | None = None

    @classmethod
    def parse(cls, raw: Mapping[str, object]) -> Finishing:
        """The `stamp`, `protect` and `sign` keys of a job's options; `OptionError` naming the first bad field."""
        return cls(
            stamp=_stamp(raw["stamp"]) if raw.get("stamp") is not None else None,
            protect=_protect(raw["protect"]) if raw.get("protect") is not None else None,
            sign=_sign(raw["sign"]) if raw.get("sign") is not None else None,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finishing:
        """Read back what `as_dict` stored."""
        return cls.parse(data)

    def as_dict(self) -> dict[str, Any]:
        """The steps as JSON-ready values; holds the passwords: store it only with the job's secrets."""
        out: dict[str, Any] = {}
        for name in KEYS:
            value = getattr(self, name)
            if value is not None:
                out[name] = {key: item for key, item in asdict(value).items() if item is not None}
        return out

    def is_empty(self) -> bool:
        return self.stamp is None and self.protect is None and self.sign is None

    def steps(self) -> tuple[str, ...]:
        """The steps asked for, by name, in the order they run (no secret: what the job's bar is shared by)."""
        return tuple(name for name in KEYS if getattr(self, name) is not None)

    def public(self) -> dict[str, Any]:
        """What may be shown or hashed in the clear: the steps without their passwords."""
        out = self.as_dict()
        if "protect" in out:
            out["protect"] = {"permissions": out["protect"]["permissions"]}
        return out


def _object(raw: object, name: str, known: tuple[str, ...]) -> Mapping[str, object]:
    if not isinstance(raw, Mapping):
        raise OptionError(name, "must be a JSON object")
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise OptionError(f"{name}.{unknown[0]}", f"unknown field; known: {', '.join(known)}")
    return raw


def _text(raw: Mapping[str, object], name: str, field_name: str, limit: int = MAX_TEXT) -> str | None:
    value = raw.get(field_name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise OptionError(f"{name}.{field_name}", "must be a string")
    if len(value) > limit:
        raise OptionError(f"{name}.{field_name}", f"must be at most {limit} characters")
    return value


def _number(raw: Mapping[str, object], name: str, field_name: str, low: float, high: float) -> float | None:
    value = raw.get(field_name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise OptionError(f"{name}.{field_name}", f"must be a number from {low:g} to {high:g}")
    return float(value)


def _choice(raw: Mapping[str, object], name: str, field_name: str, choices: tuple[str, ...]) -> str | None:
    value = raw.get(field_name)
    if value is not None and value not in choices:
        raise OptionError(f"{name}.{field_name}", f"must be one of {', '.join(choices)}")
    return value if isinstance(value, str) else None


def _stamp(raw: object) -> Stamp:
    known = tuple(Stamp.__dataclass_fields__)
    fields = _object(raw, "stamp", known)
    text = _text(fields, "stamp", "text", 200)
    image = _text(fields, "stamp", "image", MAX_IMAGE_BYTES * 4 // 3 + 100)
    if (text is None) == (image is None) or text == "":
        raise OptionError("stamp.text", "give the stamp's 'text' or its 'image' (a data: URI), one of them")
    if image is not None:
        _image(image)
    values: dict[str, Any] = {"text": text, "image": image}
    for name, choices in (("font", STAMP_FONTS), ("position", POSITIONS), ("layer", LAYERS)):
        values[name] = _choice(fields, "stamp", name, choices)
    values["size"] = _number(fields, "stamp", "size", 4, 400)
    values["opacity"] = _number(fields, "stamp", "opacity", 0, 1)
    values["rotation"] = _number(fields, "stamp", "rotation", -360, 360)
    values["width"] = _number(fields, "stamp", "width", 1, 14400)
    color = _text(fields, "stamp", "color", 7)
    if color is not None and not _COLOUR.fullmatch(color):
        raise OptionError("stamp.color", "must be a hex colour such as '#c00' or '#cc0000'")
    values["color"] = color
    pages = _text(fields, "stamp", "pages", 20)
    if pages is not None and pages not in ("all", "first", "last"):
        match = _PAGES.fullmatch(pages)
        if match is None or int(match.group(1)) < 1 or int(match.group(2) or match.group(1)) < int(match.group(1)):
            raise OptionError("stamp.pages", "must be 'all', 'first', 'last', a page such as '3' or a range '2-5'")
    values["pages"] = pages
    return Stamp(**{name: value for name, value in values.items() if value is not None})


def _image(uri: str) -> tuple[str, bytes]:
    match = _DATA_URI.fullmatch(uri.strip())
    if match is None or match.group(1) not in IMAGE_TYPES:
        raise OptionError("stamp.image", "must be a data: URI of a PNG, a JPEG or a one-page PDF, base64-encoded")
    try:
        data = base64.b64decode(match.group(2), validate=True)
    except (binascii.Error, ValueError):
        raise OptionError("stamp.image", "is not valid base64") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise OptionError("stamp.image", f"must be at most {MAX_IMAGE_BYTES // 2**20} MiB")
    if not data.startswith(IMAGE_TYPES[match.group(1)]):
        raise OptionError("stamp.image", f"is not a {match.group(1)} file: its bytes say otherwise")
    return match.group(1), data


def _protect(raw: object) -> Protect:
    fields = _object(raw, "protect", tuple(Protect.__dataclass_fields__))
    passwords = {}
    for name in ("user_password", "owner_password"):
        value = _text(fields, "protect", name)
        if value is not None and len(value.encode("utf-8")) > MAX_PASSWORD_BYTES:
            raise OptionError(f"protect.{name}", f"must be at most {MAX_PASSWORD_BYTES} bytes in UTF-8")
        passwords[name] = value
    if not passwords["user_password"] and not passwords["owner_password"]:
        raise OptionError("protect.user_password", "give a user_password, an owner_password, or both")
    permissions = fields.get("permissions", list(PERMISSIONS))
    if not isinstance(permissions, list) or not all(isinstance(item, str) for item in permissions):
        raise OptionError("protect.permissions", f"must be a list of names from {', '.join(PERMISSIONS)}")
    for index, item in enumerate(permissions):
        if item not in PERMISSIONS:
            raise OptionError(f"protect.permissions[{index}]", f"{item!r} is not one of {', '.join(PERMISSIONS)}")
    return Protect(
        passwords["user_password"] or "",
        passwords["owner_password"],
        tuple(sorted(set(permissions), key=PERMISSIONS.index)),
    )


def _sign(raw: object) -> Sign:
    fields = _object(raw, "sign", tuple(Sign.__dataclass_fields__))
    texts = {name: _text(fields, "sign", name, 200) for name in ("reason", "location", "contact")}
    box = fields.get("field")
    return Sign(**texts, field=_field(box) if box is not None else None)


def _field(raw: object) -> SignatureField:
    box = _object(raw, "sign.field", tuple(SignatureField.__dataclass_fields__))
    page = box.get("page", 1)
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise OptionError("sign.field.page", "must be a page number from 1")
    values: dict[str, float] = {}
    for name, low in (("x", 0), ("y", 0), ("width", 10), ("height", 10)):
        number = _number(box, "sign.field", name, low, 14400)
        if number is None:
            raise OptionError(f"sign.field.{name}", "is required for a visible signature (points from bottom-left)")
        values[name] = number
    return SignatureField(page=page, **values)
