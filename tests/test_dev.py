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
