"""Page setup and metadata through the API, applied as xhtml2pdf CSS; repeats and retries without rendering."""

from __future__ import annotations

import io

import pypdf
import pytest
import requests
from flask.testing import FlaskClient

from tasks.document.page_setup import OptionError, PageOptions
from tasks.render.renderer import render_pdf
from tests.support import report_html, submit_job, wait_for_job

TIMEOUT = 10


def rendered(html: str, **options: str) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(render_pdf(PageOptions.parse(options).apply(html)).pdf))


@pytest.mark.parametrize(
    ("options", "size"),
    [
        ({}, (595.28, 841.89)),
        ({"page_size": "Letter"}, (612.0, 792.0)),
        ({"page_size": "a4", "orientation": "landscape"}, (841.89, 595.28)),
        ({"page_size": "100mm 150mm"}, (283.46, 425.2)),
        ({"page_size": "6in 4in", "orientation": "portrait"}, (288.0, 432.0)),
    ],
)
def test_page_size_and_orientation(options: dict[str, str], size: tuple[float, float]) -> None:
    box = rendered("<p>Size</p>", **options).pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == pytest.approx(size, abs=0.02)


def test_margins_move_the_text() -> None:
    def left_edge(margin: str) -> float:
        xs: list[float] = []
        page = rendered("<p>Margin</p>", margin=margin).pages[0]
        page.extract_text(
            visitor_text=lambda text, cm, tm, *_: xs.append(cm[0] * tm[4] + cm[4]) if text.strip() else None
        )
        return min(xs)

    assert left_edge("1in") - left_edge("0.5in") == pytest.approx(36, abs=1)


def first_line(reader: pypdf.PdfReader) -> tuple[tuple[float, float], float]:
    """The first page's size and where its body text starts from the left, in points."""
    xs: list[float] = []
    page = reader.pages[0]
    page.extract_text(
        visitor_text=lambda text, cm, tm, *_: xs.append(cm[0] * tm[4] + cm[4]) if "Body" in text else None
    )
    return (round(float(page.mediabox.width)), round(float(page.mediabox.height))), round(min(xs), 1)


OWN_SETUP = (
    "<style>@page { size: a5; margin: 2cm; "
    "@frame own { -pdf-frame-content: own; left: 2cm; right: 2cm; top: 0.5cm; height: 1cm } }</style>"
    '<div id="own">Own header</div><p>Body text</p>'
)


@pytest.mark.parametrize(
    ("options", "size"),
    [
        ({}, (420, 595)),
        ({"footer_html": "Page {page} of {pages}"}, (420, 595)),
        ({"header_html": "Sent header"}, (420, 595)),
        ({"page_size": "Letter"}, (612, 792)),
        ({"orientation": "landscape"}, (595, 420)),
        ({"title": "Only a title"}, (420, 595)),
    ],
)
def test_options_not_sent_keep_the_documents_own_page_setup(options: dict[str, str], size: tuple[int, int]) -> None:
    reader = rendered(OWN_SETUP, **options)
    assert first_line(reader) == (size, 56.7), "the document's 2 cm margin holds"
    text = reader.pages[0].extract_text()
    assert "Own header" in text, "the document's own frames stay"
    if "footer_html" in options:
        assert "Page 1 of 1" in text
    if "header_html" in options:
        assert "Sent header" in text


def test_a_document_without_page_setup_keeps_the_renderers_defaults() -> None:
    assert first_line(rendered("<p>Body text</p>", page_size="Letter")) == ((612, 792), 28.3)
    assert first_line(rendered("<p>Body text</p>", margin="1in")) == ((595, 842), 72.0)


def test_header_and_footer_on_every_page_with_page_numbers() -> None:
    reader = rendered(report_html(10), header_html="<b>ACME</b> report", footer_html="Page {page} of {pages}")
    total = len(reader.pages)
    assert total > 3
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert "ACME report" in text
        assert f"Page {number} of {total}" in text


