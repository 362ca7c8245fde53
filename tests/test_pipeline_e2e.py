"""End to end: a real crawl of the demo outlet into WARC + SQLite, reindex, Datasette.

One crawl (the session fixture ``demo_crawl``) is checked from every side:
the WARCs with warcio, the rows in SQLite, the server's own request log,
a rebuild from the WARCs alone, and a search through Datasette.
"""

from __future__ import annotations

import collections

import asyncio
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archiver.demo.site import FURNITURE_STRINGS
from support import REPO, run_archiver


def warc_paths(out: Path) -> list[Path]:
    paths = sorted((out / "warcs").glob("*.warc.gz"))
    assert paths, "the crawl wrote no WARC file"
    return paths


def records(out: Path):
    for path in warc_paths(out):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                yield path, record


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_warc_files_are_named_and_start_with_warcinfo(demo_crawl):
    out, _, _ = demo_crawl
    for path in warc_paths(out):
        name = path.name
        prefix, stamp, serial = name[: -len(".warc.gz")].rsplit("-", 2)
        assert prefix == "demo" and len(stamp) == 14 and stamp.isdigit() and serial.isdigit()
        with path.open("rb") as stream:
            first = next(iter(ArchiveIterator(stream)))
        assert first.rec_type == "warcinfo"
        assert first.rec_headers.get_header("WARC-Type") == "warcinfo"
        fields = first.content_stream().read().decode()
        assert (
            "news-archiver/" in fields and "outlet: demo" in fields and "settings-digest: sha256:" in fields
        )


def test_warcio_check_accepts_every_file(demo_crawl):
    out, _, _ = demo_crawl
    proc = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", *map(str, warc_paths(out))],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0 and "No module named warcio.cli" in proc.stderr:
        proc = subprocess.run(
            ["warcio", "check", "-v", *map(str, warc_paths(out))], capture_output=True, text=True
        )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "digest pass" in proc.stdout


def test_every_exchange_has_request_and_response_linked(demo_crawl):
    out, _, _ = demo_crawl
    requests, responses = {}, {}
    for _, record in records(out):
        assert record.rec_headers.protocol == "WARC/1.1"
        if record.rec_type == "request":
            requests[record.rec_headers.get_header("WARC-Record-ID")] = record.rec_headers.get_header(
                "WARC-Target-URI"
            )
        elif record.rec_type == "response":
            responses[record.rec_headers.get_header("WARC-Record-ID")] = (
                record.rec_headers.get_header("WARC-Target-URI"),
                record.rec_headers.get_header("WARC-Concurrent-To"),
                record.http_headers.get_statuscode(),
                record.http_headers.protocol,
            )
            assert record.rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
            assert record.rec_headers.get_header("WARC-Block-Digest").startswith("sha1:")
    assert responses
    for uri, concurrent, _, protocol in responses.values():
        assert requests.get(concurrent) == uri, f"response for {uri} not linked to its request"
        assert protocol == "HTTP/1.1"
    uris = {(uri, status) for uri, _, status, _ in responses.values()}
    statuses = {status for _, status in uris}
    assert any(uri.endswith("/robots.txt") for uri, _ in uris), "robots.txt was not archived"
    assert {"200", "301", "404"} <= statuses, f"redirects and errors must be archived too: {statuses}"


def test_bodies_are_archived_as_sent_still_gzip_encoded(demo_crawl):
    out, _, _ = demo_crawl
    encoded = 0
    for _, record in records(out):
        if record.rec_type == "response" and record.http_headers.get_header("Content-Encoding") == "gzip":
            raw = record.raw_stream.read()
            assert raw[:2] == b"\x1f\x8b", "the payload must be stored before decompression"
            encoded += 1
    assert encoded > 10


def test_every_demo_article_stored_exactly_once(demo_crawl, demo_server):
    out, _, _ = demo_crawl
    db = out / "archive.db"
    stored = rows(db, "select url from articles")
    expected = {a.url for a in demo_server.site.articles}
    assert len(stored) == len({u for (u,) in stored}), "an article was stored twice"
    assert {u for (u,) in stored} == expected


def test_no_furniture_reaches_any_stored_text(demo_crawl):
    out, _, _ = demo_crawl
    texts = rows(out / "archive.db", "select url, title, text from articles")
    assert texts
    for url, title, text in texts:
        for furniture in FURNITURE_STRINGS:
            assert furniture not in text, f"{furniture!r} left in {url}"


def test_seed_article_equals_expected_text(demo_crawl, demo_server):
    out, _, _ = demo_crawl
    seed = demo_server.site.seed_article
    ((title, text),) = rows(out / "archive.db", f"select title, text from articles where url = '{seed.url}'")
    expected = (REPO / "tests" / "fixtures" / "seed" / "expected.txt").read_text(encoding="utf-8")
    assert f"{title}\n\n{text}".strip() == expected.strip()


def test_metadata_is_kept(demo_crawl, demo_server):
    out, _, _ = demo_crawl
    article = demo_server.site.articles[3]
    ((authors, published, language, canonical, extractor, version),) = rows(
        out / "archive.db",
        "select authors, published, language, canonical_url, extractor, extractor_version "
        f"from articles where url = '{article.url}'",
    )
    assert json.loads(authors) == article.authors
    assert published == article.published
    assert language and language.lower().startswith("en")
    assert canonical == article.url
    assert extractor == "archiver.clean" and version


def test_robots_disallowed_page_never_fetched(demo_crawl, demo_server):
    out, requests, _ = demo_crawl
    paths = [path for _, path, _ in requests]
    assert "/robots.txt" in paths
    for disallowed in demo_server.site.disallowed_paths:
        assert not any(p.startswith(disallowed) for p in paths), f"{disallowed} was fetched"
    archived = rows(out / "archive.db", "select url from captures")
    assert not any("/private/" in u for (u,) in archived)


