"""Losing the Redis primary: Sentinel promotes the replica and the service goes on, nothing lost, nothing twice.

A primary, a replica and three Sentinels; the web and a worker find Redis
only through the Sentinels. The primary is killed (SIGKILL) mid-render with
jobs queued behind it, while submissions keep coming and /healthz is polled.
"""

from __future__ import annotations

import re
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask.testing import FlaskClient

import tasks.convert  # noqa: F401  # registers its task, as a worker's include does (tasks/worker.py)
from tasks.document.stages import Stage
from tasks.job.metrics import COUNTS_KEY
from tasks.job.store import key
from tasks.render.progress import Progress
from tasks.render.renderer import RenderResult
from tasks.reporting import open_job
from tests.sentinel_support import (
    MASTER_NAME,
    Cluster,
    Follower,
    HealthWatch,
    Host,
    Network,
    RedisNode,
    Submitter,
    linked,
    netns_available,
    safely,
    sentinel_cluster,
    service,
)
from tests.support import (
    HTTP_TIMEOUT,
    AppFactory,
    Process,
    RedisServer,
    get_job,
    report_html,
    submit_job,
    wait_for_job,
    wait_until,
)

# A 202 only once a replica holds the job (webapp/durability.py), and never from a primary alone
# (REDIS_MIN_REPLICAS=1): what makes failovers, a spurious second one included, lose no accepted job.
SERVICE_ENV = {"REDIS_WAIT_REPLICAS": "1", "REDIS_MIN_REPLICAS": "1", "REDIS_WAIT_TIMEOUT": "1", "SPLIT_MAX_PARTS": "1"}
# The documented minimum set-up: the floor 0, so a primary left with no replica takes work on its own.
MINIMUM_ENV = {**SERVICE_ENV, "REDIS_MIN_REPLICAS": "0"}
# After the promotion, a 202 within this many seconds and every job stored within the second
# (jobs queued before the kill and the render it interrupted among them): no job's end waits out
# a replica that is not there (tasks/reporting.py gives up on one after 60 s).
FIRST_202_AFTER_PROMOTION = 10
EVERY_JOB_AFTER_PROMOTION = 45


def submit(base: str, html: str) -> str:
    job_id: str = submit_job(base, {"html": html, "reuse": False})["id"]
    return job_id


