"""Counters and summary tables (migration 0004): right after every kind of write, and after reindex.

The archive pages read these instead of counting millions of rows, so a
wrong count would be shown to every visitor: each test compares them with a
recount of the tables themselves (:func:`archiver.store.summaries.differences`).
"""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

from archiver.store import Archive
from archiver.store.summaries import differences, rebuild
from support import run_archiver
from test_store import make_article, make_capture


def facets(db: Archive, facet: str) -> dict[str, int]:
    return dict(
        db.db.execute("select value, n from article_facets where facet = ? and n != 0", [facet]).fetchall()
    )


def counts(db: Archive) -> dict[str, int]:
    return dict(db.db.execute("select name, n from archive_counts").fetchall())


def test_counters_follow_inserts_new_versions_walls_and_deletes(tmp_path: Path) -> None:
    with Archive(tmp_path) as archive:
        assert counts(archive) == {} or set(counts(archive).values()) == {0}
        archive.start_crawl(
            crawl_id="crawl-1", outlet="demo", started_at="2026-11-25T10:00:00Z", software="t",
            settings_digest="0", settings={},
        )  # fmt: skip
        first = make_article()
        archive.add_article(
            first, make_capture(1), outlet="demo", crawl_id="crawl-1", conversion_record_id=None
        )
        second = make_article("https://news.example/sport/run")
        second = dataclasses.replace(
            second, authors=["Olga K"], section="Sport", published="2026-10-01T08:00:00Z"
        )
        archive.add_article(second, make_capture(2, url=second.url), outlet="other", crawl_id="crawl-1",
                            conversion_record_id=None)  # fmt: skip
        assert counts(archive) == {"articles": 2, "captures": 2}
        assert facets(archive, "author") == {"Anna Ivanova": 1, "Piotr Nowak": 1, "Olga K": 1}
        assert facets(archive, "month") == {"2026-11": 1, "2026-10": 1}
        assert differences(archive.db.conn) == {}

        # a new version moves the article to another section, with other authors
        edited = dataclasses.replace(
            first, text=first.text + "\n\nUpdate.", section="Politics", authors=["Olga K"]
        )
        archive.add_article(
            edited, make_capture(3), outlet="demo", crawl_id="crawl-1", conversion_record_id=None
        )
        assert facets(archive, "section") == {"Politics": 1, "Sport": 1}
        assert facets(archive, "author") == {"Olga K": 2}
        assert counts(archive) == {"articles": 2, "captures": 3}
        assert (
            archive.db.execute("select count(*) from article_authors where author = 'Olga K'").fetchone()[0]
            == 2
        )
        assert differences(archive.db.conn) == {}

        # storing the same article again changes nothing
        archive.add_article(
            edited, make_capture(3), outlet="demo", crawl_id="crawl-1", conversion_record_id=None
        )
        assert counts(archive) == {"articles": 2, "captures": 3}

        # a consent wall is a capture, not an article; status changes move the per-day status counts
        wall = dataclasses.replace(make_article("https://news.example/consent"), wall="consent")
        archive.add_article(wall, make_capture(4, url=wall.url), outlet="demo", crawl_id="crawl-1",
                            conversion_record_id=None)  # fmt: skip
        archive.db.execute(
            "update captures set status = 404 where record_id = ?", [make_capture(4).record_id]
        )
        assert counts(archive) == {"articles": 2, "captures": 4}
        assert differences(archive.db.conn) == {}

        # deletes (an archivist removing rows by hand) are counted too
        with archive.db.conn:
            archive.db.execute("delete from article_versions")
            archive.db.execute("delete from articles where outlet = 'other'")
        assert counts(archive)["articles"] == 1 and facets(archive, "author") == {"Olga K": 1}
        assert (
            archive.db.execute("select articles from outlet_counts where outlet = 'other'").fetchone()[0] == 0
        )
        assert differences(archive.db.conn) == {}


def test_malformed_authors_do_not_break_a_write(tmp_path: Path) -> None:
    """``authors`` is JSON written by the store, but a hand-edited row must not make writes fail."""
    with Archive(tmp_path) as archive:
        archive.add_article(
            make_article(), make_capture(1), outlet="demo", crawl_id=None, conversion_record_id=None
        )
        with archive.db.conn:
            archive.db.execute("update articles set authors = 'not json'")
            archive.db.execute("update articles set authors = '{\"a\": 1}'")
        assert facets(archive, "author") == {}
        assert differences(archive.db.conn) == {}


def test_rebuild_recomputes_what_the_triggers_keep(tmp_path: Path) -> None:
    with Archive(tmp_path) as archive:
        archive.add_article(
            make_article(), make_capture(1), outlet="demo", crawl_id=None, conversion_record_id=None
        )
        kept = {
            t: archive.db.execute(f"select * from {t} order by 1, 2").fetchall() for t in ("article_facets",)
        }
        with archive.db.conn:
            archive.db.execute("update article_facets set n = 99")
        assert differences(archive.db.conn) == {
            "article_facets": 2 * len(kept["article_facets"])
        }  # both ways
        with archive.db.conn:
            rebuild(archive.db.conn)
        assert (
            archive.db.execute("select * from article_facets order by 1, 2").fetchall()
            == kept["article_facets"]
        )


def summary_rows(db: Path) -> dict[str, list[tuple]]:
    """Every summary table's rows (article_authors by article id: rowids may differ between builds)."""
    with sqlite3.connect(db) as conn:
        out = {
            t: sorted(conn.execute(f"select * from {t} where {w}").fetchall())
            for t, w in [
                ("archive_counts", "n != 0"),
                ("outlet_counts", "articles != 0 or captures != 0"),
                ("article_facets", "n != 0"),
                ("article_days", "n != 0"),
                ("capture_days", "n != 0"),
            ]
        }
        out["article_authors"] = conn.execute(
            "select aa.author, aa.published, a.id from article_authors aa join articles a on a.rowid = aa.article "
            "order by 1, 2, 3"
        ).fetchall()
        assert differences(conn) == {}
    conn.close()
    return out


def test_a_crawl_and_its_reindex_have_the_same_counters(demo_recrawl, tmp_path: Path) -> None:
    """Two real crawls (one article edited in between), then ``archiver reindex`` of their WARCs."""
    out = demo_recrawl["out"]
    crawled = summary_rows(out / "archive.db")
    assert crawled["archive_counts"] and crawled["article_facets"] and crawled["capture_days"]
    rebuilt = tmp_path / "rebuilt.db"
    for _ in range(2):  # a second reindex of the same WARCs changes nothing
        proc = run_archiver("reindex", str(out / "warcs"), "--db", str(rebuilt))
        assert proc.returncode == 0, proc.stderr
        assert summary_rows(rebuilt) == crawled
