"""The page in a real browser: Debian's Chromium, driven by Playwright, against the live service."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pypdf
import pytest
import requests
from PIL import Image
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Request,
    Route,
    ViewportSize,
    expect,
)

from tests.support import (
    UNRENDERABLE_HTML,
    UNRENDERABLE_MESSAGE,
    Process,
    pdf_pages,
    report_html,
    start_web,
    wait_until,
)
from tests.test_security import tiny_png

WAIT_MS = 60_000
HTTP_TIMEOUT = 10
VIEWPORTS: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 860},
    "phone": {"width": 390, "height": 844},
    "small phone": {"width": 375, "height": 667},
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SSE_HEADERS = {"Content-Type": "text/event-stream"}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
TOKEN = "s3cret"

# Records every value the bar takes and every EventSource the page opens.
WATCH_SCRIPT = """
window.__values = [];
window.__streams = [];
const NativeEventSource = window.EventSource;
window.EventSource = class extends NativeEventSource {
  constructor(...args) { super(...args); window.__streams.push(this); }
};
document.addEventListener("DOMContentLoaded", () => {
  const bar = document.getElementById("bar");
  if (!bar) return;
  new MutationObserver(() => window.__values.push(Number(bar.getAttribute("aria-valuenow"))))
    .observe(bar, { attributes: true, attributeFilter: ["aria-valuenow"] });
});
"""


class Tab:
    """A page in its own browser context that remembers every JavaScript error it sees."""

    def __init__(self, browser: Browser, base: str, viewport: str = "desktop") -> None:
        phone = viewport != "desktop"
        self.context = browser.new_context(
            base_url=base,
            viewport=VIEWPORTS[viewport],
            device_scale_factor=2 if phone else 1,
            is_mobile=phone,
            has_touch=phone,
        )
        self.context.add_init_script(WATCH_SCRIPT)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.expected_failures: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        self.page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        # Chromium's own pages (its PDF viewer in the job page's preview, asking for a protected PDF's
        # password) log to the same console; only what our page's code logs counts.
        if url.startswith(("chrome://", "chrome-extension://")):
            return
        # A request the test makes fail on purpose is logged by the browser, not by our code.
        if message.text.startswith("Failed to load resource") and any(part in url for part in self.expected_failures):
            return
        self.errors.append(f"console: {message.text} ({url})")

    def bar_values(self) -> list[float]:
        values: list[float] = self.page.evaluate("window.__values")
        return values

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def tab(browser: Browser, live_server: str) -> Iterator[Tab]:
    """A fresh desktop tab; fails the test if the page logged a JavaScript error."""
    opened = Tab(browser, live_server)
    yield opened
    opened.close()
    assert opened.errors == [], opened.errors


def unique(html: str) -> str:
    """`html` made unlike any other submission, so the service renders it rather than reuse a stored PDF."""
    return f"{html}<!-- {uuid.uuid4()} -->"


def submit(base: str, html: str, filename: str = "report.pdf") -> dict[str, Any]:
    body = {"html": unique(html), "filename": filename}
    with requests.post(f"{base}/api/jobs", json=body, timeout=HTTP_TIMEOUT) as response:
        assert response.status_code == 202, response.text
        job: dict[str, Any] = response.json()
    return job


def api_job(base: str, job_id: str) -> dict[str, Any]:
    with requests.get(f"{base}/api/jobs/{job_id}", timeout=HTTP_TIMEOUT) as response:
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()
    return job


def white_share(png: bytes) -> float:
    """The share of (nearly) white pixels in a screenshot."""
    with Image.open(io.BytesIO(png)) as image:
        histogram = image.convert("L").histogram()
    return sum(histogram[245:]) / sum(histogram)


def download(base: str, page: Page) -> bytes:
    """The PDF behind the page's download link."""
    href = page.get_by_role("link", name=re.compile("Download")).get_attribute("href") or ""
    with requests.get(base + href, timeout=HTTP_TIMEOUT) as response:
        assert response.status_code == 200, response.text
        return response.content


