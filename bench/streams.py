"""Target 3: a thousand concurrent SSE clients on one gunicorn gevent worker process."""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped, unused-ignore]
from redis import Redis

from bench.client import Api
from bench.documents import pages_html
from bench.overhead import _epoch
from bench.report import Result, at_most, info
from bench.stack import Stack
from harness.processes import Process, wait_until
from harness.sse import SseStream

TITLE = "live streams: many SSE clients on one gunicorn gevent worker"
MiB = 2**20


@dataclass(frozen=True)
class Sizes:
    jobs: int
    per_job: int
    pages: int


FULL = Sizes(jobs=10, per_job=100, pages=3)
QUICK = Sizes(jobs=2, per_job=10, pages=1)


class ConnectionWatch:
    """Samples `CLIENT LIST` on the private Redis and counts the web tier's connections."""

    def __init__(self, redis_url: str, web_pids: list[int], interval: float = 0.2) -> None:
        self.redis = Redis.from_url(redis_url, client_name="bench-monitor")
        self.port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
        self.web_pids = web_pids
        self.interval = interval
        self.max_web = 0
        self.max_total = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="connection-watch", daemon=True)
        self._thread.start()

    def _web_ports(self) -> set[int]:
        ports = set()
        for pid in self.web_pids:
            try:
                connections = psutil.Process(pid).net_connections(kind="tcp")
            except psutil.NoSuchProcess:
                continue
            ports |= {c.laddr.port for c in connections if c.raddr and c.raddr.port == self.port}
        return ports

    def sample(self) -> tuple[Counter[str], int]:
        """(the web tier's connections by last command, all clients but this one)."""
        clients = [c for c in self.redis.client_list() if c.get("name") != "bench-monitor"]
        ports = self._web_ports()
        web = Counter(c["cmd"] for c in clients if int(c["addr"].rsplit(":", 1)[1]) in ports)
        return web, len(clients)

    def _loop(self) -> None:
        while not self._stop.is_set():
            web, total = self.sample()
            self.max_web, self.max_total = max(self.max_web, web.total()), max(self.max_total, total)
            self.samples += 1
            self._stop.wait(self.interval)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self.redis.close()


def _rss(pid: int) -> int:
    return int(psutil.Process(pid).memory_info().rss)


def _warm(api: Api) -> None:
    """One stream opened and closed: the web worker's imports and its hub subscription are up."""
    job_id = api.submit(pages_html(1))
    with SseStream(f"{api.base}/api/jobs/{job_id}/events", timeout=30) as stream:
        assert stream.status == 200
        next(stream.events(deadline=30))
    api.delete(job_id)


