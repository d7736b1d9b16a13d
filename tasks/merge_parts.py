"""The last step of a job rendered in parts, a batch's or a split document's: join them, under every guard.

Both kinds of job end here, in `tasks.merge_parts` (the body of their
chord, tasks/convert_part.py): a part whose PDF is missing or unreadable, a join that
fails or takes too long, a PDF past MAX_PAGES or MAX_PDF_BYTES each end the
job as a `FAILURE` at once, naming the part when one is at fault.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from celery import Task, shared_task
from celery.exceptions import Ignore
from flask import current_app

from tasks.convert_part import parts_fidelity, render_part, report_join
from tasks.document.failures import part_missing, part_unreadable, split_mismatch
from tasks.document.stages import Stage
from tasks.finish import Finish
from tasks.job.record import SPLIT, Parts, Receipt, advanced, receipt
from tasks.job.store import PartsToJoin
from tasks.render.merge import PartUnreadable, merge_pdfs
from tasks.render.progress import Progress
from tasks.render.renderer import RenderResult
from tasks.reporting import JobEnded, Reporter, open_job
from tasks.split.plan import overlay_html
from tasks.split.stamp import SplitMismatch, joined_pages, stamp

log = logging.getLogger(__name__)


@shared_task(bind=True, ignore_result=False, name="tasks.merge_parts")
def merge_parts(self: Task, job_id: str, kind: Parts) -> Receipt | None:
    """Join the job's parts in order into its PDF: with bookmarks per part (a batch), or under one overlay (a split)."""
    config = current_app.config
    reporter = open_job(self, job_id)
    finish = Finish(reporter, config)
    store = reporter.store
    parts = store.parts_to_join(job_id)
    try:
        reporter.commit(advanced(reporter.job, {**reporter.job["progress"], "stage": Stage.WRITING}), forward_only=True)
        with finish.guard("join its parts"), finish.watched():
            pdf, pages = _joined(reporter, config, kind, parts)
        finish.succeed(RenderResult(pdf=pdf, pages=pages, fidelity=parts_fidelity(reporter, kind)))
        store.drop_part_pdfs(job_id, len(parts.names))
    except JobEnded:
        raise Ignore() from None
    return receipt(reporter.job)


def _joined(reporter: Reporter, config: Mapping[str, Any], kind: Parts, parts: PartsToJoin) -> tuple[bytes, int]:
    """The parts as one PDF and its pages; a part at fault, or parts that do not line up, fail it in words."""
    pdfs = []
    for index, (name, data) in enumerate(zip(parts.names, parts.pdfs, strict=True)):
        if not data:
            raise part_missing(index, name)
        pdfs.append(data)
    job_id = reporter.job["id"]
    try:
        if kind == SPLIT:
            return _join_split(reporter, config, pdfs, parts.overlay)
        return merge_pdfs(list(zip(parts.names, pdfs, strict=True)))
    except PartUnreadable as exc:
        log.warning("job %s: part %d could not be joined", job_id, exc.index + 1, exc_info=True)
        raise part_unreadable(exc.index, parts.names[exc.index]) from exc
    except SplitMismatch as exc:
        log.error("job %s: the parts of a split did not line up", job_id, exc_info=True)
        raise split_mismatch() from exc


def _join_split(reporter: Reporter, config: Mapping[str, Any], pdfs: list[bytes], overlay: str) -> tuple[bytes, int]:
    """The split's parts as one PDF, every page's header and footer drawn beneath with the whole's numbers."""
    drawn = None
    if overlay:

        def on_progress(step: Progress) -> None:
            report_join(reporter, SPLIT, min(step.percent, 99.0))

        html = overlay_html(overlay, joined_pages(pdfs))
        drawn = render_part(reporter.store, reporter.job["id"], SPLIT, html, config, on_progress).pdf
    return stamp(pdfs, drawn)
