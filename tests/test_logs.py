"""Log lines name their job: the web's lines for a submission and its stream, the worker's for its render."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.support import Process, SseStream, start_web, wait_until

TIMEOUT = 10


def lines_with(log: str, job_id: str) -> list[str]:
    return [line for line in log.splitlines() if f" job_id={job_id} " in line]


def test_the_job_id_follows_a_job_through_the_logs(redis_url: str, worker: Process, tmp_path: Path) -> None:
    web, base = start_web(redis_url, tmp_path / "web.log")
    try:
        response = requests.post(f"{base}/api/jobs", json={"html": "<p>logged</p>"}, timeout=TIMEOUT)
        job_id = response.json()["id"]
        with SseStream(f"{base}/api/jobs/{job_id}/events") as stream:
            assert [event.type for event in stream.events(deadline=60)][-1] == "end"
    finally:
        web.stop()
    web_lines = lines_with(web.output(), job_id)
    assert any(line.endswith("POST /api/jobs 202") for line in web_lines), web.output()
    assert any(line.endswith(f"GET /api/jobs/{job_id}/events 200") for line in web_lines), web.output()
    wait_until(
        lambda: any(" rendered 1 page(s) in " in line for line in lines_with(worker.output(), job_id)),
        10,
        "the worker's line about the render",
    )
