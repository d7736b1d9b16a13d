"""An app built in-process (a test's or a benchmark's), closed cleanly."""

from __future__ import annotations

from flask import Flask


def close_app(app: Flask) -> None:
    """Let go of what an app holds open: its event subscription and its Redis connections."""
    app.extensions["event_hub"].close(wait=5)
    app.extensions["redis"].connection_pool.disconnect()
    limiter_client = getattr(app.extensions["limiter"].storage, "storage", None)
    if limiter_client is not None:
        limiter_client.connection_pool.disconnect()
    celery = app.extensions["celery"]
    backend_client = getattr(celery.backend, "client", None)
    if backend_client is not None:
        backend_client.connection_pool.disconnect()
    celery.close()
