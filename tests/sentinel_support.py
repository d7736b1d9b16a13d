"""Redis with a replica and three Sentinels for the failover tests, on loopback or on network namespaces."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import requests
from redis import Redis
from redis.exceptions import RedisError

from tests.support import (
    HTTP_TIMEOUT,
    Process,
    SseEvent,
    SseStream,
    free_port,
    redis_server_binary,
    start_web,
    start_worker,
    wait_until,
)

T = TypeVar("T")
MASTER_NAME = "pdf"
# Short, so a failover takes seconds. On a loaded machine the new primary can be starved of CPU
# for longer (forking for its first full sync) and failed away from too: the tests must hold then.
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 5000


@dataclass
class Host:
    """Where a process runs: an address, and the command prefix that enters its network namespace."""

    address: str = "127.0.0.1"
    enter: tuple[str, ...] = ()


class RedisNode(Process):
    """A redis-server (or, with `sentinel_of`, a Sentinel watching that primary) on `host`."""

    def __init__(
        self,
        directory: Path,
        host: Host,
        replica_of: RedisNode | None = None,
        sentinel_of: RedisNode | None = None,
    ) -> None:
        self.host = host
        self.port = free_port() if not host.enter else (26379 if sentinel_of else 6379)
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        if sentinel_of is not None:
            conf = directory / "sentinel.conf"
            conf.write_text(
                f"port {self.port}\nbind {host.address}\nprotected-mode no\ndir {directory}\n"
                f"sentinel monitor {MASTER_NAME} {sentinel_of.host.address} {sentinel_of.port} 2\n"
                f"sentinel down-after-milliseconds {MASTER_NAME} {DOWN_AFTER_MS}\n"
                f"sentinel failover-timeout {MASTER_NAME} {FAILOVER_TIMEOUT_MS}\n"
                f"sentinel parallel-syncs {MASTER_NAME} 1\n"
            )
            command = [redis_server_binary(), str(conf), "--sentinel"]
        else:
            command = [redis_server_binary(), "--port", str(self.port), "--bind", host.address]
            command += ["--protected-mode", "no", "--dir", str(directory), "--save", ""]
            # The durability docs/operations.md asks for: an append-only file on every node.
            command += ["--appendonly", "yes", "--appendfsync", "everysec"]
            if replica_of is not None:
                command += ["--replicaof", replica_of.host.address, str(replica_of.port)]
        super().__init__([*host.enter, *command], directory / "server.log")

    def start(self) -> None:
        super().start()
        wait_until(lambda: safely(self.client().ping), 10, f"redis on {self.address}")

    def restart_as_replica_of(self, primary: RedisNode) -> None:
        """Bring a killed node back as the new primary's replica, as a supervisor would."""
        index = self.command.index("--save")
        self.command = [*self.command[: index + 2], "--appendonly", "yes"]
        self.command += ["--replicaof", primary.host.address, str(primary.port)]
        self.start()

    @property
    def address(self) -> str:
        return f"{self.host.address}:{self.port}"

    def client(self) -> Redis:
        return Redis(self.host.address, self.port, socket_timeout=2, socket_connect_timeout=2)

    def role(self) -> str:
        try:
            return str(self.client().info("replication")["role"])
        except (RedisError, OSError):
            return "down"


def safely(check: Callable[[], T]) -> T | None:
    """`check()`, or None while Redis does not answer."""
    try:
        return check()
    except (RedisError, OSError):
        return None


def linked(replica: RedisNode) -> bool:
    return replica.client().info("replication").get("master_link_status") == "up"