def fail_over(cluster: Cluster, base: str, worker: Process, rejoin: bool = True) -> None:
    """Kill the primary mid-render with jobs queued and submissions arriving; check what the issue promises.

    With `rejoin`, the killed node comes back as the new primary's replica; else it stays dead, and the
    service must go on with a primary that has no replica at all."""
    rendering = submit(base, report_html(200))
    queued = [submit(base, f"<h1>Queued {number}</h1>") for number in range(3)]
    followers = [Follower(base, job_id) for job_id in [rendering, *queued]]
    wait_until(
        lambda: (job := get_job(base, rendering))["state"] == "PROGRESS" and job["progress"]["percent"] > 5,
        60,
        "the render to be under way",
    )
    health = HealthWatch(base)
    submitter = Submitter(base)
    wait_until(lambda: len(submitter.accepted) >= 1, 20, "a submission before the kill")
    old, new = cluster.primary, cluster.replica
    old.stop(signal.SIGKILL)
    killed_at = time.monotonic()
    try:
        wait_until(lambda: cluster.master_seen() == new.address, 30, "the Sentinels to promote the replica")
        promoted_at = time.monotonic()
        if rejoin:
            # The old primary comes back (a supervisor restarts it) as the new one's replica.
            old.restart_as_replica_of(new)
        wait_until(lambda: any(when > killed_at for when, _ in submitter.accepted), 45, "a 202 from the new primary")
        first_accepted = min(when for when, _ in submitter.accepted if when > killed_at)
        wait_until(lambda: len([1 for when, _ in submitter.accepted if when > killed_at]) >= 3, 30, "more 202s")
        # Ready again once the worker answers over the new primary too (its control channel reconnects on its own).
        wait_until(lambda: health.seen[-1:] == [(200, "ok")], 30, "/healthz ready again")
    finally:
        submitter.finish()
        health.finish()

    accepted = [rendering, *queued, *(job_id for _, job_id in submitter.accepted)]
    ended = {job_id: wait_for_job(base, job_id, timeout=90) for job_id in accepted}
    stored_at = time.monotonic()
    assert {job_id: job["state"] for job_id, job in ended.items()} == dict.fromkeys(accepted, "SUCCESS")
    pdf = requests.get(f"{base}/api/jobs/{rendering}/pdf", timeout=HTTP_TIMEOUT)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    for follower in followers:
        events = follower.wait(60)
        ids = [event.id or 0 for event in events]
        assert ids == sorted(set(ids)), f"a repeated or backward event id on {follower.job_id}: {ids}"
        assert [event.type for event in events].count("end") == 1 and events[-1].type == "end"
        assert events[-1].job["state"] == "SUCCESS"
        assert set(follower.statuses) <= {0, 200, 503}, follower.statuses

    # Never a 500: a submission is accepted or refused with Retry-After; /healthz says what is wrong.
    assert set(submitter.statuses) <= {202, 503}, submitter.statuses
    assert submitter.missing_retry_after == 0
    assert {status for status, _ in health.seen} <= {200, 503}, health.seen
    outages = {state for status, state in health.seen if status == 503}
    assert outages, "/healthz never said the primary was gone"
    # A 503 with Redis "ok" is a moment when the worker had not yet answered from the new primary.
    assert outages <= {"no_primary", "unreachable", "read_only", "ok"}, outages
    assert health.seen[-1] == (200, "ok")

    # Every job ended SUCCESS exactly once: the new primary counted as many endings as it holds ended jobs.
    redis = new.client()
    records = [name for name in redis.scan_iter(match=key("*")) if b":" not in name[len(key("")) :]]
    succeeded = sum(1 for name in records if b'"SUCCESS"' in (redis.hget(name, "json") or b""))
    assert int(redis.hget(COUNTS_KEY, "SUCCESS") or 0) == succeeded >= len(accepted)
    assert worker.alive()
    if not rejoin:
        assert old.role() == "down"
        assert first_accepted - promoted_at < FIRST_202_AFTER_PROMOTION
        assert stored_at - promoted_at < EVERY_JOB_AFTER_PROMOTION
    print(
        f"\nfailover ({'rejoined' if rejoin else 'stays dead'}): "
        f"promoted {promoted_at - killed_at:.1f} s after the kill; "
        f"first 202 {first_accepted - killed_at:.1f} s after; every job stored {stored_at - killed_at:.1f} s after; "
        f"{submitter.statuses.count(503)} submissions answered 503 meanwhile, {len(submitter.accepted)} accepted"
    )


def test_a_killed_primary_is_replaced_and_nothing_is_lost(tmp_path: Path) -> None:
    loopback = Host()
    with (
        sentinel_cluster(tmp_path / "redis", loopback, loopback, [loopback] * 3) as cluster,
        service({**cluster.env, **SERVICE_ENV}, tmp_path, loopback, loopback) as (base, worker),
    ):
        fail_over(cluster, base, worker)


def test_a_primary_that_stays_dead_leaves_a_service_that_takes_work(tmp_path: Path) -> None:
    """The documented minimum set-up (a primary, one replica, three Sentinels, REDIS_WAIT_REPLICAS=1) after
    losing its primary for good: the promoted node has no replica, and jobs are accepted and end all the same."""
    loopback = Host()
    with (
        sentinel_cluster(tmp_path / "redis", loopback, loopback, [loopback] * 3) as cluster,
        service({**cluster.env, **MINIMUM_ENV}, tmp_path, loopback, loopback) as (base, worker),
    ):
        fail_over(cluster, base, worker, rejoin=False)


@pytest.fixture
def network() -> Iterator[Network]:
    reason = netns_available()
    if reason is not None:
        pytest.skip(f"the test needs network namespaces (root and iproute2): {reason}")
    net = Network(uuid.uuid4().hex[:4])
    try:
        yield net
    finally:
        net.remove()


def test_a_failover_across_hosts(tmp_path: Path, network: Network) -> None:
    """The same, with the web, the worker and each Redis node on a host (network namespace) of its own."""
    web_host, worker_host = network.host(2), network.host(3)
    primary, replica, third = network.host(11), network.host(12), network.host(13)
    with (
        sentinel_cluster(tmp_path / "redis", primary, replica, [primary, replica, third]) as cluster,
        service({**cluster.env, **SERVICE_ENV}, tmp_path, web_host, worker_host) as (base, worker),
    ):
        assert safely(lambda: requests.get(f"{base}/healthz", timeout=HTTP_TIMEOUT).status_code) == 200
        fail_over(cluster, base, worker)


