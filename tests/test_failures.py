"""A failed render's error: a stable code a script can branch on and a message a person can act on."""

from __future__ import annotations

import pytest
from reportlab.pdfbase.ttfonts import TTFError
from reportlab.platypus.doctemplate import LayoutError

from tasks.document.assets import AssetError
from tasks.document.bounds import MAX_MESSAGE, MAX_TEXT, json_size
from tasks.document.failures import describe, part_failed, pdf_too_large, timed_out, too_many_pages, worker_lost


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (LayoutError("Flowable <Table@0x7f> too large"), "layout"),
        (TTFError("not a TrueType font: /etc/passwd"), "bad_font"),
        (MemoryError(), "out_of_memory"),
        (RecursionError(), "too_deep"),
        (ZeroDivisionError("float division by zero"), "invalid_document"),
        (AssetError(400, "bad_zip", "The .zip file is damaged or not a zip archive."), "bad_zip"),
        (too_many_pages(5), "too_many_pages"),
    ],
)
def test_every_failure_has_a_stable_code_and_no_library_text(exc: BaseException, code: str) -> None:
    error = describe(exc).error
    assert set(error) == {"code", "message"}
    assert error["code"] == code
    assert "0x7f" not in error["message"] and "/etc/passwd" not in error["message"]


def test_limits_and_lost_workers_say_which() -> None:
    assert timed_out(2).error == {
        "code": "render_timeout",
        "message": "The document took longer than 2 s to render and was stopped. "
        "Split it into smaller documents or simplify its layout.",
    }
    assert pdf_too_large(3 * 2**20, 2**20).error["code"] == "pdf_too_large"
    assert worker_lost(3).error["code"] == "worker_lost"
    failed = part_failed(1, "Appendix", describe(LayoutError("x"))).error
    assert failed["code"] == "part_failed"
    assert failed["message"].startswith("Part 2 (Appendix) failed: Something in the document is taller")


def test_a_message_quoting_the_document_is_cut_short() -> None:
    name = "😀" * 100_000
    failed = part_failed(1, name, describe(AssetError(400, "unsafe_path", f"The entry {name!r} points outside."))).error
    assert json_size(failed["message"]) <= MAX_MESSAGE
    assert json_size(failed["message"].split(") failed:")[0]) <= MAX_TEXT + len("Part 2 (")
    assert failed["message"].startswith("Part 2 (😀") and failed["code"] == "part_failed"
