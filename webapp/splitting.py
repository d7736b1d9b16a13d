"""Whether a submitted document renders in parts: the `split` option, a cheap look, the processes alive."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, cast

from flask import Flask, Request, current_app
from flask.blueprints import BlueprintSetupState

from tasks.convert import convert
from tasks.split.plan import MIN_PART_BYTES, html_size
from tasks.split_job import split_render
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


def on_register(state: BlueprintSetupState) -> None:
    """Once per app: workers register their processes (webapp/capacity.py)."""
    capacity.init_app(cast(Flask, state.app))


def read_mode(request: Request) -> str:
    """`split` from the JSON body, the form, or the query string of a raw body; "auto" when absent."""
    if request.mimetype == "multipart/form-data":
        value: object = request.form.get(FIELD)
    elif request.mimetype == "application/json":
        body = request.get_json(silent=True)  # cached, for read_submission
        value = body.get(FIELD) if isinstance(body, dict) else None
    else:
        value = request.args.get(FIELD)
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
    single = convert.name, [job_id]
    redis = current_app.extensions["redis"]
    if mode == "never":
        return Route(*single, {"path": "single", "reason": 'split "never" was asked'})
    if mode == "always":
        return Route(split_render.name, [job_id, mode, capacity.worker_processes(redis)])
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
        return Route(split_render.name, [job_id, mode, processes])
    return Route(*single, {"path": "single", "reason": reason})