def post_job(client: FlaskClient, text: str) -> tuple[int, str, float]:
    """Submit through the app in this process: status, job id (if any), seconds taken."""
    began = time.monotonic()
    response = client.post("/api/jobs", json={"html": f"<p>{text}</p>", "reuse": False})
    assert response.status_code in (202, 503), response.get_data(as_text=True)
    if response.status_code == 503:
        assert response.headers["Retry-After"]
    return response.status_code, (response.get_json() or {}).get("id", ""), time.monotonic() - began


def patterns(node: RedisNode) -> int | None:
    """Pattern subscriptions on `node`: the event hub's is one."""
    return safely(node.client().pubsub_numpat)


def test_a_demoted_primary_is_left_for_the_new_one(tmp_path: Path, make_app: AppFactory) -> None:
    """A manual failover keeps the old primary running, as a replica: clients that stay on it get READONLY,
    which must send them to the new primary, not answer 500 or leave them there."""
    loopback = Host()
    with sentinel_cluster(tmp_path / "redis", loopback, loopback, [loopback] * 3) as cluster:
        app = make_app({**cluster.env, "RATE_LIMIT": "100000 per minute"})
        client = app.test_client()
        assert post_job(client, "before")[0] == 202
        assert app.extensions["event_hub"].subscribe("job:anything") is not None  # the event subscription is up
        cluster.sentinels[0].client().sentinel_failover(MASTER_NAME)
        wait_until(lambda: cluster.master_seen() == cluster.replica.address, 30, "the manual failover")
        wait_until(lambda: cluster.primary.role() == "slave", 30, "the old primary to become a replica")
        # Sentinel disconnects the demoted primary's clients: the subscription moves too.
        wait_until(
            lambda: patterns(cluster.replica) == 1 and patterns(cluster.primary) == 0,
            15,
            "the event subscription to move to the new primary",
        )
        wait_until(lambda: post_job(client, "after")[0] == 202, 30, "a 202 from the new primary")
        pool = app.extensions["redis"].connection_pool
        assert f"{pool.master_address[0]}:{pool.master_address[1]}" == cluster.replica.address
        assert client.get("/healthz").get_json()["redis"] == "ok"
        statuses = {post_job(client, f"then {number}")[0] for number in range(5)}
        assert statuses == {202}
        # /metrics reads the queue through the broker's Sentinel connection: no worker takes these jobs.
        depth = re.search(r"^pdf_queue_depth (\S+)$", client.get("/metrics").get_data(as_text=True), re.MULTILINE)
        assert depth is not None and float(depth.group(1)) >= 6


def test_a_jobs_end_lost_with_a_demoted_primary_is_written_again(tmp_path: Path, make_app: AppFactory) -> None:
    """Redis replicates asynchronously: a render's end taken by a primary that is demoted before its replica
    copied it is lost when the old primary resyncs. With a floor of one replica (REDIS_MIN_REPLICAS=1) the
    worker writes a job's end until a replica holds it, on whichever node is primary by then, with event ids
    above those the lost steps handed out. (With the floor 0, a primary cut off from its only replica takes
    the end alone, as it takes submissions: the trade docs/operations.md describes.)"""
    loopback = Host()
    with sentinel_cluster(tmp_path / "redis", loopback, loopback, [loopback] * 3) as cluster:
        app = make_app(
            {**cluster.env, "REDIS_WAIT_REPLICAS": "1", "REDIS_MIN_REPLICAS": "1", "REDIS_WAIT_TIMEOUT": "0.5"}
        )
        status, job_id, _ = post_job(app.test_client(), "ending")
        assert status == 202
        old, new = cluster.primary, cluster.replica
        # The replica is cut off (a partition): it holds the job, and from here on the old primary writes alone.
        new.client().replicaof("NO", "ONE")
        with app.app_context():
            reporter = open_job(app.extensions["celery"].tasks["tasks.convert"], job_id)
        reporter.started()
        reporter.progress(Progress(Stage.LAYOUT, 50.0, pages=1))
        lost_ids = int(old.client().hget(key(job_id), "seq") or 0)
        result = RenderResult(b"%PDF-1.4 the end", 1)
        ending = threading.Thread(target=reporter.succeeded, args=(result,), daemon=True)
        ending.start()
        wait_until(lambda: old.client().hget(key(job_id), "final") == b"1", 10, "the end on the old primary")

        # The failover: the Sentinels name the cut-off node, and the old primary resyncs from it.
        for sentinel in cluster.sentinels:
            sentinel.client().sentinel_remove(MASTER_NAME)
            sentinel.client().sentinel_monitor(MASTER_NAME, loopback.address, new.port, 2)
        old.client().replicaof(loopback.address, new.port)
        ending.join(timeout=30)
        assert not ending.is_alive(), "the end was never acknowledged by a replica"

        assert new.client().hget(key(job_id), "pdf") == result.pdf
        assert b'"SUCCESS"' in (new.client().hget(key(job_id), "json") or b"")
        assert int(new.client().hget(key(job_id), "seq") or 0) > lost_ids
        wait_until(lambda: old.client().hget(key(job_id), "pdf") == result.pdf, 10, "the replica to hold the end")


