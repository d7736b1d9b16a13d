"""Render one part of a job: a batch's document with the job's page options, or a split's part as it is."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from typing import Any

from tasks.assets import unpacked
from tasks.page_setup import PageOptions
from tasks.policy import policy_for
from tasks.progress import ProgressCallback
from tasks.renderer import RenderResult, render_pdf
from tasks.store import JobStore, key

# Set on a job rendered in parts of one document (tasks/split_job.py): how many parts.
SPLIT_FIELD = "split"


def render_part(
    store: JobStore, job_id: str, html: str, config: Mapping[str, Any], on_progress: ProgressCallback
) -> RenderResult:
    """Render `html`, one part of job `job_id`.

    A part of a split document is a whole document already (its page options
    were applied before it was cut) and may use the job's images, CSS and
    fonts, unpacked beside it as for a single render. A batch's document gets
    the job's page options.
    """
    if store.redis.hget(key(job_id), SPLIT_FIELD) is None:
        return render_pdf(PageOptions(**store.options(job_id)).apply(html), on_progress, policy=policy_for(config))
    bundle = store.assets(job_id)
    with ExitStack() as stack:
        root = stack.enter_context(unpacked(bundle, config["MAX_UNPACKED_BYTES"])) if bundle else None
        path = str(root / bundle.document) if root and bundle else ""
        return render_pdf(html, on_progress, policy=policy_for(config, base_dir=str(root) if root else None), path=path)