def test_user_agent_names_the_project(demo_crawl):
    _, requests, _ = demo_crawl
    agents = {headers.get("User-Agent", "") for _, _, headers in requests}
    assert agents and all("news-archiver/" in ua for ua in agents)


def test_captures_point_at_their_records(demo_crawl):
    """Each row's offset and length are its gzip member; a response's payload hashes to the row's sha256.

    A revisit (the demo's touch icon repeats the favicon's bytes) carries no payload:
    its row names the payload of the response it refers to. Which of the two is the
    revisit depends on which was fetched first, so every row is checked.
    """
    out, _, _ = demo_crawl
    import gzip
    import hashlib

    captures = rows(
        out / "archive.db",
        "select record_id, warc_file, offset, length, payload_sha256, record_type, refers_to from captures "
        "where record_type in ('response', 'revisit')",
    )
    sha_of = {record_id: sha for record_id, _, _, _, sha, _, _ in captures}
    kinds = collections.Counter()
    for _record_id, warc_file, offset, length, payload_sha256, record_type, refers_to in captures:
        with (out / "warcs" / warc_file).open("rb") as f:
            f.seek(offset)
            member = f.read(length)
        record = gzip.decompress(member)
        assert record.startswith(b"WARC/1.1\r\n")
        assert f"WARC-Type: {record_type}\r\n".encode() in record
        head, _, block = record.partition(b"\r\n\r\n")
        _, _, payload = block.partition(b"\r\n\r\n")
        payload = payload.removesuffix(b"\r\n\r\n")
        if record_type == "response":
            assert hashlib.sha256(payload).hexdigest() == payload_sha256
        else:
            assert payload == b"" and sha_of[refers_to] == payload_sha256
        kinds[record_type] += 1
    assert kinds["response"] > 100 and kinds["revisit"] >= 1


def test_reindex_rebuilds_the_same_rows(demo_crawl, tmp_path):
    out, _, _ = demo_crawl
    other = tmp_path / "other.db"
    proc = run_archiver("reindex", str(out / "warcs"), "--db", str(other))
    assert proc.returncode == 0, proc.stderr
    for table in ("captures", "articles"):
        ours = rows(out / "archive.db", f"select * from {table} order by 1")
        rebuilt = rows(other, f"select * from {table} order by 1")
        assert rebuilt == ours, f"{table} differ after reindex"
    # and once more: reindexing the same WARCs changes nothing
    run_archiver("reindex", str(out / "warcs"), "--db", str(other))
    assert rows(other, "select count(*) from articles") == rows(
        out / "archive.db", "select count(*) from articles"
    )


def test_datasette_search_finds_the_seed_article(demo_crawl, demo_server):
    out, _, _ = demo_crawl
    from archiver.serve.app import make_datasette

    async def search():
        ds = make_datasette(out / "archive.db")
        return await ds.client.get("/archive/articles.json?_search=Lukashenko&_shape=array")

    response = asyncio.run(search())
    assert response.status_code == 200
    urls = [row["url"] for row in response.json()]
    assert demo_server.site.seed_article.url in urls


def test_crawl_prints_its_figures(demo_crawl):
    _, _, proc = demo_crawl
    assert "articles stored" in proc.stdout
    assert "WARC bytes" in proc.stdout


# -- bad input: clear messages, non-zero exits ---------------------------------


def test_unknown_outlet_is_a_clear_error(tmp_path):
    proc = run_archiver("crawl", "no-such-outlet", "--out", str(tmp_path / "a"))
    assert proc.returncode != 0
    assert "unknown outlet 'no-such-outlet'" in proc.stderr and "demo" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_outlet_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nhome = "https://p.example/"\narticle_allow = ["[a-"]\n')
    proc = run_archiver("crawl", str(bad), "--out", str(tmp_path / "a"))
    assert proc.returncode != 0
    assert (
        str(bad) in proc.stderr
        and "'article_allow'" in proc.stderr
        and "bad regular expression" in proc.stderr
    )
    assert "Traceback" not in proc.stderr


def test_unwritable_out_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    proc = run_archiver("crawl", "demo", "--out", str(blocker / "archive"))
    assert proc.returncode != 0
    assert "cannot write to output folder" in proc.stderr and str(blocker) in proc.stderr
    assert "Traceback" not in proc.stderr


# -- the other ways in -----------------------------------------------------------


def test_scrapy_crawl_news_works_from_the_project(demo_server, tmp_path):
    out = tmp_path / "scrapy-archive"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy.cmdline",
            "crawl",
            "news",
            "-a",
            "outlet=demo",
            "-a",
            f"home={demo_server.url}",
            "-s",
            f"ARCHIVER_OUT_DIR={out}",
            "-s",
            "CLOSESPIDER_PAGECOUNT=15",
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "AUTOTHROTTLE_START_DELAY=0",
            "-s",
            "ARCHIVER_ALLOW_PRIVATE_ADDRESSES=true",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert list((out / "warcs").glob("demo-*.warc.gz"))
    ((count,),) = rows(out / "archive.db", "select count(*) from articles")
    assert count > 0


def test_demo_command_crawls_and_exits(tmp_path, demo_server):
    out = tmp_path / "demo"
    proc = run_archiver("demo", "--out", str(out), "--no-serve")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "demo outlet served at http://127.0.0.1:" in proc.stdout
    ((count,),) = rows(out / "archive.db", "select count(*) from articles")
    assert count == len(demo_server.site.articles)
