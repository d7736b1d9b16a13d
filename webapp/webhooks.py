"""A submission's optional `callback_url`: read and check it; deliver a webhook when any job ends."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Request, current_app

from tasks.delivery.http import literal_refused, url_problem
from tasks.job.record import Job, is_terminal
from tasks.webhooks import schedule_delivery, webhook_record
from webapp.errors import ApiError

FIELD = "callback_url"


def init_app(app: Flask) -> None:
    """Register the delivery task with Celery (the job store queues a webhook as its job ends: extensions.py)."""
    import tasks.webhooks  # noqa: F401


def read_callback(request: Request) -> dict[str, Any] | None:
    """The `webhook` object for the job JSON if the request names a `callback_url`, else None.

    Call it before the HTML is read: it reads a JSON body with caching, so the
    body is still there for `read_submission`.
    """
    url = _given(request)
    if url is None:
        return None
    problem = url_problem(url)
    if problem is not None:
        raise ApiError(400, "bad_callback_url", f"'{FIELD}' {problem}.")
    config = current_app.config
    if not config["WEBHOOK_SECRET"]:
        raise ApiError(
            400,
            "webhooks_disabled",
            f"'{FIELD}' cannot be used: this service has no WEBHOOK_SECRET to sign callbacks with.",
        )
    if literal_refused(urlsplit(url).hostname or "", config["WEBHOOK_ALLOW_PRIVATE"]):
        raise ApiError(
            400,
            "bad_callback_url",
            f"'{FIELD}' points at a private, loopback or link-local address, which this service does not call.",
        )
    return webhook_record(url)


def deliver_if_ended(job: Job) -> None:
    """Queue the webhook of a job that was created already ended (a stored result reused)."""
    if is_terminal(job):
        schedule_delivery(current_app.extensions["celery"], job)


def _given(request: Request) -> str | None:
    if request.mimetype == "multipart/form-data":
        value: object = request.form.get(FIELD)
    elif request.mimetype == "application/json":
        body = request.get_json(silent=True)
        value = body.get(FIELD) if isinstance(body, dict) else None
    else:
        value = request.args.get(FIELD)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ApiError(400, "bad_callback_url", f"'{FIELD}' must be a string holding an http:// or https:// URL.")
    return value