@dataclass
class Cluster:
    """A primary, its replica and three Sentinels."""

    primary: RedisNode
    replica: RedisNode
    sentinels: list[RedisNode]

    @property
    def env(self) -> dict[str, str]:
        """What the service is given to find Redis: the Sentinels, never a node's own address."""
        return {
            "REDIS_SENTINELS": ",".join(node.address for node in self.sentinels),
            "REDIS_MASTER_NAME": MASTER_NAME,
            # Only the database number counts with Sentinels: the host must never be used.
            "REDIS_URL": "redis://nowhere.invalid:1/0",
        }

    def master_seen(self) -> str | None:
        """The primary's address as a majority of the live Sentinels name it."""
        seen: list[str] = []
        for sentinel in self.sentinels:
            try:
                host, port = cast(
                    tuple[str | bytes, int], sentinel.client().sentinel_get_master_addr_by_name(MASTER_NAME)
                )
            except (RedisError, OSError, TypeError):
                continue
            seen.append(f"{host.decode() if isinstance(host, bytes) else host}:{port}")
        top = max(set(seen), key=seen.count) if seen else None
        return top if top is not None and seen.count(top) >= 2 else None

    def wait_for_sync(self) -> None:
        wait_until(lambda: safely(lambda: linked(self.replica)), 20, "the replica to sync")
        wait_until(lambda: self.master_seen() == self.primary.address, 20, "the Sentinels to agree on the primary")
        # Each Sentinel must know the other two, or no quorum can elect a leader.
        wait_until(lambda: safely(self._sentinels_meet), 20, "the Sentinels to find each other")

    def _sentinels_meet(self) -> bool:
        return all(
            int(cast(dict[str, Any], node.client().sentinel_master(MASTER_NAME))["num-other-sentinels"]) >= 2
            for node in self.sentinels
        )

    def stop(self) -> None:
        for node in [*self.sentinels, self.replica, self.primary]:
            node.stop()


@contextmanager
def sentinel_cluster(root: Path, primary: Host, replica: Host, sentinels: list[Host]) -> Iterator[Cluster]:
    started: list[RedisNode] = []
    try:
        first = RedisNode(root / "primary", primary)
        started.append(first)
        second = RedisNode(root / "replica", replica, replica_of=first)
        started.append(second)
        watchers = []
        for index, host in enumerate(sentinels):
            watchers.append(RedisNode(root / f"sentinel-{index}", host, sentinel_of=first))
            started.append(watchers[-1])
        cluster = Cluster(first, second, watchers)
        cluster.wait_for_sync()
        yield cluster
    finally:
        for node in reversed(started):
            node.stop()


@contextmanager
def service(env: dict[str, str], logs: Path, web_host: Host, worker_host: Host) -> Iterator[tuple[str, Process]]:
    """A render worker of one process on `worker_host` and the web on `web_host`, finding Redis through
    `env`'s Sentinels: the web's base URL and the worker; both stopped after."""
    url = env["REDIS_URL"]
    worker = start_worker(url, logs / "worker.log", "--concurrency", "1", env=env, enter=worker_host.enter)
    try:
        port = 8000 if web_host.enter else None
        web, base = start_web(url, logs / "web.log", env, web_host.address, port, web_host.enter)
        try:
            yield base, worker
        finally:
            web.stop()
    finally:
        worker.stop()


@dataclass
class Follower:
    """A browser's EventSource on one job: it reconnects with Last-Event-ID until the `end` event."""

    base: str
    job_id: str
    events: list[SseEvent] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    error: BaseException | None = None

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        deadline = time.monotonic() + 120
        try:
            while time.monotonic() < deadline:
                headers = {"Last-Event-ID": str(self.events[-1].id)} if self.events else {}
                try:
                    with SseStream(f"{self.base}/api/jobs/{self.job_id}/events", headers) as stream:
                        self.statuses.append(stream.status)
                        if stream.status == 200:
                            for event in stream.events(deadline=max(deadline - time.monotonic(), 1)):
                                self.events.append(event)
                                if event.type == "end":
                                    return
                        elif stream.status == 204:
                            return
                except OSError:
                    self.statuses.append(0)
                time.sleep(0.2)  # EventSource waits `retry` ms; shorter here to keep the test quick
            raise AssertionError(f"the stream of {self.job_id} never ended")
        except BaseException as exc:
            self.error = exc

    def wait(self, timeout: float) -> list[SseEvent]:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), f"the stream of {self.job_id} did not end in {timeout} s"
        if self.error is not None:
            raise self.error
        return self.events