def test_metadata_defaults_to_the_document_and_options_override_it() -> None:
    html = '<html><head><title>From HTML</title><meta name="author" content="Lee"></head><body>x</body></html>'
    default = rendered(html).metadata
    assert default is not None and default.title == "From HTML"
    meta = rendered(html, title="설명서", author="Kim & Park", subject="Q3 <draft>").metadata
    assert meta is not None
    assert (meta.title, meta.author, meta.subject) == ("설명서", "Kim & Park", "Q3 <draft>")


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"page_size": "A9"}, "options.page_size"),
        ({"page_size": "10cm"}, "options.page_size"),
        ({"orientation": "sideways"}, "options.orientation"),
        ({"margin": "2 cm"}, "options.margin"),
        ({"margin": "1cm 1cm 1cm 1cm 1cm"}, "options.margin"),
        ({"title": 5}, "options.title"),
        ({"colour": "red"}, "options.colour"),
    ],
)
def test_invalid_options_name_the_field(raw: dict[str, object], field: str) -> None:
    with pytest.raises(OptionError) as refused:
        PageOptions.parse(raw)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("margin", "quoted"),
    [("2 cm", "'2 cm'"), ("2cm 1.5 in", "'1.5 in'"), ("2cm wide", "'wide'"), ("-1cm", "'-1cm'")],
)
def test_a_bad_margin_is_quoted_as_sent(margin: str, quoted: str) -> None:
    with pytest.raises(OptionError) as refused:
        PageOptions.parse({"margin": margin})
    assert str(refused.value).startswith(f"options.margin: {quoted} is not a length")


def test_the_api_answers_400_naming_the_option(client: FlaskClient) -> None:
    response = client.post("/api/jobs", json={"html": "<p>x</p>", "options": {"orientation": "diagonal"}})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_option"
    assert error["field"] == "options.orientation"
    assert "options.orientation" in error["message"]


def test_options_reach_the_pdf_through_the_service(live_server: str) -> None:
    body = {"html": report_html(4), "options": {"page_size": "Letter", "footer_html": "p. {page}/{pages}"}}
    job = wait_for_job(live_server, submit_job(live_server, body)["id"])
    pdf = requests.get(f"{live_server}/api/jobs/{job['id']}/pdf", timeout=TIMEOUT).content
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert float(reader.pages[0].mediabox.width) == 612
    assert f"p. 1/{len(reader.pages)}" in reader.pages[0].extract_text()


def test_the_same_document_again_is_answered_from_the_stored_pdf(live_server: str) -> None:
    html = report_html(30) + "<p>unique: repeat test</p>"
    first = wait_for_job(live_server, submit_job(live_server, {"html": html, "filename": "a.pdf"})["id"])
    again = submit_job(live_server, {"html": html, "filename": "b.pdf"})
    assert again["state"] == "SUCCESS", "no second render"
    assert again["id"] != first["id"] and again["filename"] == "b.pdf"
    assert again["pdf"]["pages"] == first["pdf"]["pages"]
    original = requests.get(f"{live_server}{first['pdf']['url']}", timeout=TIMEOUT).content
    copy = requests.get(f"{live_server}{again['pdf']['url']}", timeout=TIMEOUT)
    assert copy.content == original and "b.pdf" in copy.headers["Content-Disposition"]
    fresh = submit_job(live_server, {"html": html, "reuse": False})
    assert fresh["state"] == "PENDING"
    other_options = submit_job(live_server, {"html": html, "options": {"orientation": "landscape"}})
    assert other_options["state"] == "PENDING"


def test_an_idempotency_key_makes_a_retried_post_return_the_same_job(live_server: str) -> None:
    body = {"html": "<p>Invoice 2026-117</p>", "reuse": False}
    first = submit_job(live_server, body, {"Idempotency-Key": "invoice-2026-117"})
    retried = submit_job(live_server, body, {"Idempotency-Key": "invoice-2026-117"})
    assert retried["id"] == first["id"]
    other = submit_job(live_server, body, {"Idempotency-Key": "invoice-2026-118"})
    assert other["id"] != first["id"]
    reused = requests.post(
        f"{live_server}/api/jobs",
        json={"html": "<p>Something else</p>"},
        headers={"Idempotency-Key": "invoice-2026-117"},
        timeout=TIMEOUT,
    )
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
