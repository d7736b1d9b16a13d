"""Figures and results, the printed table, machine facts, and docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped, unused-ignore]

from harness.processes import redis_server_binary

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
RESULTS = Path(__file__).resolve().parent / "results.json"
BEGIN = "<!-- bench:begin (written by `python -m bench`; edit outside these markers) -->"
END = "<!-- bench:end -->"
PACKAGES = (
    "xhtml2pdf",
    "reportlab",
    "html5lib",
    "pypdf",
    "Flask",
    "Flask-SSE",
    "celery",
    "kombu",
    "redis",
    "gunicorn",
    "gevent",
    "greenlet",
    "Flask-Limiter",
)


@dataclass
class Figure:
    """One measured number, with its target when it has one."""

    label: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None

    def shown(self) -> str:
        if self.unit == "x":
            return f"{self.value:.3f}x"
        if abs(self.value) >= 100 or self.value == int(self.value):
            return f"{self.value:,.0f} {self.unit}".strip()
        return f"{self.value:.2f} {self.unit}".strip()

    def verdict(self) -> str:
        return "" if self.met is None else ("met" if self.met else "MISSED")


def at_most(label: str, value: float, unit: str, limit: float) -> Figure:
    """A figure whose target is `value <= limit`."""
    return Figure(label, value, unit, f"≤ {limit:g} {unit}".replace(" x", "x").strip(), value <= limit)


def at_least(label: str, value: float, unit: str, limit: float) -> Figure:
    """A figure whose target is `value >= limit`."""
    return Figure(label, value, unit, f"≥ {limit:g} {unit}".replace(" x", "x").strip(), value >= limit)


def info(label: str, value: float, unit: str) -> Figure:
    """A figure reported without a target."""
    return Figure(label, value, unit)


@dataclass
class Result:
    """What one benchmark measured: figures, correctness checks and notes."""

    name: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    checks: dict[str, bool] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)
    quick: bool = False
    started: str = ""
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    seconds: float = 0.0
    code: str = ""

    @property
    def ok(self) -> bool:
        """Every correctness check held (timings are never checks)."""
        return all(self.checks.values())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        figures = [Figure(**figure) for figure in data.pop("figures")]
        load, after = tuple(data.pop("load")), tuple(data.pop("load_after", (0.0, 0.0, 0.0)))
        return cls(figures=figures, load=(load[0], load[1], load[2]), load_after=(after[0], after[1], after[2]), **data)


def stamp(result: Result, started: float) -> Result:
    """Record when and under what load `result` was measured."""
    result.started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    result.code = code_version()
    result.seconds = time.monotonic() - started
    return result


def table(results: list[Result]) -> str:
    """A plain-text table of every figure, for the terminal."""
    rows = [("benchmark", "figure", "value", "target", "")]
    for result in results:
        rows.extend(
            (result.name, figure.label, figure.shown(), figure.target, figure.verdict()) for figure in result.figures
        )
        failed = [name for name, held in result.checks.items() if not held]
        rows.append(
            (result.name, "correctness checks", "FAILED: " + ", ".join(failed) if failed else "all held", "", "")
        )
    widths = [max(len(row[column]) for row in rows) for column in range(5)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def machine() -> dict[str, str]:
    """The facts that make a figure comparable: CPU, cores, RAM, Python, versions."""
    model = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    versions = ", ".join(f"{name} {_version(name)}" for name in PACKAGES)
    redis = subprocess.run(
        [redis_server_binary(), "--version"], capture_output=True, text=True, timeout=10, check=False
    )
    redis_version = next((part[2:] for part in redis.stdout.split() if part.startswith("v=")), "unknown")
    return {
        "code": code_version(),
        "cpu": model,
        "cores": f"{os.cpu_count()} logical ({psutil.cpu_count(logical=False)} physical)",
        "ram": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": versions,
        "redis-server": redis_version,
    }


def _short(code: str) -> str:
    commit, _, changes = code.partition(" with ")
    return commit + (" with uncommitted changes (see Machine)" if changes else "")


def code_version() -> str:
    """The commit measured, and whether the service's code differed from it."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    changed = subprocess.run(
        [*git, "status", "--porcelain", "--", "webapp", "tasks", "wsgi.py", "gunicorn.conf.py", "requirements.txt"],
        capture_output=True,
        text=True,
        check=False,
    )
    files = [line[3:] for line in changed.stdout.splitlines()]
    return f"commit {head.stdout.strip() or 'unknown'}" + (
        f" with uncommitted changes to {', '.join(files)}" if files else ""
    )


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def save(results: list[Result], path: Path = RESULTS) -> dict[str, Any]:
    """Merge `results` into the stored results (one entry per benchmark) and return them all."""
    stored: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {"results": {}}
    stored["machine"] = machine()
    for result in results:
        stored["results"][result.name] = asdict(result)
    path.write_text(json.dumps(stored, indent=1, ensure_ascii=False) + "\n")
    return stored


def write_doc(stored: dict[str, Any], order: list[str], path: Path = DOC) -> None:
    """Rewrite the generated part of `path` from `stored`; text outside the markers stays."""
    results = [Result.from_dict(dict(stored["results"][name])) for name in order if name in stored["results"]]
    facts = stored["machine"]
    lines = [BEGIN, "", "## Machine", ""]
    lines += [f"- **{key}**: {value}" for key, value in facts.items()]
    lines += [
        "",
        "## Figures against targets",
        "",
        "| benchmark | figure | value | target | verdict |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        for figure in result.figures:
            verdict = {"met": "met", "MISSED": "**missed**"}.get(figure.verdict(), "")
            lines.append(f"| {result.name} | {figure.label} | {figure.shown()} | {figure.target} | {verdict} |")
    for result in results:
        load = ", ".join(f"{value:.2f}" for value in result.load)
        after = ", ".join(f"{value:.2f}" for value in result.load_after)
        held = "all held" if result.ok else "FAILED: " + ", ".join(k for k, v in result.checks.items() if not v)
        lines += ["", f"### {result.name}: {result.title}", ""]
        lines.append(
            f"Run {result.started}, took {result.seconds:.0f} s; load average (1, 5, 15 min) {load} before, "
            f"{after} after (the run itself adds up to 2). Code: {_short(result.code or facts['code'])}."
        )
        lines += [
            "",
            f"Correctness checks ({held}): "
            + "; ".join(f"{name} {'✓' if v else '✗'}" for name, v in result.checks.items()),
        ]
        lines += ["", *result.details]
    lines += ["", END]
    generated = "\n".join(lines)
    old = path.read_text() if path.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + generated + tail
    else:
        text = old.rstrip() + "\n\n" + generated + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
