"""Several workers on one Redis, each named and sized by configuration, share the jobs."""

from __future__ import annotations

import re
from pathlib import Path

import psutil

from tests.support import Process, RedisServer, get_job, report_html, start_web, start_worker, submit_job, wait_until

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
