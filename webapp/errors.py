"""JSON errors for the API: one shape, the right status, words a person can act on."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from werkzeug.exceptions import HTTPException

# Retry-After, in seconds, for each reason a request is turned away for now. They are different waits
# for different things to pass, tuned apart; two agree today only because both wait on jobs ending.
#: The job store or broker is unreachable or refuses writes (a Sentinel failover, a demoted primary,
#: one short of replicas, a submission not yet on a replica): a failover takes a few seconds.
STORE_RETRY_AFTER_SECONDS = 5
#: MAX_QUEUED_JOBS already wait: about the time a worker process takes to clear a few queued jobs;
#: sooner is pointless, later wastes the slot.
QUEUE_RETRY_AFTER_SECONDS = 30
#: The client's jobs already store its quota: their bytes go as those jobs end or are deleted.
QUOTA_RETRY_AFTER_SECONDS = 30


class ApiError(Exception):
    """An error answered as `{"error": {"code", "message"}}` with `status`.

    `field` names the request field at fault (`options.margin`), when one is;
    `headers` go with the answer (`Retry-After`).
    """

    def __init__(
        self, status: int, code: str, message: str, field: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response:
    error = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    response = jsonify(error=error)
    response.status_code = status
    return response


def init_app(app: Flask) -> None:
    """Answer every API error, and every error once Redis is down, as JSON."""

    @app.errorhandler(ApiError)
    def api_error(exc: ApiError) -> Response:
        response = error_response(exc.status, exc.code, exc.message, exc.field)
        response.headers.update(exc.headers)
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="pdf"'
        return response

    # Sentinel's MasterNotFoundError is a ConnectionError; READONLY comes from a demoted primary.
    @app.errorhandler(RedisConnectionError)
    @app.errorhandler(RedisTimeoutError)
    @app.errorhandler(ReadOnlyError)
    @app.errorhandler(OperationalError)
    def store_unavailable(exc: Exception) -> Response:
        app.logger.warning("storage or broker unavailable: %s", exc)
        response = error_response(
            503,
            "unavailable",
            "The job store is unreachable right now. Try again in a few seconds.",
        )
        response.headers["Retry-After"] = str(STORE_RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(ResponseError)
    def refused_by_redis(exc: ResponseError) -> Response:
        # A primary short of the replicas `min-replicas-to-write` asks for refuses writes for now.
        if not refuses_for_replicas(exc):
            raise exc
        return store_unavailable(exc)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response | HTTPException:
        if not _wants_json():
            return exc
        return error_response(exc.code or 500, _snake(exc.name), _message(exc))


def refuses_for_replicas(exc: Exception) -> bool:
    """Whether Redis refused a write for want of replicas (`min-replicas-to-write`), in a script or not."""
    return isinstance(exc, ResponseError) and "NOREPLICAS" in str(exc)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _snake(name: str) -> str:
    return name.lower().replace(" ", "_").replace("'", "")


def _message(exc: HTTPException) -> str:
    if exc.code == 413:
        limit = request.max_content_length or 0
        return f"The request is larger than the {limit // 1024} KiB this service accepts."
    if exc.code == 429:
        return (
            f"Too many submissions from your address (at most {exc.description}). "
            "Wait for the number of seconds in the Retry-After header, then try again."
        )
    if exc.code == 404:
        return "There is nothing at this address. Check the URL."
    if exc.code == 405:
        return f"{request.method} is not allowed here."
    return exc.description or exc.name
