"""The OpenAPI document is true: schemathesis fuzzes every operation, and real responses validate."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
import requests
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.support import UNRENDERABLE_HTML, SseStream, close_app, wait_until
from webapp import create_app
from webapp.openapi import spec

TIMEOUT = 10
# Per operation and generation mode; about 10 s for all of them on the shared 2-core machine.
EXAMPLES = 40


@pytest.fixture(scope="module")
def fuzzed_app(redis_url: str) -> Iterator[Flask]:
    """The app on database 1 of the suite's Redis (no worker there), with webhooks on."""
    app = create_app(
        {"REDIS_URL": redis_url.replace("/0", "/1"), "RATE_LIMIT": "100000 per minute", "WEBHOOK_SECRET": "fuzz"}
    )
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def api_schema(fuzzed_app: Flask) -> Any:
    return schemathesis.openapi.from_wsgi("/api/openapi.json", fuzzed_app)


# Every operation but the document's own (schemathesis leaves that one out),
# with data that fits the document; and submissions with data that does not
# (the other operations take only free-form strings: nothing to violate).
CASES = [
    (path, method.upper(), GenerationMode.POSITIVE)
    for path, item in spec()["paths"].items()
    for method in item
    if method != "parameters" and path != "/api/openapi.json"
] + [("/api/jobs", "POST", GenerationMode.NEGATIVE)]


@pytest.mark.parametrize(("path", "method", "mode"), CASES)
def test_every_operation_answers_as_documented(api_schema: Any, path: str, method: str, mode: GenerationMode) -> None:
    """No 500, only documented statuses; bodies, content types and headers as documented.

    Not asserted, because the document cannot say all the intake checks or
    where each field applies: that schema-valid submissions are accepted (one
    may nest too deeply or name no real page size), and that schema-invalid
    ones are refused (page options in the query apply to text/html bodies
    only, and are ignored beside a JSON or form body). schemathesis's own
    pytest plugin does not run under pytest 9, hence Hypothesis directly.
    """
    operation = api_schema[path][method]
    excluded = [positive_data_acceptance, negative_data_rejection]
    if path == "/healthz":
        excluded.append(not_a_server_error)  # no worker here: its 503 `no_render_worker` is the documented answer

    @given(case=operation.as_strategy(mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        case.call_and_validate(excluded_checks=excluded)

    check()


def validator(name: str) -> jsonschema_rs.Validator:
    """A validator for components/schemas/`name`, with the document's $refs resolvable."""
    document = spec()
    return jsonschema_rs.Draft202012Validator({**document, "$ref": f"#/components/schemas/{name}"})


def assert_valid(name: str, instance: object) -> None:
    errors = [str(error) for error in validator(name).iter_errors(instance)]
    assert not errors, f"not a valid {name}: {errors}"


def test_the_document_is_served_and_covers_every_route(fuzzed_app: Flask) -> None:
    served = fuzzed_app.test_client().get("/api/openapi.json")
    assert served.status_code == 200
    assert served.get_json() == spec()
    documented = {
        (path, method.upper()) for path, item in spec()["paths"].items() for method in item if method != "parameters"
    }
    for rule in fuzzed_app.url_map.iter_rules():
        if rule.rule.startswith(("/api/", "/healthz", "/metrics")):
            path = rule.rule.replace("<", "{").replace(">", "}")
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
                assert (path, method) in documented, f"{method} {path} is not in the OpenAPI document"


def test_a_finished_job_and_its_stream_match_the_document(live_server: str) -> None:
    # Something xhtml2pdf ignores, for a fidelity report with something in it.
    html = f"<h1 style='box-shadow: 0 0 1px red'>OpenAPI</h1><p>{uuid.uuid4()}</p>"
    response = requests.post(f"{live_server}/api/jobs", json={"html": html, "filename": "o.pdf"}, timeout=TIMEOUT)
    assert response.status_code == 202
    assert_valid("Job", response.json())
    assert response.json()["fidelity"] is None
    location = response.headers["Location"]
    assert location == f"/api/jobs/{response.json()['id']}"
    job = wait_until(
        lambda: (got := requests.get(live_server + location, timeout=TIMEOUT).json())["state"] == "SUCCESS" and got,
        60,
        "the job to succeed",
    )
    assert_valid("Job", job)
    assert job["fidelity"]["ignored_css"] == {"box-shadow": 1}
    with SseStream(f"{live_server}{location}/events") as stream:
        events = list(stream.events(deadline=30))
    assert [event.type for event in events] == ["end"]
    assert_valid("Job", events[0].job)


def test_a_failed_job_and_error_bodies_match_the_document(live_server: str) -> None:
    html = UNRENDERABLE_HTML.replace("Before", f"Before {uuid.uuid4()}")
    job = requests.post(f"{live_server}/api/jobs", json={"html": html}, timeout=TIMEOUT).json()
    failed = wait_until(
        lambda: (
            (got := requests.get(f"{live_server}/api/jobs/{job['id']}", timeout=TIMEOUT).json())["state"] == "FAILURE"
            and got
        ),
        60,
        "the job to fail",
    )
    assert_valid("Job", failed)
    for response in (
        requests.get(f"{live_server}/api/jobs/{job['id']}/pdf", timeout=TIMEOUT),
        requests.get(f"{live_server}/api/jobs/no-such-job", timeout=TIMEOUT),
        requests.post(f"{live_server}/api/jobs", json={"html": " "}, timeout=TIMEOUT),
        requests.post(f"{live_server}/api/jobs", json={"html": "<p>x</p>", "callback_url": "ftp://x"}, timeout=TIMEOUT),
    ):
        assert response.status_code in (400, 404, 409)
        assert_valid("Error", response.json())


def test_the_schemas_reject_what_they_should() -> None:
    """The explicit checks above would catch a wrong shape: the schemas are not vacuous."""
    assert not validator("Job").is_valid({"id": "x", "state": "DONE"})
    assert not validator("Error").is_valid({"error": "boom"})


def test_health_matches_the_document(live_server: str) -> None:
    answer = requests.get(f"{live_server}/healthz", timeout=TIMEOUT)
    assert answer.status_code == 200
    assert_valid("Health", answer.json())
