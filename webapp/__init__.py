"""The Flask app factory: HTML in, PDF out, progress streamed live."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

ROOT = Path(__file__).resolve().parent.parent


def create_app(environ: Mapping[str, str] | None = None) -> Flask:
    """Build the app from the process environment, or from `environ` (tests)."""
    from tasks import worker
    from webapp import (
        access,
        capacity,
        errors,
        events,
        extensions,
        health,
        jobs,
        logs,
        metrics,
        openapi,
        pages,
    )
    from webapp.config import load_config
    from webapp.json_body import BodyJSONProvider
    from webapp.slow_clients import BodyGuard

    app = Flask(
        __name__,
        static_folder=str(ROOT / "static"),
        template_folder=str(ROOT / "templates"),
    )
    app.config.from_mapping(load_config(environ))
    if app.config["TRUSTED_PROXY_COUNT"] > 0:
        # The client's address from X-Forwarded-For, as many hops back as proxies are trusted; never otherwise.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXY_COUNT"])  # type: ignore[method-assign]
    app.json = BodyJSONProvider(app)
    app.json.sort_keys = False

    extensions.init_app(app)
    errors.init_app(app)
    logs.init_app(app)
    capacity.init_app(app)  # in a worker process: Celery's signals register its pool size
    metrics.init_app(app)
    app.register_blueprint(metrics.bp)
    access.init_app(app, jobs.bp)
    app.register_blueprint(jobs.bp)
    app.register_blueprint(events.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(openapi.bp)
    config = app.config
    app.wsgi_app = BodyGuard(  # type: ignore[method-assign]
        app.wsgi_app, config["REQUEST_BODY_TIMEOUT"], config["UPLOADS_PER_CLIENT"], config["MAX_CONTENT_LENGTH"]
    )
    worker.init_app(app)  # what a worker built from this app loads and sets up: never the web's business
    return app
