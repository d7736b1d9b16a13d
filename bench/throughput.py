"""Target 4: jobs per second with 1 and 2 worker processes, against a pool of xhtml2pdf alone."""

from __future__ import annotations

import json
import statistics
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from redis import Redis

from bench.baseline import Baseline
from bench.client import Api
from bench.documents import pages_html
from bench.report import Result, at_least, info
from bench.stack import Stack
from harness.pdf import pdf_pages
from harness.processes import wait_until

TITLE = "throughput: jobs/s with 1 and 2 worker processes; 500 queued jobs drain"


@dataclass(frozen=True)
class Sizes:
    jobs: int
    pages: int
    rounds: int
    drain: int


FULL = Sizes(jobs=16, pages=5, rounds=6, drain=500)
QUICK = Sizes(jobs=4, pages=1, rounds=1, drain=20)


class Ends:
    """Listens on `job:*` itself and notes when each job's `end` event was published."""

    def __init__(self, redis_url: str) -> None:
        self.redis = Redis.from_url(redis_url)
        self.pubsub = self.redis.pubsub()  # type: ignore[no-untyped-call]
        self.pubsub.psubscribe("job:*")
        self.seen: dict[str, tuple[float, str]] = {}
        self.first: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="ends", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            message = self.pubsub.get_message(timeout=0.2)
            if message is None or message["type"] != "pmessage":
                continue
            now = time.perf_counter()
            event = json.loads(message["data"])
            job = json.loads(event["data"])
            self.first.setdefault(job["id"], now)
            if event.get("type") == "end":
                self.seen[job["id"]] = (now, job["state"])

    def wait(self, job_ids: list[str], deadline: float) -> float:
        """perf_counter() of the last of `job_ids` to end."""
        wait_until(
            lambda: all(job_id in self.seen for job_id in job_ids), deadline, f"{len(job_ids)} jobs to end", 0.02
        )
        return max(self.seen[job_id][0] for job_id in job_ids)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self.pubsub.close()
        self.redis.close()

    def __enter__(self) -> Ends:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


@dataclass
class Setup:
    """One configuration: a stack whose worker has `concurrency` children, and a pool of the same size."""

    concurrency: int
    stack: Stack
    api: Api
    ends: Ends
    pool: Baseline


def through_service(setup: Setup, documents: list[str]) -> tuple[float, float]:
    """Seconds from the first POST to the last `end`, and the CPU seconds all the stack's processes used."""
    cpu = sum(setup.stack.cpu_seconds().values())
    started = time.perf_counter()
    job_ids = [setup.api.submit(html) for html in documents]
    elapsed = setup.ends.wait(job_ids, 600) - started
    time.sleep(0.05)
    return elapsed, sum(setup.stack.cpu_seconds().values()) - cpu


def through_pool(pool: Baseline, documents: list[str]) -> tuple[float, float]:
    """Seconds for the pool to render `documents`, and the CPU seconds its processes used."""
    cpu = pool.cpu_seconds()
    elapsed = pool.batch(documents)
    return elapsed, pool.cpu_seconds() - cpu


def _setup(resources: ExitStack, directory: Path, concurrency: int) -> Setup:
    stack = resources.enter_context(Stack(directory / f"concurrency-{concurrency}", concurrency=concurrency))
    api = resources.enter_context(Api(stack.base))
    ends = resources.enter_context(Ends(stack.redis_url))
    pool = resources.enter_context(Baseline(concurrency))
    # Every worker child and every pool process has rendered before the clock starts.
    ends.wait([api.submit(pages_html(1)) for _ in range(2 * concurrency)], 60)
    pool.batch([pages_html(1)] * 2 * concurrency)
    return Setup(concurrency, stack, api, ends, pool)


