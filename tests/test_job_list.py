"""GET /api/jobs: the caller's own jobs, newest first, a page at a time, by state; nobody else's."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tasks.job.store import OWNER_PREFIX, JobStore
from tests.support import AppFactory


def caller(client: FlaskClient) -> dict[str, Any]:
    """Request arguments that make the test client a client of its own (an address no other test uses)."""
    return {"environ_base": {"REMOTE_ADDR": f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().hex[:6]}"}}


def submit(client: FlaskClient, who: dict[str, Any], name: str, **extra: Any) -> dict[str, Any]:
    body = {"html": f"<p>{name} {uuid.uuid4()}</p>", "filename": name}
    response = client.post("/api/jobs", json=body, **who, **extra)
    assert response.status_code == 202, response.get_json()
    job: dict[str, Any] = response.get_json()
    return job


def listed(client: FlaskClient, who: dict[str, Any], query: str = "", **extra: Any) -> dict[str, Any]:
    response = client.get(f"/api/jobs{query}", **who, **extra)
    assert response.status_code == 200, response.get_json()
    page: dict[str, Any] = response.get_json()
    return page


def test_a_client_lists_its_own_jobs_newest_first_as_the_job_endpoint_gives_them(client: FlaskClient) -> None:
    mine, theirs = caller(client), caller(client)
    jobs = [submit(client, mine, f"mine-{index}.pdf") for index in range(3)]
    submit(client, theirs, "theirs.pdf")
    page = listed(client, mine)
    assert [job["id"] for job in page["jobs"]] == [job["id"] for job in reversed(jobs)]
    assert page["jobs"][0] == client.get(f"/api/jobs/{jobs[-1]['id']}").get_json()
    assert page["next_cursor"] is None
    assert [job["filename"] for job in listed(client, theirs)["jobs"]] == ["theirs.pdf"]
    assert listed(client, caller(client)) == {"jobs": [], "next_cursor": None}


def test_pages_follow_each_other_without_repeats_or_gaps(client: FlaskClient) -> None:
    who = caller(client)
    ids = [submit(client, who, f"{index}.pdf")["id"] for index in range(5)][::-1]
    seen: list[str] = []
    query = "?limit=2"
    while True:
        page = listed(client, who, query)
        assert len(page["jobs"]) <= 2
        seen += [job["id"] for job in page["jobs"]]
        if page["next_cursor"] is None:
            break
        query = f"?limit=2&cursor={page['next_cursor']}"
    assert seen == ids


def test_jobs_filter_by_state(client: FlaskClient) -> None:
    who = caller(client)
    kept, cancelled = submit(client, who, "kept.pdf"), submit(client, who, "cancelled.pdf")
    assert client.post(f"/api/jobs/{cancelled['id']}/cancel", **who).status_code == 202
    assert [job["id"] for job in listed(client, who, "?state=REVOKED")["jobs"]] == [cancelled["id"]]
    assert [job["id"] for job in listed(client, who, "?state=PENDING")["jobs"]] == [kept["id"]]
    both = listed(client, who, "?state=PENDING,REVOKED&state=SUCCESS")["jobs"]
    assert [job["id"] for job in both] == [cancelled["id"], kept["id"]]
    assert listed(client, who, "?state=SUCCESS&limit=1") == {"jobs": [], "next_cursor": None}


def test_deleted_and_expired_jobs_leave_the_list(app: Flask, client: FlaskClient) -> None:
    who = caller(client)
    first, deleted, expired = (submit(client, who, f"{name}.pdf") for name in ("first", "deleted", "expired"))
    assert client.delete(f"/api/jobs/{deleted['id']}", **who).status_code == 202  # cancelled
    assert client.delete(f"/api/jobs/{deleted['id']}", **who).status_code == 204  # deleted
    store: JobStore = app.extensions["job_store"]
    store.delete(expired["id"])  # as its TTL would
    assert [job["id"] for job in listed(client, who)["jobs"]] == [first["id"]]
    owned = OWNER_PREFIX + "address:" + who["environ_base"]["REMOTE_ADDR"]
    assert store.redis.zrange(owned, 0, -1) == [first["id"].encode()]  # pruned
    assert 0 < store.redis.ttl(owned) <= app.config["RESULT_TTL"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("?state=DONE", "bad_state"),
        ("?state=pending", "bad_state"),
        ("?state=", "bad_state"),
        ("?limit=0", "bad_limit"),
        ("?limit=101", "bad_limit"),
        ("?limit=ten", "bad_limit"),
        ("?limit=-1", "bad_limit"),
        ("?cursor=nonsense", "bad_cursor"),
    ],
)
def test_bad_queries_are_400(client: FlaskClient, query: str, code: str) -> None:
    response = client.get(f"/api/jobs{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == code


def test_with_tokens_a_token_lists_its_own_jobs_and_no_token_lists_none(redis_url: str, make_app: AppFactory) -> None:
    tokens = [uuid.uuid4().hex, uuid.uuid4().hex]
    client = make_app({"REDIS_URL": redis_url.replace("/0", "/1"), "API_TOKENS": ",".join(tokens)}).test_client()
    same_address = caller(client)
    alpha: dict[str, Any] = {"headers": {"Authorization": f"Bearer {tokens[0]}"}}
    beta: dict[str, Any] = {"headers": {"Authorization": f"Bearer {tokens[1]}"}}
    job = submit(client, same_address, "alpha.pdf", **alpha)
    assert [listed_job["id"] for listed_job in listed(client, same_address, **alpha)["jobs"]] == [job["id"]]
    assert listed(client, same_address, **beta)["jobs"] == []
    response = client.get("/api/jobs", **same_address)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
