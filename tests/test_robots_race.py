"""robots.txt holds for every request that reaches a new host at once, not only for the first.

Scrapy hands a host's parsed robots.txt to one of the requests that waited for
it; the others passed unchecked. A start list of pages on one host, its
robots.txt slow to answer, shows it: every waiting request is there at once.
"""

from __future__ import annotations

import http.server
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import LOCAL, run_archiver

ROBOTS = b"User-agent: *\nDisallow: /private/\n"
PAGES = [f"/open/{n}/" for n in range(6)] + [f"/private/{n}/" for n in range(6)]


class _SlowRobots(http.server.BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        self.hits.append(self.path)
        if self.path == "/robots.txt":
            time.sleep(0.8)  # every start request is waiting for the rules by now
            body, kind = ROBOTS, "text/plain"
        else:
            body = f"<html><head><title>{self.path}</title></head><body><p>{self.path}</p></body></html>".encode()
            kind = "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_robots_site() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    handler = type("Handler", (_SlowRobots,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_every_request_waiting_for_robots_txt_obeys_it(slow_robots_site, tmp_path: Path):
    url, hits = slow_robots_site
    outlet = tmp_path / "race.toml"
    outlet.write_text(f'name = "race"\nhome = "{url}/"\nstart_urls = {json.dumps(PAGES)}\n')
    args = ["crawl", str(outlet), "--out", str(tmp_path / "archive")]
    for setting in [*LOCAL, "CONCURRENT_REQUESTS_PER_DOMAIN=16"]:
        args += ["--set", setting]
    proc = run_archiver(*args, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert hits.count("/robots.txt") == 1
    assert sorted(p for p in hits if p.startswith("/open/")) == sorted(PAGES[:6]), (
        "every allowed page is fetched"
    )
    assert [p for p in hits if p.startswith("/private/")] == [], "a page robots.txt forbids was fetched"
    with sqlite3.connect(tmp_path / "archive" / "archive.db") as conn:
        ((stats,),) = conn.execute("select stats from crawls").fetchall()
    assert json.loads(stats)["robotstxt/forbidden"] == 6
