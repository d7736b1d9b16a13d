"""A submission's optional `callback_url`, checked; a webhook queued for a job created already ended."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

from tasks.delivery.http import literal_refused, url_problem
from tasks.job.record import Job, is_terminal
from tasks.sending import schedule_delivery
from webapp.errors import ApiError

FIELD = "callback_url"


def check_callback(value: object) -> str | None:
    """The `callback_url` a submission sent (JSON member, form field or query string), checked; None if absent."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ApiError(400, "bad_callback_url", f"'{FIELD}' must be a string holding an http:// or https:// URL.")
    problem = url_problem(value)
    if problem is not None:
        raise ApiError(400, "bad_callback_url", f"'{FIELD}' {problem}.")
    config = current_app.config
    if not config["WEBHOOK_SECRET"]:
        raise ApiError(
            400,
            "webhooks_disabled",
            f"'{FIELD}' cannot be used: this service has no WEBHOOK_SECRET to sign callbacks with.",
        )
    if literal_refused(urlsplit(value).hostname or "", config["WEBHOOK_ALLOW_PRIVATE"]):
        raise ApiError(
            400,
            "bad_callback_url",
            f"'{FIELD}' points at a private, loopback or link-local address, which this service does not call.",
        )
    return value


def deliver_if_ended(job: Job) -> None:
    """Queue the webhook of a job that was created already ended (a stored result reused)."""
    if is_terminal(job):
        schedule_delivery(current_app.extensions["celery"], job)
