"""Build the app's shared objects: the Redis client, the job store, Celery."""

from __future__ import annotations

from functools import partial

from celery import Celery, Task
from flask import Flask

from tasks.job.store import JobStore
from tasks.sending import schedule_delivery
from webapp.hub import EventHub
from webapp.redis_client import redis_for, target_from


def init_app(app: Flask) -> None:
    """Attach one pooled Redis client, the job store and Celery to `app`."""
    # A bounded pool that waits for a free connection rather than failing:
    # a web process serving a thousand streams must not open a thousand
    # connections (redis-py's default pool answers MaxConnectionsError).
    # The worker side uses this client too: its tasks run in the app's context.
    redis = redis_for(
        target_from(app.config),
        app.config["REDIS_MAX_CONNECTIONS"],
        timeout=5,
        socket_timeout=5,
        socket_connect_timeout=2,
        health_check_interval=30,
    )
    app.extensions["redis"] = redis
    celery = celery_init_app(app)
    # Whichever process ends a job (worker, cancel, lost-job check) queues its webhook.
    app.extensions["job_store"] = JobStore(redis, app.config["RESULT_TTL"], on_end=partial(schedule_delivery, celery))
    app.extensions["event_hub"] = EventHub(redis)


def celery_init_app(app: Flask) -> Celery:
    """Celery the Flask way: every task runs inside the app context."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
