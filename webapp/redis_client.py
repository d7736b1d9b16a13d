"""Every Redis client the service makes, from one place: one server (`REDIS_URL`) or Sentinel.

With `REDIS_SENTINELS` set, each client asks the Sentinels where the primary
of `REDIS_MASTER_NAME` is, and asks again when it loses it: a connection
refused, or a `READONLY` answer from a primary that was demoted (redis-py's
sentinel pool turns that into a `ConnectionError` and reconnects). `REDIS_URL`
then gives only the password and the database number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from redis import BlockingConnectionPool, Redis
from redis.sentinel import Sentinel, SentinelConnectionPool

DEFAULT_MASTER_NAME = "mymaster"
# Asking a Sentinel is quick or it is down: try the next one soon.
SENTINEL_TIMEOUT = 1.0


@dataclass(frozen=True)
class RedisTarget:
    """Where Redis is: `url` alone, or the Sentinels that know the primary of `master_name`."""

    url: str
    sentinels: tuple[tuple[str, int], ...] = ()
    master_name: str = DEFAULT_MASTER_NAME
    sentinel_password: str = ""

    @property
    def password(self) -> str:
        return urlsplit(self.url).password or ""

    @property
    def db(self) -> int:
        path = urlsplit(self.url).path.strip("/")
        return int(path) if path.isdigit() else 0


def parse_sentinels(text: str) -> tuple[tuple[str, int], ...]:
    """`host:port,host:port` as pairs; a missing port is Sentinel's 26379."""
    found: list[tuple[str, int]] = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        host, _, port = item.rpartition(":") if ":" in item else (item, "", "26379")
        if not host or not port.isdigit():
            raise ValueError(f"REDIS_SENTINELS lists host:port pairs, not {item!r}")
        found.append((host.strip("[]"), int(port)))
    return tuple(found)


def target_from(config: Mapping[str, Any]) -> RedisTarget:
    return RedisTarget(
        config["REDIS_URL"],
        config.get("REDIS_SENTINELS", ()),
        config.get("REDIS_MASTER_NAME", DEFAULT_MASTER_NAME),
        config.get("REDIS_SENTINEL_PASSWORD", ""),
    )


class SentinelBlockingConnectionPool(SentinelConnectionPool, BlockingConnectionPool):
    """The primary's connections, found through Sentinel, at most `max_connections` of them:
    a caller waits `timeout` seconds for a free one rather than failing (redis-py has no such pool)."""


def redis_for(target: RedisTarget, max_connections: int, **options: Any) -> Redis:
    """A client of the primary on a bounded, blocking pool; `options` go to every connection."""
    if not target.sentinels:
        pool = BlockingConnectionPool.from_url(target.url, max_connections=max_connections, **options)
        return Redis(connection_pool=pool)
    sentinel = Sentinel(list(target.sentinels), sentinel_kwargs=_sentinel_kwargs(target))  # type: ignore[no-untyped-call]
    client: Redis = sentinel.master_for(  # type: ignore[no-untyped-call]
        target.master_name,
        connection_pool_class=SentinelBlockingConnectionPool,
        max_connections=max_connections,
        password=target.password or None,
        db=target.db,
        **options,
    )
    return client


def celery_url(target: RedisTarget) -> str:
    """Kombu's and Celery's URL: `REDIS_URL`, or `sentinel://h:p/db;sentinel://h:p/db`."""
    if not target.sentinels:
        return target.url
    auth = f":{quote(target.password, safe='')}@" if target.password else ""
    return ";".join(f"sentinel://{auth}{_host(host)}:{port}/{target.db}" for host, port in target.sentinels)


def celery_transport_options(target: RedisTarget) -> dict[str, Any]:
    """What Celery's broker and result backend need besides the URL to find the primary."""
    if not target.sentinels:
        return {}
    return {"master_name": target.master_name, "sentinel_kwargs": _sentinel_kwargs(target)}


def limiter_storage(target: RedisTarget) -> tuple[str, dict[str, Any]]:
    """flask-limiter's storage URI and its options beyond the connection timeouts."""
    if not target.sentinels:
        return target.url, {}
    nodes = ",".join(f"{_host(host)}:{port}" for host, port in target.sentinels)
    # limits sends the primary's password to the Sentinels too unless told theirs.
    sentinel_kwargs = {"password": target.sentinel_password or None, **_sentinel_kwargs(target)}
    options: dict[str, Any] = {"sentinel_kwargs": sentinel_kwargs, "db": target.db, "use_replicas": False}
    if target.password:
        options["password"] = target.password
    return f"redis+sentinel://{nodes}/{target.master_name}", options


def _sentinel_kwargs(target: RedisTarget) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"socket_timeout": SENTINEL_TIMEOUT, "socket_connect_timeout": SENTINEL_TIMEOUT}
    if target.sentinel_password:
        kwargs["password"] = target.sentinel_password
    return kwargs


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
