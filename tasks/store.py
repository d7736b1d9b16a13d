"""Jobs in Redis: the record, its HTML and PDF, and the events it publishes."""

from __future__ import annotations

import json
from dataclasses import dataclass

from redis import Redis

from tasks.job import Job, channel, is_terminal

# One Redis hash per job holds everything about it (record, HTML, PDF, event
# counter), so one TTL covers it all and one DEL removes it.
KEY_PREFIX = "pdfjob:"

# Writes a new state of a job and publishes it, atomically: the event id is
# the job's own counter, and a job that has ended (or is gone) takes no
# further state, so a cancel can never be overwritten by a late progress step
# and two events never share an id. The message is flask-sse's
# `Message.to_dict()` shape, with the job JSON as ready-made string data.
_ADVANCE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -2 end
if redis.call('HGET', KEYS[1], 'final') == '1' then return -1 end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[1], 'json', ARGV[2])
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[1], 'final', '1')
  redis.call('EXPIRE', KEYS[1], ARGV[5])
end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'pdf', ARGV[6]) end
redis.call('PUBLISH', ARGV[1],
  '{"data":' .. cjson.encode(ARGV[2]) .. ',"type":"' .. ARGV[3] .. '","id":' .. seq .. '}')
return seq
"""

REFUSED_ENDED = -1
REFUSED_GONE = -2


@dataclass(frozen=True)
class Snapshot:
    """A job's latest state as stored JSON text, and the id of its event."""

    json: str
    seq: int

    @property
    def job(self) -> Job:
        loaded: Job = json.loads(self.json)
        return loaded


def key(job_id: str) -> str:
    return KEY_PREFIX + job_id


class JobStore:
    """Reads and writes jobs; every entry expires `ttl` seconds after its last state."""

    def __init__(self, redis: Redis, ttl: int) -> None:
        self.redis = redis
        self.ttl = ttl
        self._advance = redis.register_script(_ADVANCE)

    def create(self, job: Job, html: str) -> None:
        """Store a new job and its HTML; its first event id is 1."""
        with self.redis.pipeline() as pipe:
            pipe.hset(key(job["id"]), mapping={"json": json.dumps(job, separators=(",", ":")), "seq": 1, "html": html})
            pipe.expire(key(job["id"]), self.ttl)
            pipe.execute()

    def snapshot(self, job_id: str) -> Snapshot | None:
        data, seq = self.redis.hmget(key(job_id), ["json", "seq"])
        if data is None:
            return None
        return Snapshot(_text(data), int(seq or 0))

    def html(self, job_id: str) -> str | None:
        data = self.redis.hget(key(job_id), "html")
        return None if data is None else _text(data)

    def pdf(self, job_id: str) -> bytes | None:
        data = self.redis.hget(key(job_id), "pdf")
        assert data is None or isinstance(data, bytes), "the client must not decode responses"
        return data

    def count_attempt(self, job_id: str) -> int:
        """Count one more delivery of the job to a worker; return the total."""
        return int(self.redis.hincrby(key(job_id), "attempts", 1))

    def advance(self, job: Job, pdf: bytes = b"") -> int:
        """Store and publish `job`'s new state; return its event id.

        Returns `REFUSED_ENDED` when the job had already ended (it was
        cancelled, say) and `REFUSED_GONE` when it was deleted or expired.
        """
        final = is_terminal(job)
        args = [
            channel(job["id"]),
            json.dumps(job, separators=(",", ":")),
            "end" if final else "progress",
            "1" if final else "0",
            self.ttl,
            pdf,
        ]
        return int(self._advance(keys=[key(job["id"])], args=args))

    def delete(self, job_id: str) -> bool:
        return bool(self.redis.delete(key(job_id)))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
