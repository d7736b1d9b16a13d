"""Where a job's time goes: py-spy samples the worker's child and the web worker while jobs run.

Needs py-spy (`pip install py-spy==0.4.3`; not a project requirement):
`python -m bench.profile [--pages 20] [--jobs 10]`.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.client import Api, watch
from bench.documents import pages_html
from bench.stack import Stack

Bucket = tuple[str, Callable[[str], bool]]


def has(*marks: str) -> Callable[[str], bool]:
    """A sample whose stack names any of `marks`."""
    return lambda stack: any(mark in stack for mark in marks)


def own(mark: str, unless_below: str) -> Callable[[str], bool]:
    """A sample in `mark` whose deeper frames are not `unless_below` (not work it hands on)."""
    return lambda stack: mark in stack and unless_below not in stack.rsplit(mark, 1)[1]


# Each sample goes to the first bucket whose test its stack passes.
WORKER_BUCKETS: list[Bucket] = [
    ("progress: update_state (Celery result backend)", has("Task.update_state")),
    ("progress: JobStore.advance (Lua publish; the last one stores the PDF)", has("JobStore.advance")),
    ("progress: hooks and tracker (no I/O)", has("ProgressTracker", "_Render.element", "_ReportingSource.read")),
    ("page count: pypdf re-reads the PDF", has("pypdf/")),
    ("font fallback's own work (tasks/fonts/fallback.py)", own("tasks/fonts/fallback.py", "xhtml2pdf/")),
    ("xhtml2pdf + ReportLab: the render itself", has("pisaDocument")),
    ("task setup: job store reads, attempts", has("convert (tasks/convert.py)")),
    ("Celery: trace, acks, pool IPC", has("celery/", "billiard/", "kombu/")),
]
WEB_BUCKETS: list[Bucket] = [
    ("POST /api/jobs: rate limiter", has("flask_limiter/", "limits/")),
    ("POST /api/jobs: send_task to the broker", has("send_task")),
    ("POST /api/jobs: read and check the HTML", has("read_submission")),
    ("POST /api/jobs: the rest (store, JSON)", has("submit (webapp/jobs.py)")),
    ("GET /pdf", has("pdf (webapp/jobs.py)")),
    ("SSE: open a stream (subscribe, snapshot)", has("JobEventsBlueprint.stream")),
    ("SSE: send events", has("_events (webapp/events.py)", "generate (webapp/events.py)")),
    ("event hub: receive and fan out", has("EventHub.")),
    ("Flask/Werkzeug request handling", has("flask/", "werkzeug/")),
    ("gunicorn + gevent: sockets, HTTP parsing", has("gunicorn/", "gevent/")),
]


def classify(raw: Path, buckets: list[Bucket]) -> Counter[str]:
    """Samples per bucket from py-spy's raw (collapsed) output."""
    counts: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        label = next((label for label, test in buckets if test(stack)), "other")
        counts[label] += int(number)
    return counts


def show(title: str, counts: Counter[str], seconds: float, jobs: int) -> str:
    """A table of buckets: samples, share, and milliseconds per job at the sampling rate."""
    total = sum(counts.values()) or 1
    lines = [f"{title}: {total} samples", f"{'':<66} {'share':>7} {'ms/job':>8}"]
    for label, count in counts.most_common():
        lines.append(f"{label:<66} {100 * count / total:6.1f}% {count * seconds / jobs * 1000:8.1f}")
    return "\n".join(lines)


def py_spy() -> str | None:
    """The py-spy executable, beside this Python or on PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def record(spy: str, pid: int, out: Path, rate: int) -> subprocess.Popen[bytes]:
    command = [spy, "record", "-p", str(pid), "-r", str(rate), "--format", "raw", "--nonblocking", "-o", str(out)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=10)
    parser.add_argument("--rate", type=int, default=250, help="samples per second")
    args = parser.parse_args(argv)
    spy = py_spy()
    if spy is None:
        print("py-spy is not installed: pip install py-spy==0.4.3", file=sys.stderr)
        return 2
    html = pages_html(args.pages)
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as workdir, Stack(Path(workdir)) as stack:
        with Api(stack.base) as api:
            for _ in range(2):
                watch(stack.base, api.submit(html))
            outputs = {"worker child": Path(workdir) / "child.txt", "web worker": Path(workdir) / "web.txt"}
            pids = {"worker child": stack.pool_pids()[0], "web worker": stack.web_worker_pid()}
            spies = [record(spy, pids[name], out, args.rate) for name, out in outputs.items()]
            try:
                time.sleep(1)
                started = time.perf_counter()
                for _ in range(args.jobs):
                    job_id = api.submit(html)
                    watch(stack.base, job_id)
                    api.pdf(job_id)
                elapsed = time.perf_counter() - started
            finally:
                for process in spies:
                    process.send_signal(signal.SIGINT)
                    process.wait(60)
        print(f"{args.jobs} jobs of {args.pages} pages, {elapsed / args.jobs * 1000:.0f} ms each from submit to PDF\n")
        for (name, out), buckets in zip(outputs.items(), (WORKER_BUCKETS, WEB_BUCKETS), strict=True):
            print(show(name, classify(out, buckets), 1 / args.rate, args.jobs), end="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
