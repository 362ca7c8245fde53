"""Crawl health: ``crawl_stats`` rows, ``archiver status``, and ``crawl --check`` exit codes per problem kind.

Every case is a real crawl of a generated site on 127.0.0.1: an outlet that
fails (robots.txt forbids everything), one whose outlet selector matches
nothing (drift), and one that found no new article after three crawls that
each did (it usually does). A healthy outlet exits 0.
"""

from __future__ import annotations

import json

import pytest

from fleet_sites import crawl_all, query
from support import run_archiver


def _site(pages: int):
    from archiver.demo.bigsite import BigSiteServer

    return BigSiteServer(pages=pages)


def test_check_passes_a_healthy_outlet(tmp_path):
    folder = tmp_path / "outlets"
    folder.mkdir()
    with _site(30) as site:
        site.write_outlet(folder / "fine.toml", name="fine")
        proc = crawl_all(folder, tmp_path / "archive", "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "check:" not in proc.stderr


def test_check_exits_3_when_an_outlet_failed(tmp_path):
    folder = tmp_path / "outlets"
    folder.mkdir()
    with _site(30) as good, _site(20) as closed:
        closed.pages["/robots.txt"] = b"User-agent: *\nDisallow: /\n"
        good.write_outlet(folder / "good.toml", name="good")
        closed.write_outlet(folder / "closed.toml", name="closed")
        proc = crawl_all(folder, tmp_path / "archive", "--check")
    assert proc.returncode == 3, proc.stdout + proc.stderr[-3000:]
    assert "check: outlet closed: failed: robots.txt forbids every URL" in proc.stderr
    assert "outlet good" not in proc.stderr


def test_check_exits_3_for_a_bad_outlet_file(tmp_path):
    folder = tmp_path / "outlets"
    folder.mkdir()
    with _site(30) as good:
        good.write_outlet(folder / "good.toml", name="good")
        (folder / "typo.toml").write_text('name = "typo"\nhome = "http://127.0.0.1:9/"\nmax_pagez = 3\n')
        proc = crawl_all(folder, tmp_path / "archive", "--check")
    assert proc.returncode == 3, proc.stdout + proc.stderr[-3000:]
    assert "check: outlet typo: failed:" in proc.stderr and "max_pagez" in proc.stderr
    assert (
        dict(query(tmp_path / "archive", "select outlet, count(*) from articles group by outlet"))["good"] > 0
    )


def test_check_exits_4_when_an_outlet_drifted(tmp_path):
    folder = tmp_path / "outlets"
    folder.mkdir()
    with _site(30) as site:
        path = site.write_outlet(folder / "drifty.toml", name="drifty")
        path.write_text(path.read_text() + '\n[selectors]\nbody = [".story-body-that-was-renamed"]\n')
        proc = crawl_all(folder, tmp_path / "archive", "--check")
    assert proc.returncode == 4, proc.stdout + proc.stderr[-3000:]
    assert "check: outlet drifty: drift:" in proc.stderr and "site redesign" in proc.stderr
    (drift,) = query(tmp_path / "archive", "select drift_alarms from crawl_stats where outlet = 'drifty'")[0]
    assert drift > 0


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """Three crawls of a growing site (each finds new articles), then one of the unchanged site."""
    from archiver.demo.bigsite import build_pages

    folder = tmp_path_factory.mktemp("outlets")
    out = tmp_path_factory.mktemp("archive")
    procs = []
    with _site(20) as site:
        site.write_outlet(folder / "daily.toml", name="daily")
        for pages in (20, 30, 40, 40):
            site.pages.update(build_pages(pages))
            procs.append(crawl_all(folder, out, "--check"))
    return out, procs


def test_check_exits_5_when_an_outlet_found_nothing_new_though_it_usually_does(history):
    out, procs = history
    for proc in procs[:3]:
        assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    last = procs[3]
    assert last.returncode == 5, last.stdout + last.stderr[-3000:]
    assert (
        "check: outlet daily: no_new: no new article, though 3 of the last 3 crawls found some" in last.stderr
    )
    news = [r[0] for r in query(out, "select articles_new from crawl_stats order by finished_at")]
    assert news[0] > 0 and news[1] > 0 and news[2] > 0 and news[3] == 0, news


def test_status_prints_one_line_per_outlet_with_trend_and_problems(history):
    out, _ = history
    proc = run_archiver("status", str(out))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("daily"), proc.stdout
    assert "new     0" in lines[0] and "down" in lines[0] and "no_new: no new article" in lines[0]


def test_crawl_stats_rows_hold_the_figures(history):
    out, _ = history
    rows = query(
        out,
        "select pages, articles_new, articles_changed, errors, errors_by_kind, seconds, finish_reason "
        "from crawl_stats order by finished_at",
    )
    assert len(rows) == 4
    first = rows[0]
    assert first[0] >= 20 and first[2] == 0 and first[3] == 0 and json.loads(first[4]) == {}
    assert first[5] > 0 and first[6] == "finished"


def test_outlet_page_charts_the_crawls(history):
    """Datasette's outlet page draws one bar per crawl: new articles, then the empty fourth crawl."""
    import asyncio

    from bs4 import BeautifulSoup

    from archiver.serve.app import make_datasette

    out, _ = history
    ds = make_datasette(out)
    page = asyncio.run(ds.client.get("/-/outlet/daily"))
    assert page.status_code == 200
    html = BeautifulSoup(page.text, "html.parser")
    bars = [t.text for t in html.select("#articles-per-crawl rect.bar title")]
    news = [r[0] for r in query(out, "select articles_new from crawl_stats order by finished_at")]
    assert len(bars) == 3 and [int(b.rsplit(": ", 1)[1]) for b in bars] == news[:3]  # the 4th has no bar (0)
    assert html.select_one("#trouble-per-crawl svg") is not None
    assert "no_new: no new article" not in page.text  # history problems are for status/--check
    assert "Crawl health" in page.text and "4 crawls shown" in page.text


def test_check_works_for_a_single_outlet_crawl_too(tmp_path):
    from support import LOCAL

    with _site(20) as closed:
        closed.pages["/robots.txt"] = b"User-agent: *\nDisallow: /\n"
        path = closed.write_outlet(tmp_path / "closed.toml", name="closed")
        args = ["crawl", str(path), "--out", str(tmp_path / "archive"), "--check"]
        for setting in LOCAL:
            args += ["--set", setting]
        proc = run_archiver(*args)
    assert proc.returncode == 3, proc.stdout + proc.stderr[-3000:]
    assert "check: outlet closed: failed: robots.txt forbids every URL" in proc.stderr
