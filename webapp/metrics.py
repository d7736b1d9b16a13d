"""GET /metrics: Prometheus text, read at scrape time from totals every process keeps in Redis.

Any web process can answer a scrape with the service's totals, whichever
process or machine did the work: job counters and render histograms live in
Redis (tasks/job/metrics.py); jobs submitted are counted when the API queues a
job's render (webapp/jobs.py); queue depth comes from the broker and workers alive
from a broadcast, both global by nature. Open event streams are per process, so
each web process writes its own count into a Redis hash when it changes and
every few seconds (`StreamCensus`) and a scrape sums the fresh entries: processes that died
drop out once their entry is stale.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterator

from celery import Celery
from flask import Blueprint, Flask, Response, current_app
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from redis import Redis
from redis.exceptions import RedisError

from tasks.job import keys, metrics
from tasks.job.record import FAILURE, REVOKED, SUCCESS
from webapp.health import live_workers
from webapp.hub import EventHub

log = logging.getLogger(__name__)
bp = Blueprint("metrics", __name__)

STREAMS_KEY = keys.METRICS_STREAMS
REPORT_SECONDS = 5.0
REPORT_MIN_SECONDS = 0.2
STALE_SECONDS = 30.0


def init_app(app: Flask) -> None:
    """Build the registry /metrics reads at scrape time, and the census of this process's open streams."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ServiceCollector(app))
    app.extensions["metrics_registry"] = registry
    app.extensions["stream_census"] = StreamCensus(app.extensions["redis"], app.extensions["event_hub"])


@bp.get("/metrics")
def scrape() -> Response:
    registry: CollectorRegistry = current_app.extensions["metrics_registry"]
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


class ServiceCollector:
    """Builds every metric family from Redis, the broker and the workers at scrape time."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        redis: Redis = self.app.extensions["redis"]
        counts = metrics.read_counts(redis)
        for name, field, text in (
            ("pdf_jobs_submitted", metrics.SUBMITTED, "Jobs queued for rendering."),
            ("pdf_jobs_succeeded", SUCCESS, "Jobs that ended with a PDF."),
            ("pdf_jobs_failed", FAILURE, "Jobs that ended in FAILURE."),
            ("pdf_jobs_cancelled", REVOKED, "Jobs cancelled before they ended."),
        ):
            yield CounterMetricFamily(name, text, value=counts.get(field, 0))
        for name, key, bounds, text in (
            ("pdf_render_seconds", metrics.SECONDS_KEY, metrics.SECONDS_BUCKETS, "Seconds from start to stored PDF."),
            ("pdf_render_pages", metrics.PAGES_KEY, metrics.PAGES_BUCKETS, "Pages of each PDF rendered."),
        ):
            histogram = metrics.read_histogram(redis, key, bounds)
            yield HistogramMetricFamily(name, text, buckets=histogram.buckets, sum_value=histogram.sum)
        depth = queue_depth(self.app.extensions["celery"])
        if depth is not None:
            yield GaugeMetricFamily("pdf_queue_depth", "Jobs waiting in the broker's queue.", value=depth)
        census: StreamCensus = self.app.extensions["stream_census"]
        yield GaugeMetricFamily("pdf_sse_streams_open", "Open event streams, all web processes.", value=census.total())
        workers = live_workers(self.app.extensions["celery"])
        yield GaugeMetricFamily("pdf_workers_alive", "Workers consuming the render queue.", value=workers.render)
        yield GaugeMetricFamily(
            "pdf_webhook_workers_alive", "Workers consuming the webhook queue.", value=workers.webhooks
        )


def queue_depth(celery: Celery) -> int | None:
    """Messages waiting in the job queue, on Redis or RabbitMQ alike; None if the broker is unreachable."""
    queue = celery.conf.task_default_queue
    try:
        # The broker connections Celery pools for sending, where reads go to the same broker: a connection
        # of its own per call cost a handshake (and redis-py's look-up of its own version) on every POST.
        conf = celery.conf
        pooled = conf.broker_read_url in (None, conf.broker_write_url or conf.broker_url)
        broker = celery.pool.acquire(block=True, timeout=2) if pooled else celery.connection_for_read(connect_timeout=2)
        with broker as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
            try:
                _, count, _ = connection.default_channel.queue_declare(queue, passive=True)
            except connection.channel_errors:
                return 0  # not declared yet (Redis: empty), so nothing waits
            return int(count)
    except Exception:
        log.warning("could not read the depth of queue %r", queue, exc_info=True)
        return None


class StreamCensus:
    """Each web process's open-stream count in one Redis hash, so any process can sum them."""

    def __init__(self, redis: Redis, hub: EventHub) -> None:
        self.redis = redis
        self.hub = hub
        self._stopped = threading.Event()

    @property
    def name(self) -> str:
        # Read when used: with gunicorn's --preload the app is built before the fork.
        return f"{socket.gethostname()}:{os.getpid()}"

    def report(self) -> None:
        self.redis.hset(STREAMS_KEY, self.name, f"{self.hub.open_streams} {time.time():.3f}")

    def forget(self) -> None:
        """Withdraw this process's count for good: reporting stops first, so it does not come back."""
        self._stopped.set()
        self.hub.changed.set()
        self.redis.hdel(STREAMS_KEY, self.name)

    def total(self) -> int:
        """Open streams across all web processes that reported lately."""
        self.report()
        now = time.time()
        total, stale = 0, []
        for name, value in self.redis.hgetall(STREAMS_KEY).items():
            count, _, stamp = metrics.text(value).partition(" ")
            if now - float(stamp or 0) > STALE_SECONDS:
                stale.append(name)
            else:
                total += int(count)
        if stale:
            self.redis.hdel(STREAMS_KEY, *stale)
        return total

    def keep_reporting(self) -> None:
        """Report as soon as a stream opens or ends, and every few seconds anyway, until `forget` (a daemon thread).

        Every few seconds only, a stream shorter than that was never counted by
        the other processes, and a viewer waited up to that long to be.
        """
        while not self._stopped.is_set():
            self.hub.changed.clear()
            try:
                self.report()
            except RedisError as exc:
                log.debug("could not report open streams: %s", exc)
            if self.hub.changed.wait(REPORT_SECONDS):
                time.sleep(REPORT_MIN_SECONDS)  # a burst of viewers is one report, not one each