def run(directory: Path, quick: bool = False) -> Result:
    """Open every stream before any job starts, then start the worker and collect every `end`."""
    sizes = QUICK if quick else FULL
    clients = sizes.jobs * sizes.per_job
    result = Result("streams", TITLE, quick=quick)
    with Stack(directory, concurrency=None, web_args=["--worker-connections", "2000"]) as stack, Api(stack.base) as api:
        _warm(api)
        web_pid = stack.web_worker_pid()
        watch = ConnectionWatch(stack.redis_url, stack.web_pids())
        client: Process | None = None
        try:
            time.sleep(0.5)
            rss_before = _rss(web_pid)
            jobs = [api.submit(pages_html(sizes.pages)) for _ in range(sizes.jobs)]
            out = directory / "sseclient"
            port = stack.base.rsplit(":", 1)[1]
            # In one word: an id that begins with "-" (token_urlsafe gives one a time in 64) is no option.
            command = [sys.executable, "-m", "bench.sseclient", "--port", port, "--jobs=" + ",".join(jobs)]
            command += ["--per-job", str(sizes.per_job), "--deadline", "240", "--out", str(out)]
            client = Process(command, directory / "sseclient.log")
            connected = _read(out / "connected.json", client, 120)
            time.sleep(0.5)
            rss_open = _rss(web_pid)
            web_open, _ = watch.sample()
            cpu_before = psutil.Process(web_pid).cpu_times()
            stack.start_worker(2)
            outcome = _read(out / "results.json", client, 240)
            cpu_after = psutil.Process(web_pid).cpu_times()
            rss_after = _rss(web_pid)
        finally:
            watch.close()
            if client is not None:
                client.stop()
        finals = {job_id: api.job(job_id)["state"] for job_id in jobs}
    _summarise(result, sizes, clients, connected, outcome, jobs, finals)
    per_stream = (rss_open - rss_before) / clients
    result.figures += [
        at_most("web-tier Redis connections (max during run)", watch.max_web, "", 8),
        info("memory per open stream (RSS delta / streams)", per_stream / 1024, "KiB"),
    ]
    web_cpu = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
    result.details.append(
        f"- gunicorn worker RSS: {rss_before / MiB:.1f} MiB before, {rss_open / MiB:.1f} MiB with {clients} "
        f"streams open ({per_stream / 1024:.1f} KiB per stream), {rss_after / MiB:.1f} MiB after they ended. "
        f"Web-tier Redis connections: {web_open.total()} with all streams open (by last command: "
        f"{dict(web_open)}), {watch.max_web} at most over {watch.samples} CLIENT LIST samples; all clients "
        f"of the private Redis at most {watch.max_total} (web + worker). Web worker CPU while the jobs ran: "
        f"{web_cpu:.2f} s."
    )
    return result


def _read(path: Path, client: Process, deadline: float) -> Any:
    wait_until(lambda: path.exists() or not client.alive(), deadline, path.name)
    assert path.exists(), client.output()[-2000:]
    return json.loads(path.read_text())


def _summarise(
    result: Result, sizes: Sizes, clients: int, connected: Any, outcome: Any, jobs: list[str], finals: dict[str, str]
) -> None:
    rows = outcome["clients"]  # Client fields: job, status, events, end_at, end_updated_at, closed, error
    ended = [row for row in rows if row[3] > 0]
    spreads, latencies = [], []
    for index in range(len(jobs)):
        arrivals = [row[3] for row in ended if row[0] == index]
        if arrivals:
            spreads.append(max(arrivals) - min(arrivals))
            stamp = _epoch(next(row[4] for row in ended if row[0] == index))
            latencies += [arrival - stamp for arrival in arrivals]
    counts = {index: {row[2] for row in rows if row[0] == index} for index in range(len(jobs))}
    result.checks.update(
        {
            f"all {clients} streams answered 200": all(row[1] == 200 and not row[6] for row in rows),
            "every client received its job's end": len(ended) == clients,
            "every stream closed after end": all(row[5] for row in rows),
            "every watcher of a job got the same number of events": all(len(c) == 1 for c in counts.values()),
            "every job ended SUCCESS": all(state == "SUCCESS" for state in finals.values()),
        }
    )
    worst = max(spreads, default=float("nan"))
    result.figures += [
        info("concurrent streams", clients, ""),
        at_most("end spread across a job's watchers (worst job)", worst * 1000, "ms", 500),
        info(
            "end latency worker stamp → client (median)",
            statistics.median(latencies) * 1000 if latencies else float("nan"),
            "ms",
        ),
    ]
    result.details.append(
        f"- {sizes.jobs} jobs of {sizes.pages} page(s), {sizes.per_job} watchers each: {clients} streams opened in "
        f"{connected['seconds']:.2f} s ({connected['failed']} failed); {len(ended)} of {clients} received `end`. "
        f"Spread of `end` arrival per job: median {statistics.median(spreads) * 1000:.0f} ms, "
        f"worst {worst * 1000:.0f} ms; "
        f"latency from the worker's SUCCESS stamp to arrival: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms. Events per stream: {sorted({row[2] for row in rows})}."
    )
