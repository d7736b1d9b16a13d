"""The first Korean job on a fresh install against its second run, with and without the install step's fonts."""

from __future__ import annotations

import time
from pathlib import Path

from bench.client import Api, watch
from bench.fonts import korean_letter
from bench.report import Figure, Result
from bench.stack import Stack
from harness.processes import BIN, ROOT
from tasks.fonts import cjk as cjk_fonts

DEADLINE = 600
# The first run may take this many times the second (issue 24: "within 2x").
TARGET_RATIO = 2.0


def install_step(directory: Path, quick: bool) -> float:
    """The install step for the Korean faces (what `python -m tasks.fonts.cjk` does for all, a font per core):
    seconds taken. Quick: the faces this machine converted already are copied, not converted again."""
    started = time.perf_counter()
    cjk_fonts.warm(directory, ("ko",), reuse=quick)
    return time.perf_counter() - started


def timed_job(base: str) -> tuple[float, list[str]]:
    """Seconds from submission to the `end` event of the Korean letter, and the stages its stream showed."""
    with Api(base) as api:
        started = time.perf_counter()
        job_id = api.submit(korean_letter(), "letter.pdf")
        events = watch(base, job_id, DEADLINE)
        seconds = time.perf_counter() - started
    stages = [str(event.job["progress"]["stage"]) for event in events]
    assert events[-1].job["state"] == "SUCCESS", events[-1].job
    return seconds, stages


def first_and_second(directory: Path, fonts: Path, cache: Path) -> tuple[float, float, list[str]]:
    """A fresh worker (no face registered yet) renders the letter twice."""

    class FreshStack(Stack):
        worker_env = {"CJK_FONTS_DIR": str(fonts), "XDG_CACHE_HOME": str(cache)}  # noqa: RUF012

    stack = FreshStack(directory)
    try:
        first, stages = timed_job(stack.base)
        second, _ = timed_job(stack.base)
    finally:
        stack.close()
    return first, second, stages


def run(workdir: Path, quick: bool) -> Result:
    fonts = workdir / "installed-fonts"
    install = install_step(fonts, quick)
    first, second, stages = first_and_second(workdir / "installed", fonts, workdir / "cache-installed")
    ratio = first / second
    result = Result("firstcjk", "The first Korean job on a fresh install (issue 24)")
    result.figures += [
        Figure("first Korean letter, fonts from the install step", first, "s"),
        Figure("second Korean letter, same worker", second, "s"),
        Figure("first / second", ratio, "x", f"<= {TARGET_RATIO:.0f}x", ratio <= TARGET_RATIO),
        Figure("install step, Korean sans + serif" + (" (copied: quick)" if quick else ""), install, "s"),
    ]
    result.checks["no conversion in the jobs: no `fonts` stage"] = "fonts" not in stages
    if not quick:
        # What the install step spares: the first job converts its face at run time, and the bar says so.
        bare, again, bare_stages = first_and_second(workdir / "bare", workdir / "no-fonts", workdir / "cache-bare")
        result.figures += [
            Figure("first Korean letter without the install step", bare, "s"),
            Figure("second, without the install step", again, "s"),
        ]
        result.checks["without the install step the bar says `fonts`"] = "fonts" in bare_stages
    result.details += [
        f"worker: {BIN.name}/celery, one prefork child, fresh for each pair; code under {ROOT.name}",
        f"stages of the first job after the install step: {' -> '.join(dict.fromkeys(stages))}",
    ]
    return result
