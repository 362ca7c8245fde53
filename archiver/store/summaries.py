"""Counters and summary tables kept up to date at write time, so no page counts a whole table.

A page of a million-article archive cannot ``count(*)`` its tables or group them by
outlet, day or author on every request. Triggers on ``articles`` and ``captures`` keep
small tables in step with every write, whoever writes, each adding or subtracting one, so
a write costs the same at any size. :func:`rebuild` recomputes them and
:func:`differences` checks them against a recount. The tables and what reads them:
"The archive in Datasette" in ``docs/architecture.md``.
"""

from __future__ import annotations

import sqlite3
from typing import Any

__all__ = ["SUMMARY_TABLES", "create", "create_triggers", "differences", "drop_triggers", "rebuild"]

#: Summary tables, in the order :func:`rebuild` fills them.
SUMMARY_TABLES = (
    "archive_counts",
    "outlet_counts",
    "article_facets",
    "article_days",
    "capture_days",
    "article_authors",
)

_TABLES = """
CREATE TABLE IF NOT EXISTS archive_counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outlet_counts (
    outlet TEXT PRIMARY KEY, articles INTEGER NOT NULL DEFAULT 0, captures INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS article_facets (
    facet TEXT NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (facet, value)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS article_facets_by_count ON article_facets (facet, n);
CREATE TABLE IF NOT EXISTS article_days (
    outlet TEXT NOT NULL, day TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (outlet, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS capture_days (
    outlet TEXT NOT NULL, day TEXT NOT NULL, status INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (outlet, day, status)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS article_authors (
    author TEXT NOT NULL, published TEXT NOT NULL, article INTEGER NOT NULL,
    PRIMARY KEY (author, published, article)
) WITHOUT ROWID;
"""

# Keys never NULL (a WITHOUT ROWID primary key cannot hold one): a missing outlet is ''.
_ARTICLE_DAY = "substr(coalesce({r}.published, {r}.fetched_at, ''), 1, 10)"
_AUTHOR_ITEMS = (
    "json_each(CASE WHEN json_valid({r}.authors) AND json_type({r}.authors) = 'array' "
    "THEN {r}.authors ELSE '[]' END)"
)
_AUTHORS = "(SELECT DISTINCT value FROM " + _AUTHOR_ITEMS + " WHERE type = 'text' AND value != '')"
#: articles joined to their authors (``j.value``), for recounts
_ARTICLE_AUTHORS = "articles a, " + _AUTHOR_ITEMS.format(r="a") + " j WHERE j.type = 'text' AND j.value != ''"


def _article_steps(r: str, sign: str) -> str:
    """Trigger statements adding (``sign='+'``) or removing (``'-'``) article row ``r`` (new/old)."""
    day = _ARTICLE_DAY.format(r=r)
    authors = _AUTHORS.format(r=r)
    facets = [
        ("outlet", f"{r}.outlet"),
        ("section", f"{r}.section"),
        ("language", f"{r}.language"),
        ("month", f"substr({r}.published, 1, 7)"),
    ]
    steps = [
        (
            f"INSERT INTO archive_counts (name, n) VALUES ('articles', {sign}1) "
            f"ON CONFLICT (name) DO UPDATE SET n = n {sign} 1;"
        ),
        (
            f"INSERT INTO outlet_counts (outlet, articles) VALUES (coalesce({r}.outlet, ''), {sign}1) "
            f"ON CONFLICT (outlet) DO UPDATE SET articles = articles {sign} 1;"
        ),
        (
            f"INSERT INTO article_days (outlet, day, n) VALUES (coalesce({r}.outlet, ''), {day}, {sign}1) "
            f"ON CONFLICT (outlet, day) DO UPDATE SET n = n {sign} 1;"
        ),
    ]
    for facet, expr in facets:
        steps.append(
            f"INSERT INTO article_facets (facet, value, n) SELECT '{facet}', {expr}, {sign}1 "
            f"WHERE coalesce({expr}, '') != '' ON CONFLICT (facet, value) DO UPDATE SET n = n {sign} 1;"
        )
    steps.append(
        f"INSERT INTO article_facets (facet, value, n) SELECT 'author', value, {sign}1 FROM {authors} "
        f"WHERE true ON CONFLICT (facet, value) DO UPDATE SET n = n {sign} 1;"
    )
    if sign == "+":
        steps.append(
            f"INSERT OR IGNORE INTO article_authors (author, published, article) "
            f"SELECT value, coalesce({r}.published, ''), {r}.rowid FROM {authors} WHERE true;"
        )
    else:
        steps.append(
            f"DELETE FROM article_authors WHERE article = {r}.rowid AND published = coalesce({r}.published, '') "
            f"AND author IN {authors};"
        )
    return "\n    ".join(steps)


def _capture_steps(r: str, sign: str) -> str:
    return "\n    ".join(
        [
            (
                f"INSERT INTO archive_counts (name, n) VALUES ('captures', {sign}1) "
                f"ON CONFLICT (name) DO UPDATE SET n = n {sign} 1;"
            ),
            (
                f"INSERT INTO outlet_counts (outlet, captures) VALUES (coalesce({r}.outlet, ''), {sign}1) "
                f"ON CONFLICT (outlet) DO UPDATE SET captures = captures {sign} 1;"
            ),
            (
                f"INSERT INTO capture_days (outlet, day, status, n) VALUES (coalesce({r}.outlet, ''), "
                f"substr({r}.fetched_at, 1, 10), coalesce({r}.status, 0), {sign}1) "
                f"ON CONFLICT (outlet, day, status) DO UPDATE SET n = n {sign} 1;"
            ),
        ]
    )


