"""Many SSE clients in one asyncio process on raw sockets: `python -m bench.sseclient --help`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import time
from dataclasses import astuple, dataclass
from pathlib import Path


@dataclass
class Client:
    """What one stream saw: its job, the HTTP status, events, and when `end` arrived."""

    job: int
    status: int = 0
    events: int = 0
    end_at: float = 0.0  # time.time() when the `end` event's bytes arrived
    end_updated_at: str = ""  # the worker's stamp inside that event
    closed: bool = False  # the server finished the response after `end`
    error: str = ""


class Run:
    """All the streams, and the moment every one of them has its first event."""

    def __init__(self, host: str, port: int, jobs: list[str], per_job: int) -> None:
        self.host, self.port = host, port
        self.jobs = jobs
        self.clients = [Client(index) for index in range(len(jobs)) for _ in range(per_job)]
        self.waiting = len(self.clients)
        self.connected = asyncio.Event()

    def first_event_or_failure(self) -> None:
        self.waiting -= 1
        if self.waiting == 0:
            self.connected.set()

    async def stream(self, client: Client) -> None:
        reported = False
        writer: asyncio.StreamWriter | None = None
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port, limit=1 << 20)
            path = f"/api/jobs/{self.jobs[client.job]}/events"
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nAccept: text/event-stream\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            client.status = int(head.split(b" ", 2)[1])
            chunked = b"transfer-encoding: chunked" in head.lower()
            buffer = b""
            while True:
                data = await _next_chunk(reader, chunked)
                if not data:
                    client.closed = True
                    break
                now = time.time()
                buffer += data
                while b"\n\n" in buffer:
                    raw, buffer = buffer.split(b"\n\n", 1)
                    kind, payload = _parse(raw)
                    if kind is None:
                        continue
                    client.events += 1
                    if not reported:
                        reported = True
                        self.first_event_or_failure()
                    if kind == "end":
                        client.end_at = now
                        client.end_updated_at = json.loads(payload)["updated_at"]
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            client.error = f"{type(exc).__name__}: {exc}"
        finally:
            if not reported:
                self.first_event_or_failure()
            if writer is not None:
                writer.close()


async def _next_chunk(reader: asyncio.StreamReader, chunked: bool) -> bytes:
    """The next piece of the body; b"" at its end."""
    if not chunked:
        return await reader.read(65536)
    size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
    if size == 0:
        await reader.readuntil(b"\r\n")
        return b""
    return (await reader.readexactly(size + 2))[:-2]


def _parse(raw: bytes) -> tuple[str | None, str]:
    """An event's type and data; (None, "") for a comment or a bare retry."""
    kind, data = "message", []
    fields = 0
    for line in raw.decode().split("\n"):
        name, _, value = line.partition(":")
        if name == "event":
            kind, fields = value, fields + 1
        elif name == "data":
            data.append(value)
            fields += 1
    return (kind, "\n".join(data)) if fields else (None, "")


def _write(path: Path, payload: object) -> None:
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(payload))
    partial.rename(path)


async def main(args: argparse.Namespace) -> None:
    run = Run(args.host, args.port, args.jobs.split(","), args.per_job)
    started = time.time()
    tasks = [asyncio.create_task(run.stream(client)) for client in run.clients]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(run.connected.wait(), args.deadline)
    failed = sum(1 for client in run.clients if client.status != 200 or client.error)
    summary = {"clients": len(run.clients), "waiting": run.waiting, "failed": failed, "seconds": time.time() - started}
    _write(args.out / "connected.json", summary)
    _done, pending = await asyncio.wait(tasks, timeout=max(args.deadline - (time.time() - started), 1))
    for task in pending:
        task.cancel()
    _write(
        args.out / "results.json", {"timed_out": len(pending), "clients": [astuple(client) for client in run.clients]}
    )


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--jobs", required=True, help="comma-separated job ids")
    parser.add_argument("--per-job", type=int, default=100, help="streams per job")
    parser.add_argument("--deadline", type=float, default=300, help="seconds for the whole run")
    parser.add_argument("--out", type=Path, required=True, help="folder for connected.json and results.json")
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    os.makedirs(args.out, exist_ok=True)
    asyncio.run(main(args))


if __name__ == "__main__":
    cli()