def wait_for_percent(page: Page, at_least: float) -> float:
    """Wait until the bar shows at least `at_least` percent; return what it shows."""
    script = "min => Number(document.getElementById('bar').getAttribute('aria-valuenow')) >= min"
    page.wait_for_function(script, arg=at_least, timeout=WAIT_MS, polling=20)
    return float(page.get_by_role("progressbar").get_attribute("aria-valuenow") or 0)


def expect_finished(page: Page, badge: str) -> None:
    expect(page.locator("#job-badge")).to_have_text(badge, timeout=WAIT_MS)
    expect(page.locator("#cancel")).to_be_hidden(timeout=WAIT_MS)
    # The stream is closed, so the browser will not reconnect and nothing keeps "running".
    page.wait_for_function("window.__streams.every(s => s.readyState === EventSource.CLOSED)", timeout=WAIT_MS)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_bar_rises_and_the_download_is_the_pdf(
    browser: Browser, live_server: str, screenshots: Path, viewport: str
) -> None:
    tab = Tab(browser, live_server, viewport)
    page = tab.page
    job = submit(live_server, report_html(120), "분기 보고서.pdf")
    try:
        page.goto(f"/jobs/{job['id']}")
        bar = page.get_by_role("progressbar")
        expect(bar).to_have_attribute("aria-valuemin", "0")
        expect(bar).to_have_attribute("aria-valuemax", "100")
        expect(page.get_by_role("heading", level=1)).to_have_text("분기 보고서.pdf")
        wait_for_percent(page, 45)
        expect(page.locator("#job-stage")).to_have_text(re.compile(r"Laying out page \d+|Writing"), timeout=WAIT_MS)
        page.screenshot(path=screenshots / f"{viewport}-running.png", full_page=True, animations="disabled")

        expect(bar).to_have_attribute("aria-valuenow", "100", timeout=WAIT_MS)
        expect_finished(page, "Done")
        # Nothing in the report was ignored or changed: no section saying so.
        expect(page.locator("#job-fidelity")).to_be_hidden()
        download = page.get_by_role("link", name=re.compile("Download"))
        expect(page.locator("#preview")).to_be_visible(timeout=WAIT_MS)
        # The browser's PDF viewer shows the first page: a mostly white picture, not a download.
        frame = page.locator("#preview-frame")
        wait_until(lambda: white_share(frame.screenshot()) > 0.3, WAIT_MS / 1000, "the preview to show a page")
        page.screenshot(path=screenshots / f"{viewport}-finished.png", full_page=True, animations="disabled")

        values = tab.bar_values()
        before_end = [value for value in values if value < 100]
        assert len(set(before_end)) >= 3, values
        assert values == sorted(values), "the bar went backwards"

        done = api_job(live_server, job["id"])
        expect(download).to_have_attribute("href", f"/api/jobs/{job['id']}/pdf")
        pages = done["pdf"]["pages"]
        expect(download).to_have_text(re.compile(rf"Download 분기 보고서\.pdf\s*{pages} pages · \d+ KB"))
        with requests.get(live_server + (download.get_attribute("href") or ""), timeout=HTTP_TIMEOUT) as response:
            assert response.status_code == 200
            assert response.content.startswith(b"%PDF")
            assert pdf_pages(response.content) == pages > 1
            assert "분기 보고서.pdf" in unquote(response.headers["Content-Disposition"])
    finally:
        tab.close()
    assert tab.errors == []


def api_calls(page: Page) -> list[str]:
    """Every API call the page makes from now on that could change something, as "METHOD path"."""
    calls: list[str] = []

    def note(request: Request) -> None:
        path = urlsplit(request.url).path
        if request.method not in ("GET", "HEAD") and path.startswith("/api/"):
            calls.append(f"{request.method} {path}")

    page.on("request", note)
    return calls


