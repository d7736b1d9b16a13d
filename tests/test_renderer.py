"""The pure renderer: real progress, the same PDF as xhtml2pdf alone, no disk or network."""

from __future__ import annotations

import time

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from reportlab.pdfbase.ttfonts import TTFError

from tasks.prepare import prepare
from tasks.render import renderer
from tasks.render.policy import server_policy
from tasks.render.progress import Progress
from tasks.render.renderer import prepare_document, render_pdf
from tasks.reporting import JobEnded
from tests.support import UNRENDERABLE_HTML, pdf_pages, pdf_text, report_html, xhtml2pdf_alone


def test_a_twenty_page_document_reports_many_steps_spread_over_its_render() -> None:
    html = report_html(40)
    steps: list[tuple[float, Progress]] = []
    start = time.monotonic()
    result = render_pdf(html, lambda step: steps.append((time.monotonic() - start, step)))
    elapsed = time.monotonic() - start

    assert result.pages >= 20
    percents = [step.percent for _, step in steps]
    assert percents == sorted(percents), "progress went backwards"
    assert len(set(percents)) >= 10
    assert {"parsing", "layout", "writing"} <= {step.stage for _, step in steps}
    # Spread out, not a jump at the end: half the steps come before half the time.
    assert sum(1 for at, _ in steps if at < elapsed / 2) >= 5
    assert max(step.pages for _, step in steps) >= 19


def test_the_pdf_matches_xhtml2pdf_alone() -> None:
    html = report_html(12)
    result = render_pdf(html)
    assert result.pdf.startswith(b"%PDF")
    assert result.pages == pdf_pages(result.pdf) == pdf_pages(xhtml2pdf_alone(html))
    text = pdf_text(result.pdf)
    assert "Section 12" in text
    assert "Paragraph 6 of section 12" in text


def test_page_totals_lay_out_twice_and_progress_stays_monotonic() -> None:
    html = "<p>Page <pdf:pagenumber/> of <pdf:pagecount/></p>" + report_html(10)
    steps: list[Progress] = []
    result = render_pdf(html, steps.append)
    percents = [step.percent for step in steps]
    assert percents == sorted(percents)
    assert f"of {result.pages}" in pdf_text(result.pdf)


def test_a_document_that_cannot_render_raises() -> None:
    with pytest.raises(TTFError):
        render_pdf(UNRENDERABLE_HTML)


def test_local_files_are_not_read() -> None:
    result = render_pdf('<p>x</p><img src="/etc/passwd"><img src="file:///etc/hostname">')
    assert b"root:" not in result.pdf
    assert any("policy" in warning.lower() or "passwd" in warning for warning in result.warnings)


def test_an_exception_from_the_callback_stops_the_render() -> None:
    class Cancelled(Exception):
        pass

    def cancel_in_layout(step: Progress) -> None:
        if step.stage == "layout":
            raise Cancelled

    with pytest.raises(Cancelled):
        render_pdf(report_html(20), cancel_in_layout)


def test_an_xhtml_page_with_lang_and_xml_lang_renders() -> None:
    # What the W3C asks of every XHTML 1.0 page; xhtml2pdf's DOM cleanup raised KeyError on it.
    html = '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="de" lang="de"><body><p>Grüße</p></body></html>'
    assert "Grüße" in pdf_text(render_pdf(html).pdf)


@pytest.mark.parametrize("stop", [SoftTimeLimitExceeded, JobEnded, KeyboardInterrupt])
def test_a_limit_or_cancel_during_preparation_is_never_taken_for_a_bad_document(
    stop: type[BaseException], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 19, item 3: "could not be prepared; rendering it as written" swallowed Celery's soft limit.
    def read(_href: str) -> str:
        raise stop("x") if stop is JobEnded else stop()

    with pytest.raises(stop):
        prepare(BROWSER_PAGE, "browser", read)  # the stage itself lets it through
    monkeypatch.setattr(renderer, "stylesheet_reader", lambda policy, path="": read)
    with pytest.raises(stop):
        prepare_document(BROWSER_PAGE, "browser", policy=server_policy())


def test_a_document_the_preparation_cannot_read_is_rendered_as_written_saying_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def read(_href: str) -> str:
        raise ValueError("not a stylesheet")

    monkeypatch.setattr(renderer, "stylesheet_reader", lambda policy, path="": read)
    prepared = prepare_document(BROWSER_PAGE, "browser", policy=server_policy())
    assert prepared.html == BROWSER_PAGE
    assert prepared.report.as_dict()["degraded"], prepared.report.as_dict()


BROWSER_PAGE = "<!doctype html><html><head><link rel=stylesheet href=site.css></head><body><p>x</p></body></html>"
