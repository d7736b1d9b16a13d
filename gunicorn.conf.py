"""gunicorn settings: gevent workers, because event streams stay open for minutes."""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
worker_class = "gevent"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Each open event stream is one connection: this many per worker process.
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "1000"))
# For gevent workers this is only a heartbeat: streams are not killed by it.
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 1000
max_requests_jitter = 100
accesslog = os.environ.get("ACCESS_LOG") or None
# gunicorn 27 puts its control socket at one path per user ($HOME/.gunicorn/gunicorn.ctl): two
# servers on one machine (a test suite, two instances) would take it from each other. Nothing here
# uses gunicornc.
control_socket_disable = True


def post_worker_init(worker: object) -> None:
    """Each web process: log with job ids, count its streams for /metrics, end them at once on SIGTERM."""
    from webapp.lifecycle import worker_started

    worker_started(worker)
