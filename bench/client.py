"""The benchmarks' view of the service: the one API client (html2pdf_client.api) on a kept-alive
connection, each submission made unique; and a job's event stream, read as it arrives."""

from __future__ import annotations

import time
from typing import Any

from harness.sse import SseEvent, SseStream
from html2pdf_client.api import Api as Client
from html2pdf_client.api import ClientError, Reply, job_path

__all__ = ["Api", "ClientError", "watch"]


class Api:
    """One keep-alive connection to the service, as a script would hold it."""

    def __init__(self, base: str, timeout: float = 30) -> None:
        self.base = base
        self.client = Client(base, timeout=timeout, keep_alive=True)
        self._submitted = 0

    def submit(self, html: str, filename: str = "bench.pdf") -> str:
        """POST the document; return the new job's id.

        Every submission is rendered: the service hands out a stored copy for
        HTML it has converted before, so each one carries a comment of its own
        (and asks for no reuse).
        """
        self._submitted += 1
        unique = f"{html}<!-- bench {time.time_ns()} {self._submitted} -->"
        job_id: str = self.client.submit_json({"html": unique, "filename": filename, "reuse": False})["id"]
        return job_id

    def job(self, job_id: str) -> dict[str, Any]:
        return self.client.job(job_id)

    def pdf(self, job_id: str) -> bytes:
        return self.client.pdf(job_id)

    def delete(self, job_id: str) -> Reply:
        return self.client.call("DELETE", job_path(job_id))

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def watch(base: str, job_id: str, deadline: float = 120) -> list[SseEvent]:
    """Every event of one job's stream, until the server closes it after `end`."""
    with SseStream(f"{base}{job_path(job_id, '/events')}", timeout=deadline) as stream:
        if stream.status != 200:
            raise ClientError(f"GET /api/jobs/{job_id}/events answered {stream.status}")
        return list(stream.events(deadline=deadline))
