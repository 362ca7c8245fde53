"""Outlet cleaning rules in a real crawl: a selector that stops matching raises the drift alarm."""

from __future__ import annotations

import json
import sqlite3

from support import LOCAL, run_archiver


def test_selector_that_matches_nothing_raises_drift_alarm_and_generic_cleaner_takes_over(
    demo_server, tmp_path
):
    outlet = tmp_path / "redesigned.toml"
    outlet.write_text(
        'name = "redesigned"\n'
        f'home = "{demo_server.url}/"\n'
        "article_allow = ['^/\\\\d{4}/\\\\d{2}/\\\\d{2}/[^/]+/$']\n"
        "max_pages = 40\n"
        '[selectors]\nbody = [".old-theme-article-body"]\n'
    )
    out = tmp_path / "archive"
    args = ["crawl", str(outlet), "--out", str(out)]
    for setting in LOCAL:
        args += ["--set", setting]
    proc = run_archiver(*args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "drift alarm: outlet redesigned: selector '.old-theme-article-body' matched nothing" in proc.stderr
    assert proc.stderr.count("drift alarm") == 1, "the alarm is raised once per selector, not per page"
    with sqlite3.connect(out / "archive.db") as db:
        ((stats,),) = db.execute("select stats from crawls").fetchall()
        ((articles,),) = db.execute("select count(*) from articles").fetchall()
    assert json.loads(stats)["archiver/drift/redesigned"] == articles > 0


def test_article_urls_named_by_the_outlet_escape_the_trap_shape_budget(tmp_path):
    """/news/1/, /news/2/ ... share one URL shape: the trap guard must not cap an outlet's own articles."""
    from archiver.demo.bigsite import BigSiteServer, article_paths

    with BigSiteServer(pages=400) as site:
        outlet = site.write_outlet(tmp_path / "bigsite.toml")
        out = tmp_path / "archive"
        args = ["crawl", str(outlet), "--out", str(out), "--set", "ARCHIVER_SHAPE_BUDGET=5"]
        for setting in LOCAL:
            args += ["--set", setting]
        proc = run_archiver(*args)
        assert proc.returncode == 0, proc.stderr[-3000:]
        fetched = set(site.hits)
        wanted = set(article_paths(site.pages))
    assert wanted <= fetched, f"{len(wanted - fetched)} articles never fetched"
    assert "/section/N/ (a crawler trap" in proc.stderr, "other URL shapes stay bounded by the budget"


def test_max_depth_bounds_link_following(demo_server, tmp_path):
    """max_depth = 1: the home page and what it links to, nothing found only deeper."""
    outlet = tmp_path / "shallow.toml"
    outlet.write_text(f'name = "shallow"\nhome = "{demo_server.url}/"\nmax_depth = 1\n')
    out = tmp_path / "archive"
    args = ["crawl", str(outlet), "--out", str(out)]
    for setting in LOCAL:
        args += ["--set", setting]
    before = len(demo_server.requests)
    proc = run_archiver(*args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    pages_by_path = demo_server.site.pages
    fetched = {  # pages only: their requisites (stylesheets, images) are fetched whatever their depth
        path
        for _, path, _ in demo_server.requests[before:]
        if path.split("?")[0] not in pages_by_path
        or pages_by_path[path.split("?")[0]].content_type.startswith("text/html")
    }
    home = demo_server.site.pages["/"].body.decode()
    pages = demo_server.site.pages
    linked = {p for p in pages if f'href="{demo_server.url}{p}"' in home} | {"/2024/05/30/withdrawn-story/"}
    redirected = {
        pages[p].location.removeprefix(demo_server.url) for p in linked if pages.get(p) and pages[p].location
    }
    assert "/" in fetched and fetched - {"/", "/robots.txt"} <= linked | redirected
    assert len(fetched) < len(demo_server.site.pages) / 2
