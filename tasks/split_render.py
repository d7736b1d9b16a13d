"""One long document rendered in parts on the free workers: decide, queue the parts, join them (Celery side).

The web tier queues `tasks.split_render` for a document that may gain from
a split (webapp/splitting.py). It parses the document on a worker (0.2-0.4 s
for a 120-page report: too long to block a gevent web process), then either
renders it whole right there, saying why in the job's `render`, or stores the
parts in the job's record and queues them in the chord every job rendered in
parts uses (tasks/convert_part.py), as a split: `tasks.convert_part` per part, then
`tasks.merge_parts` (tasks/merge_parts.py), which draws the page numbers and joins them.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.exceptions import Ignore
from flask import current_app
from xhtml2pdf.config.resources import ResourceAccessPolicy

from tasks.convert import limit_memory, prepared_html, render_whole
from tasks.document.bounds import clip
from tasks.document.failures import INPUT_FAULTS
from tasks.document.policy import policy_for
from tasks.finish import Finish
from tasks.job.record import SPLIT, Receipt, receipt, routed
from tasks.reporting import JobEnded, open_job
from tasks.sending import dispatch
from tasks.split.plan import Plan, plan
from tasks.split.sizes import MIN_PART_BYTES

log = logging.getLogger(__name__)

# The joining step's share of the bar: drawing the page numbers and joining
# took about a tenth of the parts' time on a 120-page report, joining alone a thirtieth.
JOIN_SHARE = {True: 0.10, False: 0.03}


@shared_task(bind=True, ignore_result=False, name="tasks.split_render")
def split_render(self: Task, job_id: str, mode: str, processes: int) -> Receipt | None:
    """Cut job `job_id`'s document into parts and queue them; or render it whole, saying why."""
    config = current_app.config
    reporter = open_job(self, job_id)
    store = reporter.store
    if store.split_queued(job_id):
        raise Ignore()  # an earlier delivery queued the parts already
    attempts = store.count_split_attempt(job_id)
    finish = Finish(reporter, config)
    try:
        with finish.guard():
            finish.check_attempts(attempts)
        limit_memory(config["WORKER_MEMORY_MB"])
        # Preparing and analysing run under the watchdog, as a render does: a cancel or the time limit
        # stops them even inside a library's `except Exception`.
        with finish.guard("prepare it"), finish.watched():
            prepared = prepared_html(store, job_id, config)
            cut = _plan(prepared.html, mode, processes, config["SPLIT_MAX_PARTS"], policy_for(config))
        if not cut.split:
            reporter.job = routed(reporter.job, {"path": "single", "reason": _said(cut.reason, mode)})
            # As this task, the document handed on prepared: no second trip through the queue or the stage.
            return render_whole(self, job_id, reporter, prepared)
        count = len(cut.parts)
        parts = [(part.name, part.html) for part in cut.parts]
        join_share = JOIN_SHARE[cut.overlay is not None]
        store.store_split(job_id, parts, cut.overlay, prepared.report.as_dict(), join_share)
        reporter.job = routed(reporter.job, {"path": "split", "parts": count})
        reporter.started(retrying=attempts > 1, total=count)
    except JobEnded:
        raise Ignore() from None
    dispatch(self.app, job_id, count, SPLIT)
    store.mark_split_queued(job_id)
    return receipt(reporter.job)


def _plan(html: str, mode: str, processes: int, max_parts: int, policy: ResourceAccessPolicy) -> Plan:
    """How to render: "always" splits whenever a split is right, into as many parts as processes (2 at least);
    "auto" also needs parts of MIN_PART_BYTES."""
    parts = min(max(max_parts, 2), max(processes, 2))
    try:
        return plan(html, parts, 0 if mode == "always" else MIN_PART_BYTES, policy)
    except INPUT_FAULTS:
        log.warning("could not analyse the document for a split", exc_info=True)
        return Plan(reason="the document could not be analysed for a split")


def _said(reason: str | None, mode: str) -> str:
    """Why the document renders whole, as the job's `render` says it; a reason can quote a link's target."""
    reason = clip(reason or "it has nothing to split")
    return f'split "always" was asked, but {reason}' if mode == "always" else reason
