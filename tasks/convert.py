"""The Celery task: load a job's HTML by id, render it, store the PDF."""

from __future__ import annotations

import logging
import resource
from collections.abc import Mapping
from contextlib import ExitStack
from typing import Any, NoReturn

from celery import Task, shared_task
from celery.exceptions import Ignore, SoftTimeLimitExceeded
from flask import current_app

from tasks.assets import unpacked
from tasks.failures import RenderFailed, describe, pdf_too_large, timed_out, too_many_pages, worker_lost
from tasks.interrupt import Cancellable
from tasks.job import Job
from tasks.page_setup import PageOptions
from tasks.policy import policy_for
from tasks.progress import Progress, ProgressCallback
from tasks.renderer import RenderResult, render_pdf
from tasks.reporting import JobEnded, Reporter, open_job
from tasks.store import JobStore

log = logging.getLogger(__name__)


@shared_task(bind=True, ignore_result=False, name="tasks.convert")
def convert(self: Task, job_id: str) -> Job | None:
    """Render job `job_id`; its state, progress and PDF go to the job store."""
    config = current_app.config
    reporter = open_job(self, job_id)
    store = reporter.store
    try:
        attempts = store.count_attempt(job_id)
        if attempts > config["MAX_ATTEMPTS"]:
            _fail(reporter, worker_lost(attempts - 1))
        reporter.started(retrying=attempts > 1)
        limit_memory(config["WORKER_MEMORY_MB"])
        max_pages = config["MAX_PAGES"]

        def on_progress(step: Progress) -> None:
            if step.pages > max_pages:
                raise too_many_pages(max_pages)
            reporter.progress(step)

        try:
            result = _render(store, job_id, config, on_progress)
        except JobEnded:
            raise
        except SoftTimeLimitExceeded:
            _fail(reporter, timed_out(config["RENDER_TIME_LIMIT"]))
        except Exception as exc:
            log.warning("job %s failed to render", job_id, exc_info=True)
            _fail(reporter, describe(exc))
        if result.pages > max_pages:
            _fail(reporter, str(too_many_pages(max_pages)))
        if len(result.pdf) > config["MAX_PDF_BYTES"]:
            _fail(reporter, str(pdf_too_large(len(result.pdf), config["MAX_PDF_BYTES"])))
        reporter.storing(result)
        reporter.succeeded(result)
    except JobEnded:
        log.info("job %s was cancelled or deleted while it ran", job_id)
        raise Ignore() from None
    return reporter.job


def _render(store: JobStore, job_id: str, config: Mapping[str, Any], on_progress: ProgressCallback) -> RenderResult:
    """Render the job's HTML with its page options, its assets unpacked beside it."""
    html = PageOptions(**store.options(job_id)).apply(store.html(job_id) or "")
    bundle = store.assets(job_id)
    with ExitStack() as stack:
        root = stack.enter_context(unpacked(bundle, config["MAX_UNPACKED_BYTES"])) if bundle else None
        # Local reads only inside the job's own directory; none at all without assets.
        policy = policy_for(config, base_dir=str(root) if root else None)
        path = str(root / bundle.document) if root and bundle else ""
        with Cancellable(store.redis, job_id):
            return render_pdf(html, on_progress, policy=policy, path=path)


def limit_memory(megabytes: int) -> None:
    """Cap this pool process's address space: a bomb becomes a MemoryError, not an OOM kill."""
    limit = megabytes * 2**20
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != limit and (hard == resource.RLIM_INFINITY or limit <= hard):
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _fail(reporter: Reporter, message: str) -> NoReturn:
    reporter.failed(message)
    # Celery's own record of the task says FAILURE too, with the same words.
    raise RenderFailed(message)
