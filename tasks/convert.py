"""The Celery task: load a job's HTML by id, render it, store the PDF."""

from __future__ import annotations

import logging
import resource
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import Any

from celery import Task, shared_task
from celery.exceptions import Ignore
from flask import current_app
from xhtml2pdf.config.resources import ResourceAccessPolicy

from tasks.document.assets import unpacked
from tasks.document.page_setup import PageOptions
from tasks.document.policy import policy_for
from tasks.finish import Finish
from tasks.job.record import Receipt, receipt
from tasks.job.store import JobStore
from tasks.prepare import Prepared
from tasks.render.progress import Progress, ProgressCallback
from tasks.render.renderer import RenderResult, prepare_document, render_pdf
from tasks.reporting import JobEnded, Reporter, open_job

log = logging.getLogger(__name__)


@shared_task(bind=True, ignore_result=False, name="tasks.convert")
def convert(self: Task, job_id: str) -> Receipt | None:
    """Render job `job_id`; its state, progress and PDF go to the job store, its receipt to Celery's result."""
    return render_whole(self, job_id)


def render_whole(
    task: Task, job_id: str, reporter: Reporter | None = None, prepared: Prepared | None = None
) -> Receipt | None:
    """Render job `job_id` in one piece, as `task` (`tasks.convert`, or a split that decided not to split,
    handing on its `reporter` and the document it `prepared`, given its page options already)."""
    config = current_app.config
    reporter = reporter or open_job(task, job_id)
    finish = Finish(reporter, config)
    store = reporter.store
    try:
        attempts = store.count_attempt(job_id)
        with finish.guard():
            finish.check_attempts(attempts)
        reporter.started(retrying=attempts > 1)
        limit_memory(config["WORKER_MEMORY_MB"])

        def on_progress(step: Progress) -> None:
            finish.check_pages(step.pages)
            reporter.progress(step)

        with finish.guard("render"), finish.watched():
            result = _render(store, job_id, config, on_progress, prepared)
        finish.succeed(result)
    except JobEnded:
        log.info("job %s was cancelled or deleted while it ran", job_id)
        raise Ignore() from None
    return receipt(reporter.job)


def _render(
    store: JobStore,
    job_id: str,
    config: Mapping[str, Any],
    on_progress: ProgressCallback,
    prepared: Prepared | None = None,
) -> RenderResult:
    """Render the job's HTML with its page options (or the document already `prepared`), its assets unpacked
    beside it."""
    options = PageOptions(**store.options(job_id))
    with job_files(store, job_id, config) as (policy, path):
        if prepared is not None:
            return render_pdf(prepared, on_progress, policy=policy, path=path)
        html = store.html(job_id) or ""
        return render_pdf(
            html, on_progress, policy=policy, path=path, options=options, written_for=written_for(options)
        )


def prepared_html(store: JobStore, job_id: str, config: Mapping[str, Any]) -> Prepared:
    """The job's document prepared and given its page options: what a split cuts into parts."""
    options = PageOptions(**store.options(job_id))
    with job_files(store, job_id, config) as (policy, path):
        prepared = prepare_document(store.html(job_id) or "", written_for(options), policy=policy, path=path)
    return Prepared(options.apply(prepared.html), prepared.report)


@contextmanager
def job_files(store: JobStore, job_id: str, config: Mapping[str, Any]) -> Iterator[tuple[ResourceAccessPolicy, str]]:
    """The job's resource policy and its document's path, its assets unpacked beside it meanwhile."""
    bundle = store.assets(job_id)
    with ExitStack() as stack:
        root = stack.enter_context(unpacked(bundle, config["MAX_UNPACKED_BYTES"])) if bundle else None
        # Local reads only inside the job's own directory; none at all without assets.
        policy = policy_for(config, base_dir=str(root) if root else None)
        yield policy, str(root / bundle.document) if root and bundle else ""


def written_for(options: PageOptions) -> str:
    """Who the job's document was written for, as the preparation stage takes it."""
    return options.written_for or "auto"


def limit_memory(megabytes: int) -> None:
    """Cap this pool process's address space: a bomb becomes a MemoryError, not an OOM kill."""
    limit = megabytes * 2**20
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != limit and (hard == resource.RLIM_INFINITY or limit <= hard):
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
