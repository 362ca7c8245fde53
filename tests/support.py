"""Helpers the tests share: running the archiver command and crawling the demo outlet.

Crawls run the real ``archiver`` command in a subprocess (Twisted's reactor
runs once per process), against the demo site served on 127.0.0.1.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: Settings for crawling 127.0.0.1 quickly (no politeness delay).
LOCAL = [
    "AUTOTHROTTLE_START_DELAY=0",
    "AUTOTHROTTLE_MAX_DELAY=1",
    "AUTOTHROTTLE_TARGET_CONCURRENCY=8",
    "DOWNLOAD_DELAY=0",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "ARCHIVER_ALLOW_PRIVATE_ADDRESSES=true",  # the test servers are on 127.0.0.1
]


def run_archiver(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python -m archiver.cli ARGS`` and return the finished process (never raises)."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(
        [sys.executable, "-m", "archiver.cli", *args],
        cwd=cwd or REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def crawl_demo(site_url: str, out: Path, *extra: str) -> subprocess.CompletedProcess:
    """Crawl the demo outlet served at ``site_url`` into ``out``; fail the test if it fails."""
    args = ["crawl", "demo", "--out", str(out), "--home", site_url]
    for setting in LOCAL:
        args += ["--set", setting]
    proc = run_archiver(*args, *extra)
    assert proc.returncode == 0, f"crawl failed:\n{proc.stdout}\n{proc.stderr[-5000:]}"
    return proc