@dataclass
class Submitter:
    """Submits small jobs one after another; every answer's status, and the time of each 202 after `since`."""

    base: str
    statuses: list[int] = field(default_factory=list)
    accepted: list[tuple[float, str]] = field(default_factory=list)
    missing_retry_after: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        number = 0
        while not self.stop.is_set():
            number += 1
            body = {"html": f"<p>submitted during the switch: {number}</p>", "reuse": False}
            try:
                response = requests.post(f"{self.base}/api/jobs", json=body, timeout=HTTP_TIMEOUT)
            except requests.RequestException:
                self.statuses.append(0)
                continue
            self.statuses.append(response.status_code)
            if response.status_code == 202:
                self.accepted.append((time.monotonic(), response.json()["id"]))
            elif response.status_code == 503 and not response.headers.get("Retry-After"):
                self.missing_retry_after += 1
            self.stop.wait(0.1)

    def finish(self) -> None:
        self.stop.set()
        self.thread.join(HTTP_TIMEOUT + 5)


@dataclass
class HealthWatch:
    """Polls /healthz: every answer's status and its `redis` field, in order."""

    base: str
    seen: list[tuple[int, str]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                response = requests.get(f"{self.base}/healthz", timeout=HTTP_TIMEOUT)
                self.seen.append((response.status_code, str(response.json().get("redis"))))
            except (requests.RequestException, ValueError):
                self.seen.append((0, "no answer"))
            self.stop.wait(0.2)

    def finish(self) -> None:
        self.stop.set()
        self.thread.join(HTTP_TIMEOUT + 5)


def netns_available() -> str | None:
    """Why network namespaces cannot be made here, or None if they can."""
    if shutil.which("ip") is None:
        return "no `ip` command (install iproute2)"
    probe = f"pdfprobe{free_port()}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"cannot make a network namespace: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "delete", probe], capture_output=True)
    return None


class Network:
    """Network namespaces on one bridge, each a host with its own address in 10.213.0.0/24.

    The test itself (the default namespace) is 10.213.0.1 on the bridge.
    """

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.bridge = f"br{tag}"
        self.names: list[str] = []
        try:
            self._run("ip", "link", "add", self.bridge, "type", "bridge")
            self._run("ip", "addr", "add", "10.213.0.1/24", "dev", self.bridge)
            self._run("ip", "link", "set", self.bridge, "up")
        except BaseException:
            self.remove()
            raise

    def host(self, number: int) -> Host:
        name = f"pdf{self.tag}h{number}"
        outside, inside = f"v{self.tag}h{number}", f"i{self.tag}h{number}"
        self._run("ip", "netns", "add", name)
        self.names.append(name)  # deleting the namespace deletes its end of the pair, and so the pair
        self._run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside)
        self._run("ip", "link", "set", inside, "netns", name)
        self._run("ip", "link", "set", outside, "master", self.bridge, "up")
        address = f"10.213.0.{number}"
        enter = ("ip", "netns", "exec", name)
        self._run(*enter, "ip", "addr", "add", f"{address}/24", "dev", inside)
        self._run(*enter, "ip", "link", "set", inside, "up")
        self._run(*enter, "ip", "link", "set", "lo", "up")
        return Host(address, enter)

    def remove(self) -> None:
        for name in self.names:
            subprocess.run(["ip", "netns", "delete", name], capture_output=True)
        subprocess.run(["ip", "link", "delete", self.bridge], capture_output=True)

    @staticmethod
    def _run(*command: str) -> None:
        done = subprocess.run(command, capture_output=True, text=True)
        assert done.returncode == 0, f"{' '.join(command)}: {done.stderr.strip()}"
