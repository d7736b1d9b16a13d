"""Stored bytes per client: a job's input until it ends, its record (PDF, JSON) after; past the quota it is refused."""

from __future__ import annotations

from flask import current_app
from redis import Redis

from tasks.job import keys
from tasks.job.store import KEY_PREFIX
from webapp.errors import QUOTA_RETRY_AFTER_SECONDS as RETRY_AFTER_SECONDS
from webapp.errors import ApiError
from webapp.intake import Submission

QUOTA_PREFIX = keys.QUOTA_PREFIX
MiB = 1024 * 1024

# KEYS[1]: the client's hash of job id -> bytes stored for it. Entries of jobs
# that are gone (deleted, expired) are dropped, the rest summed; the new job is
# entered if it fits. The job store keeps the entry true as the job ends
# (tasks/job/store.py: the size of what its record keeps, the PDF and the JSON).
_ADMIT = """
local used = 0
local entries = redis.call('HGETALL', KEYS[1])
for index = 1, #entries, 2 do
  if redis.call('EXISTS', ARGV[4] .. entries[index]) == 1 then
    used = used + tonumber(entries[index + 1])
  else
    redis.call('HDEL', KEYS[1], entries[index])
  end
end
if used + tonumber(ARGV[2]) > tonumber(ARGV[3]) then return {0, used} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {1, used}
"""


def stored_bytes(submission: Submission) -> int:
    """What a submission puts in Redis until its job ends: its HTML, its parts' names and HTML, its assets,
    its finishing options (a stamp's image)."""
    size = len(submission.html.encode("utf-8")) if not submission.parts else 0
    size += len(submission.finishing.stamp.image or "") if submission.finishing.stamp else 0
    size += sum(len(name.encode("utf-8")) + len(html.encode("utf-8")) for name, html in submission.parts)
    return size + (len(submission.assets.archive) if submission.assets else 0)


def admit(redis: Redis, client: str, job_id: str, size: int) -> str:
    """Enter job `job_id`'s `size` bytes under its `client`'s quota and return the quota's key; or refuse.

    `413` when the submission alone is larger than the quota, `429` when the
    client's other jobs hold too much; "" (nothing counted) with no quota set.
    """
    limit: int = current_app.config["CLIENT_STORAGE_BYTES"]
    if limit <= 0:
        return ""
    if size > limit:
        raise ApiError(
            413, "over_storage_quota", f"This submission stores {_mib(size)}; a client may store {_mib(limit)} at most."
        )
    quota = QUOTA_PREFIX + client
    args = [job_id, size, limit, KEY_PREFIX, current_app.config["RESULT_TTL"]]
    admitted, used = redis.register_script(_ADMIT)(keys=[quota], args=args)
    if not admitted:
        raise ApiError(
            429,
            "storage_quota_exceeded",
            f"Your jobs already store {_mib(int(used))} (documents waiting or rendering, and PDFs kept for "
            f"download); with this one's {_mib(size)} that is over the {_mib(limit)} a client may store. "
            "Wait for running jobs to end, or delete PDFs you have downloaded (DELETE /api/jobs/<id>), then retry.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return quota


def _mib(size: int) -> str:
    return f"{size / MiB:.1f} MiB"
