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
from kombu.messaging import Producer
from redis import ConnectionPool, Redis
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


def dispatch(celery: Celery, job_id: str, count: int, kind: Parts, producer: Producer | None = None) -> AsyncResult:
    """Queue the job's `count` parts on whatever workers are free, and their join once all are done."""
    header = [
        celery.signature(CONVERT_PART, args=[job_id, index, kind], task_id=f"{job_id}.{index}", immutable=True)
        for index in range(count)
    ]
    join = celery.signature(MERGE_PARTS, args=[job_id, kind], immutable=True)
    result: AsyncResult = chord(header, join, app=celery).apply_async(producer=producer)
    return result


def broker_redis(producer: Producer) -> Redis | None:
    """A client of the Redis node `producer` published to, for checking that its replicas hold the message;
    None when the broker is not Redis (RabbitMQ).

    With Sentinel, the broker's connections and the job store's are made apart: after two failovers in a row
    they can point at two nodes that each take themselves for the primary, and a replica holding the job's
    record says nothing of its queue message. The node's connection pool hands back the connection it took
    last, the one that published.
    """
    pool = getattr(producer.channel, "pool", None)
    return Redis(connection_pool=pool) if isinstance(pool, ConnectionPool) else None


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
