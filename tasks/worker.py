"""The worker's lifecycle in one place: the task modules a worker imports, what it sets up when it starts,
and how its pool processes stop. Importing this module loads no engine: the web tier imports it too."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from celery import Celery
from celery.signals import worker_init, worker_ready
from flask import Flask

from tasks import shutdown
from tasks.sending import TASK_MODULES

if TYPE_CHECKING:
    from celery.worker import WorkController

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Have a worker built from `app` import the task modules and set itself up from `app.config` at start."""
    celery: Celery = app.extensions["celery"]
    celery.conf.include = [*TASK_MODULES]
    shutdown.install()

    warmed: list[str] = []

    def started(sender: WorkController, **_: Any) -> None:
        configure(app.config)
        if renders(sender):
            from tasks.render import warmup  # loads the engines: a render worker's parent only

            warmed.append(warmup.warm_up())  # before the pool forks: every child starts with it

    def ready(**_: Any) -> None:
        for summary in warmed:  # told once logging is set up, which Celery does after worker_init
            log.info("%s", summary)

    worker_init.connect(started, weak=False, dispatch_uid="pdf-worker-configures-itself")
    worker_ready.connect(ready, weak=False, dispatch_uid="pdf-worker-tells-its-warm-up")


def renders(worker: WorkController) -> bool:
    """Whether `worker` consumes the render queue (the webhook deliveries' worker does not)."""
    return str(worker.app.conf.task_default_queue) in worker.app.amqp.queues.consume_from


def configure(config: Mapping[str, Any]) -> None:
    """What a process that renders needs from the configuration: the operator's font directories."""
    from tasks.fonts import fallback  # loads ReportLab: only where documents are rendered

    fallback.configure(config["FONT_DIRS"])
