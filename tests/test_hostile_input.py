"""Issue 11's payloads, sent through the running stack: each gets its fixed answer, never a 500."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
import webencodings

from tasks.webhook_http import address_refused
from tests.support import AppFactory, Process, start_web, wait_for_job
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
