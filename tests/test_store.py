"""The SQLite store: schema, idempotent writes, FTS, migrations, determinism."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from archiver.article import Article
from archiver.capture import Capture
from archiver.store import Archive, StoreError, article_id, normalize_url
from archiver.store.schema import migrations

SEED_TEXT = (
    "Alexander Lukashenko told reporters in Minsk that the border would stay open.\n\n"
    "Officials were running late, and the talks resumed on Tuesday."
)


def make_capture(n: int = 1, url: str = "https://news.example/world/minsk-talks", **kw) -> Capture:
    values = dict(
        record_id=f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>",
        url=url,
        fetched_at=f"2026-11-2{n % 10}T10:00:00Z",
        warc_file="demo-20261125100000-00000.warc.gz",
        offset=1000 * n,
        length=900,
        status=200,
        reason="OK",
        content_type="text/html; charset=utf-8",
        payload_sha256="ab" * 32,
        payload_length=4321,
        request_record_id=f"<urn:uuid:10000000-0000-0000-0000-{n:012d}>",
        crawl_id="crawl-1",
        outlet="demo",
    )
    values.update(kw)
    return Capture(**values)


def make_article(url: str = "https://news.example/world/minsk-talks", text: str = SEED_TEXT) -> Article:
    return Article(
        url=url,
        text=text,
        markdown=text,
        title="Lukashenko keeps the border open",
        authors=["Anna Ivanova", "Piotr Nowak"],
        published="2026-11-24T09:30:00+01:00",
        language="en",
        section="World",
        tags=["Belarus", "Poland"],
        extractor="archiver.clean",
        extractor_version="1",
    )


def fill(archive: Archive) -> None:
    archive.start_crawl(
        crawl_id="crawl-1",
        outlet="demo",
        started_at="2026-11-25T10:00:00Z",
        software="news-archiver/0.1.0",
        settings_digest="sha256:00",
        settings={"DOWNLOAD_DELAY": 0.5, "AUTOTHROTTLE_ENABLED": True},
    )
    capture = make_capture(1)
    archive.add_capture(make_capture(2, url="https://news.example/robots.txt", content_type="text/plain"))
    archive.add_article(make_article(), capture, outlet="demo", crawl_id="crawl-1", conversion_record_id=None)


def rows(db_path: Path, table: str) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


@pytest.fixture
def archive(tmp_path: Path):
    with Archive(tmp_path) as opened:
        yield opened


def test_dir_opens_archive_db_and_db_path_is_used_as_is(tmp_path: Path) -> None:
    with Archive(tmp_path / "out") as a:
        assert a.path == tmp_path / "out" / "archive.db"
    with Archive(tmp_path / "other.db") as b:
        assert b.path == tmp_path / "other.db"
    assert (tmp_path / "out" / "archive.db").is_file() and (tmp_path / "other.db").is_file()


def test_unusable_path_gives_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="writable"):
        Archive(blocker / "sub")
    not_sqlite = tmp_path / "broken.db"
    not_sqlite.write_bytes(b"WARC/1.1\r\n" * 200)
    with pytest.raises(StoreError, match="SQLite database"):
        Archive(not_sqlite)


def test_schema_tables_keys_indexes_and_wal(archive: Archive) -> None:
    db = archive.db
    assert {"crawls", "captures", "articles", "articles_fts"} <= set(db.table_names())
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.table("captures").pks == ["record_id"]
    assert db.table("articles").pks == ["id"]
    assert {"wall", "wall_evidence", "offset", "payload_sha256"} <= set(db.table("captures").columns_dict)
    fks = {(fk.column, fk.other_table, fk.other_column) for fk in db.table("articles").foreign_keys}
    assert ("capture_record_id", "captures", "record_id") in fks
    assert ("crawl_id", "crawls", "id") in fks

    def indexes(table: str) -> dict[tuple[str, ...], bool]:
        return {tuple(i.columns): bool(i.unique) for i in db.table(table).indexes if i.origin == "c"}

    assert indexes("captures") == {
        ("url",): False,
        ("fetched_at",): False,
        ("outlet", "fetched_at", "status"): False,
        ("status",): False,
        ("record_type",): False,
        ("refers_to",): False,  # 0007_browser_capture: a page's DOM and screenshot records
        ("payload_sha256",): False,  # 0008_page_requisites: revisits by digest across URLs
    }  # + 0003_ui_indexes
    assert indexes("articles") == {
        ("url",): True,  # (outlet, published) and (published): dropped by 0010, prefixes of wider ones
        ("outlet", "published", "fetched_at"): False,
        ("section", "published", "outlet", "language", "authors"): False,  # 0011: a section by date
        ("language", "published", "outlet", "section", "authors"): False,  # 0011: a language by date
        ("published", "outlet", "section", "language", "authors"): False,
        ("capture_record_id",): False,
    }  # + 0003, 0005 (the capture view's article), - 0006 (authors: article_authors of 0004 serves them)
    assert db.table("articles").detect_fts() == "articles_fts"
    assert "porter" in db.table("articles_fts").schema


def test_article_id_is_stable_over_url_spelling() -> None:
    a = article_id("HTTPS://News.Example:443/world/minsk?id=7#comments")
    assert a == article_id("https://news.example/world/minsk?id=7")
    assert len(a) == 16 and int(a, 16) >= 0
    assert a != article_id("https://news.example/world/minsk?id=8")  # the query names the page
    assert a != article_id("https://news.example/World/minsk?id=7")  # paths are case-sensitive
    assert normalize_url("http://Example.com") == "http://example.com/"
    assert normalize_url("http://example.com:8080/x") == "http://example.com:8080/x"


def test_same_capture_twice_is_one_row(archive: Archive) -> None:
    archive.add_capture(make_capture(1))
    archive.add_capture(make_capture(1))
    assert archive.db.table("captures").count == 1
    assert archive.has_capture("https://news.example/world/minsk-talks")
    assert not archive.has_capture("https://news.example/world/other")


def test_same_article_twice_changes_nothing(archive: Archive) -> None:
    first = archive.add_article(
        make_article(), make_capture(1), outlet="demo", crawl_id=None, conversion_record_id=None
    )
    before = rows(archive.path, "articles")
    # the same text again, even from a later capture, keeps the first row as it was
    second = archive.add_article(
        make_article(), make_capture(2), outlet="demo", crawl_id=None, conversion_record_id=None
    )
    assert first == second == article_id("https://news.example/world/minsk-talks")
    assert rows(archive.path, "articles") == before
    assert archive.db.table("articles").count == 1
    assert archive.db.table("captures").count == 2  # add_article stores its capture


def test_article_row_values(archive: Archive) -> None:
    ident = archive.add_article(
        make_article(),
        make_capture(1),
        outlet="demo",
        crawl_id="crawl-1",
        conversion_record_id="<urn:uuid:c>",
    )
    row = archive.db.table("articles").get(ident)
    assert json.loads(row["authors"]) == ["Anna Ivanova", "Piotr Nowak"]
    assert json.loads(row["tags"]) == ["Belarus", "Poland"]
    assert row["word_count"] == len(SEED_TEXT.split())
    assert row["text_sha256"] == make_article().text_sha256
    assert row["capture_record_id"] == make_capture(1).record_id
    assert row["fetched_at"] == make_capture(1).fetched_at
    assert row["conversion_record_id"] == "<urn:uuid:c>"
    assert row["outlet"] == "demo" and row["crawl_id"] == "crawl-1"


def test_changed_text_replaces_row_and_search_index(archive: Archive) -> None:
    archive.add_article(
        make_article(), make_capture(1), outlet="demo", crawl_id=None, conversion_record_id=None
    )
    archive.add_article(
        make_article(text="A correction about the harvest in Grodno."),
        make_capture(2),
        outlet="demo",
        crawl_id=None,
        conversion_record_id=None,
    )
    assert archive.db.table("articles").count == 1
    assert [r["id"] for r in archive.db.table("articles").search("Grodno")] != []
    assert list(archive.db.table("articles").search("Minsk")) == []


def test_full_text_search_finds_words_and_stems(archive: Archive) -> None:
    fill(archive)
    found = list(archive.db.table("articles").search("Lukashenko"))
    assert [r["url"] for r in found] == ["https://news.example/world/minsk-talks"]
    assert list(archive.db.table("articles").search("run"))  # porter: "running"
    assert list(archive.db.table("articles").search("Warsaw")) == []


def test_foreign_keys_resolve(archive: Archive) -> None:
    fill(archive)
    assert archive.db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_wall_page_is_noted_on_capture_not_stored_as_article(archive: Archive) -> None:
    """A paywall without teaser text (and any consent/CAPTCHA/denied page) stores no article row."""
    wall = Article(url="https://news.example/paid", wall="paywall", wall_evidence="div.paywall")
    capture = make_capture(3, url="https://news.example/paid")
    assert archive.add_article(wall, capture, outlet="demo", crawl_id=None, conversion_record_id=None) is None
    assert archive.db.table("articles").count == 0
    row = archive.db.table("captures").get(capture.record_id)
    assert (row["wall"], row["wall_evidence"]) == ("paywall", "div.paywall")
    archive.add_capture(capture)  # re-adding the capture keeps the wall note
    assert archive.db.table("captures").get(capture.record_id)["wall"] == "paywall"


def test_paywall_teaser_is_a_partial_article_until_a_full_text_arrives(archive: Archive) -> None:
    url = "https://news.example/paid"
    consent = Article(url=url, text="We use cookies.", wall="consent", wall_evidence="we use cookies")
    assert archive.add_article(consent, make_capture(2, url=url), outlet="demo", crawl_id=None,
                               conversion_record_id=None) is None  # fmt: skip
    assert archive.db.table("articles").count == 0
    teaser = Article(url=url, text="The first lines.", wall="paywall", wall_evidence="HTTP 200; div.paywall")
    ident = archive.add_article(teaser, make_capture(3, url=url), outlet="demo", crawl_id=None,
                                conversion_record_id=None)  # fmt: skip
    row = archive.db.table("articles").get(ident)
    assert (row["wall"], row["wall_evidence"], row["partial"], row["current_version"]) == (
        "paywall",
        "HTTP 200; div.paywall",
        1,
        1,
    )
    assert archive.db.table("captures").get(make_capture(3).record_id)["wall"] == "paywall"
    found = archive.db.execute("select rowid from articles_fts where articles_fts match 'lines'").fetchall()
    assert len(found) == 1
    full = make_article(url)
    archive.add_article(
        full, make_capture(4, url=url), outlet="demo", crawl_id=None, conversion_record_id=None
    )
    row = archive.db.table("articles").get(ident)
    assert (row["wall"], row["wall_evidence"], row["partial"], row["current_version"]) == (None, None, 0, 2)


def test_crawls(archive: Archive) -> None:
    fill(archive)
    archive.start_crawl(  # a resumed crawl keeps its first start
        crawl_id="crawl-1",
        outlet="demo",
        started_at="2026-11-25T11:00:00Z",
        software="x",
        settings_digest="y",
        settings={},
    )
    archive.finish_crawl("crawl-1", finished_at="2026-11-25T10:05:00Z", stats={"b": 2, "a": 1})
    row = archive.db.table("crawls").get("crawl-1")
    assert row["started_at"] == "2026-11-25T10:00:00Z"
    assert row["finished_at"] == "2026-11-25T10:05:00Z"
    assert row["stats"] == '{"a": 1, "b": 2}'
    assert json.loads(row["settings"])["DOWNLOAD_DELAY"] == 0.5
    with pytest.raises(StoreError, match="start_crawl"):
        archive.finish_crawl("nope", finished_at="x", stats={})


def test_captures_for_oldest_first(archive: Archive) -> None:
    url = "https://news.example/world/minsk-talks"
    archive.add_capture(make_capture(5, url=url))
    archive.add_capture(make_capture(2, url=url))
    assert [c.offset for c in archive.captures_for(url)] == [2000, 5000]
    assert archive.latest_capture(url) == make_capture(5, url=url)
    assert archive.latest_capture("https://news.example/none") is None
    assert archive.capture(make_capture(2).record_id) == make_capture(2, url=url)
    assert archive.capture("<urn:uuid:missing>") is None


def test_migrations_idempotent_on_reopen(tmp_path: Path) -> None:
    with Archive(tmp_path) as a:
        fill(a)
        schema = a.db.schema
        applied = [m.name for m in migrations.applied(a.db)]
    with Archive(tmp_path) as b:
        assert b.db.schema == schema
        assert [m.name for m in migrations.applied(b.db)] == applied
        assert applied[:2] == ["0001_initial", "0002_article_versions"]  # later steps may follow
        assert migrations.pending(b.db) == []
        assert b.db.table("articles").count == 1


def test_same_input_gives_identical_rows_in_fresh_databases(tmp_path: Path) -> None:
    for name in ("one.db", "two.db"):
        with Archive(tmp_path / name) as a:
            fill(a)
    for table in ("crawls", "captures", "articles"):
        assert rows(tmp_path / "one.db", table) == rows(tmp_path / "two.db", table)


def test_migrations_are_frozen_and_end_at_todays_columns(archive: Archive) -> None:
    """Each migration writes its columns out; together they give the columns the store writes today."""
    import inspect

    from archiver.store import schema

    for migration in (schema.initial, schema.article_versions):
        source = inspect.getsource(migration)
        assert "_COLUMNS" not in source, f"{migration.__name__} must not read today's column dicts"
    db = archive.db
    assert set(schema.CAPTURE_COLUMNS) <= set(db.table("captures").columns_dict)
    assert set(schema.ARTICLE_COLUMNS) <= set(db.table("articles").columns_dict)
    assert set(schema.VERSION_COLUMNS) == set(db.table("article_versions").columns_dict)
