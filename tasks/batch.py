"""Many documents, one PDF: parts rendered in parallel by a Celery chord, then merged in order."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
from collections.abc import Sequence

from celery import Celery, Task, chord, shared_task
from celery.exceptions import Ignore, SoftTimeLimitExceeded
from celery.result import AsyncResult
from flask import current_app

from tasks.job.record import FAILURE, PROGRESS, to_json
from tasks.job.store import key
from tasks.part_render import SPLIT_FIELD, render_part
from tasks.render.failures import describe, part_failed, timed_out, too_many_pages, worker_lost
from tasks.render.fidelity import FidelityReport
from tasks.render.interrupt import Cancellable
from tasks.render.progress import Progress
from tasks.reporting import JobEnded, Reporter, open_job

log = logging.getLogger(__name__)


def part_fields(parts: Sequence[tuple[str, str]]) -> dict[str, str | int]:
    """The job-record fields holding `parts` (name, HTML), weighted by size for the progress bar."""
    fields: dict[str, str | int] = {"parts": len(parts)}
    for index, (name, html) in enumerate(parts):
        fields |= {f"part:{index}:name": name, f"part:{index}:html": html, f"part:{index}:weight": max(len(html), 1)}
    return fields


def dispatch(celery: Celery, job_id: str, count: int, merge: str = "tasks.merge_parts") -> AsyncResult:
    """Queue every part on whatever workers are free, and the task `merge` (tasks/join.py) once all are done."""
    header = [
        celery.signature(convert_part.name, args=[job_id, index], task_id=f"{job_id}.{index}", immutable=True)
        for index in range(count)
    ]
    result: AsyncResult = chord(header, app=celery)(celery.signature(merge, args=[job_id], immutable=True))
    return result


@shared_task(bind=True, ignore_result=False, name="tasks.convert_part")
def convert_part(self: Task, job_id: str, index: int) -> int:
    """Render part `index` of job `job_id` and store its PDF; the job's bar moves by its share."""
    config = current_app.config
    reporter = open_job(self, job_id)
    store = reporter.store
    record = key(job_id)
    prefix = f"part:{index}:"
    name, html = (_text(value) for value in store.redis.hmget(record, [prefix + "name", prefix + "html"]))
    attempts = store.redis.hincrby(record, prefix + "attempts", 1)
    store.redis.hset(record, prefix + "worker", f"{socket.gethostname()}:{os.getpid()}")

    def on_progress(step: Progress) -> None:
        report_part(reporter, index, step.percent, step.pages)

    try:
        if attempts > config["MAX_ATTEMPTS"]:
            raise worker_lost(attempts - 1)
        with Cancellable(store.redis, job_id):
            result = render_part(store, job_id, html, config, on_progress)
        if result.pages > config["MAX_PAGES"]:
            raise too_many_pages(config["MAX_PAGES"])
        store.redis.hset(
            record, mapping={prefix + "pdf": result.pdf, prefix + "fidelity": to_json(result.fidelity.as_dict())}
        )
        report_part(reporter, index, 100.0, result.pages)
    except JobEnded:
        raise Ignore() from None
    except Exception as exc:
        reason = timed_out(config["RENDER_TIME_LIMIT"]) if isinstance(exc, SoftTimeLimitExceeded) else describe(exc)
        log.warning("part %d of job %s failed", index, job_id, exc_info=True)
        reporter.job["error"] = part_failed(index, name, reason).error
        with contextlib.suppress(JobEnded):  # cancelled, or another part failed first
            reporter.write(FAILURE, {**reporter.job["progress"], "stage": "failed"})
        # The chord's merge must never run: this job has ended.
        raise Ignore() from None
    return result.pages


def parts_fidelity(reporter: Reporter, count: int, same_document: bool = False) -> FidelityReport:
    """The fidelity reports of a job's parts as one, pages numbered as in the joined PDF."""
    fields = [f"part:{index}:{field}" for index in range(count) for field in ("fidelity", "pages")]
    prepared, *values = reporter.store.redis.hmget(key(reporter.job["id"]), ["split:fidelity", *fields])
    whole, offset = FidelityReport.from_dict(json.loads(prepared)) if prepared else FidelityReport(), 0
    for data, pages in zip(values[0::2], values[1::2], strict=True):
        if data:
            part = FidelityReport.from_dict(json.loads(data))
            part.mode = whole.mode if prepared else part.mode  # a split's parts were prepared whole
            whole.merge(part, offset, same_document)
        offset += int(float(pages or 0))
    return whole


def report_part(reporter: Reporter, index: int, percent: float, pages: int) -> None:
    """Move the job's bar to the size-weighted mean of its parts' progress, as one story.

    While parts render the stage is `layout`, and `writing` once the join (a
    split's last "part" of the bar) reports; `current`/`total` count the
    parts rendered out of the parts; `pages` counts the pages as they will
    be in the joined PDF (each split part after the first loses its empty
    first page), so it never passes the final count.
    """
    record = key(reporter.job["id"])
    redis = reporter.store.redis
    redis.hset(record, mapping={f"part:{index}:pct": percent, f"part:{index}:pages": pages})
    count = int(redis.hget(record, "parts") or 0)
    split = redis.hget(record, SPLIT_FIELD)
    parts = count if split is None else int(split)  # a split's bar has the join as one more "part"
    fields = [f"part:{part}:{field}" for part in range(count) for field in ("weight", "pct", "pages")]
    values = [float(value or 0) for value in redis.hmget(record, fields)]
    weights, percents, laid_out = values[0::3], values[1::3], [int(value) for value in values[2::3]]
    overall = sum(w * p for w, p in zip(weights, percents, strict=True)) / max(sum(weights), 1)
    done = sum(1 for p in percents[:parts] if p >= 100)
    skipped = 0 if split is None else 1
    pages_so_far = sum(max(n - skipped, 0) if part else n for part, n in enumerate(laid_out[:parts]))
    stage = "layout" if index < parts else "writing"
    progress = {"percent": round(min(overall, 99.0), 1), "stage": stage, "pages": pages_so_far}
    reporter.write(PROGRESS, {**progress, "current": done, "total": parts}, forward_only=True)


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else value
