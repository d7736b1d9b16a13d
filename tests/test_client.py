"""The command-line client as a user runs it: pip-installed, run from elsewhere, against gunicorn, a worker, Redis."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pypdf
import pytest
import requests

from html2pdf_client.cli import ProgressView, parser
from html2pdf_client.finishing import finishing_options
from tests.support import ROOT, UNRENDERABLE_HTML, UNRENDERABLE_MESSAGE, pdf_pages, report_html

TIMEOUT = 10
INSTALL_TIMEOUT = 180


def pip(*args: str) -> None:
    # Offline: the package is built with the setuptools and wheel of the test environment.
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args]
    subprocess.run(command, check=True, capture_output=True, timeout=INSTALL_TIMEOUT)


@pytest.fixture(scope="module")
def html2pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `html2pdf` command as `pip install .` gives it, in a virtualenv holding nothing else (no Flask)."""
    root = tmp_path_factory.mktemp("client")
    source = root / "source"  # a copy: building leaves build/ and *.egg-info beside the sources
    source.mkdir()
    shutil.copy(ROOT / "pyproject.toml", source)
    shutil.copytree(ROOT / "html2pdf_client", source / "html2pdf_client", ignore=shutil.ignore_patterns("__pycache__"))
    pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(root / "dist"), str(source))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True, timeout=60)
    python = root / "venv" / "bin" / "python"
    pip("--python", str(python), "install", "--no-deps", "--no-index", *map(str, (root / "dist").glob("*.whl")))
    return root / "venv" / "bin" / "html2pdf"


