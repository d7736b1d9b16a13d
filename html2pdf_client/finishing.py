"""The `convert` flags that finish the PDF: a stamp, a password and permissions, a signature, as the job's `options`."""

from __future__ import annotations

import argparse
import os
from typing import Any

POSITIONS = ("center", "top", "bottom", "top-left", "top-right", "bottom-left", "bottom-right")


def add_arguments(command: argparse.ArgumentParser) -> None:
    """Add the finishing flags to `command`."""
    stamp = command.add_argument_group("stamp (drawn as text on the pages, over the content)")
    stamp.add_argument("--stamp", metavar="TEXT", help="a text stamp, e.g. PAID or DRAFT")
    stamp.add_argument("--stamp-opacity", type=float, metavar="0-1", help="its opacity (service default: 0.3)")
    stamp.add_argument("--stamp-position", choices=POSITIONS, help="where on the page (default: center)")
    stamp.add_argument("--stamp-pages", metavar="PAGES", help="all, first, last, 3 or 2-5 (default: all)")
    stamp.add_argument("--stamp-size", type=float, metavar="PT", help="its font size in points (default: 48)")
    stamp.add_argument("--stamp-rotation", type=float, metavar="DEG", help="degrees anticlockwise (default: 0)")
    stamp.add_argument("--stamp-color", metavar="#RRGGBB", help="its colour (default: #cc0000)")
    protect = command.add_argument_group(
        "password protection (AES-256); a password on the command line stays in the shell's history: "
        "prefer --password-env"
    )
    protect.add_argument("--password", help="the password that opens the PDF")
    protect.add_argument("--password-env", metavar="VAR", help="read the password from environment variable VAR")
    protect.add_argument("--owner-password", help="the password that lifts the permissions")
    protect.add_argument("--owner-password-env", metavar="VAR", help="read the owner password from variable VAR")
    protect.add_argument(
        "--permissions",
        metavar="LIST",
        help="what a reader may do without the owner password, comma-separated, from print, print_high, modify, "
        "copy, annotate, fill_forms, accessibility, assemble; 'none' for nothing (default: all)",
    )
    sign = command.add_argument_group("signature (PAdES, with the service's identity, if its operator set one)")
    sign.add_argument("--sign", action="store_true", help="sign the PDF (invisible unless --sign-field)")
    sign.add_argument("--sign-reason", metavar="TEXT", help="the signature's reason (implies --sign)")
    sign.add_argument("--sign-location", metavar="TEXT", help="the signature's location (implies --sign)")
    sign.add_argument(
        "--sign-field",
        metavar="PAGE,X,Y,W,H",
        help="a visible signature: its page (from 1) and box in points from the page's bottom-left",
    )


def finishing_options(args: argparse.Namespace, command: argparse.ArgumentParser) -> dict[str, Any]:
    """The `stamp`, `protect` and `sign` keys of the job's options from `args`; a bad combination exits (status 2)."""
    options: dict[str, Any] = {}
    stamp = _given(
        args,
        text="stamp",
        opacity="stamp_opacity",
        position="stamp_position",
        pages="stamp_pages",
        size="stamp_size",
        rotation="stamp_rotation",
        color="stamp_color",
    )
    if stamp:
        if "text" not in stamp:
            command.error("the --stamp-* flags need --stamp TEXT")
        options["stamp"] = stamp
    protect: dict[str, Any] = {}
    for name, flag, variable in (
        ("user_password", "password", "password_env"),
        ("owner_password", "owner_password", "owner_password_env"),
    ):
        value = _secret(args, flag, variable, command)
        if value is not None:
            protect[name] = value
    if args.permissions is not None:
        if not protect:
            command.error("--permissions needs --password or --owner-password (or their -env forms)")
        listed = [name.strip() for name in args.permissions.split(",") if name.strip()]
        protect["permissions"] = [] if listed == ["none"] else listed
    if protect:
        options["protect"] = protect
    sign = _given(args, reason="sign_reason", location="sign_location")
    if args.sign_field is not None:
        sign["field"] = _field(args.sign_field, command)
    if sign or args.sign:
        options["sign"] = sign
    return options


def _given(args: argparse.Namespace, **fields: str) -> dict[str, Any]:
    """The fields whose flag was given, under their API names."""
    return {name: getattr(args, flag) for name, flag in fields.items() if getattr(args, flag) is not None}


def _secret(args: argparse.Namespace, flag: str, variable: str, command: argparse.ArgumentParser) -> str | None:
    value: str | None = getattr(args, flag)
    name: str | None = getattr(args, variable)
    if name is None:
        return value
    dashed = flag.replace("_", "-")
    if value is not None:
        command.error(f"give --{dashed} or --{dashed}-env, not both")
    if not os.environ.get(name):
        command.error(f"--{dashed}-env: the environment variable {name} is not set (or empty)")
    return os.environ[name]


def _field(text: str, command: argparse.ArgumentParser) -> dict[str, float | int]:
    parts = text.split(",")
    try:
        page, x, y, width, height = int(parts[0]), *(float(part) for part in parts[1:])
    except ValueError:
        command.error(f"--sign-field {text!r}: numbers PAGE,X,Y,W,H, e.g. 1,350,40,200,60")
    return {"page": page, "x": x, "y": y, "width": width, "height": height}
