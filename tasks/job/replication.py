"""Whether the replicas hold every write so far: Redis `WAIT` for as many as are connected, above a floor.

Waiting for a fixed number of replicas stops a primary that has fewer: after a
failover of a primary and one replica, the promoted node has none until the dead
one comes back, so every write would wait out its timeout and be refused. What
most replicated stores do instead (Kafka's in-sync replicas, MongoDB's majority
of the members up) is wait for the replicas there are, up to the number wanted,
and refuse only below a floor the operator sets.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redis import ConnectionPool, Redis

from tasks.job import keys

# WAIT counts what the replicas hold up to this connection's own last write:
# a small write on the same connection covers every earlier write, on any
# connection (the broker's too), as the replication stream is one sequence.
FENCE_KEY = keys.REPLICATION_FENCE

# How many replicas the primary of each connection pool had at its last look: the next WAIT's
# target, so one round trip does the write, the count and the wait. A wrong guess
# costs a second WAIT (a replica joined) or one wait to the timeout (a stale count
# after a failover), never a wrong answer: the count read beside it decides.
_last_seen: weakref.WeakKeyDictionary[ConnectionPool, int] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Replicas:
    """How many replicas a write should be on: `wanted` when that many are connected, never fewer than `floor`."""

    wanted: int
    floor: int = 0

    @classmethod
    def configured(cls, config: Mapping[str, Any]) -> Replicas:
        """What `REDIS_WAIT_REPLICAS` and `REDIS_MIN_REPLICAS` ask for."""
        return cls(config["REDIS_WAIT_REPLICAS"], config["REDIS_MIN_REPLICAS"])

    def target(self, online: int) -> int:
        """The replicas a write must reach when `online` replicas are connected and synced."""
        return max(self.floor, min(self.wanted, online))


NO_REPLICAS = Replicas(0)


def online_replicas(info: dict[str, object]) -> int:
    """Replicas of `INFO replication` that are synced and streaming (`state=online`): those that can acknowledge.

    A replica still loading its first full copy cannot: counted, it would make every write wait out the
    timeout during a resync.
    """
    count = 0
    for name, value in info.items():
        if name.startswith("slave") and isinstance(value, dict) and value.get("state") == "online":
            count += 1
    return count


def replicated(redis: Redis, replicas: Replicas, timeout: float) -> bool:
    """Whether `replicas.target(connected)` replicas hold every write the primary took so far, waiting up to
    `timeout` seconds; False when fewer than `replicas.floor` do."""
    guess = replicas.target(_last_seen.get(redis.connection_pool, replicas.wanted))
    with redis.pipeline(transaction=False) as pipe:
        pipe.set(FENCE_KEY, "1", px=60_000)
        pipe.info("replication")
        pipe.wait(guess, int(timeout * 1000))
        _, info, acknowledged = pipe.execute()
    online = online_replicas(info)
    _last_seen[redis.connection_pool] = online
    needed = replicas.target(online)
    if int(acknowledged) < needed and guess < needed:
        # A replica joined since the last look: wait for it too.
        acknowledged = redis.wait(needed, int(timeout * 1000))
    return int(acknowledged) >= needed