def test_cancel_mid_render_shows_the_cancelled_state(tab: Tab, live_server: str) -> None:
    job = submit(live_server, report_html(300))
    calls = api_calls(tab.page)
    tab.page.goto(f"/jobs/{job['id']}")
    wait_for_percent(tab.page, 5)
    tab.page.get_by_role("button", name="Cancel").press("Enter")
    expect_finished(tab.page, "Cancelled")
    # The cancel endpoint, never DELETE: a cancel that arrives after the end must not delete the PDF.
    assert calls == [f"POST /api/jobs/{job['id']}/cancel"]
    # The keyboard focus moves on to what one can do next, not back to the top of the page.
    expect(tab.page.get_by_role("link", name="Convert something else")).to_be_focused()
    expect(tab.page.get_by_role("heading", name="This conversion was cancelled")).to_be_visible()
    expect(tab.page.locator("#job-stage")).to_have_text(re.compile(r"Cancelled at \d+%"))
    assert float(tab.page.get_by_role("progressbar").get_attribute("aria-valuenow") or 0) < 100
    assert api_job(live_server, job["id"])["state"] == "REVOKED"


def test_a_cancel_that_loses_the_race_with_the_end_keeps_the_pdf(tab: Tab, live_server: str) -> None:
    page = tab.page
    job = submit(live_server, report_html(3))
    tab.expected_failures.append("/cancel")
    calls = api_calls(page)
    # The page sees the job queued and nothing more (the stream then waits a minute to reconnect),
    # so only the cancel's answer can tell it how the job ended.
    queued = f"retry: 60000\nid: 1\nevent: progress\ndata: {json.dumps(job)}\n\n"
    page.route(re.compile(r"/events$"), lambda route: route.fulfill(headers=SSE_HEADERS, body=queued))

    def after_the_end(route: Route) -> None:
        wait_until(lambda: api_job(live_server, job["id"])["state"] == "SUCCESS", WAIT_MS / 1000, "the render")
        route.continue_()

    page.route(re.compile(r"/cancel$"), after_the_end)
    page.goto(f"/jobs/{job['id']}")
    expect(page.locator("#job-badge")).to_have_text("Queued", timeout=WAIT_MS)
    page.get_by_role("button", name="Cancel").press("Enter")

    expect_finished(page, "Done")
    expect(page.locator("#job-notice")).to_have_text(re.compile("had already ended"))
    download = page.get_by_role("link", name=re.compile("Download"))
    expect(download).to_be_focused()
    assert calls == [f"POST /api/jobs/{job['id']}/cancel"]
    with requests.get(live_server + (download.get_attribute("href") or ""), timeout=HTTP_TIMEOUT) as response:
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")

    # Deleting is a separate action on an ended job, and asks first: "no", then "yes". The page's confirm()
    # answers from a list here: Chromium's own dialog, handled from Playwright's event, was once found closed
    # before the test's "yes" reached it ("No dialog is showing"), and the DELETE never came.
    page.evaluate(
        """() => {
            window.answers = [false, true];
            window.asked = [];
            window.confirm = (question) => { window.asked.push(question); return window.answers.shift(); };
        }"""
    )
    page.get_by_role("button", name="Delete from server").click()
    assert page.evaluate("window.answers") == [True]
    assert "Delete" in page.evaluate("window.asked[0]")
    assert api_job(live_server, job["id"])["state"] == "SUCCESS"
    # Waited for apart, so that a failure says which step did not happen: the DELETE, its answer, the page.
    with page.expect_response(lambda response: response.request.method == "DELETE", timeout=WAIT_MS) as deleted:
        page.get_by_role("button", name="Delete from server").click()
    assert deleted.value.status == 204, deleted.value.text()
    expect(page.get_by_role("heading", name="This job was deleted")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_role("link", name="Start a new conversion")).to_be_focused()
    expect(page.locator("#preview")).to_be_hidden()
    assert calls[1:] == [f"DELETE /api/jobs/{job['id']}"]
    with requests.get(f"{live_server}/api/jobs/{job['id']}", timeout=HTTP_TIMEOUT) as response:
        assert response.status_code == 404
    assert page.evaluate("JSON.parse(localStorage.getItem('html2pdf.recent') || '[]')") == []


