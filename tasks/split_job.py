"""One long document rendered in parts on the free workers: decide, queue the parts, join them (Celery side).

The web tier queues `tasks.split_render` for a document that may gain from
a split (webapp/splitting.py). It parses the document on a worker (0.2-0.4 s
for a 120-page report: too long to block a gevent web process), then either
renders it whole right there, saying why in the job's `render`, or stores the
parts in the job's record and queues them as batch parts (`tasks.convert_part`,
tasks/batch.py) under a chord whose body, `tasks.merge_split`, draws the page
numbers and joins them.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from celery import Task, shared_task
from celery.exceptions import Ignore, SoftTimeLimitExceeded
from flask import current_app

from tasks.batch import _report as report_part
from tasks.batch import dispatch, part_fields, parts_fidelity
from tasks.convert import convert, limit_memory
from tasks.failures import RenderFailed, describe, pdf_too_large, timed_out, too_many_pages, worker_lost
from tasks.job import PROGRESS, STARTED, Job
from tasks.page_setup import PageOptions
from tasks.part_render import SPLIT_FIELD, render_part
from tasks.progress import Progress
from tasks.renderer import RenderResult
from tasks.reporting import JobEnded, Reporter, open_job
from tasks.split import MIN_PART_BYTES, Plan, overlay_html, plan
from tasks.stamp import SplitMismatch, joined_pages, stamp
from tasks.store import JobStore, key

log = logging.getLogger(__name__)

OVERLAY_FIELD = "split:overlay"
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
            _fail(reporter, worker_lost(attempts - 1))
        limit_memory(config["WORKER_MEMORY_MB"])
        html = PageOptions(**store.options(job_id)).apply(store.html(job_id) or "")
        cut = _plan(html, mode, processes, config["SPLIT_MAX_PARTS"])
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
            "parts": count + 1,  # the join is the last "part" of the bar
            f"part:{count}:name": "page numbers" if cut.overlay else "joining",
            f"part:{count}:weight": max(int(body * share / (1 - share)), 1),
            SPLIT_FIELD: count,
            OVERLAY_FIELD: cut.overlay or "",
        }
        store.redis.hset(record, mapping=fields)
        reporter.job["render"] = {"path": "split", "parts": count}
        reporter.started(retrying=attempts > 1)
    except JobEnded:
        raise Ignore() from None
    dispatch(self.app, job_id, count, merge=merge_split.name)
    store.redis.hset(record, QUEUED_FIELD, 1)
    return reporter.job


def _plan(html: str, mode: str, processes: int, max_parts: int) -> Plan:
    """How to render: "always" splits whenever a split is right, into as many parts as processes (2 at least);
    "auto" also needs parts of MIN_PART_BYTES."""
    parts = min(max(max_parts, 2), max(processes, 2))
    try:
        return plan(html, parts, 0 if mode == "always" else MIN_PART_BYTES)
    except Exception:
        log.warning("could not analyse the document for a split", exc_info=True)
        return Plan(reason="the document could not be analysed for a split")


def _said(reason: str | None, mode: str) -> str:
    reason = reason or "it has nothing to split"
    return f'split "always" was asked, but {reason}' if mode == "always" else reason


@shared_task(bind=True, ignore_result=False, name="tasks.merge_split")
def merge_split(self: Task, job_id: str) -> Job | None:
    """Draw every page's header and footer, join the parts in order: the job's PDF."""
    config = current_app.config
    reporter = open_job(self, job_id)
    store = reporter.store
    record = key(job_id)
    count = int(store.redis.hget(record, SPLIT_FIELD) or 0)
    values = store.redis.hmget(record, [OVERLAY_FIELD, *(f"part:{index}:pdf" for index in range(count))])
    overlay_source, pdfs = _text(values[0]), [value for value in values[1:] if isinstance(value, bytes)]
    try:
        reporter.write(PROGRESS, {**reporter.job["progress"], "stage": "writing"}, forward_only=True)
        try:
            pdf, pages = _join(store, job_id, config, reporter, count, pdfs, overlay_source)
        except (JobEnded, RenderFailed):
            raise
        except SoftTimeLimitExceeded:
            _fail(reporter, timed_out(config["RENDER_TIME_LIMIT"]))
        except SplitMismatch:
            log.error("job %s: the parts of a split did not line up", job_id, exc_info=True)
            _fail(reporter, MISMATCH)
        except Exception as exc:
            log.warning("job %s failed to join its parts", job_id, exc_info=True)
            _fail(reporter, describe(exc))
        if pages > config["MAX_PAGES"]:
            _fail(reporter, str(too_many_pages(config["MAX_PAGES"])))
        if len(pdf) > config["MAX_PDF_BYTES"]:
            _fail(reporter, str(pdf_too_large(len(pdf), config["MAX_PDF_BYTES"])))
        result = RenderResult(pdf=pdf, pages=pages, fidelity=parts_fidelity(reporter, count, same_document=True))
        reporter.storing(result)
        reporter.succeeded(result)
        store.redis.hdel(record, *(f"part:{index}:pdf" for index in range(count)))
    except JobEnded:
        raise Ignore() from None
    return reporter.job


def _join(
    store: JobStore, job_id: str, config: Any, reporter: Reporter, count: int, pdfs: list[bytes], overlay: str
) -> tuple[bytes, int]:
    if len(pdfs) != count:
        raise SplitMismatch(f"{len(pdfs)} of {count} parts are stored")
    pages = joined_pages(pdfs)
    drawn = None
    if overlay:

        def on_progress(step: Progress) -> None:
            report_part(reporter, count, min(step.percent, 99.0), 0, "writing")

        drawn = render_part(store, job_id, overlay_html(overlay, pages), config, on_progress).pdf
    return stamp(pdfs, drawn)


def _fail(reporter: Reporter, message: str) -> NoReturn:
    reporter.failed(message)
    raise RenderFailed(message)


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else value
