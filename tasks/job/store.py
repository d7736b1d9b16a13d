"""Jobs in Redis: the record, its HTML and PDF, and the events it publishes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from redis import Redis

from tasks.document.assets import Bundle
from tasks.job import keys
from tasks.job.metrics import COUNTS_KEY, text
from tasks.job.record import Job, channel, is_terminal, to_json

# One Redis hash per job holds everything about it (record, HTML, PDF, event
# counter), so one TTL covers it all and one DEL removes it. This module is
# the only one that reads or writes its fields:
#   json, seq, final, percent   the job's JSON, its event counter, ended, the bar's last percent
#   html, options, assets, document, pdf, quota, attempts
#   finishing                    the stamp, protect and sign options: passwords, so deleted when the job ends
#   finishing:steps              their names only ("stamp,sign"), for the bar: kept
#   parts                        how many parts a job rendered in parts has
#   part:<n>:name|html|weight    a part as queued; its share of the bar
#   part:<n>:attempts|worker     deliveries of the part; who rendered it last
#   part:<n>:pct|pages           its progress; its PDF's pages
#   part:<n>:pdf|fidelity        its PDF and fidelity report, until the join
#   join:weight|pct              a split's joining step as a share of the bar, and its progress
#   split:fidelity               what preparing a split document whole reported
#   split:overlay                the page numbers drawn over a split's joined parts
#   split:attempts|queued        deliveries of the split's analysis; its parts are queued
#   owner                        the key of its client's list of jobs (below)
KEY_PREFIX = keys.JOB_PREFIX
# Per client (its token, or its address), a sorted set of the ids of the jobs
# it submitted, scored by creation time in microseconds: what GET /api/jobs
# lists. It expires with the last of its jobs (each add and each job's end
# push its TTL on); the ids of jobs gone (deleted, expired) are pruned as they
# are met, a few at each add and every one a listing reads.
OWNER_PREFIX = keys.OWNER_PREFIX

# What a job's record stores, in bytes: every field's name and value (its
# JSON, its PDF, its parts' names and reports, its counters). An ended job's
# entry in its client's quota (webapp/quota.py) is this, kept true by every
# script that writes an ended record (each is registered after it): a document can grow the record only
# within the bounds of tasks/document/bounds.py, and whatever it holds is counted.
_STORED = """
local function stored(record)
  local size = 0
  for _, name in ipairs(redis.call('HKEYS', record)) do
    size = size + string.len(name) + redis.call('HSTRLEN', record, name)
  end
  return size
end
"""

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
# client's stored bytes (webapp/quota.py) hold what stays: its record. The
# event id is at least ARGV[10]: a writer that saw its steps lost with a
# demoted primary goes on above the ids it already handed out.
_ADVANCE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -2 end
if redis.call('HGET', KEYS[1], 'final') == '1' then return -1 end
if ARGV[8] ~= '' then
  if tonumber(ARGV[8]) <= tonumber(redis.call('HGET', KEYS[1], 'percent') or '-1') then return 0 end
  redis.call('HSET', KEYS[1], 'percent', ARGV[8])
end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
if seq < tonumber(ARGV[10]) then
  seq = tonumber(ARGV[10])
  redis.call('HSET', KEYS[1], 'seq', seq)
end
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
  redis.call('HDEL', KEYS[1], 'html', 'assets', 'document', 'split:overlay', 'finishing')
  local owner = redis.call('HGET', KEYS[1], 'owner')
  if owner then redis.call('EXPIRE', owner, ARGV[5]) end
  local quota = redis.call('HGET', KEYS[1], 'quota')
  if quota then
    redis.call('HSET', quota, ARGV[9], stored(KEYS[1]))
    redis.call('EXPIRE', quota, ARGV[5])
  end
end
redis.call('PUBLISH', ARGV[1],
  '{"data":' .. cjson.encode(ARGV[2]) .. ',"type":"' .. ARGV[3] .. '","id":' .. seq .. '}')
return seq
"""