def client(
    command: Path, *args: str, server: str, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed command from a directory outside the repository, with no PYTHONPATH (and `env` added)."""
    env = {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "VIRTUAL_ENV")} | (env or {})
    return subprocess.run(
        [str(command), *args, "--server", server],
        cwd=command.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_the_installed_command_needs_no_service_and_says_a_missing_file_is_a_bad_argument(html2pdf: Path) -> None:
    python = html2pdf.parent / "python"
    loaded = subprocess.run(
        [str(python), "-c", "import json, sys, html2pdf_client.cli; print(json.dumps(sorted(sys.modules)))"],
        cwd=html2pdf.parent,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    modules = set(json.loads(loaded.stdout))
    assert not modules & {"flask", "celery", "redis", "webapp", "tasks"}
    missing = client(html2pdf, "convert", "no-such-file.html", server="http://127.0.0.1:9")
    assert missing.returncode == 2, missing.stderr
    assert "no-such-file.html: no such file" in missing.stderr


def unique(html: str) -> str:
    """`html` made unlike any earlier submission, so the service renders it afresh rather than reusing a PDF."""
    return html.replace("</body>", f"<!-- {uuid.uuid4()} --></body>")


def test_convert_shows_progress_and_saves_the_pdf(live_server: str, html2pdf: Path, tmp_path: Path) -> None:
    source = tmp_path / "report.html"
    source.write_text(unique(report_html(60)), encoding="utf-8")
    target = tmp_path / "out" / "report.pdf"
    target.parent.mkdir()
    done = client(html2pdf, "convert", str(source), "-o", str(target), server=live_server)
    assert done.returncode == 0, done.stderr
    assert pdf_pages(target.read_bytes()) > 5
    # Not a terminal: one plain line per change, no carriage returns.
    assert "\r" not in done.stdout
    percents = {float(value) for value in re.findall(r"^\s*(\d+\.\d)%", done.stdout, re.MULTILINE)}
    assert len(percents) >= 5, done.stdout
    assert max(percents) == 100.0
    assert "layout" in done.stdout
    assert f"saved {target}" in done.stdout


def test_a_failing_document_exits_non_zero_with_the_jobs_message(
    live_server: str, html2pdf: Path, tmp_path: Path
) -> None:
    source = tmp_path / "broken.html"
    source.write_text(unique(UNRENDERABLE_HTML), encoding="utf-8")
    done = client(html2pdf, "convert", str(source), server=live_server)
    assert done.returncode == 1
    assert UNRENDERABLE_MESSAGE in done.stderr and "(bad_font)" in done.stderr
    assert not source.with_suffix(".pdf").exists()


def test_http_errors_exit_non_zero_with_the_apis_message(live_server: str, html2pdf: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text("  ", encoding="utf-8")
    done = client(html2pdf, "convert", str(empty), server=live_server)
    assert done.returncode == 3
    assert "HTTP 400" in done.stderr and "empty" in done.stderr
    missing = client(html2pdf, "status", "no-such-job", server=live_server)
    assert missing.returncode == 3
    assert "HTTP 404" in missing.stderr and "No job 'no-such-job'" in missing.stderr


def test_status_cancel_and_delete(live_server: str, html2pdf: Path) -> None:
    html = unique(report_html(150))
    response = requests.post(f"{live_server}/api/jobs", json={"html": html}, timeout=TIMEOUT)
    job_id = response.json()["id"]
    status = client(html2pdf, "status", job_id, server=live_server)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["id"] == job_id
    cancelled = client(html2pdf, "cancel", job_id, server=live_server)
    assert cancelled.returncode == 0, cancelled.stderr
    assert json.loads(cancelled.stdout)["state"] == "REVOKED"
    again = client(html2pdf, "cancel", job_id, server=live_server)
    assert again.returncode == 3
    assert "HTTP 409" in again.stderr and "already ended" in again.stderr
    deleted = client(html2pdf, "delete", job_id, server=live_server)
    assert deleted.returncode == 0
    assert f"deleted job {job_id}" in deleted.stdout
    assert requests.get(f"{live_server}/api/jobs/{job_id}", timeout=TIMEOUT).status_code == 404


PASSWORD = "cli-user-pw-Hs62"


def test_convert_stamps_and_protects_the_pdf_with_a_password_from_the_environment(
    live_server: str, html2pdf: Path, tmp_path: Path
) -> None:
    source = tmp_path / "invoice.html"
    source.write_text(unique(report_html(3)), encoding="utf-8")
    target = tmp_path / "invoice.pdf"
    flags = ["--stamp", "CLIPAIDSTAMP", "--stamp-opacity", "0.5", "--stamp-pages", "first"]
    flags += ["--password-env", "INVOICE_PW", "--permissions", "print,copy"]
    done = client(
        html2pdf, "convert", str(source), "-o", str(target), *flags, server=live_server, env={"INVOICE_PW": PASSWORD}
    )
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    reader = pypdf.PdfReader(io.BytesIO(target.read_bytes()))
    assert reader.is_encrypted and not reader.decrypt("wrong")
    assert reader.decrypt(PASSWORD)
    texts = [page.extract_text() for page in reader.pages]
    assert "CLIPAIDSTAMP" in texts[0] and all("CLIPAIDSTAMP" not in text for text in texts[1:])
    granted = reader.user_access_permissions
    assert granted is not None
    assert granted & pypdf.constants.UserAccessPermissions.PRINT
    assert granted & pypdf.constants.UserAccessPermissions.EXTRACT
    assert not granted & pypdf.constants.UserAccessPermissions.MODIFY


def test_signing_asked_of_a_service_with_no_identity_is_the_apis_400(
    live_server: str, html2pdf: Path, tmp_path: Path
) -> None:
    source = tmp_path / "contract.html"
    source.write_text(unique(report_html(1)), encoding="utf-8")
    done = client(html2pdf, "convert", str(source), "--sign-reason", "Approved", server=live_server)
    assert done.returncode == 3
    assert "HTTP 400" in done.stderr and "signing identity" in done.stderr, done.stderr


def options_of(*argv: str) -> dict[str, object]:
    command = parser()
    args = command.parse_args(["convert", "x.html", *argv])
    return finishing_options(args, command)


def test_the_finishing_flags_become_the_jobs_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OWNER_PW", "owner-secret")
    argv = ["--stamp", "DRAFT", "--stamp-position", "top", "--stamp-rotation", "30", "--password", "u"]
    argv += ["--owner-password-env", "OWNER_PW", "--permissions", "none", "--sign-location", "Lyon"]
    argv += ["--sign-field", "2,300,50,200,60"]
    assert options_of(*argv) == {
        "stamp": {"text": "DRAFT", "position": "top", "rotation": 30.0},
        "protect": {"user_password": "u", "owner_password": "owner-secret", "permissions": []},
        "sign": {"location": "Lyon", "field": {"page": 2, "x": 300.0, "y": 50.0, "width": 200.0, "height": 60.0}},
    }
    assert options_of("--sign") == {"sign": {}}
    assert options_of() == {}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--stamp-opacity", "0.5"], "need --stamp TEXT"),
        (["--permissions", "print"], "--permissions needs --password"),
        (["--password", "a", "--password-env", "PW"], "not both"),
        (["--password-env", "NO_SUCH_VARIABLE_SET"], "NO_SUCH_VARIABLE_SET is not set"),
        (["--sign-field", "1,2,3"], "PAGE,X,Y,W,H"),
    ],
)
def test_bad_finishing_flags_are_bad_arguments(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        options_of(*argv)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_bar_is_redrawn_on_one_line() -> None:
    screen = Terminal()
    view = ProgressView(screen, width=10)
    for percent, stage, pages in [(0.0, "queued", 0), (42.5, "layout", 17), (100.0, "done", 40)]:
        view.show({"progress": {"percent": percent, "stage": stage, "pages": pages}})
    view.close()
    text = screen.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    frames = text.rstrip("\n").split("\r")[1:]
    assert frames[1].startswith("[####------]  42.5%  layout    17 pages")
    assert frames[2].startswith("[##########] 100.0%  done      40 pages")


@pytest.mark.parametrize(
    "argv",
    [
        ["--server", "http://pdf.example:8000", "--token", "t0k", "status", "abc"],
        ["status", "abc", "--server", "http://pdf.example:8000", "--token", "t0k"],
        ["--server", "http://pdf.example:8000", "status", "--token", "t0k", "abc"],
        [
            "--server",
            "http://elsewhere:1",
            "--token",
            "old",
            "status",
            "abc",
            "--server",
            "http://pdf.example:8000",
            "--token",
            "t0k",
        ],
    ],
)
def test_global_options_are_taken_before_or_after_the_command(argv: list[str]) -> None:
    # `html2pdf --server URL convert f.html` was an argparse error (issue 24 item 8); git and docker take both.
    args = parser().parse_args(argv)
    assert (args.command, args.job_id, args.server, args.token) == ("status", "abc", "http://pdf.example:8000", "t0k")


def test_the_installed_command_takes_the_server_before_the_command(live_server: str, html2pdf: Path) -> None:
    response = requests.post(f"{live_server}/api/jobs", json={"html": "<p>before</p>"}, timeout=TIMEOUT)
    job_id = response.json()["id"]
    env = {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(
        [str(html2pdf), "--server", live_server, "status", job_id],
        cwd=html2pdf.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["id"] == job_id
