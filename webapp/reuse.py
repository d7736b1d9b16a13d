"""Answers without rendering: a repeated submission, or a retried POST with an Idempotency-Key."""

from __future__ import annotations

import hashlib
import json

from tasks.job import keys
from tasks.job.record import SUCCESS, Job, reused_from
from tasks.job.store import JobStore, Snapshot
from webapp.errors import ApiError
from webapp.intake import Submission

MAX_KEY_LENGTH = 255


def fingerprint(submission: Submission) -> str:
    """What decides the PDF's bytes: the HTML, the page options, the assets and the finishing steps.

    Passwords count as a slow hash of them (salted with the rest), never as
    themselves: the digest is kept in Redis with an Idempotency-Key's binding.
    """
    assets = hashlib.sha256(submission.assets.archive).hexdigest() if submission.assets else ""
    finishing = submission.finishing.public()
    content = json.dumps(
        [submission.html, submission.parts, submission.options.as_dict(), assets, finishing], sort_keys=True
    )
    digest = hashlib.sha256(content.encode()).digest()
    protect = submission.finishing.protect
    if protect is not None:
        secret = json.dumps([protect.user_password, protect.owner_password]).encode()
        digest = hashlib.scrypt(secret, salt=digest, n=2**14, r=8, p=1, dklen=32)
    return digest.hex()


def reusable(submission: Submission) -> bool:
    """Whether a stored PDF may answer a submission like this one: never a protected or signed one.

    A protected PDF's passwords and a signature's time are the request's
    own: a copy of another job's would open with its passwords or carry its time.
    """
    return submission.finishing.protect is None and submission.finishing.sign is None


def _result_key(client: str, digest: str) -> str:
    # Per submitter: a copy answered at once would tell anyone else that this
    # exact document was rendered here lately (an oracle for guessing its contents).
    return keys.RESULT_NAME + hashlib.sha256(f"{client}\n{digest}".encode()).hexdigest()


def stored_result(store: JobStore, client: str, digest: str, job: Job, quota: str = "") -> Job | None:
    """`job`, created as a copy of a stored PDF of the same content that the same `client` submitted, if alive."""
    bound = store.bound(_result_key(client, digest))
    previous = store.snapshot(bound) if bound is not None else None
    if previous is None or previous.job["state"] != SUCCESS:
        return None
    copy = reused_from(job, previous.job)
    return copy if store.copy_result(previous.job["id"], copy, quota) else None


def remember_result(store: JobStore, client: str, digest: str, job_id: str) -> None:
    store.rebind(_result_key(client, digest), job_id)


def idempotent_job(store: JobStore, client: str, header: str | None, digest: str, job: Job) -> Snapshot | None:
    """The job an earlier POST with the same Idempotency-Key (`header`) created, if any; else bind the key to `job`."""
    if header is None:
        return None
    if not 0 < len(header) <= MAX_KEY_LENGTH:
        raise ApiError(400, "bad_idempotency_key", f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.")
    # Keys are per client: the token it authenticates with, or its address.
    name = keys.IDEMPOTENCY_NAME + hashlib.sha256(f"{client}\n{header}".encode()).hexdigest()
    binding = f"{job['id']} {digest}"
    bound = store.claim(name, binding)
    if bound == binding:
        return None
    earlier_id, earlier_digest = bound.split(" ", 1)
    if earlier_digest != digest:
        raise ApiError(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was used for a different document. Use a new key for a new document.",
        )
    earlier = store.snapshot(earlier_id)
    if earlier is None:
        store.rebind(name, binding)  # the earlier job expired or was deleted: this one takes the key
    return earlier