# The job record is final once the job has ended (`advance` takes no further
# state), so a webhook's delivery progress is written into it directly:
# without a new event, and only if the job still exists (a DELETE wins);
# its client's quota entry (ARGV[2] names it) follows the record's size.
_REWRITE_ENDED = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'json', ARGV[1])
local quota = redis.call('HGET', KEYS[1], 'quota')
if quota and redis.call('HEXISTS', quota, ARGV[2]) == 1 then
  redis.call('HSET', quota, ARGV[2], stored(KEYS[1]))
end
return 1
"""

# A new job made from a stored result: the PDF is copied inside Redis, and
# the copy's record counted against the client's stored bytes (ARGV[3], its
# quota's key, if any), as an ended job's is.
_COPY = """
if redis.call('HGET', KEYS[1], 'final') ~= '1' then return 0 end
local pdf = redis.call('HGET', KEYS[1], 'pdf')
if not pdf then return 0 end
redis.call('HSET', KEYS[2], 'json', ARGV[1], 'seq', 1, 'final', '1', 'pdf', pdf)
redis.call('EXPIRE', KEYS[2], ARGV[2])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[2], 'quota', ARGV[3])
  redis.call('HSET', ARGV[3], ARGV[4], stored(KEYS[2]))
  redis.call('EXPIRE', ARGV[3], ARGV[2])
end
return 1
"""
# Enters job ARGV[1] (created at ARGV[2] µs) in its client's list KEYS[1], and
# names the list in the job's record KEYS[2], so the job's end keeps the list
# as long as the job; the oldest few ids whose jobs are gone are pruned. A job that has ended
# already (a copy of a stored PDF) is counted again in its quota, the field added.
_OWN = """
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('HSET', KEYS[2], 'owner', KEYS[1])
  local quota = redis.call('HGET', KEYS[2], 'quota')
  if quota and redis.call('HGET', KEYS[2], 'final') == '1' then redis.call('HSET', quota, ARGV[1], stored(KEYS[2])) end
end
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, ARGV[5] - 1)) do
  if redis.call('EXISTS', ARGV[4] .. id) == 0 then redis.call('ZREM', KEYS[1], id) end
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""
# How many of a client's oldest ids each new job checks for pruning; how many a listing reads at a time.
_PRUNE_PER_ADD = 8
_LIST_BATCH = 100
NAME_PREFIX = keys.NAME_PREFIX


@dataclass(frozen=True)
class Snapshot:
    """A job's latest state as stored JSON text, and the id of its event."""

    json: str
    seq: int

    @property
    def job(self) -> Job:
        loaded: Job = json.loads(self.json)
        return loaded


@dataclass(frozen=True)
class Cursor:
    """Where a page of a client's jobs ends: the last job listed, by creation time (µs) and id."""

    created: int
    job_id: str

    def encode(self) -> str:
        return f"{self.created}.{self.job_id}"

    @staticmethod
    def decode(value: str) -> Cursor | None:
        """The cursor `value` names, or None if it is not one."""
        created, _, job_id = value.partition(".")
        if not created.isdigit() or not job_id or len(value) > 200:
            return None
        return Cursor(int(created), job_id)


@dataclass(frozen=True)
class JobPage:
    """A page of a client's jobs, newest first, as snapshots; `next` is where the next page starts, if any."""

    jobs: list[Snapshot]
    next: Cursor | None


@dataclass(frozen=True)
class PartToRender:
    """One part of a job as a worker takes it: its name, its HTML, and how many times it was delivered."""

    name: str
    html: str
    attempts: int


@dataclass(frozen=True)
class PartsProgress:
    """Where each part of a job stands, for its bar: share (weight), percent done, pages laid out; and the join's."""

    weights: list[float]
    percents: list[float]
    pages: list[int]
    join_weight: float
    join_percent: float


@dataclass(frozen=True)
class PartsToJoin:
    """What the join of a job's parts reads: their names and PDFs in order (None: missing), a split's overlay."""

    names: list[str]
    pdfs: list[bytes | None]
    overlay: str


@dataclass(frozen=True)
class PartReports:
    """The fidelity reports of a job's parts (JSON text, or None) with each one's pages; a split's as prepared whole."""

    prepared: str | None
    parts: list[tuple[str | None, int]]


def key(job_id: str) -> str:
    return KEY_PREFIX + job_id


