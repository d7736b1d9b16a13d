"""Submitting without HTTP (issue 20): the one service function the POST view is a thin layer over."""

from __future__ import annotations

import json

from flask import Flask

from tasks.job.record import PENDING
from webapp.intake import Submission
from webapp.submitting import submit

CLIENT = "address:203.0.113.50"


def test_a_submission_becomes_a_queued_job_and_a_repeat_of_its_key_the_same_job(app: Flask) -> None:
    with app.app_context():
        first = submit(Submission("<p>Hello</p>", "hello.pdf", idempotency_key="k-1", split="never"), CLIENT)
        again = submit(Submission("<p>Hello</p>", "hello.pdf", idempotency_key="k-1", split="never"), CLIENT)
        stored = app.extensions["job_store"].snapshot(first.job_id)
    assert first.queued and not again.queued
    assert again.job_id == first.job_id
    job = json.loads(first.json)
    assert stored is not None and stored.job["state"] == job["state"] == PENDING
    assert job["filename"] == "hello.pdf"
    assert job["render"] == {"path": "single", "reason": 'split "never" was asked'}


def test_a_batch_counts_its_parts_from_the_start(app: Flask) -> None:
    parts = (("a", "<p>A</p>"), ("b", "<p>B</p>"), ("c", "<p>C</p>"))
    with app.app_context():
        accepted = submit(Submission("", "book.pdf", parts=parts), CLIENT)
    progress = json.loads(accepted.json)["progress"]
    assert (progress["current"], progress["total"]) == (0, 3)
