"""``archiver crawl --all``: several outlets in one process, one of them failing; a kill and a resume.

Real crawls of local servers: the demo outlet, a generated site, a site whose
robots.txt forbids everything, a dead port and an outlet file with a mistake.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
import signal
import time
from pathlib import Path

import pytest

from fleet_sites import crawl_all, demo_outlet, query, start_crawl_all
from support import warc_tally


@pytest.fixture(scope="module")
def fleet_run(tmp_path_factory):
    """One ``crawl --all`` over five outlets: two good ones and three that fail in different ways."""
    from archiver.demo.bigsite import BigSiteServer
    from archiver.demo.server import DemoServer

    folder = tmp_path_factory.mktemp("outlets")
    out = tmp_path_factory.mktemp("fleet-archive")
    with DemoServer() as demo, BigSiteServer(pages=60) as big, BigSiteServer(pages=20) as closed:
        closed.pages["/robots.txt"] = b"User-agent: *\nDisallow: /\n"
        demo_outlet(folder, "herald", demo.url)
        big.write_outlet(folder / "big.toml", name="big")
        closed.write_outlet(folder / "closed.toml", name="closed")
        (folder / "broken.toml").write_text('name = "broken"\nhome = 12\n')
        (folder / "dead.toml").write_text('name = "dead"\nhome = "http://127.0.0.1:9/"\n')
        proc = crawl_all(folder, out)
        yield {"out": out, "proc": proc, "big": big, "demo": demo, "closed": closed}


def _summary(stdout: str) -> dict[str, str]:
    rows = {}
    for line in stdout.splitlines():
        parts = line.split()
        if parts and parts[0] in {"herald", "big", "closed", "broken", "dead"}:
            rows[parts[0]] = line
    return rows


def test_failing_outlets_are_reported_and_the_others_finish(fleet_run):
    proc, out = fleet_run["proc"], fleet_run["out"]
    assert proc.returncode == 1, proc.stderr[-3000:]  # some outlet failed
    rows = _summary(proc.stdout)
    assert set(rows) == {"herald", "big", "closed", "broken", "dead"}, proc.stdout
    assert rows["herald"].split()[-1] == "ok" and rows["big"].split()[-1] == "ok"
    assert "robots.txt forbids every URL" in rows["closed"]
    assert "key 'home'" in rows["broken"] and "broken.toml" in rows["broken"]
    assert "connection_refused" in rows["dead"]
    assert "5 outlets, 3 failed" in proc.stdout
    # the good outlets are whole: every article of each stored, under its own outlet name
    big_articles = {p for p in fleet_run["big"].pages if p.startswith("/news/")}
    stored = query(out, "select outlet, count(*) from articles group by outlet")
    assert dict(stored) == {"big": len(big_articles), "herald": len(fleet_run["demo"].site.articles)}


def test_each_outlet_keeps_its_crawl_row_warc_prefix_and_state(fleet_run):
    out = fleet_run["out"]
    crawls = dict(
        query(out, "select outlet, count(*) from crawls where finished_at is not null group by outlet")
    )
    assert crawls == {"big": 1, "herald": 1, "closed": 1, "dead": 1}
    for name in ("big", "herald", "closed"):
        assert list((out / "warcs").glob(f"{name}-*.warc.gz")), name
        state = json.loads((out / "state" / name / "crawl.json").read_text())
        assert state["status"] == "finished" and state["outlet"] == name
    # each capture's row belongs to the outlet whose WARC file holds it
    mixed = query(
        out, "select count(*) from captures where substr(warc_file, 1, length(outlet) + 1) != outlet || '-'"
    )
    assert mixed == [(0,)]
    stats = dict(query(out, "select outlet, articles_new from crawl_stats"))
    assert stats["big"] == len([p for p in fleet_run["big"].pages if p.startswith("/news/")])
    assert stats["closed"] == 0


def test_outlets_are_crawled_at_the_same_time(fleet_run):
    """Together, not one after another: the good outlets' crawl windows overlap."""
    out = fleet_run["out"]
    windows = {}
    rows = query(out, "select outlet, stats, finished_at from crawls where outlet in ('big', 'herald')")
    for outlet, raw, finished in rows:
        started = dt.datetime.fromisoformat(json.loads(raw)["start_time"])
        windows[outlet] = (started, dt.datetime.fromisoformat(finished))
    (a_start, a_end), (b_start, b_end) = windows["big"], windows["herald"]
    assert a_start < b_end and b_start < a_end, windows


def test_each_outlet_obeys_its_own_robots_txt(fleet_run):
    """The closed site got nothing but robots.txt; the others were crawled."""
    closed = fleet_run["closed"]
    assert set(closed.hits) == {"/robots.txt"}, closed.hits
    assert fleet_run["big"].hits["/robots.txt"] == 1


# -- a kill during --all and a resume ----------------------------------------------


def _responses_per_url(out: Path, prefix: str) -> tuple[collections.Counter, collections.Counter]:
    responses, conversions, _ = warc_tally(sorted((out / "warcs").glob(f"{prefix}-*.warc.gz")))
    return responses, conversions


def test_kill_during_all_then_resume(tmp_path):
    from archiver.demo.server import DemoServer

    folder = tmp_path / "outlets"
    folder.mkdir()
    out = tmp_path / "archive"
    with DemoServer(delay=0.05) as first, DemoServer(delay=0.05) as second:
        demo_outlet(folder, "alpha", first.url)
        demo_outlet(folder, "beta", second.url)
        slow = ("--set", "CONCURRENT_REQUESTS_PER_DOMAIN=2")
        proc = start_crawl_all(folder, out, tmp_path / "killed.log", *slow)

        def both_started() -> bool:
            try:
                counts = dict(query(out, "select outlet, count(*) from articles group by outlet"))
            except Exception:
                return False
            return counts.get("alpha", 0) >= 3 and counts.get("beta", 0) >= 3

        deadline = time.monotonic() + 120
        while not both_started():
            assert proc.poll() is None, (tmp_path / "killed.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the crawl never got far enough to be killed"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        killed_at = dict(query(out, "select outlet, count(*) from articles group by outlet"))
        assert killed_at["alpha"] < len(first.site.articles) or killed_at["beta"] < len(second.site.articles)
        for name in ("alpha", "beta"):
            assert json.loads((out / "state" / name / "crawl.json").read_text())["status"] == "running"

        resumed = crawl_all(folder, out, *slow)
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr[-3000:]
        for name, server in (("alpha", first), ("beta", second)):
            responses, conversions = _responses_per_url(out, name)
            refetched = {u: n for u, n in responses.items() if n > 1 and not u.endswith("/robots.txt")}
            assert not refetched, f"{name}: archived more than once: {refetched}"
            articles = {server.url + a.path for a in server.site.articles}
            assert set(conversions) == articles and all(n == 1 for n in conversions.values())
            rows = query(out, "select url from articles where outlet = ?", (name,))
            assert sorted(r[0] for r in rows) == sorted(articles)
            crawls = query(out, "select count(*), min(finished_at) from crawls where outlet = ?", (name,))
            assert crawls[0][0] == 1 and crawls[0][1], f"{name}: the resumed crawl continues the first"
            state = json.loads((out / "state" / name / "crawl.json").read_text())
            assert state["status"] == "finished"
