"""Helpers the tests share: running the archiver command and crawling the demo outlet.

Crawls run the real ``archiver`` command in a subprocess (Twisted's reactor
runs once per process), against the demo site served on 127.0.0.1.
"""

from __future__ import annotations

import collections
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from archiver.crawl.browser.render import CHROMIUM as RENDER_CHROMIUM
from archiver.crawl.browser.render import CHROMIUM_QUIET_ARGS

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


def serve_demo() -> Iterator[Any]:
    """The demo outlet served on a free port of 127.0.0.1 while the fixture that yields from it lives."""
    from archiver.demo.server import DemoServer

    with DemoServer() as server:
        yield server


def free_port() -> int:
    """A port of 127.0.0.1 free now (for servers that cannot take a bound socket)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_asgi(app: Any, *, timeout: float = 30, lifespan: str = "auto") -> Iterator[str]:
    """Serve an ASGI app (Datasette's) with uvicorn in a thread on 127.0.0.1; yield its base URL.

    The socket is bound here and handed to uvicorn, so no other process can
    take the port between choosing it and listening on it.
    """
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan=lifespan))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the archive server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


#: Content type of the conversion record that holds an article's clean text.
ARTICLE_JSON = "application/vnd.news-archiver.article+json"


def warc_tally(paths: Iterable[Path]) -> tuple[collections.Counter, collections.Counter, set[str]]:
    """Read WARCs with warcio (digests checked): responses and revisits per URL, article
    conversion records per URL, and the record ids of the responses and revisits."""
    from warcio.archiveiterator import ArchiveIterator

    responses: collections.Counter = collections.Counter()
    conversions: collections.Counter = collections.Counter()
    ids: set[str] = set()
    for path in paths:
        with open(path, "rb") as f:
            for record in ArchiveIterator(f, check_digests="raise"):
                record.content_stream().read()
                url = record.rec_headers.get_header("WARC-Target-URI")
                if record.rec_type in ("response", "revisit"):
                    responses[url] += 1
                    ids.add(record.rec_headers.get_header("WARC-Record-ID"))
                elif (
                    record.rec_type == "conversion"
                    and record.rec_headers.get_header("Content-Type") == ARTICLE_JSON
                ):
                    conversions[url] += 1
    return responses, conversions, ids


#: The Chromium the crawl drives (Debian's, no browser download); ARCHIVER_CHROMIUM names another.
CHROMIUM = os.environ.get("ARCHIVER_CHROMIUM", RENDER_CHROMIUM)
#: The crawl's quiet flags, without its dead proxy: the tests browse servers on loopback.
CHROMIUM_ARGS = list(CHROMIUM_QUIET_ARGS)


def require_chromium() -> str:
    """Chromium's path; fail (never skip) without it: a browser test must not pass unrun."""
    import shutil

    assert Path(CHROMIUM).exists() or shutil.which(CHROMIUM), (
        f"no Chromium at {CHROMIUM}: apt-get install chromium (see .ci/run), or deselect with -m 'not browser'"
    )
    return CHROMIUM


def start_test_crawl(archive: Any, *, started_at: str, crawl_id: str = "c1", outlet: str = "demo") -> None:
    """Open a crawl row in an archive database that a test fills by hand."""
    archive.start_crawl(
        crawl_id=crawl_id,
        outlet=outlet,
        started_at=started_at,
        software="test",
        settings_digest="0" * 64,
        settings={},
    )
