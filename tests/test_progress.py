"""The progress model: one percent that never goes back, throttled, stage changes always sent."""

from __future__ import annotations

import pytest

from tasks.render.progress import (
    FINISHING_COST,
    LAYOUT_END,
    PARSE_END,
    WRITE_END,
    Progress,
    ProgressTracker,
    Shares,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def tracker(min_interval: float = 0.0) -> tuple[ProgressTracker, list[Progress], FakeClock]:
    steps: list[Progress] = []
    clock = FakeClock()
    return ProgressTracker(steps.append, min_interval=min_interval, clock=clock), steps, clock


def test_parse_then_layout_fill_the_bar_in_order() -> None:
    progress, steps, _ = tracker()
    progress.reading(50, 100)
    progress.parsing(100, 100)
    progress.layout_event("SIZE_EST", 10)
    for flowable in range(1, 11):
        progress.layout_event("PROGRESS", flowable)
    assert [step.stage for step in steps][:2] == ["parsing", "parsing"]
    assert steps[1].percent == PARSE_END
    assert steps[-1].stage == "layout"
    assert steps[-1].percent == LAYOUT_END


def test_multi_pass_layout_never_goes_backwards() -> None:
    progress, steps, _ = tracker()
    progress.parsing(10, 10)
    for number in (1, 2, 3):
        progress.layout_event("PASS", number)
        progress.layout_event("SIZE_EST", 100)
        for flowable in range(0, 101, 5):
            progress.layout_event("PROGRESS", flowable)
    percents = [step.percent for step in steps]
    assert percents == sorted(percents)
    assert percents[-1] <= LAYOUT_END
    # Every pass moves the bar: the last pass still reports fresh figures.
    assert len(set(percents)) > 30


def test_steps_are_throttled_by_time_but_stage_changes_always_pass() -> None:
    progress, steps, clock = tracker(min_interval=1.0)
    progress.parsing(1, 100)
    for done in range(2, 101):
        progress.parsing(done, 100)
    assert len(steps) == 1
    clock.now = 2.0
    progress.parsing(100, 100)
    progress.layout_event("SIZE_EST", 5)
    assert [step.stage for step in steps] == ["parsing", "parsing", "layout"]


def test_pages_are_counted_as_layout_goes() -> None:
    progress, steps, _ = tracker()
    progress.layout_event("SIZE_EST", 4)
    progress.layout_event("PAGE", 1)
    progress.layout_event("PROGRESS", 2)
    progress.layout_event("PAGE", 2)
    progress.layout_event("PROGRESS", 4)
    assert steps[-1].pages == 2
    assert steps[-1].as_dict() == {"percent": LAYOUT_END, "stage": "layout", "pages": 2, "current": 4, "total": 4}


def test_finishing_steps_get_their_own_share_after_the_render() -> None:
    alone, finished = Shares(), Shares(("stamp", "protect", "sign"))
    assert alone.render(WRITE_END) == WRITE_END and alone.finishing(0) == WRITE_END
    ends = [finished.finishing(done) for done in range(4)]
    assert finished.render(WRITE_END) == ends[0] < ends[1] < ends[2] < ends[3] == WRITE_END
    # Each step's share is in proportion to its cost beside the render.
    render_share = ends[0]
    for index, step in enumerate(finished.steps):
        assert ends[index + 1] - ends[index] == pytest.approx(render_share * FINISHING_COST[step], abs=0.11)
    render = [finished.render(percent) for percent in range(100)]
    assert render == sorted(render) and render[-1] <= ends[0]
