"""Walls in a real crawl: flagged on the capture with their evidence.

A paywall's teaser is kept as what the reader got: an article row marked
``partial`` with the wall and its evidence, searchable, badged on its page,
and replaced by a new version once a later crawl gets the full text.
Consent, CAPTCHA and denied pages store no article row.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import shutil
import sqlite3
import threading

import pytest
from bs4 import BeautifulSoup

from support import LOCAL, run_archiver

ARTICLE_HEAD = """<html lang="en"><head><title>{title}</title>
<meta property="og:type" content="article">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "{title}", "datePublished": "2024-06-01T10:00:00Z", "isAccessibleForFree": {free}}}</script>
</head><body><article><h1>{title}</h1>{body}</article></body></html>"""

FREE_TEXT = "".join(
    f"<p>The harbour council met on Tuesday for the {n}th time this year to discuss the new ferry timetable, "
    "which residents say leaves the island without a service on Sunday evenings.</p>"
    for n in range(1, 9)
)
PAGES = {
    "/": (
        200,
        '<html><body><a href="/2024/06/01/free/">a</a> <a href="/2024/06/01/paywalled/">b</a> '
        '<a href="/2024/06/01/denied/">c</a> <a href="/2024/06/01/captcha/">d</a> '
        '<a href="/2024/06/01/consent/">e</a> <a href="/2024/06/01/empty-teaser/">f</a></body></html>',
    ),
    "/robots.txt": (200, "User-agent: *\nAllow: /\n"),
    "/2024/06/01/free/": (200, ARTICLE_HEAD.format(title="Ferry timetable", free="true", body=FREE_TEXT)),
    "/2024/06/01/paywalled/": (
        200,
        ARTICLE_HEAD.format(
            title="Budget leak",
            free="false",
            body="<p>The first lines of a story about the budget leak.</p><p>Subscribe to continue reading.</p>",
        ),
    ),
    "/2024/06/01/consent/": (
        200,
        "<html><head><title>Before you continue</title></head><body>"
        "<p>We use cookies and data to deliver our services.</p>"
        "<button>Accept all cookies</button></body></html>",
    ),
    "/2024/06/01/empty-teaser/": (
        200,
        ARTICLE_HEAD.format(title="Nothing free", free="false", body=""),
    ),
    "/2024/06/01/denied/": (403, "<html><body><h1>Forbidden</h1><p>Nope.</p></body></html>"),
    "/2024/06/01/captcha/": (
        200,
        "<html><head><title>Just a moment...</title></head><body>"
        "<p>Checking your browser before accessing the site.</p></body></html>",
    ),
}
#: What the paywalled page serves in the second crawl: the whole story (the reader subscribed).
FULL_PAGES = {
    "/2024/06/01/paywalled/": (
        200,
        ARTICLE_HEAD.format(
            title="Budget leak",
            free="true",
            body="".join(
                f"<p>The budget leak, part {n}: the ministry's draft figures reached the newsroom on Monday, "
                "and the finance committee asked for the full spending plan to be published.</p>"
                for n in range(1, 9)
            ),
        ),
    ),
}


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    pages = PAGES

    def do_GET(self) -> None:
        status, body = {**PAGES, **self.pages}.get(self.path, (404, "not found"))
        data = body.encode()
        self.send_response(status)
        self.send_header(
            "Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html; charset=utf-8"
        )
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _crawl(outlet, out):
    args = ["crawl", str(outlet), "--out", str(out)]
    for setting in LOCAL:
        args += ["--set", setting]
    proc = run_archiver(*args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def server():
    _Handler.pages = PAGES
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def walled(server, tmp_path_factory):
    base = server
    tmp = tmp_path_factory.mktemp("walls")
    outlet = tmp / "walled.toml"
    outlet.write_text(f'name = "walled"\nhome = "{base}/"\narticle_allow = [\'^/2024/\']\n')
    proc = _crawl(outlet, tmp / "archive")
    db = sqlite3.connect(tmp / "archive" / "archive.db")
    yield base, tmp / "archive", db, proc
    db.close()


@pytest.fixture(scope="module")
def recrawled(walled, tmp_path_factory):
    """A copy of the archive crawled again, the paywalled page now serving its whole text."""
    base, out, _, _ = walled
    copy = tmp_path_factory.mktemp("walls-again") / "archive"
    shutil.copytree(out, copy)
    _Handler.pages = FULL_PAGES
    try:
        _crawl(out.parent / "walled.toml", copy)
    finally:
        _Handler.pages = PAGES
    db = sqlite3.connect(copy / "archive.db")
    yield base, copy, db
    db.close()


def wall_of(db, url):
    return db.execute("select wall, wall_evidence from captures where url = ?", [url]).fetchone()


def test_the_free_article_and_the_paywall_teaser_are_stored(walled):
    base, _, db, _ = walled
    rows = db.execute("select url, wall, wall_evidence, partial from articles order by url").fetchall()
    assert rows == [
        (f"{base}/2024/06/01/free/", None, None, 0),
        (f"{base}/2024/06/01/paywalled/", "paywall", "HTTP 200; isAccessibleForFree=false", 1),
    ]
    (text,) = db.execute("select text from articles where partial = 1").fetchone()
    assert "first lines of a story about the budget leak" in text


def test_consent_captcha_denied_and_empty_teasers_store_no_row(walled):
    base, _, db, _ = walled
    for path in ("consent", "captcha", "denied", "empty-teaser"):
        url = f"{base}/2024/06/01/{path}/"
        assert db.execute("select count(*) from articles where url = ?", [url]).fetchone() == (0,), path
        assert db.execute("select count(*) from captures where url = ?", [url]).fetchone()[0] >= 1, path
    assert wall_of(db, f"{base}/2024/06/01/empty-teaser/")[0] == "paywall"


def test_the_teaser_is_found_by_full_text_search(walled):
    base, _, db, _ = walled
    found = db.execute(
        "select a.url, a.partial from articles_fts join articles a on a.rowid = articles_fts.rowid "
        "where articles_fts match 'budget'"
    ).fetchall()
    assert found == [(f"{base}/2024/06/01/paywalled/", 1)]


def _get(out, path):
    from archiver.serve.app import make_datasette

    async def run():
        return await make_datasette(out).client.get(path)

    return asyncio.run(run())


def test_search_and_article_pages_badge_the_teaser(walled):
    base, out, db, _ = walled
    (ident,) = db.execute("select id from articles where partial = 1").fetchone()
    search = _get(out, "/-/search?q=budget")
    assert search.status_code == 200
    html = BeautifulSoup(search.text, "html.parser")
    assert [a.get_text() for a in html.select(".archive-result-title")] == ["Budget leak"]
    assert html.select_one(".archive-badge-partial").get_text() == "partial: paywall"
    page = _get(out, f"/archive/articles/{ident}")
    assert page.status_code == 200
    badge = BeautifulSoup(page.text, "html.parser").select_one(".archive-article .archive-badge-partial")
    assert badge is not None and badge.get_text() == "partial: paywall"
    assert "isAccessibleForFree=false" in page.text
    (free,) = db.execute("select id from articles where partial = 0").fetchone()
    assert "archive-badge-partial" not in _get(out, f"/archive/articles/{free}").text


def test_the_full_text_crawled_later_is_version_2_and_clears_partial(recrawled):
    base, _, db = recrawled
    url = f"{base}/2024/06/01/paywalled/"
    row = db.execute(
        "select wall, wall_evidence, partial, current_version, versions, text from articles where url = ?",
        [url],
    ).fetchone()
    assert row[:5] == (None, None, 0, 2, 2)
    assert "finance committee" in row[5]
    versions = db.execute(
        "select v.version, json_extract(v.metadata, '$.wall') from article_versions v "
        "join articles a on a.id = v.article_id where a.url = ? order by v.version",
        [url],
    ).fetchall()
    assert versions == [(1, "paywall"), (2, None)]
    # the first capture stays flagged; the new one is not a wall
    walls = db.execute("select wall from captures where url = ? order by fetched_at", [url]).fetchall()
    assert walls[0] == ("paywall",) and walls[-1] == (None,)


ARTICLE_QUERY = "select * from articles order by id"
VERSION_QUERY = "select * from article_versions order by id"


@pytest.mark.parametrize("which", ["walled", "recrawled"])
def test_reindex_restores_the_same_article_rows(which, request, tmp_path):
    found = request.getfixturevalue(which)
    out, db = found[1], found[2]
    other = tmp_path / "rebuilt.db"
    proc = run_archiver("reindex", str(out / "warcs"), "--db", str(other))
    assert proc.returncode == 0, proc.stderr
    rebuilt = sqlite3.connect(other)
    assert rebuilt.execute(ARTICLE_QUERY).fetchall() == db.execute(ARTICLE_QUERY).fetchall()
    assert rebuilt.execute(VERSION_QUERY).fetchall() == db.execute(VERSION_QUERY).fetchall()


@pytest.mark.parametrize(
    "path, wall, evidence",
    [
        ("/2024/06/01/paywalled/", "paywall", ["HTTP 200", "isAccessibleForFree=false"]),
        ("/2024/06/01/denied/", "denied", ["HTTP 403"]),
        ("/2024/06/01/captcha/", "captcha", ["HTTP 200", "just a moment"]),
        ("/2024/06/01/consent/", "consent", ["HTTP 200", "we use cookies"]),
        ("/2024/06/01/empty-teaser/", "paywall", ["HTTP 200", "isAccessibleForFree=false"]),
    ],
)
def test_walls_are_flagged_on_the_capture_with_evidence(walled, path, wall, evidence):
    base, _, db, _ = walled
    flagged, why = wall_of(db, base + path)
    assert flagged == wall
    for part in evidence:
        assert part.lower() in why.lower()
    assert wall_of(db, f"{base}/2024/06/01/free/") == (None, None)


def test_wall_counts_are_in_the_crawl_stats(walled):
    _, _, db, _ = walled
    ((stats,),) = db.execute("select stats from crawls").fetchall()
    stats = json.loads(stats)
    assert stats["archiver/walls/paywall"] == 2  # the teaser and the empty teaser
    assert stats["archiver/walls/denied"] == stats["archiver/walls/captcha"] == 1
    assert stats["archiver/walls/consent"] == 1
    assert stats["archiver/articles/partial"] == 1


def test_reindex_restores_the_wall_flags(walled, tmp_path):
    base, out, db, _ = walled
    other = tmp_path / "other.db"
    proc = run_archiver("reindex", str(out / "warcs"), "--db", str(other))
    assert proc.returncode == 0, proc.stderr
    rebuilt = sqlite3.connect(other)
    query = "select url, wall, wall_evidence from captures where wall is not null order by url"
    assert rebuilt.execute(query).fetchall() == db.execute(query).fetchall()
