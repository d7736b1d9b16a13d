"""The one resource policy every parse of a job's document or CSS runs under, with its time budget."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from xhtml2pdf.config.resources import ResourceAccessPolicy, render_budget, use_policy

from tasks.document.image_budget import MAX_DOCUMENT_PIXELS, ServerPolicy


def server_policy(
    *,
    allowed_hosts: frozenset[str] = frozenset(),
    max_render_seconds: float = 300,
    max_depth: int = 200,
    base_dir: str | None = None,
) -> ResourceAccessPolicy:
    """xhtml2pdf's policy for untrusted HTML: every limit on, no disk, no network.

    Remote fetches happen only for `allowed_hosts`, and even then never to
    private, loopback or link-local addresses (xhtml2pdf checks every hop).
    """
    return ServerPolicy.server(
        base_dir,
        max_document_pixels=MAX_DOCUMENT_PIXELS,
        # The web tier bounds the document's size before it is queued; left
        # on, xhtml2pdf would read the source whole and html5lib's reads of it
        # could no longer be followed.
        max_document_bytes=None,
        allow_remote=bool(allowed_hosts),
        allowed_hosts=allowed_hosts or None,
        max_render_seconds=max_render_seconds,
        max_depth=max_depth,
    )


def policy_for(config: Mapping[str, Any], base_dir: str | None = None) -> ResourceAccessPolicy:
    """The resource policy for a job under the app's settings: render, split analysis, parts, overlays."""
    return server_policy(
        allowed_hosts=config["ALLOWED_HOSTS"],
        # A backstop behind Celery's soft time limit, which fires first and
        # lets the job say how long it was allowed.
        max_render_seconds=config["RENDER_TIME_LIMIT"] + 15,
        max_depth=config["MAX_DEPTH"],
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