def test_a_stalled_primary_is_left_too(tmp_path: Path, make_app: AppFactory) -> None:
    """A primary that stops answering without closing its connections (a frozen machine, a partition)
    is replaced; the event subscription, which would wait on it silently, checks and moves within seconds."""
    loopback = Host()
    with sentinel_cluster(tmp_path / "redis", loopback, loopback, [loopback] * 3) as cluster:
        app = make_app({**cluster.env, "RATE_LIMIT": "100000 per minute"})
        client = app.test_client()
        assert app.extensions["event_hub"].subscribe("job:anything") is not None
        assert patterns(cluster.primary) == 1
        cluster.primary.popen.send_signal(signal.SIGSTOP)
        try:
            wait_until(lambda: cluster.master_seen() == cluster.replica.address, 30, "the Sentinels to promote")
            wait_until(lambda: patterns(cluster.replica) == 1, 15, "the event subscription on the new primary")
            wait_until(lambda: post_job(client, "after")[0] == 202, 30, "a 202 from the new primary")
        finally:
            cluster.primary.popen.send_signal(signal.SIGCONT)


def test_a_primary_short_of_replicas_answers_503(tmp_path: Path, make_app: AppFactory) -> None:
    """With `min-replicas-to-write` (what bounds the writes a cut-off primary takes), its refusals are 503s."""
    loopback = Host()
    with sentinel_cluster(tmp_path / "redis", loopback, loopback, [loopback] * 3) as cluster:
        primary = cluster.primary.client()
        primary.config_set("min-replicas-to-write", 1)
        primary.config_set("min-replicas-max-lag", 1)
        client = make_app({**cluster.env, "RATE_LIMIT": "100000 per minute"}).test_client()
        cluster.replica.popen.send_signal(signal.SIGSTOP)
        try:
            health = wait_until(
                lambda: (answer := client.get("/healthz")).get_json()["redis"] == "no_replicas" and answer,
                15,
                "the primary to refuse",
            )
            assert health.get_json()["redis"] == "no_replicas" and health.headers["Retry-After"]
            status, _, _ = post_job(client, "no replica")
            assert status == 503
        finally:
            cluster.replica.popen.send_signal(signal.SIGCONT)
        # No worker here: health is 503 `no_render_worker` once Redis takes writes again.
        wait_until(lambda: client.get("/healthz").get_json()["redis"] == "ok", 15, "the replica back")
        assert post_job(client, "replica back")[0] == 202


