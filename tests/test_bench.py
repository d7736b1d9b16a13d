"""Smoke runs of the benchmarks at --quick sizes: they produce figures and their checks hold (no timing asserted)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench.__main__ import BENCHMARKS
from bench.report import Result, table

# Fidelity compares against Chromium's print and reads PDFs with poppler's pdftotext; its quick
# run takes ~12 s with both. Its measures are tested on their own in test_bench_fidelity.py.
NEEDS_CHROMIUM = {"fidelity": "not smoke-run here (Chromium prints each document): see test_bench_fidelity.py"}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.skip(reason=NEEDS_CHROMIUM[name])) if name in NEEDS_CHROMIUM else name
        for name in BENCHMARKS
    ],
)
def test_a_quick_run_produces_its_figures_and_its_checks_hold(name: str, tmp_path: Path) -> None:
    result: Result = BENCHMARKS[name](tmp_path, True)

    assert result.name == name
    assert result.figures, "a benchmark without figures"
    assert all(math.isfinite(figure.value) for figure in result.figures), table([result])
    assert any(figure.target for figure in result.figures), "each target has its figure"
    assert result.checks, "a benchmark without correctness checks"
    assert result.ok, {check: held for check, held in result.checks.items() if not held}
    assert result.details
