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
from flask import current_app

from tasks.failures import RenderFailed, describe, timed_out, too_many_pages, worker_lost
from tasks.fidelity import FidelityReport
from tasks.job import FAILURE, PROGRESS, Job, to_json
from tasks.merge import merge_pdfs
from tasks.part_render import render_part
from tasks.progress import Progress
from tasks.renderer import RenderResult
from tasks.reporting import JobEnded, Reporter, open_job
from tasks.store import key

log = logging.getLogger(__name__)


def part_fields(parts: Sequence[tuple[str, str]]) -> dict[str, str | int]:
    """The job-record fields holding `parts` (name, HTML), weighted by size for the progress bar."""
    fields: dict[str, str | int] = {"parts": len(parts)}
    for index, (name, html) in enumerate(parts):
        fields |= {f"part:{index}:name": name, f"part:{index}:html": html, f"part:{index}:weight": max(len(html), 1)}
    return fields


def dispatch(celery: Celery, job_id: str, count: int, merge: str = "tasks.merge_parts") -> None:
    """Queue every part on whatever workers are free, and the task `merge` once all are done."""
    header = [
        celery.signature(convert_part.name, args=[job_id, index], task_id=f"{job_id}.{index}", immutable=True)
        for index in range(count)
    ]
    chord(header, app=celery)(celery.signature(merge, args=[job_id], immutable=True))


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
        _report(reporter, index, step.percent, step.pages, step.stage)

    try:
        if attempts > config["MAX_ATTEMPTS"]:
            raise RenderFailed(worker_lost(attempts - 1))
        result = render_part(store, job_id, html, config, on_progress)
        if result.pages > config["MAX_PAGES"]:
            raise too_many_pages(config["MAX_PAGES"])
        store.redis.hset(
            record, mapping={prefix + "pdf": result.pdf, prefix + "fidelity": to_json(result.fidelity.as_dict())}
        )
        _report(reporter, index, 100.0, result.pages, "layout")
    except JobEnded:
        raise Ignore() from None
    except Exception as exc:
        reason = timed_out(config["RENDER_TIME_LIMIT"]) if isinstance(exc, SoftTimeLimitExceeded) else describe(exc)
        log.warning("part %d of job %s failed", index, job_id, exc_info=True)
        reporter.job["error"] = f"Part {index + 1} ({name}) failed: {reason}"
        with contextlib.suppress(JobEnded):  # cancelled, or another part failed first
            reporter.write(FAILURE, {**reporter.job["progress"], "stage": "failed"})
        # The chord's merge must never run: this job has ended.
        raise Ignore() from None
    return result.pages


@shared_task(bind=True, ignore_result=False, name="tasks.merge_parts")
def merge_parts(self: Task, job_id: str) -> Job | None:
    """Join the parts' PDFs in order into the job's PDF."""
    reporter = open_job(self, job_id)
    store = reporter.store
    record = key(job_id)
    count = int(store.redis.hget(record, "parts") or 0)
    fields = [f"part:{index}:{field}" for index in range(count) for field in ("name", "pdf")]
    values = store.redis.hmget(record, fields)
    parts = [(_text(values[2 * index]), values[2 * index + 1]) for index in range(count)]
    try:
        reporter.write(PROGRESS, {**reporter.job["progress"], "stage": "writing"})
        pdf, pages = merge_pdfs([(name, data) for name, data in parts if isinstance(data, bytes)])
        reporter.succeeded(RenderResult(pdf=pdf, pages=pages, fidelity=parts_fidelity(reporter, count)))
        store.redis.hdel(record, *(f"part:{index}:pdf" for index in range(count)))
    except JobEnded:
        raise Ignore() from None
    return reporter.job


def parts_fidelity(reporter: Reporter, count: int, same_document: bool = False) -> FidelityReport:
    """The fidelity reports of a job's parts as one, pages numbered as in the joined PDF."""
    fields = [f"part:{index}:{field}" for index in range(count) for field in ("fidelity", "pages")]
    values = reporter.store.redis.hmget(key(reporter.job["id"]), fields)
    whole, offset = FidelityReport(), 0
    for data, pages in zip(values[0::2], values[1::2], strict=True):
        if data:
            whole.merge(FidelityReport.from_dict(json.loads(data)), offset, same_document)
        offset += int(float(pages or 0))
    return whole


def _report(reporter: Reporter, index: int, percent: float, pages: int, stage: str) -> None:
    """Move the job's bar to the size-weighted mean of its parts' progress."""
    record = key(reporter.job["id"])
    redis = reporter.store.redis
    redis.hset(record, mapping={f"part:{index}:pct": percent, f"part:{index}:pages": pages})
    count = int(redis.hget(record, "parts") or 0)
    fields = [f"part:{part}:{field}" for part in range(count) for field in ("weight", "pct", "pages")]
    values = [float(value or 0) for value in redis.hmget(record, fields)]
    weights, percents, laid_out = values[0::3], values[1::3], values[2::3]
    overall = sum(w * p for w, p in zip(weights, percents, strict=True)) / max(sum(weights), 1)
    done = sum(1 for p in percents if p >= 100)
    progress = {"percent": round(min(overall, 99.0), 1), "stage": stage, "pages": int(sum(laid_out))}
    reporter.write(PROGRESS, {**progress, "current": done, "total": count}, forward_only=True)


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else value
