"""A crawl killed with SIGKILL and started again finishes without refetching or duplicating.

The crawl kills itself at a named point (``ARCHIVER_TEST_KILL_AT``, see
archiver/crawl/killpoint.py), so no test depends on timing. After the resumed crawl:
every WARC file reads cleanly with warcio, each URL has exactly one response
record across all WARC files (nothing archived was fetched again), each article
has exactly one conversion record and one row, and the database indexes
exactly the records the WARCs hold.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import LOCAL, REPO, crawl_demo, warc_tally

SLOW = ["--set", "CONCURRENT_REQUESTS_PER_DOMAIN=4"]


@pytest.fixture(scope="module")
def slow_site():
    from archiver.demo.server import DemoServer

    with DemoServer(delay=0.08) as server:
        yield server


def _start_crawl(url: str, out: Path, kill_at: str | None = None) -> subprocess.Popen:
    args = [sys.executable, "-m", "archiver.cli", "crawl", "demo", "--out", str(out), "--home", url]
    for setting in LOCAL:
        args += ["--set", setting]
    env = {k: v for k, v in os.environ.items() if k != "ARCHIVER_TEST_KILL_AT"}
    env["PYTHONPATH"] = str(REPO)
    if kill_at:
        env["ARCHIVER_TEST_KILL_AT"] = kill_at
    log = open(out.parent / "interrupted-crawl.log", "wb")  # noqa: SIM115 (the child writes it)
    return subprocess.Popen(args + SLOW, cwd=REPO, env=env, stdout=log, stderr=log)


def _crawl_killed_at(url: str, out: Path, point: str) -> None:
    """Run a crawl that SIGKILLs itself at ``point`` (``<name>:<n>``); fail if it ends otherwise."""
    proc = _start_crawl(url, out, kill_at=point)
    code = proc.wait(timeout=300)
    log = out.parent / "interrupted-crawl.log"
    assert code == -signal.SIGKILL, (
        f"the crawl was to kill itself at {point}, it exited {code}:\n{log.read_text()[-3000:]}"
    )


def _warc_bytes(out: Path) -> int:
    return sum(p.stat().st_size for p in (out / "warcs").glob("*.warc.gz"))


def _article_rows(out: Path) -> int:
    try:
        with sqlite3.connect(f"file:{out / 'archive.db'}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("select count(*) from articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def _read_warcs(out: Path) -> tuple[collections.Counter, collections.Counter, set[str]]:
    return warc_tally(sorted((out / "warcs").glob("*.warc.gz")))


def _check_complete(out: Path, server) -> None:
    responses, conversions, ids = _read_warcs(out)
    refetched = {url: n for url, n in responses.items() if n > 1 and not url.endswith("/robots.txt")}
    assert not refetched, f"archived more than once: {refetched}"
    assert all(n == 1 for n in conversions.values()), conversions
    article_urls = {server.url + a.path for a in server.site.articles}
    assert set(conversions) == article_urls
    with sqlite3.connect(out / "archive.db") as db:
        urls = [r[0] for r in db.execute("select url from articles")]
        capture_ids = {r[0] for r in db.execute("select record_id from captures")}
        crawls = db.execute("select count(*), min(finished_at) from crawls").fetchone()
    assert sorted(urls) == sorted(article_urls)
    assert capture_ids == ids  # every row points at a record there, every record has its row
    assert crawls[0] == 1 and crawls[1], "the resumed crawl continues (and finishes) the first one"
    state = json.loads((out / "state" / "demo" / "crawl.json").read_text())
    assert state["status"] == "finished"


def _chop_last_response(out: Path) -> str:
    """Cut the newest WARC in the middle of its last response (a kill mid-write, a power cut)."""
    from archiver.warc.reader import iter_records

    path = sorted((out / "warcs").glob("*.warc.gz"))[-1]
    last = [r for r in iter_records(path) if r.rec_type == "response"][-1]
    with open(path, "r+b") as f:
        f.truncate(last.offset + last.length // 2)
    return last.target_uri


@pytest.mark.parametrize("moment", ["warc_written:1", "row_written:2"], ids=["first-record", "mid-way"])
def test_sigkill_then_resume(slow_site, tmp_path, moment):
    out = tmp_path / "archive"
    _crawl_killed_at(slow_site.url, out, moment)
    assert _article_rows(out) < len(slow_site.site.articles)
    archived = _archived_urls(out)
    before = len(slow_site.requests)
    resumed = crawl_demo(slow_site.url, out, *SLOW, "-v")  # -v: Scrapy's INFO log, read below
    (tmp_path / "resumed.log").write_text(resumed.stderr)
    assert "resuming crawl" in resumed.stderr
    _check_not_refetched(slow_site, before, archived)
    _check_complete(out, slow_site)


def _archived_urls(out: Path) -> set[str]:
    """URLs with a whole response record on disk (what the resumed crawl must not fetch)."""
    from archiver.warc.reader import iter_records

    return {
        r.target_uri
        for p in (out / "warcs").glob("*.warc.gz")
        for r in iter_records(p, on_error=lambda e: None)
        if r.rec_type == "response"
    }


def _check_not_refetched(site, since: int, archived: set[str]) -> None:
    fetched = {site.url + path for method, path, _ in site.requests[since:] if method == "GET"}
    again = {u for u in fetched & archived if not u.endswith("/robots.txt")}
    assert archived and not again, f"fetched again although archived: {sorted(again)}"


def test_cut_off_record_is_quarantined_and_fetched_again(slow_site, tmp_path):
    out = tmp_path / "archive"
    _crawl_killed_at(slow_site.url, out, "warc_written:30")
    cut_url = _chop_last_response(out)
    archived = _archived_urls(out)
    assert cut_url not in archived
    before = len(slow_site.requests)
    resumed = crawl_demo(slow_site.url, out, *SLOW)
    _check_not_refetched(slow_site, before, archived)
    assert "was cut off" in resumed.stderr and cut_url in resumed.stderr
    tails = list((out / "warcs" / "quarantine").glob("*.tail"))
    assert len(tails) == 1 and tails[0].stat().st_size > 0
    note = json.loads(tails[0].with_suffix(".json").read_text())
    assert note["url"] == cut_url and note["offset"] > 0
    responses, _, _ = _read_warcs(out)
    assert responses[cut_url] == 1  # fetched again, and only the whole copy is in the WARCs
    _check_complete(out, slow_site)


def test_second_crawl_into_a_running_one_is_refused(tmp_path):
    """Resuming must never 'repair' the WARC a live crawl is writing: the folder is locked."""
    from support import run_archiver

    from archiver.demo.server import DemoServer

    out = tmp_path / "archive"
    # 2 s a page: the first crawl outlives the second one's start, however loaded the machine.
    with DemoServer(delay=2.0) as very_slow:
        proc = _start_crawl(very_slow.url, out)
        try:
            deadline = time.monotonic() + 120
            while _warc_bytes(out) == 0:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
            second = run_archiver("crawl", "demo", "--out", str(out), "--home", very_slow.url)
            assert proc.poll() is None, "the first crawl ended before the second one started"
            assert second.returncode != 0
            assert "another crawl is writing into" in second.stderr
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    assert not (out / "warcs" / "quarantine").exists()
