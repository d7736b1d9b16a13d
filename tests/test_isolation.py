"""Issue 19, item 1, through the running stack: one job's @font-face never changes another job's PDF."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.support import Process, submit_job, wait_for_job
from tests.test_fonts import INVOICE, embedded_fonts, page_image, poisoned_face, word_fonts

TIMEOUT = 30


def rendered(base: str, html: str) -> bytes:
    job = wait_for_job(base, submit_job(base, {"html": html, "reuse": False})["id"])
    assert job["state"] == "SUCCESS", job
    response = requests.get(f"{base}{job['pdf']['url']}", timeout=TIMEOUT)
    assert response.status_code == 200
    return response.content


def pool_children(worker: Process) -> list[str]:
    """The pids of the worker's pool processes (the suite's worker has one)."""
    return Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()


def test_a_poisoned_font_face_leaves_the_next_customers_invoice_alone(
    live_server: str, worker: Process, tmp_path: Path
) -> None:
    victim = f"<!doctype html><html><body>{INVOICE}</body></html>"
    before = rendered(live_server, victim)
    children = pool_children(worker)
    for family in ("helvetica", "Times-Roman", "Arial", "Georgia"):
        poison = (
            f"<html><head>{poisoned_face(family)}</head><body><p style='font-family: {family}'>1001</p></body></html>"
        )
        assert "Poison" in word_fonts(rendered(live_server, poison)).values()
    after = rendered(live_server, victim)
    assert pool_children(worker) == children, "the poison and the victim ran in the same pool process"
    assert word_fonts(after) == word_fonts(before)
    assert "Poison" not in word_fonts(after).values()
    assert not any(embedded_fonts(after).values()), "nothing of the attacker's font is embedded"
    assert page_image(after, tmp_path / "after") == page_image(before, tmp_path / "before")
