"""One long document rendered in parts on the free workers: decide, queue the parts, join them (Celery side).

The web tier queues `tasks.split_render` for a document that may gain from
a split (webapp/splitting.py). It parses the document on a worker (0.2-0.4 s
for a 120-page report: too long to block a gevent web process), then either
renders it whole right there, saying why in the job's `render`, or stores the
parts in the job's record and queues them as batch parts (`tasks.convert_part`,
tasks/batch.py) under a chord whose body, `tasks.merge_parts` (tasks/join.py),
draws the page numbers and joins them.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from celery.exceptions import Ignore
from flask import current_app
from xhtml2pdf.config.resources import ResourceAccessPolicy

from tasks.batch import dispatch, part_fields
from tasks.convert import convert, limit_memory, prepared_html
from tasks.job.record import STARTED, Job, to_json
from tasks.job.store import key
from tasks.part_render import SPLIT_FIELD
from tasks.render.failures import worker_lost
from tasks.render.interrupt import Cancellable
from tasks.render.policy import policy_for
from tasks.reporting import JobEnded, open_job
from tasks.split.plan import MIN_PART_BYTES, Plan, plan

log = logging.getLogger(__name__)

OVERLAY_FIELD = "split:overlay"
#: What preparing the whole document reported, before it was cut: the base of the job's fidelity report.
PREPARED_FIELD = "split:fidelity"
ATTEMPTS_FIELD = "split:attempts"
QUEUED_FIELD = "split:queued"
# The joining step's share of the bar: drawing the page numbers and joining
# took about a tenth of the parts' time on a 120-page report, joining alone a thirtieth.
JOIN_SHARE = {True: 0.10, False: 0.03}
MISMATCH = (
    "The parts of this document did not line up when joined. Submit it again with "
    '"split": "never" to render it in one piece.'
)


@shared_task(bind=True, ignore_result=False, name="tasks.split_render")
def split_render(self: Task, job_id: str, mode: str, processes: int) -> Job | None:
    """Cut job `job_id`'s document into parts and queue them; or render it whole, saying why."""
    config = current_app.config
    reporter = open_job(self, job_id)
    store = reporter.store
    record = key(job_id)
    if store.redis.hget(record, QUEUED_FIELD):
        raise Ignore()  # an earlier delivery queued the parts already
    attempts = int(store.redis.hincrby(record, ATTEMPTS_FIELD, 1))
    try:
        if attempts > config["MAX_ATTEMPTS"]:
            reporter.fail(worker_lost(attempts - 1))
        limit_memory(config["WORKER_MEMORY_MB"])
        prepared = prepared_html(store, job_id, config)
        html = prepared.html
        with Cancellable(store.redis, job_id):
            cut = _plan(html, mode, processes, config["SPLIT_MAX_PARTS"], policy_for(config))
        if not cut.split:
            reporter.job["render"] = {"path": "single", "reason": _said(cut.reason, mode)}
            reporter.write(STARTED, {"percent": 0.0, "stage": "parsing", "pages": 0, "current": 0, "total": 0})
            # The single render's own task body, as this task: no second trip through the queue.
            result: Job | None = convert.run.__func__(self, job_id)
            return result
        count = len(cut.parts)
        fields: dict[Any, Any] = part_fields([(part.name, part.html) for part in cut.parts])
        body = sum(int(fields[f"part:{index}:weight"]) for index in range(count))
        share = JOIN_SHARE[cut.overlay is not None]
        fields |= {
            PREPARED_FIELD: to_json(prepared.report.as_dict()),
            "parts": count + 1,  # the join is the last "part" of the bar
            f"part:{count}:name": "page numbers" if cut.overlay else "joining",
            f"part:{count}:weight": max(int(body * share / (1 - share)), 1),
            SPLIT_FIELD: count,
            OVERLAY_FIELD: cut.overlay or "",
        }
        store.redis.hset(record, mapping=fields)
        reporter.job["render"] = {"path": "split", "parts": count}
        reporter.started(retrying=attempts > 1, total=count)
    except JobEnded:
        raise Ignore() from None
    dispatch(self.app, job_id, count)
    store.redis.hset(record, QUEUED_FIELD, 1)
    return reporter.job


def _plan(html: str, mode: str, processes: int, max_parts: int, policy: ResourceAccessPolicy) -> Plan:
    """How to render: "always" splits whenever a split is right, into as many parts as processes (2 at least);
    "auto" also needs parts of MIN_PART_BYTES."""
    parts = min(max(max_parts, 2), max(processes, 2))
    try:
        return plan(html, parts, 0 if mode == "always" else MIN_PART_BYTES, policy)
    except Exception:
        log.warning("could not analyse the document for a split", exc_info=True)
        return Plan(reason="the document could not be analysed for a split")


def _said(reason: str | None, mode: str) -> str:
    reason = reason or "it has nothing to split"
    return f'split "always" was asked, but {reason}' if mode == "always" else reason


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else value
