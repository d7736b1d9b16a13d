"""The worker's lifecycle in one place: the task modules a worker imports, what it sets up when it starts,
and how its pool processes stop. Importing this module loads no engine: the web tier imports it too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from celery import Celery
from celery.signals import worker_init
from flask import Flask

from tasks import shutdown
from tasks.sending import TASK_MODULES


def init_app(app: Flask) -> None:
    """Have a worker built from `app` import the task modules and set itself up from `app.config` at start."""
    celery: Celery = app.extensions["celery"]
    celery.conf.include = [*TASK_MODULES]
    shutdown.install()

    def started(**_: Any) -> None:
        configure(app.config)

    worker_init.connect(started, weak=False, dispatch_uid="pdf-worker-configures-itself")


def configure(config: Mapping[str, Any]) -> None:
    """What a process that renders needs from the configuration: the operator's font directories."""
    from tasks.fonts import fallback  # loads ReportLab: only where documents are rendered

    fallback.configure(config["FONT_DIRS"])
