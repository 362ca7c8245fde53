"""Article versions: every distinct clean text kept with its capture, in SQLite and in the WARCs.

Built on ``demo_recrawl`` (two crawls of the demo outlet, one article edited
in between): the edited article has two versions and the rest one, each
version has its own conversion record, and ``archiver reclean`` turns a
changed cleaner's output into new versions that a rebuild from the WARCs
reproduces, whatever order the files are read in.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator

from archiver.article import Article
from archiver.clean import extract
from archiver.tools.reclean import RecleanError, reclean
from archiver.tools.reindex import reindex
from archiver.crawl.session import ARTICLE_JSON_TYPE
from archiver.store import Archive, article_id
from archiver.store.schema import migrations
from conftest import EDITED_TEXT
from support import run_archiver
from test_store import make_capture

TABLES = ("captures", "articles", "article_versions")


def rows(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def conversions(out: Path) -> dict[str, tuple[str, dict]]:
    """Article conversion records of the archive: record id -> (WARC-Refers-To, JSON)."""
    found = {}
    for path in sorted((out / "warcs").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if (
                    record.rec_type == "conversion"
                    and record.rec_headers.get_header("Content-Type") == ARTICLE_JSON_TYPE
                ):
                    found[record.rec_headers.get_header("WARC-Record-ID")] = (
                        record.rec_headers.get_header("WARC-Refers-To"),
                        json.loads(record.content_stream().read()),
                    )
    return found


@pytest.fixture(scope="module")
def recleaned(demo_recrawl, tmp_path_factory):
    """A copy of the two-crawl archive recleaned by a 'newer cleaner' that changes some texts."""
    out = tmp_path_factory.mktemp("recleaned") / "archive"
    shutil.copytree(demo_recrawl["out"], out)
    changes = lambda url: hashlib.sha256(url.encode()).hexdigest()[0] in "01234567"  # noqa: E731

    def newer_cleaner(html, url, **kwargs) -> Article:
        article = extract(html, url, **kwargs)
        if changes(url):
            article = dataclasses.replace(
                article, text=article.text + "\n\nCleaned again.", extractor_version="next"
            )
        return article

    urls = [r[0] for r in rows(out / "archive.db", "select url from articles")]
    result = reclean(out, extract=newer_cleaner)
    return out, result, sum(map(changes, urls)), newer_cleaner


def test_edited_article_has_two_versions_and_points_at_the_latest(demo_recrawl):
    out = demo_recrawl["out"]
    db = out / "archive.db"
    ident = article_id(demo_recrawl["edited"].url)
    first, second = (r[0] for r in rows(db, "select id from crawls order by started_at"))
    versions = rows(
        db,
        """select v.version, v.text, v.crawl_id, c.crawl_id, c.record_type, c.status
                           from article_versions v join captures c on c.record_id = v.capture_record_id
                           where v.article_id = ? order by v.version""",
        (ident,),
    )
    assert [v[0] for v in versions] == [1, 2]
    (_, old, crawl1, cap1, *kind1), (_, new, crawl2, cap2, *kind2) = versions
    assert "harbour plan was postponed" in new and "harbour plan" not in old
    assert (crawl1, cap1, kind1) == (first, first, ["response", 200])
    assert (crawl2, cap2, kind2) == (second, second, ["response", 200])
    ((text, current, count),) = rows(
        db, "select text, current_version, versions from articles where id = ?", (ident,)
    )
    assert (text, current, count) == (new, 2, 2)
    assert EDITED_TEXT.split("\n\n")[1] in text


def test_nothing_else_gets_a_version_or_a_row(demo_recrawl):
    db = demo_recrawl["out"] / "archive.db"
    articles = len(demo_recrawl["server"].site.articles)
    assert rows(db, "select count(*), sum(versions), max(current_version) from articles") == [
        (articles, articles + 1, 2)
    ]
    assert rows(db, "select count(*) from article_versions") == [(articles + 1,)]
    assert rows(
        db,
        "select count(*) from articles a join article_versions v "
        "on v.id = a.id || '-v' || a.current_version and v.text_sha256 = a.text_sha256",
    ) == [(articles,)]


def test_each_version_has_its_conversion_record(demo_recrawl):
    out = demo_recrawl["out"]
    records = conversions(out)
    versions = rows(
        out / "archive.db",
        "select conversion_record_id, capture_record_id, version, text_sha256 from article_versions",
    )
    assert len(records) == len(versions)  # unchanged texts wrote no conversion record
    for record_id, capture_id, version, text_sha256 in versions:
        refers_to, doc = records[record_id]
        assert refers_to == capture_id == doc["capture_record_id"]
        assert doc["version"] == version
        assert hashlib.sha256(doc["article"]["text"].encode()).hexdigest() == text_sha256


def test_reclean_with_the_same_cleaner_changes_nothing(demo_recrawl, tmp_path):
    out = tmp_path / "archive"
    shutil.copytree(demo_recrawl["out"], out)
    before = {t: rows(out / "archive.db", f"select * from {t} order by 1") for t in TABLES}
    proc = run_archiver("reclean", str(out), "--outlet", "demo")
    assert proc.returncode == 0, proc.stderr
    articles = len(demo_recrawl["server"].site.articles)
    assert f"{articles} articles checked: 0 new versions, {articles} unchanged" in proc.stdout
    assert not list((out / "warcs").glob("reclean-*"))
    assert {t: rows(out / "archive.db", f"select * from {t} order by 1") for t in TABLES} == before


def test_reclean_writes_new_versions_only_where_the_text_changed(recleaned, demo_recrawl):
    out, result, expected, _ = recleaned
    articles = len(demo_recrawl["server"].site.articles)
    assert 0 < expected < articles
    assert (result.checked, result.changed, result.unchanged, result.errors) == (
        articles,
        expected,
        articles - expected,
        [],
    )
    db = out / "archive.db"
    assert rows(db, "select count(*) from article_versions") == [(articles + 1 + expected,)]
    assert rows(
        db, "select count(*) from articles where text like '%Cleaned again.' and extractor_version = 'next'"
    ) == [(expected,)]
    # each new version refers to the capture its predecessor came from, in a reclean WARC of its own
    (warc,) = result.warc_files
    assert warc.startswith("reclean-")
    new = {k: v for k, v in conversions(out).items() if k not in conversions(demo_recrawl["out"])}
    assert len(new) == expected
    for refers_to, doc in new.values():
        (previous,) = rows(
            db,
            "select capture_record_id from article_versions where article_id = ? and version = ?",
            (article_id(doc["article"]["url"]), doc["version"] - 1),
        )
        assert refers_to == previous[0]


def test_reclean_twice_changes_nothing_the_second_time(recleaned):
    out, _, _, newer_cleaner = recleaned
    before = rows(out / "archive.db", "select * from article_versions order by 1")
    again = reclean(out, extract=newer_cleaner)
    assert again.changed == 0 and again.warc_files == []
    assert rows(out / "archive.db", "select * from article_versions order by 1") == before


def test_recleaned_warcs_pass_warcio_check(recleaned):
    out = recleaned[0]
    paths = [str(p) for p in (out / "warcs").glob("reclean-*.warc.gz")]
    proc = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", *paths], capture_output=True, text=True
    )
    assert proc.returncode == 0 and "digest pass" in proc.stdout, proc.stdout + proc.stderr


def test_reindex_rebuilds_recleaned_versions_in_any_file_order(recleaned, tmp_path):
    out = recleaned[0]
    files = sorted((out / "warcs").glob("*.warc.gz"), key=lambda p: not p.name.startswith("reclean-"))
    assert files[0].name.startswith("reclean-")  # its conversions come before their responses
    result = reindex(files, tmp_path / "rebuilt.db")
    assert result.errors == []
    for table in TABLES:
        assert rows(tmp_path / "rebuilt.db", f"select * from {table} order by 1") == rows(
            out / "archive.db", f"select * from {table} order by 1"
        ), f"{table} differ after reindex"


def test_reclean_of_a_folder_without_archive_is_a_clear_error(tmp_path):
    with pytest.raises(RecleanError, match="no archive database"):
        reclean(tmp_path)
    proc = run_archiver("reclean", str(tmp_path))
    assert proc.returncode != 0 and "no archive database" in proc.stderr


def test_archive_from_before_versions_upgrades_to_version_1(tmp_path):
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="0002_article_versions")
    capture = make_capture(1, url="http://example.test/a/")
    db.table("captures").insert(capture.to_dict())
    db.table("articles").insert(
        {
            "id": article_id(capture.url),
            "url": capture.url,
            "text": "Old text.",
            "text_sha256": Article(capture.url, text="Old text.").text_sha256,
            "authors": '["A. Writer"]',
            "tags": "[]",
            "capture_record_id": capture.record_id,
            "fetched_at": capture.fetched_at,
        }
    )
    db.close()
    with Archive(path) as archive:  # opening applies 0002
        ((version, text, meta),) = archive.db.execute(
            "select version, text, metadata from article_versions"
        ).fetchall()
        assert (version, text, json.loads(meta)["authors"]) == (1, "Old text.", ["A. Writer"])
        assert archive.db.execute("select current_version, versions from articles").fetchall() == [(1, 1)]
        # the same text again is no new version; a changed one is version 2
        same = Article(capture.url, text="Old text.")
        assert archive.next_version(same) is None
        archive.add_article(
            Article(capture.url, text="New text."),
            capture,
            outlet="demo",
            crawl_id=None,
            conversion_record_id=None,
        )
        assert archive.db.execute("select current_version, versions, text from articles").fetchall() == [
            (2, 2, "New text.")
        ]
