"""Job counters and render histograms, kept in Redis so every process adds to the same totals.

Several web processes on several machines and workers anywhere share
nothing but Redis, so that is where the numbers live: a process adds to
them when something happens, and `GET /metrics` on any web process reads
them at scrape time. A process that restarts loses nothing.

- Jobs submitted: counted once a new job's render is queued, whatever renders
  it (one task, a split's parts, a batch's chord), in `count_submitted`.
- Jobs ended: counted inside the job store's `advance` script, in the same
  step that makes the state final, so each job counts once however many
  processes race to end it (a cancel against a success, a redelivery).
- Render seconds and pages: observed by the worker after a success, as
  Prometheus histograms (cumulative buckets, sum, count), in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from redis import Redis
from redis.client import Pipeline

from tasks.job import keys

COUNTS_KEY = keys.METRICS_JOBS
SECONDS_KEY = keys.METRICS_RENDER_SECONDS
PAGES_KEY = keys.METRICS_RENDER_PAGES
SUBMITTED = "submitted"

SECONDS_BUCKETS: tuple[float, ...] = (0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
PAGES_BUCKETS: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0)
INF = "+Inf"


@dataclass(frozen=True)
class Histogram:
    """Cumulative bucket counts by upper bound (Prometheus `le` text), and the sum of observations."""

    buckets: list[tuple[str, float]]
    sum: float


def le(bound: float) -> str:
    """A bucket's upper bound as Prometheus writes it: 1.0, 0.25, +Inf."""
    return repr(float(bound))


def record_render(redis: Redis, seconds: float, pages: int) -> None:
    """Observe one successful render: how long it took and how many pages it made."""
    with redis.pipeline(transaction=True) as pipe:
        _observe(pipe, SECONDS_KEY, SECONDS_BUCKETS, seconds)
        _observe(pipe, PAGES_KEY, PAGES_BUCKETS, float(pages))
        pipe.execute()


def _observe(pipe: Pipeline, key: str, bounds: Sequence[float], value: float) -> None:
    for bound in bounds:
        if value <= bound:
            pipe.hincrby(key, le(bound), 1)
    pipe.hincrby(key, INF, 1)
    pipe.hincrbyfloat(key, "sum", value)


def count_submitted(redis: Redis) -> None:
    """One more job queued for rendering."""
    redis.hincrby(COUNTS_KEY, SUBMITTED, 1)


def read_counts(redis: Redis) -> dict[str, int]:
    """Jobs submitted and ended, by `submitted` and by final state (SUCCESS, FAILURE, REVOKED)."""
    raw = redis.hgetall(COUNTS_KEY)
    return {text(name): int(value) for name, value in raw.items()}


def read_histogram(redis: Redis, key: str, bounds: Sequence[float]) -> Histogram:
    raw = {text(name): float(value) for name, value in redis.hgetall(key).items()}
    buckets = [(le(bound), raw.get(le(bound), 0.0)) for bound in bounds]
    buckets.append((INF, raw.get(INF, 0.0)))
    return Histogram(buckets, raw.get("sum", 0.0))


def text(value: bytes | str) -> str:
    """A Redis reply as text."""
    return value.decode() if isinstance(value, bytes) else value
