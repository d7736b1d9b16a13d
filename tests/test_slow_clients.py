"""Slow clients: a thousand connections that never finish their bodies do not starve the service."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
import requests

from tests.support import Stack, private_stack

CONNECTIONS = 1005
BODY_TIMEOUT = 3
PER_CLIENT = 8
HEAD = (
    b"POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/html\r\n"
    b"Content-Length: 100000\r\n\r\n<p>never finished"
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = {"REQUEST_BODY_TIMEOUT": str(BODY_TIMEOUT), "UPLOADS_PER_CLIENT": str(PER_CLIENT)}
    with private_stack(tmp_path_factory.mktemp("slow"), env=env) as service:
        yield service


def answer(connection: socket.socket) -> bytes:
    """What the server sent before it closed the connection (b"" if it closed without a word)."""
    connection.settimeout(BODY_TIMEOUT + 10)
    received = b""
    try:
        while chunk := connection.recv(4096):
            received += chunk
    except OSError:
        pass
    return received


def test_a_thousand_unfinished_bodies_leave_healthz_answering(stack: Stack) -> None:
    port = int(stack.base.rsplit(":", 1)[1])
    # The first /healthz of a process connects to the broker and pings the workers (~3 s): before the flood.
    assert requests.get(f"{stack.base}/healthz", timeout=10).status_code == 200
    slow: list[socket.socket] = []
    try:
        for _ in range(CONNECTIONS):
            connection = socket.create_connection(("127.0.0.1", port), timeout=10)
            connection.sendall(HEAD)
            slow.append(connection)
        # Every one of them is still open on this side, none will ever send the rest.
        for _ in range(5):
            start = time.monotonic()
            health = requests.get(f"{stack.base}/healthz", timeout=5)
            assert health.status_code == 200
            assert time.monotonic() - start < 2
            time.sleep(0.2)
        honest = requests.post(f"{stack.base}/api/jobs", json={"html": "<p>an honest upload</p>"}, timeout=10)
        assert honest.status_code in (202, 429)  # 429 while this address's slots are still taken
        answers = [answer(connection) for connection in slow[: PER_CLIENT + 20]]
    finally:
        for connection in slow:
            connection.close()
    statuses = [reply.split(b" ", 2)[1] for reply in answers if reply]
    # The first few were read until their deadline, the rest refused at once; every one got an answer.
    assert len(statuses) == len(answers)
    assert set(statuses) <= {b"408", b"429"}
    assert b"408" in statuses and b"429" in statuses
    assert b'"code": "body_timeout"' in next(reply for reply in answers if b" 408 " in reply)
    after = requests.post(f"{stack.base}/api/jobs", json={"html": "<p>after</p>"}, timeout=10)
    assert after.status_code == 202, after.text


def test_a_body_that_arrives_in_time_is_taken_whole_chunked_or_not(stack: Stack) -> None:
    def trickle() -> Iterator[bytes]:
        for piece in (b'{"html": "<p>in ', b"three ", b'pieces</p>"}'):
            time.sleep(0.4)
            yield piece

    headers = {"Content-Type": "application/json"}
    chunked = requests.post(f"{stack.base}/api/jobs", data=trickle(), headers=headers, timeout=10)
    assert chunked.status_code == 202, chunked.text
    body = b"".join(trickle())
    sized = requests.post(f"{stack.base}/api/jobs", data=body, headers=headers, timeout=10)
    assert sized.status_code == 202, sized.text