def part_fields(parts: Sequence[tuple[str, str]]) -> dict[str, str | int]:
    """The job-record fields holding `parts` (name, HTML), weighted by size for the progress bar."""
    fields: dict[str, str | int] = {"parts": len(parts)}
    for index, (name, html) in enumerate(parts):
        fields |= {f"part:{index}:name": name, f"part:{index}:html": html, f"part:{index}:weight": max(len(html), 1)}
    return fields


def has_ended(redis: Redis, job_id: str) -> bool:
    """Whether job `job_id` has ended, or is gone (deleted, expired); for a watchdog holding only a client."""
    state, final = redis.hmget(key(job_id), ["json", "final"])
    return state is None or final == b"1"


class JobStore:
    """Reads and writes jobs; every entry expires `ttl` seconds after its last state.

    `on_end` is called with a job once it has ended, by whichever process ended it (webhooks).
    """

    def __init__(self, redis: Redis, ttl: int, on_end: Callable[[Job], None] | None = None) -> None:
        self.redis = redis
        self.ttl = ttl
        self.on_end = on_end
        self._advance = redis.register_script(_STORED + _ADVANCE)
        self._copy = redis.register_script(_STORED + _COPY)
        self._rewrite_ended = redis.register_script(_STORED + _REWRITE_ENDED)
        self._own = redis.register_script(_STORED + _OWN)

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

    def own(self, client: str, job: Job) -> None:
        """Enter `job`, just created, in the list of `client`'s jobs (GET /api/jobs), newest last.

        Scored by the time now in microseconds, finer than `created_at`'s milliseconds, so jobs
        submitted one after the other are listed in that order.
        """
        created = time.time_ns() // 1000
        args: list[str | int] = [job["id"], created, self.ttl, KEY_PREFIX, _PRUNE_PER_ADD]
        self._own(keys=[OWNER_PREFIX + client, key(job["id"])], args=args)

    def owned(
        self, client: str, limit: int, after: Cursor | None = None, states: frozenset[str] = frozenset()
    ) -> JobPage:
        """Up to `limit` of `client`'s jobs, newest first, older than `after`, in one of `states` (any if empty).

        Ids of jobs that are gone are dropped from the list as they are met.
        """
        owned = OWNER_PREFIX + client
        found: list[tuple[Snapshot, Cursor]] = []
        offset = 0
        while len(found) <= limit:
            batch = self._owned_batch(owned, after, offset)
            if not batch:
                break
            records = self._snapshots([here.job_id for here in batch])
            gone = [here.job_id for here, record in zip(batch, records, strict=True) if record is None]
            if gone:
                self.redis.zrem(owned, *gone)
            offset += len(batch) - len(gone)  # the later ids moved up by as many as were dropped
            found += [
                (record, here)
                for here, record in zip(batch, records, strict=True)
                if record is not None and _past(here, after) and (not states or record.job["state"] in states)
            ]
        page = found[:limit]
        return JobPage([record for record, _ in page], page[-1][1] if len(found) > limit else None)

    def _owned_batch(self, owned: str, after: Cursor | None, offset: int) -> list[Cursor]:
        """The next ids of a client's list from `offset` on, newest first, from `after`'s time on."""
        top: str | int = "+inf" if after is None else after.created
        rows: list[tuple[bytes, float]] = self.redis.zrevrangebyscore(  # type: ignore[assignment]
            owned, top, "-inf", start=offset, num=_LIST_BATCH, withscores=True
        )
        return [Cursor(int(score), text(member)) for member, score in rows]

    def _snapshots(self, job_ids: list[str]) -> list[Snapshot | None]:
        with self.redis.pipeline(transaction=False) as pipe:
            for job_id in job_ids:
                pipe.hmget(key(job_id), ["json", "seq"])
            rows = pipe.execute()
        return [None if data is None else Snapshot(text(data), int(seq or 0)) for data, seq in rows]

    def assets(self, job_id: str) -> Bundle | None:
        archive, document = self.redis.hmget(key(job_id), ["assets", "document"])
        if not isinstance(archive, bytes) or document is None:
            return None
        return Bundle(archive, text(document))

    def finishing(self, job_id: str) -> dict[str, Any] | None:
        """The job's finishing options (tasks/document/finishing.py), until it ends; None if it asked for none."""
        data = self.redis.hget(key(job_id), "finishing")
        loaded: dict[str, Any] | None = json.loads(data) if data else None
        return loaded

    def finishing_steps(self, job_id: str) -> tuple[str, ...]:
        """The names of the finishing steps the job asked for, in their order; () for none."""
        names = self.redis.hget(key(job_id), "finishing:steps")
        return tuple(text(names).split(",")) if names else ()

    def options(self, job_id: str) -> dict[str, str]:
        data = self.redis.hget(key(job_id), "options")
        loaded: dict[str, str] = json.loads(data) if data else {}
        return loaded

    def claim(self, name: str, job_id: str) -> str:
        """Bind `name` (a content hash, an idempotency key) to `job_id` unless bound already; return the binding."""
        if self.redis.set(NAME_PREFIX + name, job_id, nx=True, ex=self.ttl):
            return job_id
        bound = self.redis.get(NAME_PREFIX + name)
        return job_id if bound is None else text(bound)

    def bound(self, name: str) -> str | None:
        value = self.redis.get(NAME_PREFIX + name)
        return None if value is None else text(value)

    def rebind(self, name: str, job_id: str) -> None:
        self.redis.set(NAME_PREFIX + name, job_id, ex=self.ttl)

    def copy_result(self, source_id: str, job: Job, quota: str = "") -> bool:
        """Create `job` as an ended copy of job `source_id`'s PDF, if that is still stored.

        `quota` is the key of the stored bytes of the client it is for (webapp/quota.py).
        """
        args: list[str | int] = [to_json(job), self.ttl, quota, job["id"]]
        return bool(self._copy(keys=[key(source_id), key(job["id"])], args=args))

    def snapshot(self, job_id: str) -> Snapshot | None:
        data, seq = self.redis.hmget(key(job_id), ["json", "seq"])
        if data is None:
            return None
        return Snapshot(text(data), int(seq or 0))

    def html(self, job_id: str) -> str | None:
        data = self.redis.hget(key(job_id), "html")
        return None if data is None else text(data)

    def pdf(self, job_id: str) -> bytes | None:
        data = self.redis.hget(key(job_id), "pdf")
        assert data is None or isinstance(data, bytes), "the client must not decode responses"
        return data

    def count_attempt(self, job_id: str) -> int:
        """Count one more delivery of the job to a worker; return the total."""
        return int(self.redis.hincrby(key(job_id), "attempts", 1))

    def advance(self, job: Job, pdf: bytes = b"", forward_only: bool = False, after: int = 0) -> int:
        """Store and publish `job`'s new state; return its event id, which is above `after`.

        Returns -1 when the job had already ended (it was cancelled, say)
        and -2 when it was deleted or expired.
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
            after + 1,
        ]
        seq = int(self._advance(keys=[key(job["id"]), COUNTS_KEY], args=args))
        if final and seq > 0 and self.on_end is not None:
            self.on_end(job)
        return seq

    def rewrite_ended(self, job: Job) -> bool:
        """Replace an ended job's JSON (its webhook's progress) without an event; False if the job is gone."""
        return bool(self._rewrite_ended(keys=[key(job["id"])], args=[to_json(job), job["id"]]))

    def delete(self, job_id: str) -> bool:
        return bool(self.redis.delete(key(job_id)))

    # A job rendered in parts (tasks/convert_part.py): a batch's documents, or a split document's pieces.

    def claim_part(self, job_id: str, index: int, worker: str) -> PartToRender:
        """Part `index` of job `job_id`, counting one more delivery of it, to `worker` (host:pid)."""
        record, prefix = key(job_id), f"part:{index}:"
        name, html = self.redis.hmget(record, [prefix + "name", prefix + "html"])
        attempts = int(self.redis.hincrby(record, prefix + "attempts", 1))
        self.redis.hset(record, prefix + "worker", worker)
        return PartToRender(_text_or_empty(name), _text_or_empty(html), attempts)

    def store_part_pdf(self, job_id: str, index: int, pdf: bytes, fidelity: Mapping[str, Any]) -> None:
        """Keep part `index`'s PDF and fidelity report until the join."""
        prefix = f"part:{index}:"
        self.redis.hset(key(job_id), mapping={prefix + "pdf": pdf, prefix + "fidelity": to_json(fidelity)})

    def part_progress(self, job_id: str, index: int, percent: float, pages: int) -> PartsProgress:
        """Record part `index`'s progress; return every part's."""
        self.redis.hset(key(job_id), mapping={f"part:{index}:pct": percent, f"part:{index}:pages": pages})
        return self._parts_progress(job_id)

    def join_progress(self, job_id: str, percent: float) -> PartsProgress:
        """Record the join's progress; return every part's."""
        self.redis.hset(key(job_id), "join:pct", percent)
        return self._parts_progress(job_id)

    def _parts_progress(self, job_id: str) -> PartsProgress:
        record = key(job_id)
        count = int(self.redis.hget(record, "parts") or 0)
        fields = [f"part:{part}:{field}" for part in range(count) for field in ("weight", "pct", "pages")]
        weight, percent, *values = (
            float(value or 0) for value in self.redis.hmget(record, ["join:weight", "join:pct", *fields])
        )
        return PartsProgress(values[0::3], values[1::3], [int(pages) for pages in values[2::3]], weight, percent)

    def parts_to_join(self, job_id: str) -> PartsToJoin:
        record = key(job_id)
        count = int(self.redis.hget(record, "parts") or 0)
        fields = [f"part:{index}:{field}" for index in range(count) for field in ("name", "pdf")]
        overlay, *values = self.redis.hmget(record, ["split:overlay", *fields])
        pdfs = [data if isinstance(data, bytes) else None for data in values[1::2]]
        return PartsToJoin([_text_or_empty(name) for name in values[0::2]], pdfs, _text_or_empty(overlay))

    def part_reports(self, job_id: str) -> PartReports:
        record = key(job_id)
        count = int(self.redis.hget(record, "parts") or 0)
        fields = [f"part:{index}:{field}" for index in range(count) for field in ("fidelity", "pages")]
        prepared, *values = self.redis.hmget(record, ["split:fidelity", *fields])
        parts = [
            (None if data is None else text(data), int(float(pages or 0)))
            for data, pages in zip(values[0::2], values[1::2], strict=True)
        ]
        return PartReports(None if prepared is None else text(prepared), parts)

    def drop_part_pdfs(self, job_id: str, count: int) -> None:
        """Forget the parts' PDFs once joined."""
        self.redis.hdel(key(job_id), *(f"part:{index}:pdf" for index in range(count)))

    # A split document (tasks/split_render.py): its analysis runs once, then its parts are queued.

    def split_queued(self, job_id: str) -> bool:
        """Whether an earlier delivery of the split's analysis queued its parts already."""
        return bool(self.redis.hget(key(job_id), "split:queued"))

    def count_split_attempt(self, job_id: str) -> int:
        """Count one more delivery of the split's analysis to a worker; return the total."""
        return int(self.redis.hincrby(key(job_id), "split:attempts", 1))

    def store_split(
        self,
        job_id: str,
        parts: Sequence[tuple[str, str]],
        overlay: str | None,
        prepared: Mapping[str, Any],
        join_share: float,
    ) -> None:
        """Store a split document's `parts` (name, HTML), the page numbers drawn over them, what preparing it reported.

        The join takes `join_share` of the bar, the parts the rest.
        """
        fields: dict[Any, Any] = part_fields(parts)
        body = sum(int(fields[f"part:{index}:weight"]) for index in range(len(parts)))
        fields |= {
            "split:fidelity": to_json(prepared),
            "join:weight": max(int(body * join_share / (1 - join_share)), 1),
            "split:overlay": overlay or "",
        }
        self.redis.hset(key(job_id), mapping=fields)

    def mark_split_queued(self, job_id: str) -> None:
        self.redis.hset(key(job_id), "split:queued", 1)


def _past(here: Cursor, after: Cursor | None) -> bool:
    """Whether `here` comes after the page that ended at `after`: older, or as old with a lower id
    (ZREVRANGEBYSCORE gives the ids of one time highest first)."""
    if after is None:
        return True
    return (here.created, here.job_id) < (after.created, after.job_id)


def _text_or_empty(value: bytes | str | None) -> str:
    return "" if value is None else text(value)
