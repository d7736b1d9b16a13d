"""JSON for request bodies: nesting too deep to parse is bad JSON (a 400), not a RecursionError (a 500)."""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider


class BodyJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with `loads` failing as `ValueError` on any input, so `get_json(silent=True)` is silent."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            # The C decoder gives up past the interpreter's recursion limit (about 1,000 levels).
            raise ValueError("the JSON nests too deeply to read") from None
