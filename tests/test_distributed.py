"""Two workers share one crawl through a real redis-server; ingest merges what they wrote.

The site is the generated 500-page site (archiver/demo/bigsite.py) served on
127.0.0.1 with a request log. Both workers start together; afterwards every
page has been fetched exactly once across both, both did part of the work,
each wrote its own WARCs and database, and ``archiver ingest`` builds one
database holding every article once, and changes nothing when run again.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from redis_support import free_port, redis_server, requires_redis, start_worker
from support import run_archiver

PAGES = 500


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="module")
def bigsite():
    from archiver.demo.bigsite import BigSiteServer

    with BigSiteServer(PAGES) as server:
        yield server


def _worker(
    outlet: Path, out: Path, redis_url: str, worker: str, log_name: str | None = None
) -> subprocess.Popen:
    return start_worker(outlet, out, redis_url, worker, log_name)


def _db_digest(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()


@pytest.fixture(scope="module")
def two_workers(bigsite, redis_url, tmp_path_factory):
    root = tmp_path_factory.mktemp("distributed")
    outlet = bigsite.write_outlet(root / "bigsite.toml")
    out = root / "crawl"
    out.mkdir()
    workers = [_worker(outlet, out, redis_url, w) for w in ("w1", "w2")]
    for proc in workers:
        proc.wait(timeout=300)
    logs = {w: (root / f"{w}.log").read_text() for w in ("w1", "w2")}
    for (worker, log), proc in zip(logs.items(), workers):
        assert proc.returncode == 0, f"worker {worker} failed:\n{log[-4000:]}"
    return out, logs


@requires_redis
def test_every_page_fetched_once_across_workers(bigsite, two_workers):
    out, logs = two_workers
    hits = {path: n for path, n in bigsite.hits.items() if path != "/robots.txt"}
    pages = {path for path in bigsite.pages if path != "/robots.txt"}
    assert set(hits) == pages, f"not fetched: {sorted(pages - set(hits))[:10]}"
    assert {p: n for p, n in hits.items() if n != 1} == {}
    per_worker = {}
    for worker in ("w1", "w2"):
        folder = out / "workers" / worker
        assert list((folder / "warcs").glob(f"bigsite-{worker}-*.warc.gz")), "the worker id names its WARCs"
        with sqlite3.connect(folder / "archive.db") as db:
            per_worker[worker] = db.execute(
                "select count(*) from captures where status = 200 and url not like '%/robots.txt'"
            ).fetchone()[0]
    assert all(per_worker.values()), f"one worker did nothing: {per_worker}"
    assert sum(per_worker.values()) == len(pages)


@requires_redis
def test_ingest_merges_every_article_once_and_is_idempotent(bigsite, two_workers, tmp_path):
    out, _ = two_workers
    merged = tmp_path / "merged.db"
    first = run_archiver("ingest", str(out), "--db", str(merged))
    assert first.returncode == 0, first.stderr
    articles = sorted(bigsite.url + p for p in bigsite.pages if p.startswith("/news/"))
    with sqlite3.connect(merged) as db:
        urls = sorted(r[0] for r in db.execute("select url from articles"))
        crawls = [r[0] for r in db.execute("select id from crawls order by id")]
        captures = db.execute("select count(*) from captures").fetchone()[0]
    assert urls == articles
    assert len(crawls) == 2 and crawls[0].endswith("-w1") and crawls[1].endswith("-w2")
    assert crawls[0][:-3] == crawls[1][:-3], "workers of one crawl share its id"
    assert captures >= PAGES
    before = _db_digest(merged)
    again = run_archiver("ingest", str(out), "--db", str(merged))
    assert again.returncode == 0, again.stderr
    assert _db_digest(merged) == before


@requires_redis
def test_killed_worker_started_again_puts_back_what_it_had_taken(redis_url, tmp_path):
    """SIGKILL a lone worker mid-crawl; started again with its id, it finishes: no page is lost."""
    from archiver.demo.bigsite import BigSiteServer
    from archiver.warc.reader import iter_records

    with BigSiteServer(PAGES) as site:
        outlet = site.write_outlet(tmp_path / "again.toml", name="again")
        out = tmp_path / "crawl"
        out.mkdir()
        first = _worker(outlet, out, redis_url, "w1", "first")
        deadline = time.monotonic() + 120
        while sum(site.hits.values()) < PAGES // 4:
            assert first.poll() is None and time.monotonic() < deadline, (tmp_path / "first.log").read_text()[
                -3000:
            ]
            time.sleep(0.005)
        first.kill()
        first.wait()
        again = _worker(outlet, out, redis_url, "w1", "again")
        assert again.wait(timeout=300) == 0, (tmp_path / "again.log").read_text()[-4000:]
        hits = {path: n for path, n in site.hits.items() if path != "/robots.txt"}
        pages = {path for path in site.pages if path != "/robots.txt"}
    assert set(hits) == pages, f"lost with the killed worker: {sorted(pages - set(hits))[:10]}"
    twice = [p for p, n in hits.items() if n > 1]
    assert len(twice) <= 16, f"only what was in flight is fetched again: {len(twice)}"
    log = (tmp_path / "again.log").read_text()
    archived = {
        r.target_uri
        for p in (out / "workers" / "w1" / "warcs").glob("*.warc.gz")
        for r in iter_records(p)
        if r.rec_type == "response"
    }
    assert {site.url + p for p in pages} <= archived  # every WARC reads to its end (tail repaired)
    assert "put back" in log or not twice


def test_ingest_says_what_it_expected(tmp_path):
    (tmp_path / "empty").mkdir()
    proc = run_archiver("ingest", str(tmp_path / "empty"), "--db", str(tmp_path / "x.db"))
    assert proc.returncode != 0 and "no archive under" in proc.stderr and "workers/<id>/warcs/" in proc.stderr
    assert not (tmp_path / "x.db").exists()


def test_worker_needs_an_id_and_a_reachable_redis(tmp_path):
    no_id = run_archiver("crawl", "demo", "--out", str(tmp_path / "a"), "--redis", "redis://127.0.0.1:1/0")
    assert no_id.returncode != 0 and "--worker-id" in no_id.stderr
    bad_id = run_archiver(
        "crawl",
        "demo",
        "--out",
        str(tmp_path / "a"),
        "--redis",
        "redis://127.0.0.1:1/0",
        "--worker-id",
        "../x",
    )
    assert bad_id.returncode != 0 and "worker id" in bad_id.stderr
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    down = run_archiver("crawl", "demo", "--out", str(tmp_path / "a"), "--redis", nobody, "--worker-id", "w1")
    assert down.returncode != 0 and "cannot reach Redis" in down.stderr
