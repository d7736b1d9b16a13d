"""Who may submit: optional API tokens and a per-client submission rate limit."""

from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, Flask, Response, current_app, request
from flask_limiter import Limiter

from webapp.errors import ApiError
from webapp.redis_client import limiter_storage, target_from


def init_app(app: Flask, guarded: Blueprint) -> None:
    """Rate-limit submissions made through `guarded`."""
    # Registered before the limiter's own hook, so it runs after it.
    app.after_request(_retry_after_only_on_errors)
    storage_uri, storage_options = limiter_storage(target_from(app.config))
    limiter = Limiter(
        client_identity,
        app=app,
        storage_uri=storage_uri,
        storage_options={"socket_connect_timeout": 2, "socket_timeout": 5, **storage_options},
        strategy="moving-window",
        headers_enabled=True,
        # With Redis down the request fails with a clean 503 on its own.
        swallow_errors=True,
    )
    if app.config["RATE_LIMIT"]:  # opt-in
        limiter.limit(lambda: current_app.config["RATE_LIMIT"], methods=["POST"])(guarded)
    app.extensions["limiter"] = limiter


def _retry_after_only_on_errors(response: Response) -> Response:
    # flask-limiter stamps Retry-After on every limited response; a 202 has no use for it.
    if response.status_code < 400:
        response.headers.pop("Retry-After", None)
    return response


def require_token() -> None:
    """Ask for `Authorization: Bearer <token>` on submissions and deletions, if tokens are configured."""
    tokens: frozenset[str] = current_app.config["API_TOKENS"]
    if not tokens or request.method in ("GET", "HEAD", "OPTIONS") or valid_token() is not None:
        return
    raise ApiError(401, "unauthorized", "This service needs an API token: send 'Authorization: Bearer <token>'.")


def valid_token() -> str | None:
    """The API token the request authenticates with, if tokens are configured and it sent a valid one."""
    tokens: frozenset[str] = current_app.config["API_TOKENS"]
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not tokens or scheme.lower() != "bearer":
        return None
    given = given.strip()
    # Compared with every token, in constant time, so the time taken tells nothing.
    matches = [token for token in tokens if hmac.compare_digest(given.encode(), token.encode())]
    return matches[0] if matches else None


def client_identity() -> str:
    """Who is asking, for rate limits and reuse: the valid token (hashed), or else the client's address.

    A request without a valid token never counts as the token's holder, so
    failed attempts from an address do not spend a token's budget there.
    """
    token = valid_token()
    if token is not None:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return "address:" + (request.remote_addr or "unknown")
