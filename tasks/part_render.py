"""Render one part of a job: a batch's document with the job's page options, or a split's part as it is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tasks.convert import job_files, written_for
from tasks.document.page_setup import PageOptions
from tasks.document.policy import policy_for
from tasks.job.record import BATCH, Parts
from tasks.job.store import JobStore
from tasks.render.progress import ProgressCallback
from tasks.render.renderer import RenderResult, render_pdf


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
        # Prepared whole, before it was cut (tasks/split_job.py).
        return render_pdf(html, on_progress, policy=policy, path=path, written_for="xhtml2pdf")
