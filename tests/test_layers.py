"""The worker's layers point one way (issue 20): document < engines < job runtime; the web tier apart."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Each package or module of `tasks/` and the layer it belongs to; a module may import its own layer and below.
#: Within the engines, each names the engines it may use: the renderer prepares, the split renders.
LAYERS: dict[str, int] = {
    "tasks.document": 0,
    "tasks.fonts": 1,
    "tasks.nesting": 1,
    "tasks.prepare": 2,
    "tasks.render": 3,
    "tasks.split": 4,
    "tasks.job": 5,
    "tasks.delivery": 5,
}
RUNTIME = 6  # the task modules and what they share (tasks/*.py)
FORBIDDEN_IN_ENGINES = ("celery", "flask", "webapp", "kombu", "redis")


def layer(module: str) -> int:
    for package, rank in LAYERS.items():
        if module == package or module.startswith(package + "."):
            return rank
    return RUNTIME


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted((ROOT / "tasks").rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found.append((name, path))
    return found


def imports(path: Path) -> list[str]:
    """Every module `path` imports, type-checking-only imports included (they are dependencies too)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize(("name", "path"), modules(), ids=[name for name, _ in modules()])
def test_no_import_runs_back_up_a_layer(name: str, path: Path) -> None:
    upward = [module for module in imports(path) if module.startswith("tasks") and layer(module) > layer(name)]
    assert not upward, f"{name} (layer {layer(name)}) imports a higher layer: {upward}"
    if layer(name) < layer("tasks.job"):
        outside = [module for module in imports(path) if module.split(".")[0] in FORBIDDEN_IN_ENGINES]
        assert not outside, f"{name} is below the job runtime but imports {outside}"


def test_the_renderer_renders_alone_without_celery_or_flask() -> None:
    script = (
        "import sys\n"
        "from tasks.render.renderer import render_pdf\n"
        "result = render_pdf('<!doctype html><p style=\"display:flex\">Alone</p>')\n"
        "assert result.pdf.startswith(b'%PDF') and result.pages == 1\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'celery', 'flask', 'kombu', 'redis', 'webapp'})\n"
        "print(','.join(loaded) or 'none')\n"
    )
    assert run_alone(script) == "none"


def run_alone(script: str) -> str:
    """What `script` prints, run in a Python process of its own."""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_web_tier_loads_no_engine() -> None:
    script = (
        "import sys\n"
        "from webapp import create_app\n"
        "app = create_app({'REDIS_URL': 'redis://127.0.0.1:1/0'})\n"
        "assert 'tasks.convert' in app.extensions['celery'].conf.include\n"
        "engines = {'xhtml2pdf', 'reportlab.platypus', 'reportlab.pdfbase', 'html5lib', 'pypdf', 'lxml'}\n"
        "engines |= {'tasks.render', 'tasks.prepare', 'tasks.convert'}\n"
        "print(','.join(sorted(m for m in sys.modules if m in engines)) or 'none')\n"
    )
    assert run_alone(script) == "none"
