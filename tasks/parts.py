"""A job rendered in parts, in parallel, then joined in order: one Celery chord for a batch and a split alike.

A batch's documents (queued by the web tier, webapp/jobs.py) and a split
document's pieces (queued by `tasks.split_render`, tasks/split_job.py) are
the same chord: a `tasks.convert_part` per part on whatever workers are free,
then `tasks.merge_parts` (tasks/join.py). Which of the two a job is travels in
the tasks' arguments (`tasks.job.record.Parts`).
"""

from __future__ import annotations

import json
import os
import socket

from celery import Celery, Task, chord, shared_task
from celery.exceptions import Ignore
from celery.result import AsyncResult
from flask import current_app

from tasks.document.fidelity import FidelityReport
from tasks.document.stages import Stage
from tasks.finish import FinishPart
from tasks.job.record import SPLIT, Parts, advanced, progress
from tasks.job.store import PartsProgress
from tasks.part_render import render_part
from tasks.render.progress import Progress
from tasks.reporting import JobEnded, Reporter, open_job

# The chord's body, tasks/join.py (named, not imported: join imports this module).
MERGE_TASK = "tasks.merge_parts"


def dispatch(celery: Celery, job_id: str, count: int, kind: Parts) -> AsyncResult:
    """Queue the job's `count` parts on whatever workers are free, and their join once all are done."""
    header = [
        celery.signature(convert_part.name, args=[job_id, index, kind], task_id=f"{job_id}.{index}", immutable=True)
        for index in range(count)
    ]
    result: AsyncResult = chord(header, app=celery)(celery.signature(MERGE_TASK, args=[job_id, kind], immutable=True))
    return result


@shared_task(bind=True, ignore_result=False, name="tasks.convert_part")
def convert_part(self: Task, job_id: str, index: int, kind: Parts) -> int:
    """Render part `index` of job `job_id` and store its PDF; the job's bar moves by its share."""
    config = current_app.config
    reporter = open_job(self, job_id)
    store = reporter.store
    part = store.claim_part(job_id, index, f"{socket.gethostname()}:{os.getpid()}")
    finish = FinishPart(reporter, config, index, part.name)

    def on_progress(step: Progress) -> None:
        report_part(reporter, kind, index, step.percent, step.pages)

    try:
        with finish.guard():
            finish.check_attempts(part.attempts)
            with finish.watched():
                result = render_part(store, job_id, kind, part.html, config, on_progress)
            finish.check_pages(result.pages)
            store.store_part_pdf(job_id, index, result.pdf, result.fidelity.as_dict())
            report_part(reporter, kind, index, 100.0, result.pages)
    except JobEnded:
        raise Ignore() from None
    return result.pages


def parts_fidelity(reporter: Reporter, kind: Parts) -> FidelityReport:
    """The fidelity reports of a job's parts as one, pages numbered as in the joined PDF."""
    reports = reporter.store.part_reports(reporter.job["id"])
    prepared = reports.prepared
    whole, offset = FidelityReport.from_dict(json.loads(prepared)) if prepared else FidelityReport(), 0
    for data, pages in reports.parts:
        if data:
            part = FidelityReport.from_dict(json.loads(data))
            part.mode = whole.mode if prepared else part.mode  # a split's parts were prepared whole
            whole.merge(part, offset, kind == SPLIT)
        offset += pages
    return whole


def report_part(reporter: Reporter, kind: Parts, index: int, percent: float, pages: int) -> None:
    """Part `index` is `percent` done with `pages` laid out: move the job's bar."""
    _report(reporter, kind, reporter.store.part_progress(reporter.job["id"], index, percent, pages), Stage.LAYOUT)


def report_join(reporter: Reporter, kind: Parts, percent: float) -> None:
    """The join (a split's page numbers) is `percent` done: move the job's bar."""
    _report(reporter, kind, reporter.store.join_progress(reporter.job["id"], percent), Stage.WRITING)


def _report(reporter: Reporter, kind: Parts, parts: PartsProgress, stage: Stage) -> None:
    """Move the job's bar to the size-weighted mean of its parts' progress and the join's, as one story.

    While parts render the stage is `layout`, and `writing` once the join
    reports; `current`/`total` count the parts rendered out of the parts;
    `pages` counts the pages as they will be in the joined PDF (each split
    part after the first loses its empty first page), so it never passes the
    final count.
    """
    weights, percents = [*parts.weights, parts.join_weight], [*parts.percents, parts.join_percent]
    overall = sum(w * p for w, p in zip(weights, percents, strict=True)) / max(sum(weights), 1)
    done = sum(1 for p in parts.percents if p >= 100)
    skipped = 1 if kind == SPLIT else 0
    pages = sum(max(n - skipped, 0) if part else n for part, n in enumerate(parts.pages))
    step = progress(stage, round(min(overall, 99.0), 1), pages, done, len(parts.percents))
    reporter.commit(advanced(reporter.job, step), forward_only=True)
