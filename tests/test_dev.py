"""`python3 dev.py run` as the README's first command: the URL it prints is ready to convert."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading

import pytest
import requests

from tests.support import ROOT, free_port

TIMEOUT = 10
START_SECONDS = 120


@pytest.mark.parametrize("flags", [[], ["--sentinel"]], ids=["one Redis", "Sentinel"])
def test_run_prints_the_url_once_a_render_worker_answers(flags: list[str]) -> None:
    env = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    env |= {"PORT": str(free_port()), "WEB_CONCURRENCY": "1", "WORKER_CONCURRENCY": "1"}
    command = [sys.executable, str(ROOT / "dev.py"), "run", *flags]
    run = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, start_new_session=True)
    found: list[str] = []

    def read() -> None:
        assert run.stdout is not None
        for line in run.stdout:
            if match := re.search(r"The service is running: (\S+)", line):
                found.append(match.group(1))
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        reader.join(START_SECONDS)
        assert found, "dev.py run printed no URL"
        # At once, no retry: the webhook worker, ready first, must not pass for the render worker.
        answer = requests.get(f"{found[0]}/healthz", timeout=TIMEOUT)
        health = answer.json()
        assert answer.status_code == 200 and health["status"] == "ok", f"the URL came before a render worker: {health}"
        assert health["workers"] >= 1 and health["webhook_workers"] >= 1, health
    finally:
        os.killpg(run.pid, signal.SIGINT)
        try:
            run.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            run.communicate(timeout=10)


def test_a_free_port_is_never_one_already_chosen_for_a_server_not_yet_started(monkeypatch: pytest.MonkeyPatch) -> None:
    # The OS may hand a just-released port out again: `dev.py run --sentinel` gave the web server's port,
    # chosen by the caller and not yet bound, to a Sentinel, and gunicorn could not bind it.
    import dev

    offered = iter([8000, 8000, 6380, 6380, 6381])

    class Socket:
        def __enter__(self) -> Socket:
            return self

        def __exit__(self, *_: object) -> None:
            pass

        def bind(self, _: object) -> None:
            self.port = next(offered)

        def getsockname(self) -> tuple[str, int]:
            return "127.0.0.1", self.port

    monkeypatch.setattr("dev.socket.socket", Socket)
    taken = {8000}
    assert [dev.free_port(taken), dev.free_port(taken)] == [6380, 6381]
    assert taken == {8000, 6380, 6381}
