"""Every SQL statement the archive's pages run, checked with EXPLAIN QUERY PLAN (issue 18).

The pages are requested through Datasette's test client with a plugin that
records each statement its connections run (a trace callback, so nothing is
listed by hand and a new query is checked as soon as a page runs it). Then
each statement's plan is read on the same archive: none may scan ``articles``
or ``captures``, the tables that grow to millions of rows. A scan of one of
their indexes is allowed only where it stops early: the statement has a LIMIT
and sorts nothing (the index gives the order). The plans are SQLite's own
choice without statistics, as on a freshly crawled archive.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import sys
import types
from pathlib import Path
from urllib.parse import quote

import pytest
from datasette import hookimpl
from datasette.plugins import pm
from datasette.utils import escape_fts

import ui_archive
from archiver.serve.app import make_datasette
from archiver.serve import record_slug

BIG_TABLES = ("articles", "captures")
#: Datasette's index and database pages count every table, each count capped at 5-10 ms by
#: Datasette itself (``Database.table_counts``), and written ``select count(*) from [table]``.
TIME_CAPPED_COUNT = re.compile(r"^select count\(\*\) from \[\w+\]$")


def page_paths(ids: dict) -> list[str]:
    """Every route of the archive's pages, with every filter the search page combines."""
    article, capture = ids["article"], ids["article_capture"]
    url = quote(capture.url, safe=":/")
    searches = [
        "",
        "?q=border",
        "?q=border&sort=newest",
        "?q=border&sort=oldest",
        "?q=the&outlet=demo&sort=newest",
        "?q=the&outlet=demo",
        "?q=border&author=Ana+Ivanova",
        "?q=border&since=2026-01-01&until=2026-12-31&section=Politics&language=en",
        "?author=Ana+Ivanova",
        "?author=Ana+Ivanova&sort=oldest&outlet=demo",
        "?outlet=demo",
        "?outlet=demo&sort=oldest",
        "?section=Politics",
        "?language=en",
        "?month=2026-11",
        "?since=2025-01-01&until=2026-11-28&section=Politics",
        "?since=2025-01-01",
        "?outlet=demo&section=Tests&page=2",
    ]
    return [
        "/",
        "/archive",
        "/archive/articles",
        "/archive/articles.json",
        "/archive/captures",
        "/archive/captures.json",
        "/archive/article_versions",
        f"/archive/articles/{article}",
        f"/archive/captures/{quote(capture.record_id, safe='')}",
        "/archive/latest_articles",
        "/archive/search?q=border",
        "/archive/search?q=the",
        "/archive/articles_per_outlet_per_day",
        *(f"/-/search{s}" for s in searches),
        "/-/outlets",
        "/-/outlet/demo",
        f"/-/capture/{record_slug(capture.record_id)}",
        f"/-/capture/{record_slug(capture.record_id)}/raw",
        f"/timemap/{url}",
        f"/timegate/{url}",
        f"/20261120000000/{url}",
    ]


@pytest.fixture(scope="module")
def traced(tmp_path_factory) -> tuple[Path, list[str], dict[str, int]]:
    """(database, statements run, status per path) after requesting every page once."""
    out = tmp_path_factory.mktemp("plans")
    ids = ui_archive.build(out)
    statements: list[str] = []
    recorder = types.ModuleType("record_sql")

    @hookimpl
    def prepare_connection(conn):
        conn.set_trace_callback(statements.append)

    recorder.prepare_connection = prepare_connection  # type: ignore[attr-defined]
    pm.register(recorder, name="record_sql")
    try:
        ds = make_datasette(out)

        async def run() -> dict[str, int]:
            return {path: (await ds.client.get(path)).status_code for path in page_paths(ids)}

        statuses = asyncio.run(run())
    finally:
        pm.unregister(name="record_sql")
    return out / "archive.db", statements, statuses


def aliases(sql: str) -> dict[str, str]:
    """Name in a plan -> big table it stands for (``articles a`` makes ``a`` mean articles)."""
    found = {t: t for t in BIG_TABLES}
    for table in BIG_TABLES:
        for alias in re.findall(rf"\b{table}\s+(?:as\s+)?(\w+)", sql, flags=re.I):
            if alias.lower() not in {
                "where",
                "on",
                "join",
                "order",
                "group",
                "limit",
                "left",
                "inner",
                "using",
            }:
                found[alias] = table
    return found


def plan(conn: sqlite3.Connection, sql: str) -> list[str]:
    return [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]


def full_scans(sql: str, steps: list[str]) -> list[str]:
    """The plan steps that read a whole big table (or a whole index of one, without stopping early)."""
    names = aliases(sql)
    stops_early = bool(re.search(r"\blimit\s+\d", sql, re.I)) and not any(
        "USE TEMP B-TREE FOR ORDER BY" in s or "GROUP BY" in s for s in steps
    )
    bad = []
    words = bool(re.search(r"\bmatch\b", sql, re.I))
    for step in steps:
        if words and re.match(r"SEARCH (\w+) USING (?:COVERING )?INDEX", step):
            # with words, the FTS5 matches (bounded) drive: a big table is read by rowid only,
            # never walked by an index of one of its filters (a whole outlet)
            if step.split()[1] in names:
                bad.append(step)
            continue
        m = re.match(r"SCAN (\w+)( USING (?:COVERING )?INDEX \w+)?", step)
        if not m or m.group(1) not in names:
            continue
        if m.group(2) is None or not stops_early:
            bad.append(step)
    return bad


def test_every_page_answers(traced):
    _db, statements, statuses = traced
    assert statuses and {p: s for p, s in statuses.items() if s not in (200, 302)} == {}  # 302: Memento
    assert len(statements) > 40


def test_no_statement_of_any_page_scans_a_big_table(traced):
    db, statements, _statuses = traced
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.create_function("escape_fts", 1, escape_fts)
    checked, problems = 0, []
    for sql in dict.fromkeys(s.strip() for s in statements):
        lowered = sql.lower()
        if not lowered.startswith(("select", "with")) or not re.search(r"\b(articles|captures)\b", lowered):
            continue
        if TIME_CAPPED_COUNT.match(sql):
            continue
        checked += 1
        steps = plan(conn, sql)
        bad = full_scans(sql, steps)
        if bad:
            problems.append(f"{sql}\n    plan: {steps}\n    scans: {bad}")
    conn.close()
    assert checked > 25  # the search, outlet, article, snapshot, memento and table pages' statements
    assert not problems, "\n\n".join(problems)


def test_the_check_catches_a_full_scan():
    """The rule itself: a count, a whole-table GROUP BY or an unindexed filter fails it."""
    conn = sqlite3.connect(":memory:")
    conn.execute("create table articles (id text primary key, outlet text, published text, text text)")
    conn.execute("create index idx_published on articles (published)")
    for sql in (
        "select count(*) from articles",
        "select outlet, count(*) from articles group by outlet",
        "select * from articles a where a.text like '%x%' limit 20",
        "select published from articles order by published desc",  # walks the index, no limit
        "select a.id from articles a where a.published = 'x' and a.text match 'y'",  # words, an index walk
    ):
        assert full_scans(sql, plan(conn, sql)), sql
    fine = "select * from articles a order by a.published desc limit 20"
    assert full_scans(fine, plan(conn, fine)) == []


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
