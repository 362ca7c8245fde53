"""A real redis-server on a free port of 127.0.0.1, and distributed workers run as subprocesses."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from support import LOCAL, REPO

#: Deselect with -m "not redis" (make test-fast); selected, a missing redis-server fails (redis_server).
requires_redis = pytest.mark.redis


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """Start redis-server (no persistence) and yield its URL; stop it afterwards.

    The port is picked free then bound by redis-server: if another process
    took it in between, redis-server exits and a new port is tried.
    """
    assert shutil.which("redis-server"), "needs redis-server: apt-get install redis-server (.ci/run does it)"
    for _ in range(5):
        port = free_port()
        proc = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(64).startswith(b"+PONG"):
                        break
            except OSError:
                time.sleep(0.05)
        else:
            proc.kill()
            proc.wait()
            continue
        try:
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(10)
        return
    raise AssertionError("redis-server did not start on any of 5 free ports")


def start_worker(
    outlet: Path,
    out: Path,
    redis_url: str,
    worker: str,
    log_name: str | None = None,
    *,
    env: dict[str, str] | None = None,
    extra: tuple[str, ...] = (),
) -> subprocess.Popen:
    """Run ``archiver crawl OUTLET --redis URL --worker-id W`` with its log in ``out/../<log_name>.log``."""
    args = [sys.executable, "-m", "archiver.cli", "crawl", str(outlet), "--out", str(out)]
    args += ["--redis", redis_url, "--worker-id", worker, "--set", "ARCHIVER_SHAPE_BUDGET=100000"]
    for setting in LOCAL:
        args += ["--set", setting]
    # A kill point reaches a worker only when asked for (never inherited from the test's environment).
    full_env = {k: v for k, v in os.environ.items() if k != "ARCHIVER_TEST_KILL_AT"}
    full_env.update(PYTHONPATH=str(REPO), **(env or {}))
    log = open(out.parent / f"{log_name or worker}.log", "w")  # noqa: SIM115 (the child writes it)
    return subprocess.Popen(
        [*args, *extra], cwd=REPO, env=full_env, stdout=log, stderr=subprocess.STDOUT, text=True
    )
