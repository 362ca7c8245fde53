"""Datasette as `archiver serve` runs it: pages, canned queries, metadata, read-only."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from support import start_test_crawl
from test_store import make_capture

from archiver.article import Article
from archiver.capture import Capture
from archiver.serve.app import ServeError, make_datasette
from archiver.store import Archive, article_id

REPO = Path(__file__).resolve().parent.parent
SEED_URL = "https://demo.example/politics/lukashenko-border"
OTHER_URL = "https://demo.example/sport/minsk-marathon"


def seed(path: Path) -> Path:
    """An archive with two articles of one outlet, written through the store's API."""
    with Archive(path) as archive:
        start_test_crawl(archive, started_at="2026-11-25T10:00:00Z")
        pages = [
            (
                1,
                SEED_URL,
                "Border stays open, says Lukashenko",
                "Politics",
                "Alexander Lukashenko said on Monday that the western border would stay open.",
            ),
            (
                2,
                OTHER_URL,
                "Thousands run the Minsk marathon",
                "Sport",
                "Runners crossed the finish line in Victory Square before noon.",
            ),
        ]
        for n, url, title, section, text in pages:
            capture = Capture(
                record_id=f"<urn:uuid:{n}>",
                url=url,
                fetched_at=f"2026-11-25T10:0{n}:00Z",
                warc_file="demo-20261125100000-00000.warc.gz",
                offset=n * 1000,
                length=800,
                status=200,
                content_type="text/html",
                payload_sha256=f"{n}" * 64,
                crawl_id="c1",
                outlet="demo",
            )
            article = Article(
                url,
                text=text,
                title=title,
                section=section,
                language="en",
                published=f"2026-11-2{n}T08:00:00+01:00",
            )
            archive.add_article(article, capture, outlet="demo", crawl_id="c1", conversion_record_id=None)
        return archive.path


def fetch(db_path: Path, method: str, path: str, **kwargs):
    async def run():
        return await getattr(make_datasette(db_path).client, method)(path, **kwargs)

    return asyncio.run(run())


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return seed(tmp_path)


def test_index_shows_title_license_and_source(db_path: Path) -> None:
    response = fetch(db_path, "get", "/")
    assert response.status_code == 200
    assert "News archive" in response.text
    assert "Apache-2.0" in response.text and "news-archiver" in response.text
    metadata = fetch(db_path, "get", "/-/metadata.json").json()
    assert metadata["license_url"].startswith("https://")
    assert metadata["databases"]["archive"]["tables"]["articles"]["columns"]["text_sha256"]


def test_articles_table_with_facets_and_descriptions(db_path: Path) -> None:
    page = fetch(db_path, "get", "/archive/articles")
    assert page.status_code == 200
    assert "Border stays open, says Lukashenko" in page.text
    assert "clean main text and metadata" in page.text  # the table description
    data = fetch(db_path, "get", "/archive/articles.json?_shape=objects").json()
    assert {r["id"] for r in data["rows"]} == {article_id(SEED_URL), article_id(OTHER_URL)}
    # a big table (metadata: table_page count/suggest_facets false): no full count, no facets by default
    assert data["filtered_table_rows_count"] is None and data["facet_results"] == {}
    assert data["suggested_facets"] == []
    data = fetch(db_path, "get", "/archive/articles.json?_shape=objects&_facet=section").json()
    sections = {v["value"]: v["count"] for v in data["facet_results"]["section"]["results"]}
    assert sections == {"Politics": 1, "Sport": 1}
    assert data["rows"][0]["url"] == OTHER_URL  # sort_desc published: newest first
    found = fetch(db_path, "get", "/archive/articles.json?_search=Lukashenko&_shape=array").json()
    assert [r["url"] for r in found] == [SEED_URL]  # the table's own search box uses the FTS index


def test_table_page_bounds_come_from_the_metadata(db_path: Path) -> None:
    """Only tables whose metadata says so lose their count (the setting is in metadata.yml)."""
    from archiver.serve.app import make_datasette

    crawls = fetch(db_path, "get", "/archive/crawls.json").json()
    assert crawls["filtered_table_rows_count"] == 1  # a small table keeps its count
    captures = fetch(db_path, "get", "/archive/captures.json").json()
    assert captures["filtered_table_rows_count"] is None
    ds = make_datasette(db_path)
    ds._metadata_local["databases"]["archive"]["tables"]["captures"].pop("plugins")
    response = asyncio.run(ds.client.get("/archive/captures.json"))
    assert response.json()["filtered_table_rows_count"] == 2  # two captures seeded


def test_an_immutable_archive_is_not_hashed_byte_by_byte(db_path: Path) -> None:
    """Datasette would read the whole file (minutes for a big archive) to name it on the index page."""
    ds = make_datasette(db_path, immutable=True)
    page = asyncio.run(ds.client.get("/"))
    assert page.status_code == 200
    import hashlib

    assert ds.databases["archive"].cached_hash != hashlib.sha256(db_path.read_bytes()).hexdigest()
    assert len(ds.databases["archive"].cached_hash) == 64


def test_article_row_page(db_path: Path) -> None:
    page = fetch(db_path, "get", f"/archive/articles/{article_id(SEED_URL)}")
    assert page.status_code == 200 and "western border" in page.text


