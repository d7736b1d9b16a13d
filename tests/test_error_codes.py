"""Every error code the API can answer is documented: in docs/api.md, where a script's author looks."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What answers a request with an error, and which of its arguments is the code.
RAISERS = {"ApiError": 1, "error_response": 1, "AssetError": 1, "_refuse": 3}
# Werkzeug's own answers, named by errors.py from the status's name.
HTTP_ERRORS = ("not_found", "method_not_allowed", "request_entity_too_large", "too_many_requests")


def answered_codes() -> dict[str, str]:
    """The code of every error the web answers (`ApiError(status, "code", ...)` and the like) under webapp/ and
    in the upload's unpacking, with where it is answered."""
    codes = dict.fromkeys(HTTP_ERRORS, "werkzeug")
    for path in [*sorted((ROOT / "webapp").glob("*.py")), ROOT / "tasks" / "document" / "assets.py"]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            index = RAISERS.get(name)
            if index is None or len(node.args) <= index:
                continue
            code = node.args[index]
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                codes.setdefault(code.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return codes


def test_the_scan_finds_the_codes_it_should() -> None:
    codes = answered_codes()
    assert {"unavailable", "not_replicated", "queue_full", "bad_zip", "body_timeout"} <= set(codes), codes


def test_every_error_code_the_api_answers_is_documented() -> None:
    documented = (ROOT / "docs" / "api.md").read_text()
    missing = {code: where for code, where in answered_codes().items() if f"`{code}`" not in documented}
    assert not missing, f"codes answered but not in docs/api.md: {missing}"


def test_every_error_code_is_in_the_openapi_document() -> None:
    schema = json.loads((ROOT / "webapp" / "openapi.json").read_text())
    listed = schema["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["description"]
    missing = sorted(code for code in answered_codes() if not re.search(rf"\b{code}\b", listed))
    assert not missing, f"codes answered but not in openapi.json's Error schema: {missing}"
