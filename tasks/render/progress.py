"""Map the renderer's raw events onto one monotonic, throttled progress figure."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from tasks.document.stages import ProgressRecord, Stage

# Share of the bar each phase fills. Parsing (html5lib, CSS, building the
# story) is a quarter to a half of a render and has no callback of its own.
READ_END = 8.0
PARSE_END = 40.0
LAYOUT_END = 95.0
WRITE_END = 99.0
# A job that asks for finishing steps (options.stamp|protect|sign, tasks/finishing) gives each a
# share of the bar as large as its cost beside the render (bench/finishing.py, the 20-page
# report; a little above the measured ratio), and the render's shares above shrink to make room:
# the bar keeps one pace to the end.
FINISHING_COST = {"stamp": 0.04, "protect": 0.03, "sign": 0.05}


@dataclass(frozen=True)
class Progress:
    """One step of a render, as a bar and a status line show it."""

    stage: Stage
    percent: float
    pages: int = 0
    current: int = 0
    total: int = 0

    def as_dict(self) -> ProgressRecord:
        return {
            "percent": self.percent,
            "stage": self.stage,
            "pages": self.pages,
            "current": self.current,
            "total": self.total,
        }


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class Shares:
    """How a job's bar is shared between its render and the finishing `steps` it asked for, in their order."""

    steps: tuple[str, ...] = ()

    @property
    def scale(self) -> float:
        """What the render's own percent is multiplied by: 1 with no finishing."""
        return 1 / (1 + sum(FINISHING_COST[step] for step in self.steps))

    def render(self, percent: float) -> float:
        """The bar at the render's `percent`."""
        return round(percent * self.scale, 1)

    def finishing(self, done: int) -> float:
        """The bar once the first `done` finishing steps are done: where the render ends for 0, WRITE_END for all."""
        cost = sum(FINISHING_COST[step] for step in self.steps[:done])
        return round(WRITE_END * self.scale * (1 + cost), 1)


class ProgressTracker:
    """Turns parse and layout events into `Progress`, never going backwards.

    A step is passed on when the stage changes, or when the bar has moved by
    at least `min_step` points and `min_interval` seconds have passed, so a
    long render reports often enough to watch and cheaply enough not to notice.
    """

    def __init__(
        self,
        emit: ProgressCallback,
        *,
        min_step: float = 1.0,
        min_interval: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._emit = emit
        self._min_step = min_step
        self._min_interval = min_interval
        self._clock = clock
        self._percent = 0.0
        self._sent_percent = -1.0
        self._sent_at = float("-inf")
        self._stage: Stage | None = None
        self._pages = 0
        self._current = 0
        self._total = 0
        # Layout: the slice of the bar the current pass fills.
        self._pass = 0
        self._pass_start = PARSE_END
        self._pass_end = LAYOUT_END

    @property
    def percent(self) -> float:
        return self._percent

    def reading(self, done: int, total: int) -> None:
        """html5lib has read `done` of the document's `total` bytes."""
        total = max(total, done, 1)
        self._advance(Stage.PARSING, READ_END * done / total, done, total)

    def parsing(self, done: int, total: int) -> None:
        """`done` of about `total` elements have been turned into the story."""
        total = max(total, done, 1)
        span = PARSE_END - READ_END
        self._advance(Stage.PARSING, READ_END + span * done / total, done, total)

    def layout_event(self, kind: str, value: int) -> None:
        """ReportLab's `setProgressCallBack` events, as they come."""
        if kind == "PASS":
            self._start_pass(value)
        elif kind == "SIZE_EST":
            self._total = max(value, 1)
            self._advance(Stage.LAYOUT, self._pass_start, 0, self._total)
        elif kind == "PROGRESS":
            span = self._pass_end - self._pass_start
            done = min(value, self._total)
            percent = self._pass_start + span * done / max(self._total, 1)
            self._advance(Stage.LAYOUT, percent, done, self._total)
        elif kind == "PAGE":
            self._pages = value
            self._advance(Stage.LAYOUT, self._percent, self._current, self._total)

    def stage(self, stage: Stage, percent: float) -> None:
        """Enter a stage of the render that has no finer events of its own."""
        self._advance(stage, percent, 0, 0)

    def _start_pass(self, number: int) -> None:
        # Documents with a table of contents or page totals are laid out two
        # or three times. The first pass takes half the layout slice, each
        # later one most of what is left, so the bar keeps moving forward.
        self._pass = number
        if number == 1:
            self._pass_start, self._pass_end = PARSE_END, (PARSE_END + LAYOUT_END) / 2
        else:
            self._pass_start = max(self._percent, self._pass_end)
            self._pass_end = self._pass_start + (LAYOUT_END - self._pass_start) * 0.75

    def _advance(self, stage: Stage, percent: float, current: int, total: int) -> None:
        self._percent = max(self._percent, min(round(percent, 1), 100.0))
        self._current, self._total = current, total
        now = self._clock()
        changed_stage = stage != self._stage
        moved = self._percent - self._sent_percent >= self._min_step
        if changed_stage or (moved and now - self._sent_at >= self._min_interval):
            self._stage = stage
            self._sent_percent, self._sent_at = self._percent, now
            self._emit(Progress(stage, self._percent, self._pages, current, total))
