"""Issue 11's payloads, sent through the running stack: each gets its fixed answer, never a 500."""

from __future__ import annotations

import base64
import io
import json
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import requests
import webencodings

from tasks.delivery.http import address_refused
from tasks.render.renderer import render_pdf
from tests.support import AppFactory, Process, Stack, private_stack, start_web, wait_for_job
from tests.test_security import tiny_png
from webapp.access import client_identity
from webapp.decoding import decode_html

TIMEOUT = 30


def post(base: str, **kwargs: object) -> requests.Response:
    return requests.post(f"{base}/api/jobs", timeout=TIMEOUT, **kwargs)  # type: ignore[arg-type]


def error_code(response: requests.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


# Item 9: bad input is a 400, not a 500.


def test_json_nested_100000_deep_is_bad_json(live_server: str) -> None:
    body = '{"html": "<p>x</p>", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = post(live_server, data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert error_code(response) == "bad_json"


def test_options_nested_5000_deep_are_bad_json(live_server: str) -> None:
    options = "{}"
    for _ in range(5000):
        options = '{"margin": ' + options + "}"
    body = '{"html": "<p>x</p>", "options": ' + options + "}"
    response = post(live_server, data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert error_code(response) == "bad_json"


def test_form_options_nested_5000_deep_are_bad_options(live_server: str) -> None:
    options = "[" * 5000 + "]" * 5000
    response = post(live_server, files={"file": ("a.html", b"<p>x</p>", "text/html")}, data={"options": options})
    assert response.status_code == 400, response.text
    assert error_code(response) == "bad_options"


def test_an_upload_in_x_user_defined_renders(live_server: str) -> None:
    response = post(
        live_server,
        files={"file": ("sample.html", b"<p>Hello from x-user-defined \xe9</p>", "text/html; charset=x-user-defined")},
        data={"reuse": "false"},
    )
    assert response.status_code == 202, response.text
    assert wait_for_job(live_server, response.json()["id"])["state"] == "SUCCESS"


def test_a_raw_body_in_x_user_defined_is_accepted(live_server: str) -> None:
    response = post(
        live_server,
        data=b"<p>raw \x80\xff</p>",
        headers={"Content-Type": "text/html; charset=x-user-defined"},
        params={"reuse": "false"},
    )
    assert response.status_code == 202, response.text


@pytest.mark.parametrize("label", sorted(webencodings.LABELS))
def test_every_whatwg_label_decodes_as_browsers_do(label: str) -> None:
    encoding = webencodings.lookup(label)
    assert encoding is not None
    text = decode_html(b"<p>plain ascii</p>", label)
    if encoding.name == "replacement":
        assert text == "\ufffd"  # what a browser shows for ISO-2022-KR, HZ and the like
    else:
        assert "plain ascii" in text


def test_x_user_defined_maps_high_bytes_as_browsers_do() -> None:
    assert decode_html(b"<p>\x80\xff</p>", "x-user-defined") == "<p>\uf780\uf7ff</p>"


@pytest.mark.parametrize("label", ["x-no-such-charset", "utf-7", "", "\x00", "a" * 300])
def test_unknown_labels_fall_back_to_sniffing(label: str) -> None:
    assert decode_html("<p>café</p>".encode(), label) == "<p>café</p>"


def test_a_meta_naming_an_unknown_charset_is_sniffed(live_server: str) -> None:
    html = '<meta charset="x-klingon"><p>café</p>'.encode()
    response = post(live_server, files={"file": ("k.html", html, "text/html")}, data={"reuse": "false"})
    assert response.status_code == 202, response.text


def test_json_itself_still_works(live_server: str) -> None:
    response = post(
        live_server,
        data=json.dumps({"html": "<p>fine</p>", "reuse": False}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 202


# Item 10: a request cannot write a line of its own into the log.

FORGED = "[2026-11-30 00:00:00,000: WARNING] webapp.requests job_id=admin DELETE everything 204"


def test_a_job_id_with_a_newline_cannot_forge_a_log_line(redis_url: str, worker: Process, tmp_path: Path) -> None:
    web, base = start_web(redis_url, tmp_path / "web.log")
    try:
        for method, path in (
            ("DELETE", f"/api/jobs/x%0a{FORGED}"),
            ("GET", f"/api/jobs/x%0d%0a{FORGED}/pdf"),
            ("GET", f"/api/jobs/x%E2%80%A8{FORGED}/pdf"),
        ):
            response = requests.request(method, base + path.replace(" ", "%20"), timeout=TIMEOUT)
            assert response.status_code == 404
    finally:
        web.stop()
    lines = web.output().splitlines()
    assert not [line for line in lines if line.startswith(FORGED[:20])], web.output()
    escaped = [line for line in lines if "job_id=x\\n[2026-11-30" in line]
    assert escaped, web.output()  # the request was logged, on one line, its newline shown as \n


# Item 13: IPv6 forms that carry an IPv4 address are judged by the IPv4 address.

TRANSITION_FORMS = [
    "::7f00:1",  # IPv4-compatible
    "64:ff9b::7f00:1",  # NAT64
    "64:ff9b:1::a00:1",  # NAT64, local-use prefix, to 10.0.0.1
    "2002:7f00:1::1",  # 6to4
    "::ffff:0:7f00:1",  # IPv4-translated
    "::ffff:a9fe:a9fe",  # mapped, to 169.254.169.254
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
]


@pytest.mark.parametrize("address", TRANSITION_FORMS)
def test_ipv6_transition_forms_of_private_addresses_are_refused_at_submission(
    redis_url: str, make_app: AppFactory, address: str
) -> None:
    app = make_app(
        {"REDIS_URL": redis_url.replace("/0", "/3"), "RATE_LIMIT": "100000 per minute", "WEBHOOK_SECRET": "s"}
    )
    response = app.test_client().post(
        "/api/jobs", json={"html": "<p>x</p>", "callback_url": f"http://[{address}]:8080/hook"}
    )
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["code"] == "bad_callback_url"
    assert address_refused(address, allow_private=False)


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "2606:4700::1111"])
def test_transition_forms_of_public_addresses_still_pass(address: str) -> None:
    assert not address_refused(address, allow_private=False)


# Items 7 and 8: tokens scope the reuse of stored PDFs and the rate limit.


@pytest.fixture(scope="module")
def token_stack(redis_url: str, worker: Process, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A web of its own with API_TOKENS=a,b, in front of the suite's worker."""
    web, base = start_web(redis_url, tmp_path_factory.mktemp("tokens") / "web.log", env={"API_TOKENS": "a,b"})
    yield base
    web.stop()


def as_token(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_stored_pdf_is_no_oracle_for_another_token(token_stack: str) -> None:
    secret = {"html": f"<p>salary of a's employee: {uuid.uuid4()}</p>"}
    first = post(token_stack, json=secret, headers=as_token("a"))
    assert first.status_code == 202
    assert wait_for_job(token_stack, first.json()["id"])["state"] == "SUCCESS"
    guess = post(token_stack, json=secret, headers=as_token("b"))
    assert guess.status_code == 202
    assert guess.json()["state"] != "SUCCESS", "b learnt that a rendered exactly this"
    again = post(token_stack, json=secret, headers=as_token("a"))
    assert again.json()["state"] == "SUCCESS", "a still gets its own PDF back at once"
    assert wait_for_job(token_stack, guess.json()["id"])["state"] == "SUCCESS"


def test_reuse_without_tokens_is_per_client_address(redis_url: str, make_app: AppFactory) -> None:
    app = make_app({"REDIS_URL": redis_url.replace("/0", "/1")})
    with app.test_request_context(environ_base={"REMOTE_ADDR": "198.51.100.1"}):
        one = client_identity()
    with app.test_request_context(environ_base={"REMOTE_ADDR": "198.51.100.2"}):
        two = client_identity()
    with app.test_request_context(environ_base={"REMOTE_ADDR": "198.51.100.2"}, headers=as_token("a")):
        still_two = client_identity()  # no tokens configured: a header proves nothing
    assert one != two == still_two


def test_failed_authentication_does_not_spend_a_tokens_budget(redis_url: str, make_app: AppFactory) -> None:
    app = make_app({"REDIS_URL": redis_url.replace("/0", "/1"), "API_TOKENS": "a,b", "RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    address = {"REMOTE_ADDR": "203.0.113.77"}  # an address no other test uses
    for attempt in range(10):
        wrong = client.post("/api/jobs", json={"html": "<p>x</p>"}, environ_base=address, headers=as_token("z"))
        assert wrong.status_code in (401, 429), attempt
    assert wrong.status_code == 429, "unauthenticated attempts are limited, per address"
    answers = [
        client.post("/api/jobs", json={"html": f"<p>{n}</p>"}, environ_base=address, headers=as_token("a"))
        for n in range(4)
    ]
    assert [answer.status_code for answer in answers] == [202, 202, 202, 429], "the token has its own budget"
    other = client.post("/api/jobs", json={"html": "<p>b</p>"}, environ_base=address, headers=as_token("b"))
    assert other.status_code == 202, "and each token its own"


# Item 11: what can be checked at submission is a 400 naming the field; the rest a FAILURE naming the cause.


def test_margins_wider_than_the_page_are_refused_naming_the_field(live_server: str) -> None:
    response = post(live_server, json={"html": "<p>x</p>", "options": {"margin": "150in"}})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["field"] == "options.margin"
    assert "margins leave less than 1 in" in error["message"]
    fits = post(live_server, json={"html": "<p>x</p>", "options": {"margin": "3in", "page_size": "letter"}})
    assert fits.status_code == 202


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "files",
    [
        {"index.html": b"<p>x</p>", "d": b"file", "d/e": b"file in a folder of the same name"},
        {"index.html": b"<p>x</p>", "d/e": b"folder first", "d": b"then a file"},
        {"index.html": b"<p>x</p>", "img/a.png": b"1", "img//a.png": b"2"},
    ],
)
def test_a_zip_whose_paths_collide_is_refused(live_server: str, files: dict[str, bytes]) -> None:
    response = post(live_server, files={"file": ("site.zip", zipped(files), "application/zip")})
    assert response.status_code == 400, response.text
    assert error_code(response) == "path_conflict"


@pytest.mark.parametrize(
    ("css", "cause"),
    [
        ("@page { size: 100000cm 100000cm }", "(@page size); each side must be between 1 in and 200 in"),
        ("@page { size: 0.1in 0.1in }", "(@page size)"),
        ("@page { margin: 150in }", "leaves no room for content"),
    ],
)
def test_css_pages_are_bounded_like_the_option_and_fail_naming_the_cause(
    live_server: str, css: str, cause: str
) -> None:
    # In a stylesheet of the document's own, which only the renderer reads.
    site = zipped({"index.html": b'<link rel="stylesheet" href="page.css"><p>x</p>', "page.css": css.encode()})
    submitted = post(live_server, files={"file": ("site.zip", site, "application/zip")}, data={"reuse": "false"})
    assert submitted.status_code == 202, submitted.text
    job = wait_for_job(live_server, submitted.json()["id"])
    assert job["state"] == "FAILURE"
    assert cause in job["error"]["message"], job["error"]


# Item 12: inline images are inside the budget too.


def test_inline_image_bombs_are_bounded_per_document(live_server: str) -> None:
    bombs = "".join(
        f"<img src='data:image/png;base64,{base64.b64encode(tiny_png(4990, 4990 - n)).decode()}'>" for n in range(60)
    )
    assert len(bombs) < 260_000  # the payload: 60 distinct 4990 x 4990 PNGs in 250 KB of HTML
    started = time.monotonic()
    submitted = post(live_server, json={"html": "<p>bombs</p>" + bombs, "reuse": False})
    assert submitted.status_code == 202
    job = wait_for_job(live_server, submitted.json()["id"], timeout=60)
    assert job["state"] == "SUCCESS", job["error"]  # the images past the budget are left out, as refused fetches are
    assert time.monotonic() - started < 30, "60 s before: every image decoded"
    assert wait_for_job(live_server, post(live_server, json={"html": "<p>next</p>"}).json()["id"])["state"] == "SUCCESS"


def test_the_pixel_budget_counts_an_image_once_however_often_it_is_drawn() -> None:
    logo = f"<img src='data:image/png;base64,{base64.b64encode(tiny_png(3000, 3000)).decode()}'>"
    result = render_pdf("".join(f"<p>page {n}</p>{logo}<pdf:nextpage />" for n in range(20)))
    assert result.pages >= 20
    assert not [warning for warning in result.warnings if "pixels" in warning]


@pytest.mark.parametrize(
    "css",
    ["@page { size: 100000cm 100000cm }", "@page :first { margin: 1cm; size: 0.5in 3in }", "@PAGE{SIZE:300IN}"],
)
def test_an_inline_page_size_past_the_bounds_is_refused_at_submission(live_server: str, css: str) -> None:
    response = post(live_server, json={"html": f"<style>{css}</style><p>x</p>"})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "bad_page_size"
    assert "(@page size)" in error["message"]


def test_page_sizes_within_the_bounds_pass(live_server: str) -> None:
    for css in ("@page { size: a4 landscape }", "@page { size: 8.5in 11in; margin: 1in }", "@page { size: 200in }"):
        response = post(live_server, json={"html": f"<style>{css}</style><p>x</p>", "reuse": False})
        assert response.status_code == 202, (css, response.text)


# Issue 19, items 4-6: the preparation stage's scans are linear and its CSS bounded before it is parsed.

DIGITS = "<p>" + "1" * 60_000 + "</p>"
DEEP_CSS = "a{" * 6000 + "color:red" + "}" * 6000
_LEVELS = "".join(f"--a{n}: " + " ".join([f"var(--a{n - 1})"] * 6) + ";" for n in range(1, 9))
VAR_BOMB = f"<!doctype html><style>:root{{--a0: x;{_LEVELS}}} p {{ margin: var(--a8) }}</style>" + "<p>x</p>" * 20
SELECTOR_BOMB = (
    "<!doctype html><style>x div div div div div div div div { color: red }</style>"
    + "<div>" * 120
    + "y"
    + "</div>" * 120
)


def rendered_within(base: str, body: dict[str, object], seconds: float) -> dict[str, object]:
    """The job of `body`, ended within `seconds` of its submission (the render's own limit is longer)."""
    started = time.monotonic()
    submitted = post(base, json={"reuse": False, **body})
    assert submitted.status_code == 202, submitted.text
    job = wait_for_job(base, submitted.json()["id"], timeout=seconds)
    assert time.monotonic() - started < seconds
    return job


def test_a_paragraph_of_digits_is_prepared_at_once(live_server: str) -> None:
    # 144 s before: the browser-mark regex (\d+rem) was quadratic on it, holding the GIL.
    job = rendered_within(live_server, {"html": DIGITS}, 20)
    assert job["state"] == "SUCCESS", job["error"]


def test_unclosed_style_tags_with_a_page_option_render_at_once(live_server: str) -> None:
    # 24 s before: finding the document's own @page rule retried a lazy match from every tag.
    job = rendered_within(live_server, {"html": "<style>" * 20_000, "options": {"margin": "2cm"}}, 20)
    assert job["state"] == "SUCCESS", job["error"]


@pytest.mark.parametrize(
    "html",
    [
        f"<!doctype html><style>{DEEP_CSS}</style><p>x</p>",
        "<!doctype html><p style='width: " + "calc(" * 10_000 + "1px" + ")" * 10_000 + "'>x</p>",
        "<!doctype html><style>" + ":is(" * 100_000 + "a" + ")" * 100_000 + "{color: red}</style><p>x</p>",
    ],
    ids=["blocks", "calc-in-a-style-attribute", "is"],
)
def test_css_nested_too_deeply_fails_before_it_crashes_the_worker(live_server: str, html: str) -> None:
    # lightningcss segfaulted on it: three worker deaths, then FAILURE worker_lost.
    job = rendered_within(live_server, {"html": html}, 30)
    assert job["state"] == "FAILURE"
    error = job["error"]
    assert isinstance(error, dict)
    assert error["code"] == "too_deeply_nested", error
    assert "CSS" in error["message"]


def test_css_nested_too_deeply_in_a_linked_stylesheet_fails_too(live_server: str) -> None:
    page = b'<!doctype html><link rel="stylesheet" href="s.css"><p>x</p>'
    site = zipped({"index.html": page, "s.css": DEEP_CSS.encode()})
    submitted = post(live_server, files={"file": ("site.zip", site, "application/zip")}, data={"reuse": "false"})
    assert submitted.status_code == 202, submitted.text
    job = wait_for_job(live_server, submitted.json()["id"], timeout=30)
    assert (job["state"], job["error"]["code"]) == ("FAILURE", "too_deeply_nested")


def test_a_selector_bomb_is_matched_at_once(live_server: str) -> None:
    # Exponential in cssselect2: 0.8 KB ran to the hard time limit and the worker was SIGKILLed.
    job = rendered_within(live_server, {"html": SELECTOR_BOMB}, 20)
    assert job["state"] == "SUCCESS", job["error"]


@pytest.fixture(scope="module")
def one_child_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack whose single render process is not recycled while a test measures it."""
    env = {"WORKER_MAX_TASKS_PER_CHILD": "1000"}
    with private_stack(tmp_path_factory.mktemp("memory"), env=env, processes=1) as stack:
        yield stack


def test_a_var_bomb_is_bounded_and_leaves_nothing_in_the_render_process(one_child_stack: Stack) -> None:
    # 70 s and +313 MB kept in the render process per job before: expanded values filled a process-wide cache.
    base = one_child_stack.base
    assert rendered_within(base, {"html": VAR_BOMB}, 20)["state"] == "SUCCESS"  # the process's own first-use costs
    child = psutil.Process(one_child_stack.worker.pid).children()[0]
    before = child.memory_info().rss
    for _ in range(3):
        job = rendered_within(base, {"html": VAR_BOMB}, 20)
        assert job["state"] == "SUCCESS", job["error"]
    assert psutil.Process(one_child_stack.worker.pid).children() == [child], "the render process was replaced"
    assert child.memory_info().rss - before < 30 * 2**20
    fidelity = job["fidelity"]
    assert isinstance(fidelity, dict)
    assert any(feature.startswith("var(): substituted values longer than") for feature in fidelity["ignored_css"])
