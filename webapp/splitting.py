"""Whether a submitted document renders in parts: the `split` option, a cheap look, the processes alive."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from tasks.sending import CONVERT, SPLIT_RENDER
from tasks.split.sizes import MIN_PART_BYTES, html_size
from webapp import capacity
from webapp.errors import ApiError

FIELD = "split"
MODES = ("auto", "always", "never")
# Any sign that something starts a new page: a style, a class rule or a tag.
_BREAK_HINT = re.compile(
    r"page-break-(?:before|after)\s*:\s*always|break-(?:before|after)\s*:\s*page|<pdf:nextpage", re.IGNORECASE
)


@dataclass(frozen=True)
class Route:
    """The task a job goes to, its arguments, and the `render` the job says at once (if known yet)."""

    task: str
    args: list[Any] = field(default_factory=list)
    render: dict[str, Any] | None = None


def check_mode(value: object) -> str:
    """The `split` a submission sent (JSON member, form field or query string), checked; "auto" when absent."""
    if value is None:
        return "auto"
    if value not in MODES:
        raise ApiError(400, "bad_split", f"'{FIELD}' must be one of {', '.join(MODES)}.")
    return str(value)


def route(job_id: str, html: str, mode: str) -> Route:
    """Where a single document goes: rendered whole (`tasks.convert`), or analysed for a split on a worker.

    The web tier only looks: the split itself parses the document (0.2-0.4 s
    for 120 pages), which would hold up every other request of this gevent
    process. "auto" asks for a document long enough for two parts worth a
    task each, with some page break in it, and two worker processes or more.
    """
    single = CONVERT, [job_id]
    redis = current_app.extensions["redis"]
    if mode == "never":
        return Route(*single, {"path": "single", "reason": 'split "never" was asked'})
    if mode == "always":
        return Route(SPLIT_RENDER, [job_id, mode, capacity.worker_processes(redis)])
    size = len(html.encode("utf-8"))
    if current_app.config["SPLIT_MAX_PARTS"] < 2:
        reason = "this service does not split documents (SPLIT_MAX_PARTS=1)"
    elif size < 2 * MIN_PART_BYTES:
        reason = f"it is too short to gain from splitting ({html_size(size)} of HTML)"
    elif _BREAK_HINT.search(html) is None:
        reason = "nothing in it starts a new page"
    elif (processes := capacity.worker_processes(redis)) < 2:
        reason = f"fewer than two worker processes are running ({processes})"
    else:
        return Route(SPLIT_RENDER, [job_id, mode, processes])
    return Route(*single, {"path": "single", "reason": reason})
