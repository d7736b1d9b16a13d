"""A job rendered in parts, in parallel, then joined in order: one Celery chord for a batch and a split alike.

A batch's documents (queued by the web tier, webapp/jobs.py) and a split
document's pieces (queued by `tasks.split_render`, tasks/split_render.py) are
the same chord: a `tasks.convert_part` per part on whatever workers are free,
then `tasks.merge_parts` (tasks/merge_parts.py). Which of the two a job is travels in
the tasks' arguments (`tasks.job.record.Parts`).
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Mapping
from typing import Any

from celery import Task, shared_task
from celery.exceptions import Ignore
from flask import current_app

from tasks.convert import job_files, written_for
from tasks.document.fidelity import FidelityReport
from tasks.document.page_setup import PageOptions
from tasks.document.policy import policy_for
from tasks.document.stages import Stage
from tasks.finish import FinishPart
from tasks.job.record import BATCH, SPLIT, Parts, advanced, progress
from tasks.job.store import JobStore, PartsProgress
from tasks.render.progress import Progress, ProgressCallback
from tasks.render.renderer import RenderResult, render_pdf
from tasks.reporting import JobEnded, Reporter, open_job


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
    step = progress(stage, reporter.shares.render(min(overall, 99.0)), pages, done, len(parts.percents))
    reporter.commit(advanced(reporter.job, step), forward_only=True)


def render_part(
    store: JobStore, job_id: str, kind: Parts, html: str, config: Mapping[str, Any], on_progress: ProgressCallback
) -> RenderResult:
    """Render `html`, one part of job `job_id`, a `kind` of job.

    A part of a split document is a whole document already (prepared and given its page
    options before it was cut) and may use the job's images, CSS and
    fonts, unpacked beside it as for a single render. A batch's document gets
    the job's page options.
    """
    if kind == BATCH:
        options = PageOptions(**store.options(job_id))
        return render_pdf(
            html, on_progress, policy=policy_for(config), options=options, written_for=written_for(options)
        )
    with job_files(store, job_id, config) as (policy, path):
        # Prepared whole, before it was cut (tasks/split_render.py).
        return render_pdf(html, on_progress, policy=policy, path=path, written_for="xhtml2pdf")
