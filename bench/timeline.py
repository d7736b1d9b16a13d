"""Where one job's time goes, segment by segment, from Redis MONITOR timestamps."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

from redis import Redis

from bench.client import Api, watch
from bench.stack import Stack

SEGMENTS = (
    "web: POST handled until the task is queued (LPUSH)",
    "queue: LPUSH until the worker's child asks for the job",
    "child: task setup until STARTED is published",
    "child: render and progress, STARTED to `end` published",
    "child: after `end`, Celery stores SUCCESS",
    "web: `end` published until the client has read it",
    "web: PDF download",
)


class Monitor:
    """Every command the private Redis runs, with its server timestamp, while open."""

    def __init__(self, redis_url: str) -> None:
        self.url = redis_url
        self.redis = Redis.from_url(redis_url)
        self.lines: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="monitor", daemon=True)
        self._thread.start()
        time.sleep(0.3)

    def _loop(self) -> None:
        with self.redis.monitor() as monitor:  # type: ignore[no-untyped-call, unused-ignore]
            for line in monitor.listen():
                self.lines.append(line)
                if self._stop.is_set():
                    return

    def close(self) -> None:
        self._stop.set()
        with Redis.from_url(self.url) as poke:
            poke.ping()  # the monitor sees one more command and notices the stop
        self._thread.join(10)
        self.redis.close()


def timeline(stack: Stack, api: Api, html: str, jobs: int) -> dict[str, float]:
    """Median milliseconds of each segment over `jobs` jobs run one after another."""
    monitor = Monitor(stack.redis_url)
    marks = []
    try:
        for _ in range(jobs):
            started = time.time()
            job_id = api.submit(html)
            watch(api.base, job_id)
            ended = time.time()
            api.pdf(job_id)
            marks.append((job_id, started, ended, time.time()))
            time.sleep(0.1)
    finally:
        monitor.close()
    samples: dict[str, list[float]] = {segment: [] for segment in SEGMENTS}
    for job_id, started, ended, done in marks:
        lines = [line for line in monitor.lines if started - 0.001 <= line["time"] <= done + 0.05]
        for segment, value in zip(SEGMENTS, _segments(lines, job_id, started, ended, done), strict=True):
            samples[segment].append(value * 1000)
    return {segment: statistics.median(values) for segment, values in samples.items()}


def _segments(lines: list[dict[str, Any]], job_id: str, started: float, ended: float, done: float) -> list[float]:
    def times(test: Callable[[str], bool]) -> list[float]:
        return [line["time"] for line in lines if test(line["command"])]

    queued = times(lambda command: command.startswith("LPUSH ") and job_id in command)[0]
    asked = next(t for t in times(lambda c: c.startswith(f"HMGET pdfjob:{job_id}")) if t > queued)
    published = times(lambda command: command.startswith("EVALSHA") and job_id in command)
    stored = times(lambda command: command.startswith(f"SETEX celery-task-meta-{job_id}"))
    return [
        queued - started,
        asked - queued,
        published[0] - asked,
        published[-1] - published[0],
        stored[-1] - published[-1],
        ended - published[-1],
        done - ended,
    ]
