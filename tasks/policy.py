"""The one resource policy every parse of a job's document or CSS runs under, with its time budget."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from xhtml2pdf.config.resources import ResourceAccessPolicy, render_budget, use_policy

from tasks.renderer import server_policy


def policy_for(config: Mapping[str, Any], base_dir: str | None = None) -> ResourceAccessPolicy:
    """The resource policy for a job under the app's settings: render, split analysis, parts, overlays."""
    return server_policy(
        allowed_hosts=config["ALLOWED_HOSTS"],
        # A backstop behind Celery's soft time limit, which fires first and
        # lets the job say how long it was allowed.
        max_render_seconds=config["RENDER_TIME_LIMIT"] + 15,
        base_dir=base_dir,
    )


@contextmanager
def guarded(policy: ResourceAccessPolicy) -> Iterator[None]:
    """Run a block as xhtml2pdf runs a render: every fetch and file read asks `policy`, within its time budget.

    Code that parses HTML or CSS with xhtml2pdf's pieces outside pisaDocument
    (the split analysis) would otherwise fall back to xhtml2pdf's permissive
    policy, which reads local files and fetches any URL. A render started
    inside the block shares its budget.
    """
    with use_policy(policy), render_budget(policy):
        yield
