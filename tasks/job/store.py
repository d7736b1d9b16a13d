"""Jobs in Redis: the record, its HTML and PDF, and the events it publishes."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from redis import Redis

from tasks.job.metrics import COUNTS_KEY
from tasks.job.record import Job, channel, is_terminal, to_json
from tasks.render.assets import Bundle

# One Redis hash per job holds everything about it (record, HTML, PDF, event
# counter), so one TTL covers it all and one DEL removes it.
KEY_PREFIX = "pdfjob:"

# Writes a new state of a job and publishes it, atomically: the event id is
# the job's own counter, and a job that has ended (or is gone) takes no
# further state, so a cancel can never be overwritten by a late progress step
# and two events never share an id. The message is flask-sse's
# `Message.to_dict()` shape, with the job JSON as ready-made string data.
# The step that makes a job final also counts it by its state (KEYS[2],
# tasks/job/metrics.py): once per job, whichever process ended it. Given a
# percent (ARGV[8]), a step that would not move the bar forward is dropped
# (0): parts of one job rendering at once report out of order. An ended job
# needs its input no more: its HTML, assets and parts go at once, and its
# client's stored bytes (tasks/quota.py) hold its PDF only, or nothing.
_ADVANCE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -2 end
if redis.call('HGET', KEYS[1], 'final') == '1' then return -1 end
if ARGV[8] ~= '' then
  if tonumber(ARGV[8]) <= tonumber(redis.call('HGET', KEYS[1], 'percent') or '-1') then return 0 end
  redis.call('HSET', KEYS[1], 'percent', ARGV[8])
end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[1], 'json', ARGV[2])
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[1], 'final', '1')
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  redis.call('HINCRBY', KEYS[2], ARGV[7], 1)
end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'pdf', ARGV[6]) end
if ARGV[4] == '1' then
  local parts = tonumber(redis.call('HGET', KEYS[1], 'parts') or '0')
  for index = 0, parts - 1 do
    redis.call('HDEL', KEYS[1], 'part:' .. index .. ':html', 'part:' .. index .. ':pdf')
  end
  redis.call('HDEL', KEYS[1], 'html', 'assets', 'document', 'split:overlay')
  local quota = redis.call('HGET', KEYS[1], 'quota')
  if quota then
    if ARGV[7] == 'SUCCESS' then
      redis.call('HSET', quota, ARGV[9], redis.call('HSTRLEN', KEYS[1], 'pdf'))
      redis.call('EXPIRE', quota, ARGV[5])
    else
      redis.call('HDEL', quota, ARGV[9])
    end
  end
end
redis.call('PUBLISH', ARGV[1],
  '{"data":' .. cjson.encode(ARGV[2]) .. ',"type":"' .. ARGV[3] .. '","id":' .. seq .. '}')
return seq
"""

# A new job made from a stored result: the PDF is copied inside Redis, and
# counted against the client's stored bytes (ARGV[3], its quota's key, if any).
_COPY = """
if redis.call('HGET', KEYS[1], 'final') ~= '1' then return 0 end
local pdf = redis.call('HGET', KEYS[1], 'pdf')
if not pdf then return 0 end
redis.call('HSET', KEYS[2], 'json', ARGV[1], 'seq', 1, 'final', '1', 'pdf', pdf)
redis.call('EXPIRE', KEYS[2], ARGV[2])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[2], 'quota', ARGV[3])
  redis.call('HSET', ARGV[3], ARGV[4], string.len(pdf))
  redis.call('EXPIRE', ARGV[3], ARGV[2])
end
return 1
"""
NAME_PREFIX = "pdfname:"

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
        # Called with a job once it has ended, by whichever process ended it (webhooks).
        self.on_end: Callable[[Job], None] | None = None
        self._copy = redis.register_script(_COPY)

    def create(
        self,
        job: Job,
        html: str,
        options: dict[str, str] | None = None,
        assets: Bundle | None = None,
        fields: Mapping[str, str | bytes | int] | None = None,
    ) -> None:
        """Store a new job, its HTML, page options, assets and any other `fields`; its first event id is 1."""
        record: dict[Any, Any] = {
            "json": to_json(job),
            "seq": 1,
            "html": html,
            "options": to_json(options or {}),
            **(fields or {}),
        }
        if assets is not None:
            record.update(assets=assets.archive, document=assets.document)
        with self.redis.pipeline() as pipe:
            pipe.hset(key(job["id"]), mapping=record)
            pipe.expire(key(job["id"]), self.ttl)
            pipe.execute()

    def assets(self, job_id: str) -> Bundle | None:
        archive, document = self.redis.hmget(key(job_id), ["assets", "document"])
        if not isinstance(archive, bytes) or document is None:
            return None
        return Bundle(archive, _text(document))

    def options(self, job_id: str) -> dict[str, str]:
        data = self.redis.hget(key(job_id), "options")
        loaded: dict[str, str] = json.loads(data) if data else {}
        return loaded

    def claim(self, name: str, job_id: str) -> str:
        """Bind `name` (a content hash, an idempotency key) to `job_id` unless bound already; return the binding."""
        if self.redis.set(NAME_PREFIX + name, job_id, nx=True, ex=self.ttl):
            return job_id
        bound = self.redis.get(NAME_PREFIX + name)
        return job_id if bound is None else _text(bound)

    def bound(self, name: str) -> str | None:
        value = self.redis.get(NAME_PREFIX + name)
        return None if value is None else _text(value)

    def rebind(self, name: str, job_id: str) -> None:
        self.redis.set(NAME_PREFIX + name, job_id, ex=self.ttl)

    def copy_result(self, source_id: str, job: Job, quota: str = "") -> bool:
        """Create `job` as an ended copy of job `source_id`'s PDF, if that is still stored.

        `quota` is the key of the stored bytes of the client it is for (tasks/quota.py).
        """
        args = [to_json(job), self.ttl, quota, job["id"]]
        return bool(self._copy(keys=[key(source_id), key(job["id"])], args=args))

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

    def advance(self, job: Job, pdf: bytes = b"", forward_only: bool = False) -> int:
        """Store and publish `job`'s new state; return its event id.

        Returns `REFUSED_ENDED` when the job had already ended (it was
        cancelled, say) and `REFUSED_GONE` when it was deleted or expired.
        With `forward_only`, a running job's step whose percent is not above
        the last one stored is dropped, returning 0.
        """
        final = is_terminal(job)
        args = [
            channel(job["id"]),
            to_json(job),
            "end" if final else "progress",
            "1" if final else "0",
            self.ttl,
            pdf,
            job["state"],
            str(job["progress"]["percent"]) if forward_only and not final else "",
            job["id"],
        ]
        seq = int(self._advance(keys=[key(job["id"]), COUNTS_KEY], args=args))
        if final and seq > 0 and self.on_end is not None:
            self.on_end(job)
        return seq

    def delete(self, job_id: str) -> bool:
        return bool(self.redis.delete(key(job_id)))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
