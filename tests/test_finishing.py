"""Finishing a PDF (issue 22): stamps, AES-256 protection and PAdES signatures, through the running service.

One private stack signs with a PKCS#12 identity made here (a throwaway CA) and a
timestamp authority of its own on loopback, so its signatures are PAdES B-T;
B-B and PEM identities are signed by the engine alone.
"""

from __future__ import annotations

import io
import json
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pikepdf
import pypdf
import pytest
import requests
from flask.testing import FlaskClient
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from redis import Redis

from harness.pki import PASSPHRASE, Pki, make_pki, timestamp_server
from tasks.document.finishing import Finishing
from tasks.finishing import finish_pdf
from tasks.finishing.sign import Identity
from tasks.render.renderer import render_pdf
from tests.support import STAGES, Stack, private_stack, submit_job, wait_for_job

TIMEOUT = 10
USER_PASSWORD = "user-pw-Kx93-first"
OWNER_PASSWORD = "owner-pw-Lm27-first"
SECOND_PASSWORD = "user-pw-Pq55-second"
SECRETS = (USER_PASSWORD, OWNER_PASSWORD, SECOND_PASSWORD, PASSPHRASE)
STAMP_WORD = "PAIDSTAMPWORD"
# pikepdf's names for the permissions the API takes.
PIKEPDF = {
    "print": "print_lowres",
    "print_high": "print_highres",
    "modify": "modify_other",
    "copy": "extract",
    "annotate": "modify_annotation",
    "fill_forms": "modify_form",
    "accessibility": "accessibility",
    "assemble": "modify_assembly",
}


