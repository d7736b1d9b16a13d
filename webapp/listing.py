"""Listing the caller's own jobs: GET /api/jobs, newest first, a page at a time, by state."""

from __future__ import annotations

from flask import Request, current_app

from tasks.job.record import FAILURE, PENDING, PROGRESS, RETRY, REVOKED, STARTED, SUCCESS, to_json
from tasks.job.store import Cursor, JobPage, JobStore
from webapp.access import client_identity, valid_token
from webapp.errors import ApiError

STATES = (PENDING, STARTED, PROGRESS, RETRY, SUCCESS, FAILURE, REVOKED)
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def owned_jobs(request: Request, store: JobStore) -> JobPage:
    """The page of the caller's jobs that `request` asks for (`limit`, `cursor`, `state`); 400 for a bad one.

    The caller is its API token when tokens are on (a listing without one is
    refused: the jobs of an address are nobody's to list then), else its address.
    """
    if current_app.config["API_TOKENS"] and valid_token() is None:
        raise ApiError(401, "unauthorized", "Listing jobs needs your API token: send 'Authorization: Bearer <token>'.")
    return store.owned(client_identity(), _limit(request), _cursor(request), _states(request))


def page_json(page: JobPage, jobs: list[str]) -> str:
    """The answer: the jobs' JSON (as given, already serialized) and the cursor of the next page (null: the last)."""
    cursor = to_json(None if page.next is None else page.next.encode())
    return '{"jobs":[' + ",".join(jobs) + '],"next_cursor":' + cursor + "}"


def _limit(request: Request) -> int:
    given = request.args.get("limit", str(DEFAULT_LIMIT))
    if not given.isdigit() or not 1 <= int(given) <= MAX_LIMIT:
        raise ApiError(400, "bad_limit", f"`limit` must be a whole number from 1 to {MAX_LIMIT}, not {given[:40]!r}.")
    return int(given)


def _cursor(request: Request) -> Cursor | None:
    given = request.args.get("cursor")
    if given is None:
        return None
    cursor = Cursor.decode(given)
    if cursor is None:
        raise ApiError(400, "bad_cursor", "`cursor` must be the `next_cursor` of an earlier page, as it was given.")
    return cursor


def _states(request: Request) -> frozenset[str]:
    given = [state for value in request.args.getlist("state") for state in value.split(",")]
    unknown = [state for state in given if state not in STATES]
    if unknown:
        raise ApiError(
            400, "bad_state", f"Unknown state {unknown[0][:40]!r}: `state` is one or more of {', '.join(STATES)}."
        )
    return frozenset(given)
