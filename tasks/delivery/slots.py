"""At most N webhook deliveries in flight per receiver, across every webhook worker: a Redis semaphore."""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlsplit

from redis import Redis

from tasks.job import keys

SLOTS_PREFIX = keys.WEBHOOK_SLOTS_PREFIX
# A slot a delivery holds is released when it ends, or after this many seconds
# if its worker died holding it (one attempt takes 10 s per blocking step).
LEASE_SECONDS = 60

# KEYS[1]: the receiver's sorted set of slot tokens, scored by when their lease ends.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


def receiver(url: str) -> str:
    """Who a callback URL reaches: its host and port (every path on one server is one receiver)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def acquire(redis: Redis, url: str, limit: int) -> str | None:
    """A slot for one delivery to `url`'s receiver (its token), or None when `limit` are in flight."""
    token = uuid.uuid4().hex
    now = time.time()
    args: list[float | int | str] = [now, now + LEASE_SECONDS, limit, token, LEASE_SECONDS * 2]
    taken = redis.register_script(_ACQUIRE)(keys=[SLOTS_PREFIX + receiver(url)], args=args)
    return token if taken else None


def release(redis: Redis, url: str, token: str) -> None:
    redis.zrem(SLOTS_PREFIX + receiver(url), token)