def test_a_202_means_a_replica_holds_the_job(tmp_path: Path, make_app: AppFactory) -> None:
    """The durability claim: with REDIS_WAIT_REPLICAS=1 no 202 is answered for a job only the primary holds."""
    loopback = Host()
    with sentinel_cluster(tmp_path / "redis", loopback, loopback, [loopback] * 3) as cluster:
        waiting = make_app({**cluster.env, "REDIS_WAIT_REPLICAS": "1", "REDIS_WAIT_TIMEOUT": "0.5"}).test_client()
        at_once = make_app(cluster.env).test_client()
        timings = {
            name: sorted(post_job(client, name)[2] for _ in range(30))
            for name, client in (("no WAIT", at_once), ("WAIT 1", waiting))
        }
        print("\nsubmission time, median:", {name: f"{1000 * times[15]:.1f} ms" for name, times in timings.items()})

        # A replica that takes no more writes: the job is stored on the primary alone, and refused.
        cluster.replica.popen.send_signal(signal.SIGSTOP)
        try:
            status, _, seconds = post_job(waiting, "unreplicated")
            assert status == 503 and seconds >= 0.5
            assert post_job(at_once, "accepted without a replica")[0] == 202  # what the setting is for
        finally:
            cluster.replica.popen.send_signal(signal.SIGCONT)
        # The refused job was deleted, so it never runs behind its 503.
        primary = cluster.primary.client()
        stored = [primary.hget(name, "html") or b"" for name in primary.scan_iter(match=key("*"))]
        assert any(b"accepted without a replica" in html for html in stored)
        assert not any(b"unreplicated" in html for html in stored)
        wait_until(lambda: safely(lambda: linked(cluster.replica)), 20, "the replica to catch up")
        status, job_id, _ = post_job(waiting, "replicated")
        assert status == 202
        assert cluster.replica.client().exists(key(job_id))


def test_a_primary_whose_replica_is_gone_takes_work_above_the_floor(tmp_path: Path, make_app: AppFactory) -> None:
    """A write waits for as many replicas as are connected (up to REDIS_WAIT_REPLICAS), and is refused only
    below REDIS_MIN_REPLICAS: with the replica dead, the default floor 0 answers 202 without waiting."""
    loopback = Host()
    with sentinel_cluster(tmp_path / "redis", loopback, loopback, [loopback] * 3) as cluster:
        wait = {**cluster.env, "REDIS_WAIT_REPLICAS": "1", "REDIS_WAIT_TIMEOUT": "0.5"}
        above_floor = make_app(wait).test_client()
        at_floor = make_app({**wait, "REDIS_MIN_REPLICAS": "1"}).test_client()
        assert post_job(above_floor, "replicated")[0] == post_job(at_floor, "replicated")[0] == 202
        cluster.replica.stop(signal.SIGKILL)
        wait_until(
            lambda: cluster.primary.client().info("replication")["connected_slaves"] == 0, 10, "the replica gone"
        )
        # The first write may still wait once for the replica last seen; none after it does.
        post_job(above_floor, "the count is read")
        timings = [post_job(above_floor, f"no replica {number}") for number in range(5)]
        assert {status for status, _, _ in timings} == {202}
        assert max(seconds for _, _, seconds in timings) < 0.5, timings
        status, _, seconds = post_job(at_floor, "below the floor")
        assert status == 503 and seconds >= 0.5
        # With the replica back and synced, writes wait for it again.
        cluster.replica.start()
        wait_until(lambda: safely(lambda: linked(cluster.replica)), 20, "the replica to sync")
        status, job_id, _ = post_job(above_floor, "replicated again")
        assert status == 202 and cluster.replica.client().exists(key(job_id))


def test_a_202_means_a_replica_holds_the_queue_message_too(
    tmp_path: Path, make_app: AppFactory, private_redis: RedisServer
) -> None:
    """After two failovers in a row, the broker's connections and the job store's can point at two nodes that
    each take themselves for the primary (the first promoted one keeps writing until it is told it is not):
    a replica holding the job's record then says nothing of its queue message, which the demoted node drops
    when it resyncs. Here the broker is a node with no replica at all: the job's record is replicated, its
    message is not, and the submission is refused, not answered 202 for a render that would never run."""
    loopback = Host()
    with sentinel_cluster(tmp_path / "redis", loopback, loopback, [loopback] * 3) as cluster:
        wait = {**cluster.env, "REDIS_WAIT_REPLICAS": "1", "REDIS_MIN_REPLICAS": "1", "REDIS_WAIT_TIMEOUT": "0.5"}
        same_node = make_app(wait).test_client()
        broker_alone = make_app({**wait, "CELERY_BROKER_URL": private_redis.url}).test_client()
        assert post_job(same_node, "record and message replicated")[0] == 202
        status, _, seconds = post_job(broker_alone, "message on a node without replicas")
        assert status == 503 and seconds >= 0.5
        primary = cluster.primary.client()
        stored = [primary.hget(name, "html") or b"" for name in primary.scan_iter(match=key("*"))]
        assert not any(b"message on a node without replicas" in html for html in stored), "refused, so deleted"
