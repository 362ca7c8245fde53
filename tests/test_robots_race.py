"""robots.txt holds for every request that reaches a new host at once, not only for the first.

Scrapy hands a host's parsed robots.txt to one of the requests that waited for
it; the others passed unchecked. A start list of pages on one host, its
robots.txt slow to answer, shows it: every waiting request is there at once.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from archiver.demo.threaded import PagesServer
from support import LOCAL, run_archiver

PAGES = [f"/open/{n}/" for n in range(6)] + [f"/private/{n}/" for n in range(6)]


def _site() -> PagesServer:
    pages = {
        path: ("text/html; charset=utf-8", f"<title>{path}</title><p>{path}</p>".encode()) for path in PAGES
    }
    pages["/robots.txt"] = ("text/plain", b"User-agent: *\nDisallow: /private/\n")
    # slow rules: every start request is waiting for them by the time they come
    return PagesServer(pages, delays={"/robots.txt": 0.8})


def test_every_request_waiting_for_robots_txt_obeys_it(tmp_path: Path):
    with _site() as site:
        outlet = tmp_path / "race.toml"
        outlet.write_text(f'name = "race"\nhome = "{site.url}/"\nstart_urls = {json.dumps(PAGES)}\n')
        args = ["crawl", str(outlet), "--out", str(tmp_path / "archive")]
        for setting in [*LOCAL, "CONCURRENT_REQUESTS_PER_DOMAIN=16"]:
            args += ["--set", setting]
        proc = run_archiver(*args, timeout=120)
        hits = list(site.hits)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert hits.count("/robots.txt") == 1
    assert sorted(p for p in hits if p.startswith("/open/")) == sorted(PAGES[:6]), (
        "every allowed page is fetched"
    )
    assert [p for p in hits if p.startswith("/private/")] == [], "a page robots.txt forbids was fetched"
    with sqlite3.connect(tmp_path / "archive" / "archive.db") as conn:
        ((stats,),) = conn.execute("select stats from crawls").fetchall()
    assert json.loads(stats)["robotstxt/forbidden"] == 6
