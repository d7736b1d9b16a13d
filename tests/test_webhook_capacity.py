"""Webhook deliveries never take render capacity, and one receiver gets a bounded number at once."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import requests

from tests.support import Stack, private_stack, submit_job, wait_for_job, wait_until

TIMEOUT = 10
PER_RECEIVER = 2


class Silent:
    """A receiver that accepts connections, reads the request and never answers; it tracks how many are open."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.open = 0
        self.most_open = 0
        self.accepted = 0
        self.lock = threading.Lock()
        self.clients: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            with self.lock:
                self.clients.append(client)
                self.accepted += 1
                self.open += 1
                self.most_open = max(self.most_open, self.open)
            threading.Thread(target=self._hold, args=(client,), daemon=True).start()

    def _hold(self, client: socket.socket) -> None:
        client.settimeout(60)
        try:
            while client.recv(65536):
                pass  # read the request; answer nothing, until the caller gives up
        except OSError:
            pass
        with self.lock:
            self.open -= 1

    def close(self) -> None:
        self.server.close()
        with self.lock:
            for client in self.clients:
                client.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = {
        "WEBHOOK_SECRET": "secret",
        "WEBHOOK_ALLOW_PRIVATE": "1",
        "WEBHOOK_PER_RECEIVER": str(PER_RECEIVER),
    }
    with private_stack(tmp_path_factory.mktemp("hooks"), env=env, processes=1, webhooks=True) as service:
        yield service


@pytest.fixture
def silent() -> Iterator[Silent]:
    receiver = Silent()
    yield receiver
    receiver.close()


def test_cheap_posts_to_a_silent_receiver_do_not_delay_renders(stack: Stack, silent: Silent) -> None:
    html = f"<h1>Stored</h1><p>{uuid.uuid4()}</p>"
    callback = f"http://127.0.0.1:{silent.port}/hook"
    first = submit_job(stack.base, {"html": html, "callback_url": callback})
    assert wait_for_job(stack.base, first["id"])["state"] == "SUCCESS"
    # Six POSTs answered from the stored PDF: each costs nothing but queues a delivery.
    for _ in range(6):
        assert submit_job(stack.base, {"html": html, "callback_url": callback})["state"] == "SUCCESS"
    wait_until(lambda: silent.accepted >= PER_RECEIVER, 15, "deliveries to reach the silent receiver")
    start = time.monotonic()
    real = submit_job(stack.base, {"html": "<p>A real render</p>", "reuse": False})
    assert wait_for_job(stack.base, real["id"], timeout=30)["state"] == "SUCCESS"
    assert time.monotonic() - start < 5
    # Seven deliveries pending, each held 10 s by the receiver: never more than the bound at once.
    time.sleep(12)
    assert silent.most_open == PER_RECEIVER
    # "Task tasks.deliver_webhook[<id>] received", in the webhook worker's log only.
    assert "tasks.deliver_webhook[" not in stack.worker.output()
    assert stack.webhooks is not None and "tasks.deliver_webhook[" in stack.webhooks.output()


def test_a_webhook_worker_is_not_counted_as_render_capacity(stack: Stack) -> None:
    html = "".join(f"<h1 style='page-break-before: always'>{n}</h1><p>{'x ' * 40_000}</p>" for n in range(6))
    job = submit_job(stack.base, {"html": html, "reuse": False})
    assert job["render"]["reason"] == "fewer than two worker processes are running (1)"
    requests.delete(f"{stack.base}/api/jobs/{job['id']}", timeout=TIMEOUT)
