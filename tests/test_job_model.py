"""The job model (issue 20): one list of stages, named transitions, and no state changed by hand."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from tasks.document.stages import Stage
from tasks.job import record
from tasks.job.record import FAILURE, PENDING, PROGRESS, RETRY, REVOKED, STARTED, SUCCESS, new_job_id

ROOT = Path(__file__).resolve().parents[1]
#: The job's fields a transition sets; nothing else may assign them.
MODEL_FIELDS = {"state", "progress", "error", "pdf", "fidelity", "render", "updated_at", "stage"}


def test_the_api_document_and_the_page_know_every_stage_and_no_other() -> None:
    openapi = json.loads((ROOT / "webapp/openapi.json").read_text())
    enum = openapi["components"]["schemas"]["Progress"]["properties"]["stage"]["enum"]
    assert enum == [stage.value for stage in Stage]
    script = (ROOT / "static/js/format.js").read_text()
    body = script[script.index("export function stageText") :]
    body = body[: body.index("\n}\n")]
    assert re.findall(r'case "([a-z]+)":', body) == [stage.value for stage in Stage]


def test_each_transition_gives_the_state_and_stage_it_names() -> None:
    job = record.queued("j1", "a.pdf", parts=3)
    assert (job["state"], job["progress"]["stage"], job["progress"]["total"]) == (PENDING, Stage.QUEUED, 3)
    routed = record.routed(job, {"path": "single", "reason": "short"})
    assert routed["render"] == {"path": "single", "reason": "short"} and "render" not in job, "a new job, not a change"
    began = record.started(job, total=3)
    assert (began["state"], began["progress"]["stage"]) == (STARTED, Stage.PARSING)
    assert record.started(job, retrying=True)["state"] == RETRY
    step = record.progress(Stage.LAYOUT, 50.0, 4, 2, 3)
    moved = record.advanced(began, step)
    assert (moved["state"], moved["progress"]) == (PROGRESS, step)
    done = record.succeeded(moved, 1234, 5, {"mode": "browser"})
    assert done["state"] == SUCCESS and done["pdf"] == {"url": "/api/jobs/j1/pdf", "bytes": 1234, "pages": 5}
    assert done["progress"] == record.progress(Stage.DONE, 100.0, 5, 3, 3) and done["fidelity"] == {"mode": "browser"}
    error = {"code": "layout", "message": "too tall"}
    broken = record.failed(moved, error)
    assert (broken["state"], broken["error"], broken["progress"]["stage"]) == (FAILURE, error, Stage.FAILED)
    assert broken["progress"]["percent"] == 50.0, "the bar stays where it stopped"
    stopped = record.cancelled(moved)
    assert (stopped["state"], stopped["progress"]["stage"]) == (REVOKED, Stage.CANCELLED)
    gone = record.lost(moved)
    assert (gone["state"], gone["error"]) == (FAILURE, record.LOST)
    copy = record.reused_from(record.queued("j2", "b.pdf"), done)
    assert copy["state"] == SUCCESS and copy["pdf"] == {**done["pdf"], "url": "/api/jobs/j2/pdf"}
    assert copy["id"] == "j2" and copy["fidelity"] == done["fidelity"]


def python_files() -> list[Path]:
    return [path for folder in ("tasks", "webapp") for path in sorted((ROOT / folder).rglob("*.py"))]


@pytest.mark.parametrize("path", python_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_module_changes_a_jobs_state_by_hand(path: Path) -> None:
    if path == ROOT / "tasks/job/record.py":
        return
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AugAssign) else []
        )
        for target in targets:
            if isinstance(target, ast.Subscript) and _names_a_job(target.value) and _key(target) in MODEL_FIELDS:
                found.append(f"line {getattr(node, 'lineno', 0)}: {ast.unparse(target)} = ...")
        if _updates_a_job(node):
            found.append(f"line {getattr(node, 'lineno', 0)}: {ast.unparse(node)}")
    assert not found, f"change the job through tasks/job/record.py's transitions: {found}"


def _updates_a_job(node: ast.AST) -> bool:
    """`job.update(state=...)` and the like."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update"):
        return False
    return _names_a_job(node.func.value) and bool({keyword.arg for keyword in node.keywords} & MODEL_FIELDS)


def _names_a_job(node: ast.expr) -> bool:
    return "job" in ast.unparse(node).lower()


def _key(target: ast.Subscript) -> object:
    return target.slice.value if isinstance(target.slice, ast.Constant) else None


#: What a Redis key or channel name of this service looks like, written out.
KEY_NAME = re.compile(
    r"^(?:pdf(?:job|owned|name|quota|metrics|hook):|pdfworkers$|healthz:|replication:|job:|result:|idem:)"
)


@pytest.mark.parametrize("path", python_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_redis_keys_are_named_in_one_module(path: Path) -> None:
    if path == ROOT / "tasks/job/keys.py":
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(statement.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and ast.get_docstring(node) is not None
        for statement in node.body[:1]
        if isinstance(statement, ast.Expr)
    }
    spelled = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and KEY_NAME.match(node.value)
    ]
    assert not spelled, f"name Redis keys in tasks/job/keys.py: {spelled}"


def test_no_job_id_begins_with_a_dash_a_command_line_would_read_as_an_option() -> None:
    # token_urlsafe begins one id in 64 with "-": among 5,000 that is about 78 ids, none here.
    ids = [new_job_id() for _ in range(5000)]
    assert not [job_id for job_id in ids if job_id.startswith("-")]
    assert len(set(ids)) == len(ids) and all(len(job_id) == 24 for job_id in ids)
