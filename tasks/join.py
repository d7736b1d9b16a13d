"""The last step of a job rendered in parts, a batch's or a split document's: join them, under every guard.

Both kinds of job end here, in `tasks.merge_parts` (the body of their
chord): a part whose PDF is missing or unreadable, a join that fails or
takes too long, a PDF past MAX_PAGES or MAX_PDF_BYTES each end the job as a
`FAILURE` at once, naming the part when one is at fault.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from celery.exceptions import Ignore, SoftTimeLimitExceeded
from flask import current_app

from tasks.batch import parts_fidelity, report_part
from tasks.job.record import PROGRESS, Job
from tasks.job.store import key
from tasks.part_render import SPLIT_FIELD, render_part
from tasks.render.failures import RenderFailed, describe, part_failed, pdf_too_large, timed_out, too_many_pages
from tasks.render.interrupt import Cancellable
from tasks.render.merge import PartUnreadable, merge_pdfs
from tasks.render.progress import Progress
from tasks.render.renderer import RenderResult
from tasks.reporting import JobEnded, Reporter, open_job
from tasks.split.plan import overlay_html
from tasks.split.stamp import SplitMismatch, joined_pages, stamp
from tasks.split_job import MISMATCH, OVERLAY_FIELD

log = logging.getLogger(__name__)

MISSING = "its PDF is missing (it was not rendered, or it was lost). Submit the document again."
UNREADABLE = "its PDF could not be read for the join. Submit the document again."


@shared_task(bind=True, ignore_result=False, name="tasks.merge_parts")
def merge_parts(self: Task, job_id: str) -> Job | None:
    """Join the job's parts in order into its PDF: with bookmarks per part (a batch), or under one overlay (a split)."""
    config = current_app.config
    reporter = open_job(self, job_id)
    store = reporter.store
    record = key(job_id)
    split = store.redis.hget(record, SPLIT_FIELD)
    count = int(split if split is not None else store.redis.hget(record, "parts") or 0)
    fields = [f"part:{index}:{field}" for index in range(count) for field in ("name", "pdf")]
    values = store.redis.hmget(record, [OVERLAY_FIELD, *fields])
    overlay, names, pdfs = _text(values[0]), [_text(value) for value in values[1::2]], values[2::2]
    try:
        reporter.write(PROGRESS, {**reporter.job["progress"], "stage": "writing"}, forward_only=True)
        try:
            parts = [(names[index], _stored(index, names[index], data)) for index, data in enumerate(pdfs)]
            with Cancellable(store.redis, job_id):
                if split is None:
                    pdf, pages = merge_pdfs(parts)
                else:
                    pdf, pages = _join_split(reporter, config, [data for _, data in parts], overlay)
        except JobEnded:
            raise
        except RenderFailed as failure:
            reporter.fail(failure)
        except PartUnreadable as exc:
            log.warning("job %s: part %d could not be joined", job_id, exc.index + 1, exc_info=True)
            reporter.fail(part_failed(exc.index, names[exc.index], RenderFailed(UNREADABLE)))
        except SoftTimeLimitExceeded:
            reporter.fail(timed_out(config["RENDER_TIME_LIMIT"]))
        except SplitMismatch:
            log.error("job %s: the parts of a split did not line up", job_id, exc_info=True)
            reporter.fail(RenderFailed(MISMATCH, "split_mismatch"))
        except Exception as exc:
            log.warning("job %s failed to join its parts", job_id, exc_info=True)
            reporter.fail(describe(exc))
        if pages > config["MAX_PAGES"]:
            reporter.fail(too_many_pages(config["MAX_PAGES"]))
        if len(pdf) > config["MAX_PDF_BYTES"]:
            reporter.fail(pdf_too_large(len(pdf), config["MAX_PDF_BYTES"]))
        result = RenderResult(pdf=pdf, pages=pages, fidelity=parts_fidelity(reporter, count, split is not None))
        reporter.storing(result)
        reporter.succeeded(result)
        store.redis.hdel(record, *(f"part:{index}:pdf" for index in range(count)))
    except JobEnded:
        raise Ignore() from None
    return reporter.job


def _stored(index: int, name: str, data: bytes | str | None) -> bytes:
    if not isinstance(data, bytes) or not data:
        raise part_failed(index, name, RenderFailed(MISSING))
    return data


def _join_split(reporter: Reporter, config: Any, pdfs: list[bytes], overlay: str) -> tuple[bytes, int]:
    """The split's parts as one PDF, every page's header and footer drawn beneath with the whole's numbers."""
    drawn = None
    if overlay:
        count = len(pdfs)

        def on_progress(step: Progress) -> None:
            report_part(reporter, count, min(step.percent, 99.0), 0)

        job_id = reporter.job["id"]
        drawn = render_part(reporter.store, job_id, overlay_html(overlay, joined_pages(pdfs)), config, on_progress).pdf
    return stamp(pdfs, drawn)


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else value
