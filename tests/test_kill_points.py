"""A crawl SIGKILLed at each named point, then started again, archives every page exactly once.

The kill points (archiver/crawl/killpoint.py, ``ARCHIVER_TEST_KILL_AT=<point>:<n>``)
make the crawl kill itself at a chosen moment of a page's way: after taking
it from the queue, after its download, after its WARC write, after its row's
commit, and in the middle of its callback. No timing is involved, so each
test kills at the same point every run.

After the crawl is started again (resume for a single-process crawl, the same
``--worker-id`` for a distributed worker, with a second worker running beside
it), the site's hit log is checked against the archive: every page the site
served has exactly one response record across all WARCs, every page of the
site was archived, every article has one row (one conversion record), and
every database row points at a record that is there.
"""

from __future__ import annotations

import collections
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from redis_support import redis_server, requires_redis, start_worker
from support import LOCAL, REPO, crawl_demo, run_archiver, serve_demo, warc_tally

#: (point, n): the n-th time the point is reached, far enough into the crawl that some work is done.
SINGLE_POINTS = [
    ("taken", 15),
    ("downloaded", 15),
    ("warc_written", 15),
    ("row_written", 1),
    ("mid_parse", 3),
]
DISTRIBUTED_POINTS = [
    ("taken", 25),
    ("downloaded", 25),
    ("warc_written", 25),
    ("row_written", 2),
    ("mid_parse", 3),
]
SITE_PAGES = 200


def _responses(warc_dirs: list[Path]) -> tuple[collections.Counter, collections.Counter, set[str]]:
    return warc_tally(path for folder in warc_dirs for path in sorted(folder.glob("*.warc.gz")))


def _check_exactly_once(hit_urls: set[str], all_urls: set[str], article_urls: set[str], warc_dirs, dbs):
    responses, conversions, ids = _responses(warc_dirs)
    responses = collections.Counter({u: n for u, n in responses.items() if not u.endswith("/robots.txt")})
    doubled = {u: n for u, n in responses.items() if n > 1}
    assert not doubled, f"archived more than once: {sorted(doubled)[:10]}"
    assert set(responses) == hit_urls, (
        f"served but not archived: {sorted(hit_urls - set(responses))[:10]}; "
        f"archived but never served: {sorted(set(responses) - hit_urls)[:10]}"
    )
    assert hit_urls == all_urls, (
        f"never fetched (an uninterrupted crawl fetches them): {sorted(all_urls - hit_urls)[:10]}"
    )
    assert set(conversions) == article_urls and set(conversions.values()) == {1}
    capture_ids: set[str] = set()
    article_rows: list[str] = []
    for db_path in dbs:
        with sqlite3.connect(db_path) as db:
            capture_ids |= {r[0] for r in db.execute("select record_id from captures")}
            article_rows += [r[0] for r in db.execute("select url from articles")]
    assert sorted(article_rows) == sorted(article_urls), "every article stored once"
    assert capture_ids == ids, "every row points at a record there, every record has its row"


def _killed(proc: subprocess.Popen, log: Path, timeout: float = 300) -> None:
    code = proc.wait(timeout=timeout)
    assert code == -9, f"the crawl was to kill itself (SIGKILL), it exited {code}:\n{log.read_text()[-3000:]}"


@pytest.fixture(scope="module")
def demo_site():
    """A demo server of this module's own: its request log is the kill-point tests' alone."""
    yield from serve_demo()


@pytest.fixture(scope="module")
def reference(demo_site, tmp_path_factory):
    """The URLs an uninterrupted crawl of the demo site archives (what a killed one must end with)."""
    out = tmp_path_factory.mktemp("reference") / "archive"
    crawl_demo(demo_site.url, out)
    responses, _, _ = _responses([out / "warcs"])
    return {u for u in responses if not u.endswith("/robots.txt")}


@pytest.mark.parametrize(("point", "n"), SINGLE_POINTS, ids=[p for p, _ in SINGLE_POINTS])
def test_single_process_crawl_killed_at(demo_site, reference, tmp_path, point, n):
    out = tmp_path / "archive"
    demo_site.clear_requests()
    args = [sys.executable, "-m", "archiver.cli", "crawl", "demo", "--out", str(out), "--home", demo_site.url]
    for setting in LOCAL:
        args += ["--set", setting]
    env = dict(os.environ, PYTHONPATH=str(REPO), ARCHIVER_TEST_KILL_AT=f"{point}:{n}")
    log = tmp_path / "killed.log"
    with open(log, "wb") as sink:
        proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=sink, stderr=sink)
        _killed(proc, log)
    resumed = crawl_demo(demo_site.url, out, "-v")  # -v: Scrapy's INFO log says it resumed
    assert "resuming crawl" in resumed.stderr
    hit_urls = {demo_site.url + path for method, path, _ in demo_site.requests if method == "GET"}
    cdn = demo_site.cdn  # the demo's second origin: its stylesheets, fonts and images (page requisites)
    hit_urls |= {cdn.url + path for method, path, _ in cdn.requests if method == "GET"}
    hit_urls = {u for u in hit_urls if not u.endswith("/robots.txt")}
    article_urls = {demo_site.url + a.path for a in demo_site.site.articles}
    _check_exactly_once(hit_urls, reference, article_urls, [out / "warcs"], [out / "archive.db"])


