"""Re-crawls: a second crawl of an unchanged outlet stores no byte twice, and still finds every page.

The session fixture ``demo_recrawl`` crawls a private demo server twice into
one folder, with one article edited in between. The second crawl must ask
conditionally (the server's own request log shows the headers), archive each
304 as a ``revisit`` that points at the first crawl's response, fetch the edited
page in full, and still follow the links of pages it did not download again.
The revisit decision for a byte-identical 200 is checked on a session directly.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from archiver.demo import face
from archiver.outlets import load_outlet
from archiver.crawl.conditional import NOT_MODIFIED_PROFILE
from archiver.crawl.session import ArchiveSession
from archiver.warc.writer import REVISIT_PROFILE
from archiver.warc.exchange import HttpExchange
from support import run_archiver


def rows(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def crawl_ids(out: Path) -> tuple[str, str]:
    first, second = (r[0] for r in rows(out / "archive.db", "select id from crawls order by started_at"))
    return first, second


def warc_records(out: Path):
    for path in sorted((out / "warcs").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                yield record


def test_second_crawl_sends_validators_the_first_did_not(demo_recrawl):
    first, second = demo_recrawl["first"], demo_recrawl["second"]
    assert not any(h.get("If-None-Match") or h.get("If-Modified-Since") for _, _, h in first)
    pages = [(path, h) for _, path, h in second if path != "/robots.txt"]
    conditional = [path for path, h in pages if h.get("If-None-Match") and h.get("If-Modified-Since")]
    # every page held with a 200 is asked about conditionally; only the 301 (no validators kept) is not
    assert len(conditional) >= len(pages) - 1 > 100
    etag = dict((p, h.get("If-None-Match")) for p, h in pages)[demo_recrawl["edited"].path]
    assert etag.startswith('"') and etag.endswith('"')


def test_archived_requests_show_the_conditional_headers(demo_recrawl):
    out = demo_recrawl["out"]
    _, second = crawl_ids(out)
    request_ids = {
        r[0]
        for r in rows(
            out / "archive.db",
            "select request_record_id from captures where crawl_id = ? and status = 304",
            (second,),
        )
    }
    seen = 0
    for record in warc_records(out):
        if record.rec_type == "request" and record.rec_headers.get_header("WARC-Record-ID") in request_ids:
            assert record.http_headers.get_header("If-None-Match"), "the archived request lacks If-None-Match"
            seen += 1
    assert seen == len(request_ids) > 100


def test_unchanged_pages_become_revisits_of_the_first_crawl(demo_recrawl):
    out = demo_recrawl["out"]
    db = out / "archive.db"
    first, second = crawl_ids(out)
    kinds = dict(
        ((t, s), n)
        for t, s, n in rows(
            db,
            "select record_type, status, count(*) from captures where crawl_id = ? group by 1, 2",
            (second,),
        )
    )
    pages = rows(db, "select count(*) from captures where crawl_id = ? and status = 200", (first,))[0][0]
    # all pages but the edited one answered 304 and were archived as revisits
    assert kinds[("revisit", 304)] == pages - 1
    assert kinds[("response", 200)] == 1
    # the rest: redirects (empty payloads are written out) and error pages whose bytes did not change
    assert {k for k in kinds if k not in {("revisit", 304), ("response", 200)}} <= {
        ("response", 301),
        ("revisit", 404),
    }
    # each revisit refers to the first crawl's response of the same URL, with its payload digest
    # (a page requisite may refer to another URL with the same payload: a revisit by digest)
    bad = rows(
        db,
        """
        select r.url from captures r left join captures o on o.record_id = r.refers_to
        where r.record_type = 'revisit' and (o.record_type != 'response'
              or (o.url != r.url and r.url not in (select url from requisites))
              or o.crawl_id != ? or o.payload_sha256 != r.payload_sha256
              or o.status != (case r.status when 304 then 200 else r.status end))""",
        (first,),
    )
    assert bad == []


def test_revisit_records_carry_the_standard_headers(demo_recrawl):
    out = demo_recrawl["out"]
    originals = {}
    revisits = []
    for record in warc_records(out):
        headers = record.rec_headers
        if record.rec_type == "response":
            originals[headers.get_header("WARC-Record-ID")] = (
                headers.get_header("WARC-Target-URI"),
                headers.get_header("WARC-Date"),
                headers.get_header("WARC-Payload-Digest"),
            )
        elif record.rec_type == "revisit":
            revisits.append((headers, record.http_headers.get_statuscode()))
    assert revisits
    for headers, status in revisits:
        profile = NOT_MODIFIED_PROFILE if status == "304" else REVISIT_PROFILE
        assert headers.get_header("WARC-Profile") == profile
        uri, date, digest = originals[headers.get_header("WARC-Refers-To")]
        assert headers.get_header("WARC-Refers-To-Target-URI") == uri
        icons = {face.FAVICON_PATH, face.TOUCH_ICON_PATH}  # the demo's one payload under two URLs
        if not {urlsplit(uri).path, urlsplit(headers.get_header("WARC-Target-URI")).path} <= icons:
            assert uri == headers.get_header("WARC-Target-URI")
        assert headers.get_header("WARC-Refers-To-Date") == date
        assert headers.get_header("WARC-Payload-Digest") == digest


def test_second_crawl_follows_the_links_of_unchanged_pages(demo_recrawl):
    first = sorted(path for _, path, _ in demo_recrawl["first"])
    second = sorted(path for _, path, _ in demo_recrawl["second"])
    assert second == first  # the same pages, found through pages that were not downloaded again


def test_second_crawl_writes_far_fewer_bytes(demo_recrawl):
    out = demo_recrawl["out"]
    sizes = [p.stat().st_size for p in sorted((out / "warcs").glob("*.warc.gz"))]
    assert len(sizes) == 2
    assert sizes[1] < sizes[0] / 2, sizes


def test_crawls_report_new_versions_and_revisits(demo_recrawl):
    first, second = (
        dict(line.strip().split(": ", 1) for line in proc.stdout.splitlines() if ": " in line)
        for proc in demo_recrawl["procs"]
    )
    articles = len(demo_recrawl["server"].site.articles)
    # A first crawl: every article is new, none is a new version of anything; one revisit:
    # the favicon and the CDN's touch icon are the same bytes (page requisites, revisits by digest).
    assert (first["new articles"], first["new versions"], first["unchanged"]) == (str(articles), "0", "0")
    assert first["revisits"] == "1"
    # The re-crawl: one article edited in between, the rest unchanged.
    assert (second["new articles"], second["new versions"], second["unchanged"]) == (
        "0",
        "1",
        str(articles - 1),
    )
    assert int(second["revisits"]) > 100
    for proc in demo_recrawl["procs"]:  # quiet by default: no Scrapy stats dump (-v shows it)
        assert "Dumping Scrapy stats" not in proc.stderr and "[scrapy" not in proc.stderr


def test_warcio_check_accepts_both_crawls(demo_recrawl):
    paths = [str(p) for p in sorted((demo_recrawl["out"] / "warcs").glob("*.warc.gz"))]
    proc = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", *paths], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "revisit" in proc.stdout


def test_reindex_of_two_crawls_equals_the_database(demo_recrawl, tmp_path):
    out = demo_recrawl["out"]
    other = tmp_path / "rebuilt.db"
    for _ in range(2):  # the second run over the same WARCs changes nothing
        proc = run_archiver("reindex", str(out / "warcs"), "--db", str(other))
        assert proc.returncode == 0, proc.stderr
        for table in ("captures", "articles", "article_versions"):
            assert rows(other, f"select * from {table} order by 1") == rows(
                out / "archive.db", f"select * from {table} order by 1"
            ), f"{table} differ after reindex"


# -- the revisit decision, on a session directly ---------------------------------------------

REQUEST = b"GET /a/ HTTP/1.1\r\nHost: example.test\r\n\r\n"


def response(body: bytes, status: str = "200 OK") -> bytes:
    return (
        f'HTTP/1.1 {status}\r\nContent-Type: text/html\r\nETag: "x1"\r\nContent-Length: {len(body)}\r\n\r\n'
    ).encode() + body


def test_identical_payload_is_a_revisit_and_a_changed_one_is_not(tmp_path):
    session = ArchiveSession(tmp_path, load_outlet("demo"))
    clock = iter(dt.datetime(2026, 1, 2, 3, 4, n, tzinfo=dt.timezone.utc) for n in range(60))
    record = lambda raw: session.record_exchange(
        HttpExchange(
            url="http://example.test/a/",
            request_bytes=REQUEST,  # noqa: E731
            response_bytes=raw,
            fetched_at=next(clock),
        )
    )
    try:
        original = record(response(b"<p>same</p>"))
        again = record(response(b"<p>same</p>"))
        changed = record(response(b"<p>other</p>"))
        back = record(response(b"<p>same</p>"))
        missing = record(response(b"", "404 Not Found"))
        missing_again = record(response(b"", "404 Not Found"))
    finally:
        session.close()
    assert original.record_type == "response"
    assert again.record_type == "revisit" and again.refers_to == original.record_id
    assert again.payload_sha256 == original.payload_sha256 and again.status == 200
    assert changed.record_type == "response"  # compared with the latest capture, not any earlier one
    assert back.record_type == "response"
    assert missing.record_type == missing_again.record_type == "response"  # empty payloads are written out
    (path,) = (tmp_path / "warcs").glob("*.warc.gz")
    with path.open("rb") as stream:
        revisit = next(r for r in ArchiveIterator(stream) if r.rec_type == "revisit")
        assert revisit.rec_headers.get_header("WARC-Profile") == REVISIT_PROFILE
        assert revisit.content_stream().read() == b""  # the body is not stored twice


def test_a_304_for_a_page_not_held_is_archived_in_full(tmp_path):
    session = ArchiveSession(tmp_path, load_outlet("demo"))
    try:
        capture = session.record_exchange(
            HttpExchange(
                url="http://example.test/never/",
                request_bytes=REQUEST,
                response_bytes=b"HTTP/1.1 304 Not Modified\r\n\r\n",
                fetched_at=dt.datetime.now(dt.timezone.utc),
            )
        )
    finally:
        session.close()
    assert capture.record_type == "response" and capture.status == 304


# -- the middleware alone: validators, the off switch, a 304 replayed -----------------------------


def held_session(tmp_path: Path) -> ArchiveSession:
    """A session holding one gzip-encoded page with an ETag and a Last-Modified."""
    import gzip

    session = ArchiveSession(tmp_path, load_outlet("demo"))
    body = gzip.compress(b'<html><body><a href="/next/">next</a></body></html>', mtime=0)
    session.record_exchange(
        HttpExchange(
            url="http://example.test/a/",
            request_bytes=REQUEST,
            fetched_at=dt.datetime.now(dt.timezone.utc),
            response_bytes=(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\n"
                b'ETag: "v1"\r\nLast-Modified: Tue, 01 Jul 2025 10:00:00 GMT\r\n'
                b"Content-Length: %d\r\n\r\n" % len(body)
            )
            + body,
        )
    )
    return session


def middleware(session: ArchiveSession, **settings):
    from scrapy.utils.test import get_crawler

    from archiver.downloadermiddlewares.conditional import ConditionalRequestMiddleware

    from archiver.extensions.archive import ArchiveExtension

    class HeldArchive(ArchiveExtension):
        def open_session(self, crawler):
            return session

    crawler = get_crawler(settings_dict={"EXTENSIONS": {HeldArchive: -1}, **settings})
    return ConditionalRequestMiddleware.from_crawler(crawler), crawler


def test_middleware_adds_validators_and_replays_a_304(tmp_path):
    from scrapy import Request
    from scrapy.http import Response

    session = held_session(tmp_path)
    try:
        mw, crawler = middleware(session)
        request = Request("http://example.test/a/")
        mw.process_request(request)
        assert request.headers[b"If-None-Match"] == b'"v1"'
        assert request.headers[b"If-Modified-Since"] == b"Tue, 01 Jul 2025 10:00:00 GMT"
        unheld = Request("http://example.test/other/")
        mw.process_request(unheld)
        assert b"If-None-Match" not in unheld.headers
        # a redirect to another URL must not carry the first URL's validators
        moved = request.replace(url="http://example.test/b/")
        mw.process_request(moved)
        assert b"If-None-Match" not in moved.headers
        replayed = mw.process_response(request, Response(request.url, status=304, request=request))
    finally:
        session.close()
    assert replayed.status == 200 and "archived" in replayed.flags
    assert replayed.xpath("//a/@href").get() == "/next/"  # decoded, so the spider can follow it
    assert b"Content-Encoding" not in replayed.headers
    assert crawler.stats.get_value("archiver/recrawl/not_modified") == 1


def test_middleware_switched_off_sends_no_validators(tmp_path):
    from scrapy import Request

    session = held_session(tmp_path)
    try:
        mw, _ = middleware(session, ARCHIVER_CONDITIONAL_ENABLED=False)
        request = Request("http://example.test/a/")
        mw.process_request(request)
        opted_out = Request("http://example.test/a/", meta={"archiver_conditional": False})
        middleware(session)[0].process_request(opted_out)
    finally:
        session.close()
    assert b"If-None-Match" not in request.headers and b"If-None-Match" not in opted_out.headers


def test_resume_of_a_recrawl_replays_revisited_pages_instead_of_fetching_them(demo_recrawl):
    """A re-crawl killed and resumed must not refetch pages it already answered with a revisit."""
    import sqlite3

    from sqlite_utils import Database

    from archiver.crawl.resume import ArchivedPages

    out = demo_recrawl["out"]
    db = Database(sqlite3.connect(out / "archive.db"))
    ((second_crawl,),) = db.execute("select id from crawls order by started_at desc limit 1").fetchall()
    pages = ArchivedPages(db, out / "warcs", second_crawl)
    unchanged = demo_recrawl["server"].site.articles[5]
    page = pages.lookup(unchanged.url)
    assert page is not None, "a revisited page counts as archived"
    ((kind,),) = db.execute(
        "select record_type from captures where record_id = ?", [page.record_id]
    ).fetchall()
    assert kind == "revisit"
    assert page.status == 200
    assert unchanged.paragraphs[0].encode() in page.body()
