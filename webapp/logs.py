"""Log lines that name their job: `job_id=<id>` from the request, through the task, to the stream.

Every log record made in a process running the app carries `job_id`: the
`<job_id>` of the request's URL (or the job a POST created) in the web tier,
the job of the running task in a worker (tasks take the job id as their
first argument; it is also the render's task id), `-` elsewhere. It is set
when the record is made, so library lines logged during a render (xhtml2pdf's
warnings) carry it too. The worker's log formats print it; the web tier's
handler is installed by gunicorn.conf.py.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

from celery import current_task
from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler

FORMAT = "[%(asctime)s: %(levelname)s/%(processName)s] %(name)s job_id=%(job_id)s %(message)s"
NO_JOB = "-"
# Line breaks and other controls: a request that could put one in a line could forge the next.
_CONTROL = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")

log = logging.getLogger("webapp.requests")
_installed = False


def init_app(app: Flask) -> None:
    """Stamp records with their job, log each job request, and have the worker print job ids."""
    install_record_factory()
    app.after_request(_log_request)
    app.extensions["celery"].conf.update(worker_log_format=FORMAT, worker_task_log_format=FORMAT)


def current_job_id() -> str | None:
    """The job the current request or task is about, if any."""
    if has_request_context():
        job_id = (request.view_args or {}).get("job_id") or g.get("job_id")
        return str(job_id) if job_id else None
    task: Any = current_task
    if task and task.request.id:
        args = task.request.args or ()
        return args[0] if args and isinstance(args[0], str) else str(task.request.id)
    return None


def install_record_factory() -> None:
    """Once per process: every record gets a `job_id` attribute, for any handler's format."""
    global _installed
    if _installed:
        return
    make = logging.getLogRecordFactory()

    def stamped(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            record.job_id = escaped(current_job_id() or NO_JOB)
        except Exception:  # logging must never fail because of this
            record.job_id = NO_JOB
        return record

    logging.setLogRecordFactory(stamped)
    _installed = True


def escaped(text: str) -> str:
    """`text` with control characters written as escapes (a newline as \\n), so it stays on its line."""
    return _CONTROL.sub(lambda control: control.group().encode("unicode_escape").decode("ascii"), text)


class EscapingFormatter(logging.Formatter):
    """Messages cannot break their line, whatever a request put in them; a traceback still spans lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escaped(record.message)
        return super().formatMessage(record)


def log_to_stderr(level: int = logging.INFO) -> None:
    """The web process's handler: the app's lines on stderr (gunicorn's log), with their job ids."""
    logger = logging.getLogger("webapp")
    logger.removeHandler(default_handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(EscapingFormatter(FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


def _log_request(response: Response) -> Response:
    if request.blueprint not in ("jobs", "events"):
        return response
    if response.status_code == 202 and request.method == "POST":
        g.job_id = response.headers.get("Location", "").rpartition("/")[2] or None
    # A page polls its job's status; those lines are for debugging only.
    level = logging.DEBUG if request.endpoint == "jobs.status" else logging.INFO
    log.log(level, "%s %s %s", request.method, escaped(request.path), response.status_code)
    return response