@requires_redis
@pytest.mark.parametrize(("point", "n"), DISTRIBUTED_POINTS, ids=[p for p, _ in DISTRIBUTED_POINTS])
def test_distributed_worker_killed_at(tmp_path, point, n):
    from archiver.demo.bigsite import BigSiteServer, article_paths

    with redis_server(tmp_path) as redis_url, BigSiteServer(SITE_PAGES) as site:
        outlet = site.write_outlet(tmp_path / "kill.toml", name="kill")
        out = tmp_path / "crawl"
        out.mkdir()
        killed = start_worker(
            outlet, out, redis_url, "w1", "killed", env={"ARCHIVER_TEST_KILL_AT": f"{point}:{n}"}
        )
        other = start_worker(outlet, out, redis_url, "w2")
        _killed(killed, tmp_path / "killed.log")
        again = start_worker(outlet, out, redis_url, "w1", "again")
        assert again.wait(timeout=300) == 0, (tmp_path / "again.log").read_text()[-4000:]
        assert other.wait(timeout=300) == 0, (tmp_path / "w2.log").read_text()[-4000:]
        hit_urls = {site.url + path for path in site.hits if path != "/robots.txt"}
        all_urls = {site.url + path for path in site.pages if path != "/robots.txt"}
        article_urls = {site.url + path for path in article_paths(site.pages)}
    merged = tmp_path / "merged.db"
    ingest = run_archiver("ingest", str(out), "--db", str(merged))
    assert ingest.returncode == 0, ingest.stderr
    workers = [out / "workers" / w for w in ("w1", "w2")]
    _check_exactly_once(hit_urls, all_urls, article_urls, [w / "warcs" for w in workers], [merged])


#: A one-page site whose stylesheet names more: ``@import`` and ``url()``.
_STYLED_SITE = {
    "/robots.txt": b"User-agent: *\nAllow: /\n",
    "/": b'<html><head><title>Home</title><link rel="stylesheet" href="/a.css"></head>'
    b"<body><h1>Home</h1><p>The front page.</p></body></html>",
    "/a.css": b'@import url("/b.css");\nbody { background: url("/bg.png") }\n',
    "/b.css": b"h1 { color: #333 }\n",
    "/bg.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
}


def test_a_stylesheet_archived_before_the_kill_still_gets_what_it_names(tmp_path):
    """Killed right after a stylesheet's records: the resumed crawl fetches its @import and url()s.

    The stylesheet is not fetched again (its run archived it); what it names
    is read back from its WARC record.
    """
    from archiver.demo.bigsite import BigSiteServer

    with BigSiteServer(1) as site:
        site.pages.clear()
        site.pages.update(_STYLED_SITE)
        outlet = site.write_outlet(tmp_path / "styled.toml", name="styled")
        out = tmp_path / "archive"
        args = [sys.executable, "-m", "archiver.cli", "crawl", str(outlet), "--out", str(out)]
        for setting in LOCAL:
            args += ["--set", setting]
        env = dict(os.environ, PYTHONPATH=str(REPO), ARCHIVER_TEST_KILL_AT="warc_written:3")
        log = tmp_path / "killed.log"
        with open(log, "wb") as sink:  # exchanges written: robots.txt, the page, then a.css
            _killed(subprocess.Popen(args, cwd=REPO, env=env, stdout=sink, stderr=sink), log)
        assert site.hits["/a.css"] == 1 and not site.hits["/b.css"] and not site.hits["/bg.png"]
        resumed = run_archiver(
            "crawl", str(outlet), "--out", str(out), "-v", *sum((["--set", s] for s in LOCAL), [])
        )
        assert resumed.returncode == 0 and "resuming crawl" in resumed.stderr, resumed.stderr[-3000:]
        hits = dict(site.hits)
    assert {p: hits.get(p) for p in ("/a.css", "/b.css", "/bg.png")} == {
        "/a.css": 1,
        "/b.css": 1,
        "/bg.png": 1,
    }
    with sqlite3.connect(out / "archive.db") as db:
        listed = dict(db.execute("select url, status from requisites"))
    assert listed == {site.url + p: "archived" for p in ("/a.css", "/b.css", "/bg.png")}
