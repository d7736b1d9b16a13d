"""Pool processes ignore SIGTERM, so a worker told to stop always finishes the render in hand.

Celery's warm shutdown (SIGTERM to the worker's main process) waits for the
running task. But Heroku and systemd (KillMode=control-group, its default)
send SIGTERM to every process of the worker, and a pool process dies of it
at once: the render is lost and starts again elsewhere. Ignoring SIGTERM in
pool processes leaves the decision to the main process. A hard time limit
still ends a render (billiard follows its SIGTERM with SIGKILL), and so does
the SIGKILL a supervisor sends when its own stop timeout runs out.
"""

from __future__ import annotations

import signal
from typing import Any

from celery.signals import worker_process_init


def ignore_sigterm(**_: Any) -> None:
    """In each new pool process: SIGTERM is for the main process to act on."""
    # Runs at the end of Celery's process initializer; billiard's later
    # reset_signals() keeps a signal that is ignored ignored.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def install() -> None:
    """Ignore SIGTERM in every pool process a worker of this app starts."""
    worker_process_init.connect(ignore_sigterm, weak=False, dispatch_uid="pdf-pool-ignores-sigterm")