def run(directory: Path, quick: bool = False) -> Result:
    """Alternate service and pool batches for 1 and 2 processes, then drain a queue of small jobs.

    Both configurations run side by side, each on a stack of its own (an idle
    stack costs next to nothing), so batches alternate closely without a
    worker restart between them.
    """
    sizes = QUICK if quick else FULL
    result = Result("throughput", TITLE, quick=quick)
    documents = [pages_html(sizes.pages)] * sizes.jobs
    service: dict[int, list[float]] = {1: [], 2: []}
    alone: dict[int, list[float]] = {1: [], 2: []}
    cpu: dict[str, list[float]] = {"service": [], "alone": []}
    with ExitStack() as resources:
        setups = {c: _setup(resources, directory, c) for c in (1, 2)}
        for round_ in range(sizes.rounds):
            for concurrency in (1, 2) if round_ % 2 == 0 else (2, 1):
                setup = setups[concurrency]
                first, second = ("service", "pool") if round_ % 4 < 2 else ("pool", "service")
                for kind in (first, second):
                    if kind == "service":
                        elapsed, used = through_service(setup, documents)
                        service[concurrency].append(sizes.jobs / elapsed)
                    else:
                        elapsed, used = through_pool(setup.pool, documents)
                        alone[concurrency].append(sizes.jobs / elapsed)
                    cpu["service" if kind == "service" else "alone"].append(used / sizes.jobs)
        two = setups[2]
        drained = drain(two.stack, two.api, two.ends, sizes.drain, result)
    rate = {c: statistics.median(values) for c, values in service.items()}
    per_job = {name: statistics.median(values) for name, values in cpu.items()}
    floor = {c: statistics.median(values) for c, values in alone.items()}
    result.figures += [
        info(f"service, 1 process ({sizes.pages}-page jobs)", rate[1], "jobs/s"),
        info(f"service, 2 processes ({sizes.pages}-page jobs)", rate[2], "jobs/s"),
        at_least("service scaling 2 processes / 1", rate[2] / rate[1], "x", 1.8),
        at_least("service / xhtml2pdf pool, 1 process", rate[1] / floor[1], "x", 0.95),
        at_least("service / xhtml2pdf pool, 2 processes", rate[2] / floor[2], "x", 0.95),
        info(f"drain of {sizes.drain} queued 1-page jobs, 2 processes", drained, "jobs/s"),
        info("CPU per job, all service processes / xhtml2pdf alone", per_job["service"] / per_job["alone"], "x"),
        # The least disturbed batch of each kind: what the machine gives when nobody else runs.
        info("best batches: service scaling 2 processes / 1", max(service[2]) / max(service[1]), "x"),
        info("best batches: service / pool, 1 process", max(service[1]) / max(alone[1]), "x"),
        info("best batches: service / pool, 2 processes", max(service[2]) / max(alone[2]), "x"),
    ]
    result.details.append(
        f"- {sizes.rounds} rounds, each a batch of {sizes.jobs} jobs of {sizes.pages} pages per configuration, "
        f"configurations and the order service/pool alternated; medians in jobs/s: "
        f"service {rate[1]:.2f} (1 process) and {rate[2]:.2f} (2), "
        f"xhtml2pdf alone in a ProcessPoolExecutor {floor[1]:.2f} (1) and {floor[2]:.2f} (2), so the pool itself "
        f"scales {floor[2] / floor[1]:.2f}x on this machine. "
        f"All rounds: service {_rounded(service)}, pool {_rounded(alone)}. "
        "Service time runs from the first POST to the last `end` published (the bench listens on `job:*` itself)."
    )
    result.details.append(
        f"- CPU per job (median over batches; robust to a busy machine): {per_job['service'] * 1000:.1f} ms in all "
        f"the service's processes (worker, its children, gunicorn, Redis) against {per_job['alone'] * 1000:.1f} ms "
        f"for xhtml2pdf alone: with two free cores the service could finish at most "
        f"{2 / per_job['service']:.2f} jobs/s, the pool {2 / per_job['alone']:.2f}."
    )
    return result


def _rounded(values: dict[int, list[float]]) -> str:
    return "; ".join(f"{c}: " + ", ".join(f"{v:.2f}" for v in vs) for c, vs in values.items())


def drain(stack: Stack, api: Api, ends: Ends, count: int, result: Result) -> float:
    """Queue `count` 1-page jobs with no worker, start one, and wait for all; check none is lost."""
    html = pages_html(1)
    stack.stop_worker()
    job_ids = [api.submit(html, f"drain-{n}.pdf") for n in range(count)]
    launched = time.perf_counter()
    stack.start_worker(2)
    try:
        last = ends.wait(job_ids, 60 + count)
    finally:
        stack.stop_worker()
    started = min(ends.first[job_id] for job_id in job_ids)
    states = [api.job(job_id)["state"] for job_id in job_ids]
    pdfs = [api.pdf(job_id) for job_id in job_ids if ends.seen[job_id][1] == "SUCCESS"]
    redis = Redis.from_url(stack.redis_url)
    try:
        metas = redis.mget([f"celery-task-meta-{job_id}" for job_id in job_ids])
    finally:
        redis.close()
    celery_success = sum(1 for meta in metas if meta is not None and json.loads(meta)["status"] == "SUCCESS")
    good_pdfs = sum(1 for pdf in pdfs if pdf.startswith(b"%PDF") and pdf_pages(pdf) == 1)
    result.checks.update(
        {
            f"drain: {count} jobs SUCCESS in the job store": states.count("SUCCESS") == count,
            f"drain: {count} SUCCESS in Celery's result backend": celery_success == count,
            f"drain: {count} one-page PDFs downloaded": good_pdfs == count,
        }
    )
    seconds = last - started
    result.details.append(
        f"- Drain: {count} jobs queued with no worker, then a worker with 2 processes started: all ended "
        f"{seconds:.1f} s after the first one started ({count / seconds:.1f} jobs/s; {last - launched:.1f} s "
        f"counting the worker's start); job store SUCCESS "
        f"{states.count('SUCCESS')}, Celery SUCCESS {celery_success}, valid PDFs {good_pdfs}."
    )
    return count / seconds
