"""Walls in a real crawl: flagged on the capture with their evidence, never stored as articles."""

from __future__ import annotations

import http.server
import json
import sqlite3
import threading

import pytest

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
        '<a href="/2024/06/01/denied/">c</a> <a href="/2024/06/01/captcha/">d</a></body></html>',
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
    "/2024/06/01/denied/": (403, "<html><body><h1>Forbidden</h1><p>Nope.</p></body></html>"),
    "/2024/06/01/captcha/": (
        200,
        "<html><head><title>Just a moment...</title></head><body>"
        "<p>Checking your browser before accessing the site.</p></body></html>",
    ),
}


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        status, body = PAGES.get(self.path, (404, "not found"))
        data = body.encode()
        self.send_response(status)
        self.send_header(
            "Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html; charset=utf-8"
        )
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def walled(tmp_path_factory):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    tmp = tmp_path_factory.mktemp("walls")
    outlet = tmp / "walled.toml"
    outlet.write_text(f'name = "walled"\nhome = "{base}/"\narticle_allow = [\'^/2024/\']\n')
    args = ["crawl", str(outlet), "--out", str(tmp / "archive")]
    for setting in LOCAL:
        args += ["--set", setting]
    proc = run_archiver(*args)
    server.shutdown()
    assert proc.returncode == 0, proc.stderr[-3000:]
    db = sqlite3.connect(tmp / "archive" / "archive.db")
    yield base, tmp / "archive", db, proc
    db.close()


def wall_of(db, url):
    return db.execute("select wall, wall_evidence from captures where url = ?", [url]).fetchone()


def test_only_the_free_article_is_stored(walled):
    base, _, db, _ = walled
    assert [u for (u,) in db.execute("select url from articles")] == [f"{base}/2024/06/01/free/"]


@pytest.mark.parametrize(
    "path, wall, evidence",
    [
        ("/2024/06/01/paywalled/", "paywall", ["HTTP 200", "isAccessibleForFree=false"]),
        ("/2024/06/01/denied/", "denied", ["HTTP 403"]),
        ("/2024/06/01/captcha/", "captcha", ["HTTP 200", "just a moment"]),
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
    assert (
        stats["archiver/walls/paywall"]
        == stats["archiver/walls/denied"]
        == stats["archiver/walls/captcha"]
        == 1
    )


def test_reindex_restores_the_wall_flags(walled, tmp_path):
    base, out, db, _ = walled
    other = tmp_path / "other.db"
    proc = run_archiver("reindex", str(out / "warcs"), "--db", str(other))
    assert proc.returncode == 0, proc.stderr
    rebuilt = sqlite3.connect(other)
    query = "select url, wall, wall_evidence from captures where wall is not null order by url"
    assert rebuilt.execute(query).fetchall() == db.execute(query).fetchall()
