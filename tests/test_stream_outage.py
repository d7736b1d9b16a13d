"""A stream reopened while Redis is away is held open (200, `retry:`, comments) and resumes once it is back:
a browser's EventSource gives up for good on a 503, and would fall back to polling. Shown on the wire and
with Chromium's own EventSource."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser

from tests.support import (
    RedisServer,
    SseStream,
    report_html,
    start_web,
    start_worker,
    submit_job,
    wait_for_job,
    wait_until,
)

AWAY_SECONDS = 5.0  # longer than the stream's `retry` (3 s): a browser would have reconnected during it


@contextmanager
def rendering(tmp_path: Path) -> Iterator[tuple[RedisServer, threading.Timer, str, str]]:
    """A service rendering a long job: its Redis, a timer that brings Redis back AWAY_SECONDS after it is
    started, the service's address and the job's id (already in PROGRESS)."""
    redis = RedisServer(tmp_path / "redis", persistent=True)  # same port and data when it comes back
    worker = start_worker(redis.url, tmp_path / "worker.log", "--concurrency", "1")
    web, base = start_web(redis.url, tmp_path / "web.log", env={"SSE_STORE_WAIT": "60"})
    back = threading.Timer(AWAY_SECONDS, redis.start)
    try:
        job_id = submit_job(base, {"html": report_html(300)})["id"]
        wait_for_job(base, job_id, "PROGRESS", timeout=60)
        yield redis, back, base, job_id
    finally:
        back.cancel()
        if back.ident is not None:  # started
            back.join()
        web.stop()
        worker.stop()
        redis.stop()


def test_a_stream_reopened_while_redis_is_away_is_held_until_it_is_back(tmp_path: Path) -> None:
    with rendering(tmp_path) as (redis, back, base, job_id):
        url = f"{base}/api/jobs/{job_id}/events"
        with SseStream(url) as stream:
            events = stream.events(deadline=30)
            before = [next(events)]
            redis.stop()
            before += list(events)  # the stream ends: the browser reconnects with Last-Event-ID
        last = max(event.id or 0 for event in before)

        stopped = time.monotonic()
        back.start()
        with SseStream(url, headers={"Last-Event-ID": str(last)}, timeout=60) as held:
            assert held.status == 200, "a non-200 answer ends a browser's EventSource for good"
            assert held.response.getheader("Content-Type", "").startswith("text/event-stream")
            after = list(held.events(deadline=180))
        assert time.monotonic() - stopped >= AWAY_SECONDS, "it was held through the outage, not ended"
        assert held.retry == 3000
        assert any("waiting" in comment for comment in held.comments), held.comments
        ids = [event.id or 0 for event in after]
        assert ids == sorted(set(ids)) and ids[0] > last, f"repeated or older events after {last}: {ids}"
        assert after[-1].type == "end" and after[-1].job["state"] == "SUCCESS"


# Records every event and every state of one EventSource, as a page would see them.
LISTEN_SCRIPT = """url => {
    window.__seen = [];
    window.__states = [];
    const source = new EventSource(url);
    const note = kind => event => {
        window.__seen.push({kind, id: event.lastEventId, data: event.data});
        window.__states.push(source.readyState);
        if (kind === "end") source.close();  // as the page does: the job is over
    };
    for (const kind of ["progress", "end"]) source.addEventListener(kind, note(kind));
    source.onerror = () => window.__states.push(source.readyState);
    source.onopen = () => window.__states.push(source.readyState);
}"""


def test_chromiums_event_source_rides_out_an_outage_longer_than_its_retry(tmp_path: Path, browser: Browser) -> None:
    context = browser.new_context()
    try:
        with rendering(tmp_path) as (redis, back, base, job_id):
            page = context.new_page()
            page.goto(f"{base}/healthz")  # the service's origin, with none of the page's own script
            page.evaluate(LISTEN_SCRIPT, f"/api/jobs/{job_id}/events")

            def seen() -> list[dict[str, Any]]:
                events: list[dict[str, Any]] = page.evaluate("window.__seen")
                return events

            wait_until(lambda: len(seen()) > 0, 30, "a first event")
            redis.stop()
            stopped = time.monotonic()
            back.start()
            wait_until(lambda: any(event["kind"] == "end" for event in seen()), 180, "the end event")
            assert time.monotonic() - stopped >= AWAY_SECONDS
            states: list[int] = page.evaluate("window.__states")
            assert 2 not in states, f"the EventSource was closed for good (readyState 2): {states}"
            assert states.count(0) >= 1, f"it never reconnected, so no outage was ridden out: {states}"
            events = seen()
            ids = [int(event["id"]) for event in events]
            assert ids == sorted(set(ids)), f"repeated or out-of-order events: {ids}"
            assert '"SUCCESS"' in events[-1]["data"] and events[-1]["kind"] == "end"
    finally:
        context.close()
