"""How many worker processes are running: each worker registers its pool size in Redis."""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import signals
from flask import Flask
from redis import Redis
from redis.exceptions import RedisError

from tasks.job import keys
from tasks.job.metrics import text

KEY = keys.WORKERS
HEARTBEAT_SECONDS = 10.0
# A worker killed without its shutdown (SIGKILL) stops counting after this.
STALE_SECONDS = 35.0
log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """In a worker: register its processes once it is ready, refresh them, remove them when it stops.

    Cheaper than asking the workers (`inspect().stats()` waits a second for
    replies): one HGETALL gives every worker's pool size. It counts processes
    alive, not idle ones: a busy service still splits, and its parts queue
    behind the jobs before them.
    """
    redis: Redis = app.extensions["redis"]

    def beat(node: str, processes: int) -> None:
        try:
            redis.hset(KEY, node, f"{processes} {time.time():.0f}")
        except RedisError:
            log.warning("could not register this worker's processes", exc_info=True)

    def ready(sender: Any = None, **_: Any) -> None:
        if sender.app.conf.task_default_queue not in sender.app.amqp.queues.consume_from:
            return  # a worker of other queues (webhooks): it renders nothing
        node, processes = str(sender.hostname), int(sender.pool.num_processes)
        beat(node, processes)
        sender.timer.call_repeatedly(HEARTBEAT_SECONDS, beat, (node, processes))

    def shutdown(sender: Any = None, **_: Any) -> None:
        try:
            redis.hdel(KEY, str(sender.hostname))
        except RedisError:
            log.warning("could not unregister this worker's processes", exc_info=True)

    # One handler per process, whichever app was built last (tests build many).
    signals.worker_ready.connect(ready, weak=False, dispatch_uid="pdf-capacity-ready")
    signals.worker_shutdown.connect(shutdown, weak=False, dispatch_uid="pdf-capacity-shutdown")


def worker_processes(redis: Redis) -> int:
    """Rendering processes of the workers that registered and were heard from recently."""
    now = time.time()
    total = 0
    for value in redis.hgetall(KEY).values():
        processes, _, seen = text(value).partition(" ")
        if now - float(seen or 0) < STALE_SECONDS:
            total += int(processes)
    return total
