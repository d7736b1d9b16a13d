"""The pure renderer: real progress, the same PDF as xhtml2pdf alone, no disk or network."""

from __future__ import annotations

import io
import time

import pypdf
import pytest
from celery.exceptions import SoftTimeLimitExceeded
from reportlab.pdfbase.ttfonts import TTFError

from bench.fidelity import words
from bench.fidelity.words import Word
from tasks.document.policy import server_policy
from tasks.prepare import prepare
from tasks.render import drawings, links, renderer
from tasks.render.progress import Progress
from tasks.render.renderer import prepare_document, render_pdf
from tasks.reporting import JobEnded
from tests.support import UNRENDERABLE_HTML, pdf_pages, pdf_text, report_html, xhtml2pdf_alone


def test_a_twenty_page_document_reports_many_steps_spread_over_its_render() -> None:
    html = report_html(40)
    steps: list[tuple[float, Progress]] = []
    # The render's own CPU time, not the wall clock: on a busy machine a stall of the process (other jobs
    # taking the cores) bunched the steps into one half of the wall time, one run in several.
    start = time.process_time()
    result = render_pdf(html, lambda step: steps.append((time.process_time() - start, step)))
    elapsed = time.process_time() - start

    assert result.pages >= 20
    percents = [step.percent for _, step in steps]
    assert percents == sorted(percents), "progress went backwards"
    assert len(set(percents)) >= 10
    assert {"parsing", "layout", "writing"} <= {step.stage for _, step in steps}
    # Spread out, not a jump at the end: a good share of the steps come before half the time. A share, not
    # a count: steps are at most one per 50 ms, so a fast machine's render has fewer of them (a fresh
    # clone's run counted 4 in its first half, against 7-10 here), spread the same.
    assert sum(1 for at, _ in steps if at < elapsed / 2) >= len(steps) / 4
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
# Valid documents that ended FAILURE (invalid_document) on a value ReportLab could not take (issue 21).


def placed(pdf: bytes) -> dict[str, Word]:
    """Each word of the PDF's first page and where `pdftotext -bbox` finds it (the first of a repeated word)."""
    if not words.available():
        pytest.skip("pdftotext is missing (apt-get install poppler-utils)")
    found: dict[str, Word] = {}
    for word in words.pdf_words(pdf)[0].words:
        found.setdefault(word.text, word)
    return found


def link_count(pdf: bytes) -> int:
    return sum(len(page.get("/Annots") or []) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_a_row_height_in_percent_is_ignored_as_a_browser_does() -> None:
    html = (
        "<!DOCTYPE html><table border='1'><tr><td height='50%'>First</td><td>Second</td></tr>"
        "<tr><td style='height: 20%'>Third</td><td>Fourth</td></tr></table><p>Below</p>"
    )
    result = render_pdf(html)
    at = placed(result.pdf)
    assert at["first"].y0 == pytest.approx(at["second"].y0, abs=1)
    # Rows as tall as their text: no share of a height nothing defines.
    assert 5 < at["third"].y0 - at["first"].y0 < 30
    assert at["below"].y0 > at["fourth"].y1
    assert result.fidelity.ignored_css["height in % on a table row"] == 1


def test_a_rule_in_an_inline_block_and_rule_widths_as_written_render() -> None:
    html = (
        "<p>Before</p><div style='display: inline-block'>Name<hr>Value</div>"
        "<hr width='50px'><hr width='wide'><p>After</p>"
    )
    result = render_pdf(html)
    at = placed(result.pdf)
    assert at["name"].x0 == pytest.approx(at["value"].x0, abs=1)
    assert at["before"].y1 < at["name"].y0 < at["value"].y0 < at["after"].y0
    assert result.fidelity.ignored_css["<hr width> that is not a length"] == 1


def test_a_table_as_wide_as_its_content_is_not_squeezed_to_nothing() -> None:
    # GitHub's Markdown stylesheet: `table { display: block; width: max-content; max-width: 100% }`.
    html = (
        "<!DOCTYPE html><table style='display: block; width: max-content; max-width: 100%'>"
        "<tr><th style='padding: 6px 13px'>Option</th><th style='padding: 6px 13px'>Meaning</th></tr>"
        "<tr><td style='padding: 6px 13px'><code>verbose</code></td><td style='padding: 6px 13px'>Says more</td></tr>"
        "</table>"
    )
    at = placed(render_pdf(html).pdf)
    assert at["option"].y0 == pytest.approx(at["meaning"].y0, abs=1)
    # Side by side and as wide as the words, not spread over the page.
    assert 0 < at["meaning"].x0 - at["option"].x1 < 80
    assert at["says"].y0 == pytest.approx(at["verbose"].y0, abs=2)


def test_links_to_places_the_document_does_not_have_are_plain_text() -> None:
    button = "style='display: inline-block; padding: 4px; background: #eee'"
    html = (
        f"<!DOCTYPE html><p id='top'>Read <a href='#' {button}>online</a> or "
        f"<a href='#missing' {button}>unsubscribe</a> or <a href='document:' {button}>there</a>.</p>"
        f"<p><a href='#top' {button}>Back</a> <a href='https://example.org/' {button}>Site</a></p>"
    )
    result = render_pdf(html)
    assert {"online", "unsubscribe", "there", "back", "site"} <= set(placed(result.pdf))
    assert link_count(result.pdf) == 2
    assert result.fidelity.degraded == [links.DANGLING]


def test_an_svg_transform_that_flattens_its_element_draws_nothing_of_it() -> None:
    html = (
        "<!DOCTYPE html><p>Before <svg width='60' height='20'><g transform='scale(0)'><text y='10'>Hidden</text></g>"
        "<g transform='matrix(1 2 2 4 0 0)'><text y='10'>Flat</text></g><text x='2' y='15'>Shown</text></svg> after</p>"
    )
    result = render_pdf(html)
    at = placed(result.pdf)
    assert {"before", "shown", "after"} <= set(at) and not {"hidden", "flat"} & set(at)
    assert at["before"].x1 < at["shown"].x0 < at["after"].x0
    assert result.fidelity.degraded == [drawings.DEGENERATE]


@pytest.mark.parametrize("value", ["-5px", "10%"])
def test_a_table_cell_aligned_by_a_length_renders_and_says_so(value: str) -> None:
    # Found by the no-FAILURE property test: the length reached ReportLab's VALIGN as a tuple.
    result = render_pdf(f"<table><tr><td style='vertical-align: {value}'>Cell</td></tr></table>")
    assert "Cell" in pdf_text(result.pdf)
    assert result.fidelity.as_dict()["ignored_css"] == {"vertical-align as a length on a table cell": 1}
