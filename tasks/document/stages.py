"""The stages a job's bar names, in the order a job passes them: the one list the API, the page and the code share."""

from __future__ import annotations

from enum import StrEnum
from typing import TypedDict


class Stage(StrEnum):
    """Where a job is; the renderer's own stages are `PARSING` to `RENDERED`."""

    QUEUED = "queued"
    PARSING = "parsing"
    # A CJK font converted at run time, because the install step did not (tasks/fonts/cjk.py): within the
    # parse, which resumes after it.
    FONTS = "fonts"
    LAYOUT = "layout"
    WRITING = "writing"
    RENDERED = "rendered"
    FINISHING = "finishing"  # stamping, encrypting, signing the rendered PDF (options.stamp|protect|sign)
    STORING = "storing"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ProgressRecord(TypedDict):
    """A job's `progress`, as the job JSON carries it."""

    percent: float
    stage: Stage
    pages: int
    current: int
    total: int
