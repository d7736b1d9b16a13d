"""The worker's tasks by name, and the sends that queue them: all the web tier knows of the worker's code.

Sending by name keeps the renderer out of the web processes (a gunicorn worker never loads xhtml2pdf
or ReportLab); the worker imports the task modules in `TASK_MODULES`.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery, chord
from celery.result import AsyncResult
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from tasks.job.record import WEBHOOK_PENDING, Job, Parts

log = logging.getLogger(__name__)

CONVERT = "tasks.convert"
SPLIT_RENDER = "tasks.split_render"
CONVERT_PART = "tasks.convert_part"
MERGE_PARTS = "tasks.merge_parts"
DELIVER_WEBHOOK = "tasks.deliver_webhook"
#: The modules that hold them, each named after its task; the worker imports these (Celery's `include`).
TASK_MODULES = ("tasks.convert", "tasks.split_render", "tasks.convert_part", "tasks.merge_parts", "tasks.webhooks")


def dispatch(celery: Celery, job_id: str, count: int, kind: Parts) -> AsyncResult:
    """Queue the job's `count` parts on whatever workers are free, and their join once all are done."""
    header = [
        celery.signature(CONVERT_PART, args=[job_id, index, kind], task_id=f"{job_id}.{index}", immutable=True)
        for index in range(count)
    ]
    result: AsyncResult = chord(header, app=celery)(celery.signature(MERGE_PARTS, args=[job_id, kind], immutable=True))
    return result


def schedule_delivery(celery: Celery, job: Job) -> None:
    """Queue the webhook of a job that has just ended, if it has one (the job store's `on_end`)."""
    hook: dict[str, Any] | None = job.get("webhook")
    if not hook or hook.get("state") != WEBHOOK_PENDING:
        return
    try:
        celery.send_task(DELIVER_WEBHOOK, args=[job["id"]])
    except (OperationalError, RedisError, OSError):
        # The job's end is stored already; a broker out of reach must not undo it. A time limit or a
        # shutdown arriving meanwhile (Exceptions too, in Celery) is not taken for one.
        log.warning("could not queue the webhook of job %s", job["id"], exc_info=True)
