"""No function in the service, its client, its benchmarks or the shared harness above radon's grade C."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from radon.complexity import cc_visit
from radon.visitors import Function

from harness.processes import ROOT

#: Radon grades 21 and above D or worse: a function too branched to read at once.
MAX_COMPLEXITY = 20
CHECKED = ("tasks", "webapp", "bench", "html2pdf_client", "harness", "wsgi.py", "dev.py")


def sources() -> Iterator[Path]:
    for name in CHECKED:
        path = ROOT / name
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path]


def functions(code: str) -> Iterator[Any]:
    """Every function and method in `code`, nested ones too (radon counts a closure apart from its parent)."""
    stack = [block for block in cc_visit(code) if isinstance(block, Function)]
    while stack:
        function = stack.pop()
        yield function
        stack.extend(function.closures)


def test_every_checked_place_is_there() -> None:
    assert all((ROOT / name).exists() for name in CHECKED)


def test_no_function_is_more_complex_than_20() -> None:
    too_complex = sorted(
        f"{path.relative_to(ROOT)}:{function.lineno} {function.fullname} ({function.complexity})"
        for path in sources()
        for function in functions(path.read_text(encoding="utf-8"))
        if function.complexity > MAX_COMPLEXITY
    )
    assert not too_complex, "split these into named steps:\n" + "\n".join(too_complex)
