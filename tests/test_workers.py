"""Several workers on one Redis, each named and sized by configuration, share the jobs."""

from __future__ import annotations

import re
from pathlib import Path

import psutil

from harness.processes import BIN
from tests.support import Process, RedisServer, get_job, report_html, start_web, start_worker, submit_job, wait_until

ROOT = Path(__file__).resolve().parents[1]

TIMEOUT = 10


def submit(base: str, html: str) -> str:
    job_id: str = submit_job(base, {"html": html})["id"]
    return job_id


def succeeded(worker: Process) -> set[str]:
    """Ids of the jobs this worker's log says it finished."""
    return set(re.findall(r"Task tasks\.convert\[([\w-]+)\] succeeded", worker.output()))


def test_two_workers_share_the_jobs(private_redis: RedisServer, tmp_path: Path) -> None:
    workers = [
        start_worker(private_redis.url, tmp_path / f"{name}.log", "-n", f"{name}@%h", env={"WORKER_CONCURRENCY": "1"})
        for name in ("a", "b")
    ]
    web, base = start_web(private_redis.url, tmp_path / "web.log")
    try:
        # Concurrency comes from the configuration: one rendering process each.
        for worker in workers:
            assert len(psutil.Process(worker.pid).children()) == 1
        job_ids = [submit(base, report_html(4)) for _ in range(8)]
        wait_until(lambda: all(get_job(base, job_id)["state"] == "SUCCESS" for job_id in job_ids), 120, "the jobs")
        # Celery logs "succeeded" after the task body returns, so just after its record says SUCCESS.
        wait_until(
            lambda: succeeded(workers[0]) | succeeded(workers[1]) == set(job_ids), TIMEOUT, "each job's log line"
        )
        done_by_a, done_by_b = (succeeded(worker) for worker in workers)
        assert not done_by_a & done_by_b, "each job ran once"
        assert done_by_a and done_by_b, "both workers took jobs"
    finally:
        web.stop()
        for worker in workers:
            worker.stop()


def procfile_worker(redis_url: str, log: Path) -> Process:
    """The render worker exactly as the Procfile starts it."""
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("worker:"))
    command = [str(BIN / part) if part == "celery" else part for part in line.split(":", 1)[1].split()]
    worker = Process(command, log, {"REDIS_URL": redis_url})
    wait_until(lambda: "ready." in worker.output() or not worker.alive(), 60, "the Procfile's worker")
    return worker


def test_the_procfiles_worker_loses_and_regains_its_broker_without_a_traceback(tmp_path: Path) -> None:
    # With Celery's gossip on, a worker that lost its broker logged "Error on restarting Gossip" and a traceback.
    redis = RedisServer(tmp_path / "redis", persistent=True)
    worker = procfile_worker(redis.url, tmp_path / "worker.log")
    web, base = start_web(redis.url, tmp_path / "web.log")
    try:
        redis.stop()
        wait_until(lambda: "Connection to broker lost" in worker.output(), 30, "the worker to notice")
        redis.start()
        job_id = submit(base, "<p>After the broker came back</p>")
        wait_until(lambda: get_job(base, job_id)["state"] == "SUCCESS", 60, "a job after the broker came back")
        assert "Traceback" not in worker.output() and "Gossip" not in worker.output(), worker.output()[-3000:]
    finally:
        web.stop()
        worker.stop()
        redis.stop()