_ARTICLE_KEYS = ("outlet", "published", "fetched_at", "section", "language", "authors")
_CAPTURE_KEYS = ("outlet", "fetched_at", "status")


def _changed(keys: tuple[str, ...]) -> str:
    return " OR ".join(f"old.{k} IS NOT new.{k}" for k in keys)


def _triggers() -> dict[str, str]:
    """Trigger name -> CREATE TRIGGER statement."""
    return {
        "articles_summary_ai": f"CREATE TRIGGER articles_summary_ai AFTER INSERT ON articles BEGIN\n    "
        f"{_article_steps('new', '+')}\nEND",
        "articles_summary_ad": f"CREATE TRIGGER articles_summary_ad AFTER DELETE ON articles BEGIN\n    "
        f"{_article_steps('old', '-')}\nEND",
        "articles_summary_au": f"CREATE TRIGGER articles_summary_au AFTER UPDATE ON articles "
        f"WHEN {_changed(_ARTICLE_KEYS)} BEGIN\n    "
        f"{_article_steps('old', '-')}\n    {_article_steps('new', '+')}\nEND",
        "captures_summary_ai": f"CREATE TRIGGER captures_summary_ai AFTER INSERT ON captures BEGIN\n    "
        f"{_capture_steps('new', '+')}\nEND",
        "captures_summary_ad": f"CREATE TRIGGER captures_summary_ad AFTER DELETE ON captures BEGIN\n    "
        f"{_capture_steps('old', '-')}\nEND",
        "captures_summary_au": f"CREATE TRIGGER captures_summary_au AFTER UPDATE ON captures "
        f"WHEN {_changed(_CAPTURE_KEYS)} BEGIN\n    "
        f"{_capture_steps('old', '-')}\n    {_capture_steps('new', '+')}\nEND",
    }


def create_triggers(conn: Any) -> None:
    """Create the triggers that keep the summary tables in step (``conn``: sqlite3 or sqlite-utils)."""
    for sql in _triggers().values():
        conn.execute(sql)


def drop_triggers(conn: Any) -> None:
    """Drop the summary triggers (a bulk load drops them, then calls :func:`rebuild` once)."""
    for name in _triggers():
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")


def create(conn: Any) -> None:
    """Create the summary tables and their triggers, filled from the rows already there."""
    for statement in _TABLES.strip().split(";"):
        if statement.strip():
            conn.execute(statement)
    rebuild(conn)
    create_triggers(conn)


#: table -> SQL recomputing its rows from ``articles`` and ``captures``.
_RECOUNT: dict[str, str] = {
    "archive_counts": (
        "SELECT 'articles' AS name, (SELECT count(*) FROM articles) AS n "
        "UNION ALL SELECT 'captures', (SELECT count(*) FROM captures)"
    ),
    "outlet_counts": (
        "SELECT outlet, sum(a) AS articles, sum(c) AS captures FROM ("
        "SELECT coalesce(outlet, '') AS outlet, count(*) AS a, 0 AS c FROM articles GROUP BY 1 "
        "UNION ALL SELECT coalesce(outlet, ''), 0, count(*) FROM captures GROUP BY 1) GROUP BY outlet"
    ),
    "article_facets": " UNION ALL ".join(
        [
            f"SELECT '{facet}' AS facet, {expr} AS value, count(*) AS n FROM articles "
            f"WHERE coalesce({expr}, '') != '' GROUP BY 2"
            for facet, expr in [
                ("outlet", "outlet"),
                ("section", "section"),
                ("language", "language"),
                ("month", "substr(published, 1, 7)"),
            ]
        ]
        + [f"SELECT 'author', j.value, count(DISTINCT a.rowid) FROM {_ARTICLE_AUTHORS} GROUP BY 2"]
    ),
    "article_days": (
        f"SELECT coalesce(outlet, '') AS outlet, {_ARTICLE_DAY.format(r='articles')} AS day, count(*) AS n "
        "FROM articles GROUP BY 1, 2"
    ),
    "capture_days": (
        "SELECT coalesce(outlet, '') AS outlet, substr(fetched_at, 1, 10) AS day, "
        "coalesce(status, 0) AS status, count(*) AS n FROM captures GROUP BY 1, 2, 3"
    ),
    "article_authors": (
        "SELECT DISTINCT j.value AS author, coalesce(a.published, '') AS published, a.rowid AS article "
        f"FROM {_ARTICLE_AUTHORS}"
    ),
}


def rebuild(conn: Any) -> None:
    """Recompute every summary table from ``articles`` and ``captures`` (one pass over each)."""
    for table in SUMMARY_TABLES:
        conn.execute(f"DELETE FROM {table}")
        conn.execute(f"INSERT OR IGNORE INTO {table} {_RECOUNT[table]}")


def differences(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows that differ between each summary table and a recount (``{}`` when all agree).

    Zero counts left behind by deletes are not differences. Reads every row:
    for tests and ``archiver db stats --check``, not for pages.
    """
    out: dict[str, int] = {}
    for table in SUMMARY_TABLES:
        nonzero = {
            "outlet_counts": " WHERE articles != 0 OR captures != 0",
            "article_authors": "",
        }.get(table, " WHERE n != 0")
        stored = f"SELECT * FROM {table}{nonzero}"
        recount = f"SELECT * FROM ({_RECOUNT[table]}){nonzero}"
        n = conn.execute(
            f"SELECT (SELECT count(*) FROM ({stored} EXCEPT {recount})) "
            f"+ (SELECT count(*) FROM ({recount} EXCEPT {stored}))"
        ).fetchone()[0]
        if n:
            out[table] = n
    return out
