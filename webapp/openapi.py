"""The API's OpenAPI 3.1 description, a hand-written file served at /api/openapi.json."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app

SPEC_PATH = Path(__file__).with_name("openapi.json")

bp = Blueprint("openapi", __name__)


@cache
def spec_text() -> str:
    """The document as served: the file, checked to be JSON once."""
    text = SPEC_PATH.read_text(encoding="utf-8")
    json.loads(text)
    return text


def spec() -> dict[str, Any]:
    """The document as a dict (a fresh copy)."""
    loaded: dict[str, Any] = json.loads(spec_text())
    return loaded


@bp.get("/api/openapi.json")
def openapi() -> Response:
    response = current_app.response_class(spec_text(), mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