def test_a_reload_mid_render_resumes_the_bar(tab: Tab, live_server: str) -> None:
    job = submit(live_server, report_html(250))
    tab.page.goto(f"/jobs/{job['id']}")
    before = wait_for_percent(tab.page, 5)
    tab.page.reload()
    # The reloaded page starts blank and takes the stream's snapshot: the bar comes back where it was.
    after = wait_for_percent(tab.page, before)
    assert after >= before
    expect(tab.page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100", timeout=WAIT_MS)
    expect_finished(tab.page, "Done")
    assert min(tab.bar_values()) < 100, "the reload came too late to see the render running"


def test_a_failing_document_shows_its_error(tab: Tab, live_server: str) -> None:
    job = submit(live_server, UNRENDERABLE_HTML)
    tab.page.goto(f"/jobs/{job['id']}")
    expect_finished(tab.page, "Failed")
    error = api_job(live_server, job["id"])["error"]
    assert error["code"] == "bad_font"
    message = error["message"]
    expect(tab.page.locator("#job-error")).to_have_text(message)
    assert UNRENDERABLE_MESSAGE in message
    expect(tab.page.get_by_role("link", name="Try again")).to_have_attribute("href", "/")


def test_what_differs_from_a_browser_is_listed_under_the_download(
    tab: Tab, live_server: str, screenshots: Path
) -> None:
    html = (
        "<style>.card { box-shadow: 0 0 2px #000 }</style>"
        '<p class="card">one</p><p style="box-shadow: 0 0 1px red">two</p>'
        '<img src="https://example.com/<b>logo</b>.png">'
        # 22 refused images in all: the report lists 20, the page says how many more.
        + "".join(f'<img src="https://example.com/{n}.png">' for n in range(21))
        # A line of type taller than the page: scaled onto it.
        + '<table border="1"><tr><td style="font-size: 900pt">W</td><td>beside</td></tr></table>'
    )
    job = submit(live_server, html)
    tab.page.goto(f"/jobs/{job['id']}")
    expect_finished(tab.page, "Done")

    section = tab.page.get_by_role("region", name="What may look different from your browser")
    expect(section).to_be_visible()
    expect(section.locator("#fidelity-degraded li")).to_have_text(
        [re.compile(r"^a table taller than the page on page \d+ was scaled to \d+ %$")]
    )
    expect(section.locator("#fidelity-css li")).to_have_text(["box-shadow (2×)"])
    # The document's URL as text, not markup.
    blocked = section.locator("#fidelity-blocked li")
    expect(blocked).to_have_count(21)
    expect(blocked.first).to_have_text("https://example.com/<b>logo</b>.png")
    expect(blocked.last).to_have_text("and 2 more")
    expect(section.locator("#fidelity-blocked b")).to_have_count(0)
    tab.page.screenshot(path=screenshots / "fidelity.png", full_page=True, animations="disabled")


def test_a_newcomer_converts_the_example(tab: Tab, live_server: str, screenshots: Path) -> None:
    page = tab.page
    page.goto("/")
    page.get_by_role("button", name="Load an example").click()
    assert page.get_by_label("HTML", exact=True).input_value().count("<h2>") >= 40
    page.get_by_role("button", name="Convert to PDF").click()
    page.wait_for_url(re.compile(r"/jobs/[\w-]+$"), timeout=WAIT_MS)
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100", timeout=WAIT_MS)
    expect_finished(page, "Done")
    expect(page.locator("#download")).to_contain_text("sample-report.pdf")

    page.goto("/")
    recent = page.locator("#recent-list li").first
    expect(recent).to_contain_text("sample-report.pdf")
    expect(recent).to_contain_text("Done")
    page.screenshot(path=screenshots / "desktop-start-with-recent.png", full_page=True)


def test_a_dropped_file_converts_under_its_own_name_and_the_list_follows_it(tab: Tab, live_server: str) -> None:
    page = tab.page
    page.goto("/")
    drop = """html => {
      const data = new DataTransfer();
      data.items.add(new File([html], "연간 보고서.html", { type: "text/html" }));
      document.getElementById("drop").dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true }));
    }"""
    page.evaluate(drop, unique(report_html(150)))
    expect(page.locator("#chosen")).to_contain_text("연간 보고서.html")
    expect(page.get_by_label("HTML", exact=True)).to_be_disabled()
    page.get_by_role("button", name="Convert to PDF").click()
    page.wait_for_url(re.compile(r"/jobs/[\w-]+$"), timeout=WAIT_MS)
    expect(page.get_by_role("heading", level=1)).to_have_text("연간 보고서.pdf")

    page.go_back()
    entry = page.locator("#recent-list li").filter(has_text="연간 보고서.pdf")
    expect(entry).not_to_contain_text("Done")
    # The list follows a job that is still running until it ends.
    expect(entry).to_contain_text("Done", timeout=WAIT_MS)


def test_api_errors_are_shown_beside_the_form(tab: Tab) -> None:
    page = tab.page
    tab.expected_failures.append("/api/jobs")
    page.goto("/")
    page.get_by_role("button", name="Convert to PDF").click()
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("The HTML is empty: there is nothing to convert.", timeout=WAIT_MS)

    page.locator("#file").set_input_files({"name": "photo.png", "mimeType": "image/png", "buffer": PNG})
    expect(page.locator("#chosen")).to_contain_text("photo.png")
    convert = page.get_by_role("button", name="Convert to PDF")
    convert.press("Enter")
    expect(alert).to_have_text(re.compile("'photo.png' is not an HTML file"), timeout=WAIT_MS)
    assert page.url.endswith("/")
    # A keyboard user stays where they were, ready to fix the form and send it again.
    expect(convert).to_be_focused()


@pytest.mark.parametrize("where", ["start", "running job", "finished job", "unknown job"])
def test_every_page_fits_a_375_px_screen_with_its_header_link(
    browser: Browser, live_server: str, screenshots: Path, where: str
) -> None:
    tab = Tab(browser, live_server, "small phone")
    page = tab.page
    try:
        if where == "start":
            page.goto("/")
        elif where == "unknown job":
            tab.expected_failures.append("/jobs/no-such-job")
            page.goto("/jobs/no-such-job")
        else:
            job = submit(live_server, report_html(120 if where == "running job" else 1))
            page.goto(f"/jobs/{job['id']}")
            if where == "running job":
                wait_for_percent(page, 1)
            else:
                expect_finished(page, "Done")
        page.screenshot(path=screenshots / f"375px-{where.replace(' ', '-')}.png", full_page=True)
        link = page.get_by_role("navigation", name="Main").get_by_role("link", name="New conversion")
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, box
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page is {width} px wide: it scrolls sideways"
    finally:
        tab.close()
    assert tab.errors == [], tab.errors


def test_an_unknown_job_says_so(tab: Tab) -> None:
    tab.expected_failures.append("/jobs/no-such-job")
    response = tab.page.goto("/jobs/no-such-job")
    assert response is not None and response.status == 404
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("This job is gone")
    expect(tab.page.locator("main")).to_contain_text("unknown, expired or deleted")


def test_a_job_that_vanishes_after_the_page_loads_says_so(tab: Tab, live_server: str) -> None:
    job = submit(live_server, "<p>Short</p>")
    tab.expected_failures.append(f"/api/jobs/{job['id']}")

    def delete_then_continue(route: Route) -> None:
        for _ in range(2):  # the first DELETE cancels or finds it ended, the second removes it
            with requests.delete(f"{live_server}/api/jobs/{job['id']}", timeout=HTTP_TIMEOUT):
                pass
        route.continue_()

    tab.page.route(re.compile(r"/events$"), delete_then_continue)
    tab.page.goto(f"/jobs/{job['id']}")
    expect(tab.page.locator("#job-badge")).to_have_text("Not found", timeout=WAIT_MS)
    expect(tab.page.locator("#job-missing")).to_contain_text("unknown, expired or deleted")


def test_a_dropped_stream_reconnects_and_carries_on(tab: Tab, live_server: str) -> None:
    job = submit(live_server, report_html(100))
    streams: list[str] = []
    polls: list[str] = []
    tab.page.on("request", lambda request: polls.append(request.url) if request.url.endswith(job["id"]) else None)

    def cut_the_first_stream_short(route: Route) -> None:
        streams.append(route.request.url)
        if len(streams) > 1:
            # The browser sends Last-Event-ID: 1 here (Playwright's interception does not show that header).
            route.continue_()
            return
        # One real event, then the connection ends, as when a proxy or a web process goes away.
        event = f"retry: 200\nid: 1\nevent: progress\ndata: {json.dumps(api_job(live_server, job['id']))}\n\n"
        route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=event)

    tab.page.route(re.compile(r"/events$"), cut_the_first_stream_short)
    tab.page.goto(f"/jobs/{job['id']}")
    expect(tab.page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100", timeout=WAIT_MS)
    expect_finished(tab.page, "Done")
    assert len(streams) == 2, "the EventSource should reconnect once, then follow the job to its end"
    assert [url for url in polls if "/api/jobs/" in url] == [], "a reconnecting stream needs no polling"
    expect(tab.page.locator("#job-notice")).to_be_hidden()


def test_a_refused_stream_falls_back_to_polling(tab: Tab, live_server: str) -> None:
    job = submit(live_server, report_html(60))
    tab.expected_failures.append("/events")
    polls: list[str] = []
    tab.page.on("request", lambda request: polls.append(request.url) if request.url.endswith(job["id"]) else None)
    tab.page.route(re.compile(r"/events$"), lambda route: route.fulfill(status=503, body="down for maintenance"))
    tab.page.goto(f"/jobs/{job['id']}")
    expect(tab.page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100", timeout=WAIT_MS)
    expect_finished(tab.page, "Done")
    assert len([url for url in polls if "/api/jobs/" in url]) >= 2


def test_page_setup_reaches_the_pdf(tab: Tab, live_server: str, screenshots: Path) -> None:
    page = tab.page
    page.goto("/")
    page.get_by_label("HTML", exact=True).fill(unique(report_html(3)))
    page.get_by_text("Page setup", exact=True).click()
    page.get_by_label("Paper size").select_option("Letter")
    page.get_by_label("Orientation").select_option("landscape")
    page.get_by_label("Page numbers in the footer").check()
    expect(page.locator("#setup-summary")).to_have_text("Letter · landscape · page numbers")
    page.screenshot(path=screenshots / "desktop-start-page-setup.png", full_page=True)
    with page.expect_request(lambda request: request.method == "POST") as sent:
        page.get_by_role("button", name="Convert to PDF").click()
    # Only what was set, as one JSON field.
    options = {"page_size": "Letter", "orientation": "landscape", "footer_html": "Page {page} of {pages}"}
    assert json.dumps(options, separators=(",", ":")).encode() in (sent.value.post_data_buffer or b"")
    assert UUID.fullmatch(sent.value.headers["idempotency-key"])
    page.wait_for_url(re.compile(r"/jobs/[\w-]+$"), timeout=WAIT_MS)
    expect_finished(page, "Done")

    first = pypdf.PdfReader(io.BytesIO(download(live_server, page))).pages[0]
    assert (float(first.mediabox.width), float(first.mediabox.height)) == (792, 612)
    assert "Page 1 of" in first.extract_text()


def test_a_stamped_protected_pdf_from_page_setup(tab: Tab, live_server: str, screenshots: Path) -> None:
    page = tab.page
    page.goto("/")
    page.get_by_label("HTML", exact=True).fill(unique(report_html(3)))
    page.get_by_text("Page setup", exact=True).click()
    # This service has no signing identity: the page offers no signature.
    expect(page.locator("#finish-sign")).to_have_count(0)
    expect(page.locator("#setup-summary")).not_to_contain_text("signature")
    page.get_by_label("Stamp text").fill("PAGESTAMPWORD")
    page.get_by_label("Stamp position").select_option("top")
    page.get_by_label("Stamp opacity").fill("0.5")
    page.get_by_label("Stamp on pages").fill("first")
    page.get_by_label("Password to open").fill("page-user-pw-Tb40")
    page.get_by_label("Copy text").uncheck()
    expect(page.locator("#setup-summary")).to_have_text("stamp “PAGESTAMPWORD” · password")
    page.screenshot(path=screenshots / "desktop-start-finishing.png", full_page=True)
    with page.expect_request(lambda request: request.method == "POST") as sent:
        page.get_by_role("button", name="Convert to PDF").click()
    body = sent.value.post_data_buffer or b""
    options = json.loads(body.split(b'name="options"')[1].split(b"\r\n\r\n", 1)[1].split(b"\r\n--", 1)[0])
    assert options["stamp"] == {"text": "PAGESTAMPWORD", "position": "top", "opacity": 0.5, "pages": "first"}
    assert options["protect"]["user_password"] == "page-user-pw-Tb40"
    assert "copy" not in options["protect"]["permissions"] and "print" in options["protect"]["permissions"]
    page.wait_for_url(re.compile(r"/jobs/[\w-]+$"), timeout=WAIT_MS)
    expect_finished(page, "Done")
    assert "page-user-pw-Tb40" not in page.content()

    reader = pypdf.PdfReader(io.BytesIO(download(live_server, page)))
    assert reader.is_encrypted and not reader.decrypt("")
    assert reader.decrypt("page-user-pw-Tb40")
    texts = [each.extract_text() for each in reader.pages]
    assert "PAGESTAMPWORD" in texts[0] and all("PAGESTAMPWORD" not in text for text in texts[1:])
    granted = reader.user_access_permissions
    assert granted is not None
    assert granted & pypdf.constants.UserAccessPermissions.PRINT
    assert not granted & pypdf.constants.UserAccessPermissions.EXTRACT


def test_a_bad_stamp_opacity_is_shown_beside_its_field(tab: Tab) -> None:
    tab.expected_failures.append("/api/jobs")
    page = tab.page
    page.goto("/")
    page.get_by_label("HTML", exact=True).fill("<p>Stamp</p>")
    page.get_by_text("Page setup", exact=True).click()
    page.get_by_label("Stamp text").fill("DRAFT")
    opacity = page.get_by_label("Stamp opacity")
    opacity.fill("3")
    page.get_by_role("button", name="Convert to PDF").click()
    expect(opacity).to_have_attribute("aria-invalid", "true", timeout=WAIT_MS)
    expect(opacity).to_have_accessible_description(re.compile(r"must be a number from 0 to 1"))
    expect(page.locator("#form-error")).to_be_hidden()


def test_a_bad_margin_is_shown_beside_the_margin_field(browser: Browser, live_server: str, screenshots: Path) -> None:
    tab = Tab(browser, live_server, "phone")
    tab.expected_failures.append("/api/jobs")
    page = tab.page
    try:
        page.goto("/")
        page.get_by_label("HTML", exact=True).fill("<p>Margins</p>")
        summary = page.get_by_text("Page setup", exact=True)
        summary.click()
        margin = page.get_by_label("Margins")
        margin.fill("wide")
        summary.click()  # closed again: the error opens it
        page.get_by_role("button", name="Convert to PDF").click()

        error = page.locator(".field", has=margin).locator(".field-error")
        expect(error).to_have_text(re.compile(r"^'wide' is not a length"), timeout=WAIT_MS)
        expect(margin).to_be_focused()
        expect(margin).to_have_attribute("aria-invalid", "true")
        expect(margin).to_have_accessible_description(re.compile(r"^'wide' is not a length"))
        expect(page.locator("#form-error")).to_be_hidden()
        page.screenshot(path=screenshots / "phone-start-bad-margin.png", full_page=True)

        margin.fill("2cm")
        expect(error).to_have_count(0)
        expect(margin).not_to_have_attribute("aria-invalid", "true")
    finally:
        tab.close()
    assert tab.errors == []


def test_convert_again_after_a_lost_answer_makes_no_second_job(tab: Tab, live_server: str) -> None:
    page = tab.page
    tab.expected_failures.append("/api/jobs")
    sent: list[Request] = []
    made: list[dict[str, Any]] = []

    def lose_the_first_answer(route: Route) -> None:
        sent.append(route.request)
        if len(sent) > 1:
            route.continue_()
            return
        made.append(route.fetch().json())  # the service makes the job, but its answer never arrives
        route.abort("connectionreset")

    page.route(re.compile(r"/api/jobs$"), lose_the_first_answer)
    page.goto("/")
    html = unique(report_html(2))
    page.get_by_label("HTML", exact=True).fill(html)
    convert = page.get_by_role("button", name="Convert to PDF")
    convert.click()
    expect(page.get_by_role("alert")).to_contain_text("Could not reach the service", timeout=WAIT_MS)
    convert.click()
    page.wait_for_url(re.compile(rf"/jobs/{made[0]['id']}$"), timeout=WAIT_MS)
    keys = [request.headers["idempotency-key"] for request in sent]
    assert keys[0] == keys[1] and UUID.fullmatch(keys[0])

    # Answered: the next press is a new submission, with a new key.
    page.go_back()
    page.get_by_label("HTML", exact=True).fill(html)
    convert.click()
    page.wait_for_url(re.compile(r"/jobs/[\w-]+$"), timeout=WAIT_MS)
    assert not page.url.endswith(made[0]["id"])
    assert len(sent) == 3 and sent[2].headers["idempotency-key"] not in keys


def test_a_token_protected_service_asks_for_the_token(
    browser: Browser, redis_url: str, worker: Process, tmp_path: Path, screenshots: Path
) -> None:
    # A web process of its own with API_TOKENS; the suite's worker renders its jobs.
    web, base = start_web(redis_url, tmp_path / "web.log", env={"API_TOKENS": TOKEN})
    tab = Tab(browser, base)
    tab.expected_failures += ["/api/jobs", "/cancel"]
    page = tab.page
    try:
        page.goto("/")
        page.get_by_label("HTML", exact=True).fill(unique(report_html(2)))
        page.get_by_role("button", name="Convert to PDF").click()
        token = page.get_by_label("API token", exact=True)
        expect(token).to_be_focused(timeout=WAIT_MS)
        expect(token).to_have_attribute("type", "password")
        token.fill("wrong")
        token.press("Enter")
        expect(page.locator("#token-why")).to_contain_text("not accepted", timeout=WAIT_MS)
        expect(token).to_be_focused()
        page.screenshot(path=screenshots / "desktop-start-token.png", full_page=True)
        token.fill(TOKEN)
        page.get_by_role("button", name="Use token").click()
        page.wait_for_url(re.compile(r"/jobs/[\w-]+$"), timeout=WAIT_MS)
        expect_finished(page, "Done")
        assert page.evaluate("localStorage.getItem('html2pdf.token')") == TOKEN

        # Forgotten, the token is asked for again by the next thing that needs it: a cancel.
        headers = {"Authorization": f"Bearer {TOKEN}"}
        body = {"html": unique(report_html(300))}
        with requests.post(f"{base}/api/jobs", json=body, headers=headers, timeout=HTTP_TIMEOUT) as response:
            assert response.status_code == 202, response.text
            job = response.json()
        calls = api_calls(page)
        page.goto(f"/jobs/{job['id']}")
        page.get_by_role("button", name="Forget it").click()
        expect(page.locator("#token-forgotten")).to_be_focused()
        assert page.evaluate("localStorage.getItem('html2pdf.token')") is None
        page.get_by_role("button", name="Cancel").click()
        expect(token).to_be_focused(timeout=WAIT_MS)
        token.fill(TOKEN)
        token.press("Enter")
        expect_finished(page, "Cancelled")
        expect(page.get_by_role("link", name="Convert something else")).to_be_focused()
        assert calls == [f"POST /api/jobs/{job['id']}/cancel"] * 2
    finally:
        tab.close()
        web.stop()
    assert tab.errors == []


def test_a_zip_with_its_images_converts(tab: Tab, live_server: str) -> None:
    page = tab.page
    html = '<html><body><h1>With a logo</h1><img src="img/logo.png" width="120" height="60"></body></html>'
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("index.html", unique(html))
        bundle.writestr("img/logo.png", tiny_png(60, 30))
    page.goto("/")
    expect(page.locator("#drop")).to_contain_text("a .zip with index.html and its images")
    page.locator("#file").set_input_files(
        {"name": "site.zip", "mimeType": "application/zip", "buffer": archive.getvalue()}
    )
    expect(page.locator("#chosen")).to_contain_text("site.zip")
    page.get_by_role("button", name="Convert to PDF").click()
    page.wait_for_url(re.compile(r"/jobs/[\w-]+$"), timeout=WAIT_MS)
    expect(page.get_by_role("heading", level=1)).to_have_text("site.pdf")
    expect_finished(page, "Done")
    assert b"/Subtype /Image" in download(live_server, page)