def test_search_query_finds_seeded_article_only(db_path: Path) -> None:
    rows = fetch(db_path, "get", "/archive/search.json?q=Lukashenko&_shape=array").json()
    assert [r["url"] for r in rows] == [SEED_URL]
    assert "[Lukashenko]" in rows[0]["snippet"]
    html = fetch(db_path, "get", "/archive/search?q=Lukashenko")
    assert html.status_code == 200 and SEED_URL in html.text and OTHER_URL not in html.text
    stemmed = fetch(db_path, "get", "/archive/search.json?q=running&_shape=array").json()
    assert [r["url"] for r in stemmed] == [OTHER_URL]  # porter stemming: "running" finds "run"
    # an empty or unbalanced query is not an error page
    for q in ("", "%22unbalanced"):
        response = fetch(db_path, "get", f"/archive/search.json?q={q}&_shape=array")
        assert response.status_code == 200 and response.json() == []


def test_latest_articles_and_per_day(db_path: Path) -> None:
    latest = fetch(db_path, "get", "/archive/latest_articles.json?_shape=array").json()
    assert [r["url"] for r in latest] == [OTHER_URL, SEED_URL]
    per_day = fetch(db_path, "get", "/archive/articles_per_outlet_per_day.json?_shape=array").json()
    assert per_day == [
        {"outlet": "demo", "day": "2026-11-22", "articles": 1},
        {"outlet": "demo", "day": "2026-11-21", "articles": 1},
    ]


def test_any_database_name_gets_the_configuration(tmp_path: Path) -> None:
    other = seed(tmp_path / "other.db")
    rows = fetch(other, "get", "/other/search.json?q=Lukashenko&_shape=array").json()
    assert [r["url"] for r in rows] == [SEED_URL]


def test_archive_folder_serves_its_archive_db(db_path: Path) -> None:
    rows = fetch(db_path.parent, "get", "/archive/search.json?q=Lukashenko&_shape=array").json()
    assert [r["url"] for r in rows] == [SEED_URL]


def test_immutable_unless_being_written(tmp_path: Path) -> None:
    path = seed(tmp_path)
    assert not make_datasette(path).get_database("archive").is_mutable
    with Archive(tmp_path) as archive:  # a running crawl holds the database open
        assert make_datasette(path).get_database("archive").is_mutable
        archive.add_capture(make_capture(9, url="https://demo.example/new"))
        rows = fetch(path, "get", "/archive/captures.json?_shape=array&url=https://demo.example/new").json()
        assert len(rows) == 1  # the server sees what the crawl writes


@pytest.mark.parametrize(
    "method, path, kwargs",
    [
        ("post", "/archive/search", {"data": {"q": "Lukashenko"}}),
        ("post", "/archive/articles/-/insert", {"json": {"row": {"id": "x", "url": "u", "text": ""}}}),
        ("post", "/archive/articles/-/delete", {}),
        ("put", "/archive/articles", {"json": {}}),
        ("delete", f"/archive/articles/{article_id(SEED_URL)}", {}),
    ],
)
def test_write_requests_are_refused(db_path: Path, method: str, path: str, kwargs: dict) -> None:
    response = fetch(db_path, method, path, **kwargs)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"


def test_write_sql_is_refused_and_nothing_changes(db_path: Path) -> None:
    for sql in ("delete from articles", "update articles set title = 'x'", "drop table articles"):
        response = fetch(db_path, "get", "/archive.json", params={"sql": sql})
        assert response.status_code == 400
    with Archive(db_path) as archive:
        assert archive.db.table("articles").count == 2


def test_read_only_plugin_is_loaded(db_path: Path) -> None:
    from datasette.plugins import pm

    plugins = fetch(db_path, "get", "/-/plugins.json").json()
    assert any(p["name"] == "news-archiver" for p in plugins)  # loaded through the entry points
    read_only = pm.get_plugin("archiver_read_only")  # tested by test_write_requests_are_refused
    assert [h.name for h in pm.get_hookcallers(read_only)] == ["asgi_wrapper"]


def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ServeError, match="crawl first"):
        make_datasette(tmp_path / "archive.db")


def test_serve_runs_on_localhost_and_prints_url(db_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code = f"from archiver.serve.app import serve; serve({str(db_path)!r}, port={port})"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line and "immutable" in line
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/archive/search.json?q=Lukashenko&_shape=array", timeout=2
                ) as response:
                    rows = json.load(response)
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        assert [r["url"] for r in rows] == [SEED_URL]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_config_dir_override_and_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archiver.serve import app as serve

    custom = tmp_path / "conf"
    custom.mkdir()
    text = (REPO / "datasette" / "metadata.yml").read_text(encoding="utf-8")
    (custom / "metadata.yml").write_text(text.replace("title: News archive", "title: Belarus desk"))
    monkeypatch.setenv("ARCHIVER_DATASETTE_DIR", str(custom))
    assert serve.config_dir() == custom
    assert serve.load_metadata("archive")["title"] == "Belarus desk"
    monkeypatch.setattr(serve, "config_dir", lambda: None)  # an install without datasette/
    assert serve.load_metadata("archive")["title"] == "News archive"
