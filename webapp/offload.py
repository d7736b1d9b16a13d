"""Run CPU-bound work so that a gevent web process keeps serving its other requests meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def off_the_loop(work: Callable[..., T], *args: Any) -> T:
    """`work(*args)`, on a native thread of gevent's pool when the process runs gevent.

    Pure Python work holds the interpreter lock, but the interpreter hands it
    over every few milliseconds, so the event loop (other requests, streams,
    gunicorn's heartbeat) keeps running beside a long scan of a large body.
    """
    try:
        import gevent
        import gevent.monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return work(*args)
    if not gevent.monkey.is_module_patched("threading"):
        return work(*args)
    result: T = gevent.get_hub().threadpool.apply(work, args)
    return result