def pages_html(count: int, note: str = "") -> str:
    """`count` pages, each saying its number; `note` makes the document unique (the service reuses PDFs)."""
    body = "<pdf:nextpage/>".join(f"<p>Page number {n} {note}</p>" for n in range(1, count + 1))
    return f"<html><body>{body}</body></html>"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def stack(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A service that signs with `pki`'s PKCS#12 identity, timestamped by a TSA of its own (PAdES B-T)."""
    with timestamp_server(pki) as tsa:
        env = {
            "SIGNING_PKCS12": str(pki.pkcs12),
            "SIGNING_PKCS12_PASSPHRASE": PASSPHRASE,
            "TIMESTAMP_URL": tsa,
            "RATE_LIMIT": "100000 per minute",
        }
        with private_stack(tmp_path_factory.mktemp("finishing"), env=env, processes=1) as service:
            yield service


def finished(base: str, body: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """Submit `body`, wait for SUCCESS; the job's JSON and its PDF."""
    job = submit_job(base, body)
    end = wait_for_job(base, job["id"], timeout=120)
    assert end["state"] == "SUCCESS", end
    response = requests.get(f"{base}/api/jobs/{job['id']}/pdf", timeout=TIMEOUT)
    assert response.status_code == 200
    return end, response.content


def validated(pdf: bytes, pki: Pki, password: str | None = None) -> PdfSignatureStatus:
    reader = PdfFileReader(io.BytesIO(pdf))
    if password is not None:
        reader.decrypt(password)
    (signature,) = reader.embedded_signatures
    context = ValidationContext(trust_roots=[pki.ca_asn1()], allow_fetching=False)
    return validate_pdf_signature(signature, context)


def assert_whole_and_trusted(status: PdfSignatureStatus) -> None:
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    assert status.modification_level is not None and status.modification_level.name == "NONE"


def page_texts(pdf: bytes, password: str = "") -> list[str]:
    """Each page's text as pdftotext reads it (`password` to open an encrypted PDF)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf), password=password or None)
    texts = []
    for number in range(1, len(reader.pages) + 1):
        command = ["pdftotext", "-f", str(number), "-l", str(number)]
        if password:
            command += ["-upw", password]
        texts.append(subprocess.run([*command, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode())
    return texts


# Bad options: 400 naming the field, without rendering (the app on a database no worker reads).


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"stamp": {"text": "X", "opacity": 2}}, "options.stamp.opacity"),
        ({"stamp": {"text": "X", "pages": "5-2"}}, "options.stamp.pages"),
        ({"stamp": {"text": "X", "colour": "#fff"}}, "options.stamp.colour"),
        ({"stamp": {"image": "data:image/png;base64,aGVsbG8="}}, "options.stamp.image"),
        ({"stamp": {"image": "https://example.invalid/logo.png"}}, "options.stamp.image"),
        ({"stamp": {}}, "options.stamp.text"),
        ({"protect": {"user_password": "x", "permissions": ["print", "fly"]}}, "options.protect.permissions[1]"),
        ({"protect": {"permissions": ["print"]}}, "options.protect.user_password"),
        ({"protect": {"user_password": "x" * 128}}, "options.protect.user_password"),
        ({"protect": "secret"}, "options.protect"),
        ({"sign": {"reason": "approved"}}, "options.sign"),
    ],
)
def test_a_bad_finishing_option_is_400_naming_the_field(
    client: FlaskClient, options: dict[str, Any], field: str
) -> None:
    response = client.post("/api/jobs", json={"html": "<p>x</p>", "options": options})
    assert response.status_code == 400, response.json
    error = response.json["error"]  # type: ignore[index]
    assert error["code"] == "bad_option" and error["field"] == field, error
    assert "x" * 128 not in error["message"]


def test_a_bad_signature_field_is_400_where_signing_is_configured(make_app: Any, redis_url: str, pki: Pki) -> None:
    app = make_app(
        {
            "REDIS_URL": redis_url.replace("/0", "/1"),
            "SIGNING_PKCS12": str(pki.pkcs12),
            "SIGNING_PKCS12_PASSPHRASE": PASSPHRASE,
        }
    )
    response = app.test_client().post(
        "/api/jobs", json={"html": "<p>x</p>", "options": {"sign": {"field": {"page": 0, "x": 1}}}}
    )
    assert response.status_code == 400
    assert response.json["error"]["field"] == "options.sign.field.page"


def test_the_page_offers_signing_only_where_an_identity_is_configured_and_shows_nothing_of_it(
    make_app: Any, redis_url: str, pki: Pki, client: FlaskClient
) -> None:
    without = client.get("/").get_data(as_text=True)
    assert 'id="finish-stamp"' in without and 'id="finish-protect"' in without
    assert 'id="finish-sign"' not in without
    app = make_app(
        {
            "REDIS_URL": redis_url.replace("/0", "/1"),
            "SIGNING_PKCS12": str(pki.pkcs12),
            "SIGNING_PKCS12_PASSPHRASE": PASSPHRASE,
        }
    )
    page = app.test_client().get("/").get_data(as_text=True)
    assert 'id="finish-sign"' in page and 'id="opt-sign-reason"' in page
    assert PASSPHRASE not in page and str(pki.pkcs12) not in page and pki.pkcs12.name not in page


# The engine alone: B-B with a PEM identity, and a broken signature found out.


def test_a_pem_identity_signs_pades_b_b_and_a_changed_byte_breaks_it(pki: Pki) -> None:
    identity = Identity.from_pem(str(pki.key_pem), str(pki.chain_pem))
    pdf = finish_pdf(render_pdf(pages_html(2)).pdf, Finishing.parse({"sign": {"reason": "approved"}}), identity)
    status = validated(pdf, pki)
    assert_whole_and_trusted(status)
    assert status.timestamp_validity is None  # B-B: no timestamp authority configured
    at = pdf.index(b"ReportLab")  # a comment near the top, inside the signed bytes: the file still parses
    broken = pdf[:at] + b"X" + pdf[at + 1 :]
    assert not validated(broken, pki).intact


# Through the service.


def test_a_signed_pdf_is_pades_b_t_whole_and_trusted(stack: Stack, pki: Pki) -> None:
    field = {"page": 2, "x": 300, "y": 50, "width": 200, "height": 60}
    options = {"sign": {"reason": "Approved", "location": "Lyon", "field": field}}
    end, pdf = finished(stack.base, {"html": pages_html(2, "signed"), "options": options})
    status = validated(pdf, pki)
    assert_whole_and_trusted(status)
    assert status.timestamp_validity is not None and status.timestamp_validity.intact
    assert status.timestamp_validity.trusted, status.pretty_print_details()
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    assert signature.sig_object["/Reason"] == "Approved" and signature.sig_object["/Location"] == "Lyon"
    widget = signature.sig_field["/Kids"][0] if "/Kids" in signature.sig_field else signature.sig_field
    assert [round(float(value)) for value in widget["/Rect"]] == [300, 50, 500, 110]
    assert end["pdf"]["bytes"] == len(pdf)


def test_a_protected_pdf_opens_only_with_its_password_and_has_the_permissions_asked(stack: Stack) -> None:
    asked = ["print", "copy"]
    options = {"protect": {"user_password": USER_PASSWORD, "owner_password": OWNER_PASSWORD, "permissions": asked}}
    _, pdf = finished(stack.base, {"html": pages_html(1, "protected"), "options": options})
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.is_encrypted and not reader.decrypt("wrong")
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(pdf))
    with pikepdf.open(io.BytesIO(pdf), password=USER_PASSWORD) as opened:
        assert opened.encryption.R == 6 and opened.encryption.stream_method.name == "aesv3"  # AES-256
        granted = {name for name, attribute in PIKEPDF.items() if getattr(opened.allow, attribute)}
        assert granted == set(asked)
        assert not opened.owner_password_matched
    with pikepdf.open(io.BytesIO(pdf), password=OWNER_PASSWORD) as opened:
        assert opened.owner_password_matched
    assert "Page number 1" in page_texts(pdf, USER_PASSWORD)[0]


def test_a_stamp_is_text_on_the_pages_asked_at_its_place_with_its_opacity(stack: Stack) -> None:
    stamp = {"text": STAMP_WORD, "pages": "2-3", "position": "top", "opacity": 0.4, "size": 30}
    _, pdf = finished(stack.base, {"html": pages_html(4, "stamped"), "options": {"stamp": stamp}})
    texts = page_texts(pdf)
    assert [STAMP_WORD in text for text in texts] == [False, True, True, False]
    assert all(f"Page number {n}" in text for n, text in enumerate(texts, start=1))  # the content is still there
    bbox = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    line = next(line for line in bbox.splitlines() if STAMP_WORD in line)
    y_min = float(line.split('yMin="')[1].split('"')[0])
    assert 30 < y_min < 80  # top of an A4 page, below the 36 pt margin (pdftotext counts from the top)
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[1]
    states: Any = page["/Resources"]["/ExtGState"]  # type: ignore[index]
    assert any(float(state.get_object().get("/ca", 1)) == pytest.approx(0.4) for state in states.values())


@pytest.mark.parametrize("kind", ["batch", "split"])
def test_all_three_on_a_batch_and_a_split_job(stack: Stack, pki: Pki, kind: str) -> None:
    options = {
        "stamp": {"text": STAMP_WORD, "pages": "last"},
        "protect": {"user_password": USER_PASSWORD, "permissions": ["print"]},
        "sign": {"reason": kind},
    }
    note = f"{kind} {time.time_ns()}"
    if kind == "batch":
        body: dict[str, Any] = {"documents": [pages_html(1, note), pages_html(2, note)], "options": options}
    else:
        chapters = "".join(
            f"<h1 style='page-break-before: always'>Chapter {n}</h1>" + f"<p>{'Text of a chapter. ' * 400}</p>"
            for n in range(1, 9)
        )
        body = {"html": f"<html><body>{chapters}<p>{note}</p></body></html>", "options": options, "split": "always"}
    end, pdf = finished(stack.base, body)
    if kind == "split":
        assert end["render"]["path"] == "split", end["render"]
    assert_whole_and_trusted(validated(pdf, pki, USER_PASSWORD))
    texts = page_texts(pdf, USER_PASSWORD)
    assert [STAMP_WORD in text for text in texts] == [False] * (len(texts) - 1) + [True]
    with pikepdf.open(io.BytesIO(pdf), password=USER_PASSWORD) as opened:
        assert opened.allow.print_lowres and not opened.allow.extract


def test_another_password_is_never_answered_with_the_first_pdf(stack: Stack) -> None:
    html = pages_html(1, f"repeat {time.time_ns()}")
    first, first_pdf = finished(stack.base, {"html": html, "options": {"protect": {"user_password": USER_PASSWORD}}})
    other = {"protect": {"user_password": SECOND_PASSWORD}}
    second, second_pdf = finished(stack.base, {"html": html, "options": other})
    assert second["id"] != first["id"] and "reused_from" not in second
    assert pypdf.PdfReader(io.BytesIO(second_pdf)).decrypt(SECOND_PASSWORD)
    assert not pypdf.PdfReader(io.BytesIO(second_pdf)).decrypt(USER_PASSWORD)
    assert first_pdf != second_pdf
    # The same password again is rendered again too: a protected PDF is never a copy.
    third = submit_job(stack.base, {"html": html, "options": {"protect": {"user_password": USER_PASSWORD}}})
    assert "reused_from" not in wait_for_job(stack.base, third["id"], timeout=120)
    # And an Idempotency-Key retried with another password is refused, not answered with the first job.
    key = {"Idempotency-Key": f"finishing-{time.time_ns()}"}
    body = {"html": html, "options": {"protect": {"user_password": USER_PASSWORD}}}
    submit_job(stack.base, body, key)
    response = requests.post(f"{stack.base}/api/jobs", json={"html": html, "options": other}, headers=key, timeout=10)
    assert response.status_code == 422


def test_finishing_is_a_stage_of_its_own_with_its_share_of_the_bar(stack: Stack) -> None:
    """Every event the job publishes, read from its channel: subscribed (by pattern) before the POST, none is missed."""
    options = {
        "stamp": {"text": STAMP_WORD},
        "protect": {"user_password": USER_PASSWORD},
        "sign": {"reason": "progress"},
    }
    client = Redis.from_url(stack.redis.url)
    listener = client.pubsub(ignore_subscribe_messages=True)
    try:
        listener.psubscribe("job:*")
        job = submit_job(stack.base, {"html": pages_html(3, f"progress {time.time_ns()}"), "options": options})
        events: list[dict[str, Any]] = []
        deadline = time.monotonic() + 120
        while not events or events[-1]["state"] not in ("SUCCESS", "FAILURE", "REVOKED"):
            assert time.monotonic() < deadline, "the job did not end in time"
            message = listener.get_message(timeout=1.0)
            if message is not None and message["channel"] == f"job:{job['id']}".encode():
                events.append(json.loads(json.loads(message["data"])["data"]))
    finally:
        listener.close()
        client.close()
    assert events[-1]["state"] == "SUCCESS", events[-1]
    stages = [event["progress"]["stage"] for event in events]
    assert [STAGES.index(stage) for stage in stages] == sorted(STAGES.index(stage) for stage in stages), stages
    percents = [event["progress"]["percent"] for event in events]
    assert percents == sorted(percents), "the bar went backwards"
    finishing = [event["progress"]["percent"] for event in events if event["progress"]["stage"] == "finishing"]
    # Entered, then one step further for each of the three steps: a share of the bar of its own.
    assert len(finishing) == 4 and finishing == sorted(set(finishing)), finishing
    rendering = [
        event["progress"]["percent"] for event in events if event["progress"]["stage"] in ("parsing", "layout")
    ]
    assert max(rendering) <= finishing[0] < finishing[-1] == 99.0, (rendering, finishing)
    assert finishing[-1] - finishing[0] >= 5, finishing


def test_no_secret_is_left_in_redis_the_job_json_or_the_logs(stack: Stack) -> None:
    """After a protected and signed job ends: no password, no passphrase, in any Redis key, job JSON or log."""
    options = {
        "protect": {"user_password": USER_PASSWORD, "owner_password": OWNER_PASSWORD},
        "sign": {"reason": "secrets"},
    }
    job = submit_job(stack.base, {"html": pages_html(1, f"secrets {time.time_ns()}"), "options": options})
    end = wait_for_job(stack.base, job["id"], timeout=120)
    assert end["state"] == "SUCCESS"
    time.sleep(1)  # the worker's last log lines
    texts = [json.dumps(job), json.dumps(end), stack.worker.log.read_text(), stack.web.log.read_text()]
    client = Redis.from_url(stack.redis.url)
    try:
        values = list(redis_values(client))
        assert values, "the scan found nothing: it must find at least the job"
        assert not client.hexists(f"pdfjob:{job['id']}", "finishing")
    finally:
        client.close()
    for secret in SECRETS:
        assert all(secret not in text for text in texts), secret
        assert all(secret.encode() not in value for value in values), secret


def redis_values(client: Redis) -> Iterator[bytes]:
    """Every key's name and every value in it, whatever its type."""
    redis: Any = client  # redis-py's return types are unions of every reply shape
    for name in redis.scan_iter(count=1000):
        yield name
        kind = redis.type(name).decode()
        if kind == "string":
            yield redis.get(name) or b""
        elif kind == "hash":
            yield from (field + b"=" + value for field, value in redis.hgetall(name).items())
        elif kind == "list":
            yield from redis.lrange(name, 0, -1)
        elif kind == "set":
            yield from redis.smembers(name)
        elif kind == "zset":
            yield from redis.zrange(name, 0, -1)
        elif kind == "stream":
            for _, entry in redis.xrange(name):
                yield from (field + b"=" + value for field, value in entry.items())


def test_a_signature_field_off_the_pages_fails_the_job_and_forgets_its_passwords(stack: Stack) -> None:
    options = {
        "protect": {"user_password": USER_PASSWORD},
        "sign": {"field": {"page": 5, "x": 10, "y": 10, "width": 100, "height": 40}},
    }
    job = submit_job(stack.base, {"html": pages_html(1, f"off page {time.time_ns()}"), "options": options})
    end = wait_for_job(stack.base, job["id"], timeout=120)
    assert (end["state"], end["error"]["code"]) == ("FAILURE", "signature_field_off_page"), end
    client = Redis.from_url(stack.redis.url)
    try:
        assert client.hexists(f"pdfjob:{job['id']}", "json")
        assert not client.hexists(f"pdfjob:{job['id']}", "finishing")
    finally:
        client.close()
