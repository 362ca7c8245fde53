"""Script-built outlets: the needs_browser flag in HTTP mode, and browser mode in real Chromium.

Browser mode runs Debian's ``chromium`` through Playwright (installed by
``.ci/run``; no browser download). The crawls are real ``archiver crawl``
runs against the demo outlet's "Live desk" section (article bodies written by
a script from a JSON endpoint, a lazy-loaded photo) and a small hostile site
(a page whose script never ends, scripts asking for forbidden addresses).
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.crawl.browser.shell import needs_browser, shell_evidence
from archiver.demo.threaded import PagesServer
from support import LOCAL, require_chromium, run_archiver

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _records(out: Path) -> list:
    found = []
    for path in sorted((out / "warcs").glob("*.warc.gz")):
        with open(path, "rb") as f:
            for record in ArchiveIterator(f):
                headers = record.rec_headers
                block = record.content_stream().read()
                found.append((record.rec_type, headers, record.http_headers, block))
    return found


def _crawl(outlet_file: Path, out: Path, *settings: str) -> None:
    args = ["crawl", str(outlet_file), "--out", str(out)]
    for setting in (*LOCAL, *settings):
        args += ["--set", setting]
    proc = run_archiver(*args, timeout=600)
    assert proc.returncode == 0, f"crawl failed:\n{proc.stdout}\n{proc.stderr[-4000:]}"


def _stats(out: Path) -> dict:
    with sqlite3.connect(out / "archive.db") as conn:
        (stats,) = conn.execute("select stats from crawls order by started_at desc limit 1").fetchone()
    return json.loads(stats)


def _rows(db: Path, sql: str) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


# -- shell signs, without a browser --------------------------------------------


def test_each_shell_sign_is_found_and_named():
    empty_root = b'<html><body><div id="root"><div class="spinner"></div></div></body></html>'
    assert shell_evidence(empty_root) == ["empty app root div#root"]
    state = b'<html><body><script id="__NEXT_DATA__" type="application/json">' + b"{}" * 600 + b"</script>"
    assert shell_evidence(state)[0].startswith("JSON state blob (script#__NEXT_DATA__")
    inline = b"<html><body><script>window.__INITIAL_STATE__ = {}</script></body></html>"
    assert shell_evidence(inline) == ["JSON state blob (window.__INITIAL_STATE__)"]
    notice = b"<html><body><noscript>Bitte aktivieren Sie JavaScript.</noscript></body></html>"
    assert shell_evidence(notice) == ["noscript notice: 'Bitte aktivieren Sie JavaScript.'"]
    body = " ".join(f"word{i}" for i in range(120))
    ld = json.dumps({"@type": "NewsArticle", "articleBody": body}).encode()
    page = b'<html><head><script type="application/ld+json">' + ld + b"</script></head><body></body></html>"
    assert shell_evidence(page, "Subscribe to our newsletter") == [
        "JSON-LD articleBody of 120 words, 0% of them visible"
    ]
    assert shell_evidence(page, body) == []


def test_a_whole_article_built_by_a_framework_is_not_flagged():
    text = " ".join(["The council met on Monday and voted on the harbour plan."] * 10)
    page = (
        f'<html><body><div id="__next"><article><p>{text}</p></article></div>'
        "<noscript>Enable JavaScript for comments.</noscript></body></html>"
    ).encode()
    assert needs_browser(page, text) == []
    # the same shell with nothing kept is flagged, with every sign as evidence
    shell = b'<html><body><div id="__next"></div><noscript>Enable JavaScript.</noscript></body></html>'
    assert needs_browser(shell, "") == ["empty app root div#__next", "noscript notice: 'Enable JavaScript.'"]


# -- HTTP mode: the demo's Live desk is flagged, nothing empty is stored ---------


def test_http_crawl_flags_script_built_articles_and_stores_none(demo_crawl, demo_server, tmp_path):
    out, _requests, _proc = demo_crawl
    live = {a.url for a in demo_server.site.live_articles}
    flagged = {
        r["url"]: r["needs_browser"]
        for r in _rows(
            out / "archive.db", "select url, needs_browser from captures where needs_browser is not null"
        )
    }
    assert set(flagged) == live
    assert all("empty app root div#app" in e and "noscript notice" in e for e in flagged.values())
    stored = {r["url"] for r in _rows(out / "archive.db", "select url from articles")}
    assert not stored & live
    assert _stats(out)["archiver/pages/needs_browser"] == len(live)
    # the verdict is in the WARC: a rebuild flags the same captures
    rebuilt = tmp_path / "rebuilt.db"
    proc = run_archiver("reindex", str(out / "warcs"), "--db", str(rebuilt))
    assert proc.returncode == 0, proc.stderr
    again = {
        r["url"]: r["needs_browser"]
        for r in _rows(rebuilt, "select url, needs_browser from captures where needs_browser is not null")
    }
    assert again == flagged


# -- browser mode on the Live desk ---------------------------------------------


@pytest.fixture(scope="module")
def browser_crawl(demo_server, tmp_path_factory):
    """The demo's Live desk crawled in browser mode: (archive folder, site)."""
    require_chromium()
    work = tmp_path_factory.mktemp("browser-crawl")
    outlet = work / "live.toml"
    outlet.write_text(
        f'name = "live"\nhome = "{demo_server.url}/"\nstart_urls = ["/live/"]\n'
        "article_allow = ['^/\\d{4}/\\d{2}/\\d{2}/[^/]+/$']\nmax_depth = 1\n"
        'render = "browser"\n'
    )
    out = work / "archive"
    _crawl(outlet, out)
    return out, demo_server.site


def test_browser_mode_stores_the_script_built_texts(browser_crawl):
    out, site = browser_crawl
    rows = {r["url"]: r for r in _rows(out / "archive.db", "select * from articles")}
    assert set(rows) == {a.url for a in site.live_articles}
    for expected in site.live_articles:
        row = rows[expected.url]
        assert row["text"] == expected.expected_text
        assert row["title"] == expected.title
        assert row["text_source"] == "dom"
        assert row["dom_record_id"] and row["screenshot_record_id"] and len(row["screenshot_sha256"]) == 64


def test_the_warc_holds_every_browser_exchange_the_dom_and_the_screenshot(browser_crawl):
    out, site = browser_crawl
    records = _records(out)
    responses = {
        h.get_header("WARC-Target-URI"): (h, http, body) for t, h, http, body in records if t == "response"
    }
    requests = {h.get_header("WARC-Concurrent-To") for t, h, _http, _b in records if t == "request"}
    rows = {r["url"]: r for r in _rows(out / "archive.db", "select * from articles")}
    base = site.base_url
    script = responses[f"{base}/live/app.js"]
    assert script[0].get_header("WARC-Archiver-Reconstructed") == "true"
    assert script[0].get_header("WARC-Record-ID") in requests
    for article in site.live_articles:
        slug = article.path.strip("/").split("/")[-1]
        story = responses[f"{base}/api/live/{slug}.json"]
        assert json.loads(story[2])["paragraphs"] == article.paragraphs
        photo = responses[f"{base}/live/photos/{slug}.png"]  # lazy: only scrolling asks for it
        assert photo[2].startswith(PNG_MAGIC) and photo[0].get_header("WARC-Record-ID") in requests
        page, _http, body = responses[article.url]
        assert page.get_header("WARC-Archiver-Reconstructed") is None  # the document: byte-exact
        assert body == site.pages[article.path].body
        page_id = page.get_header("WARC-Record-ID")
        resources = {
            h.get_header("WARC-Target-URI"): (h, b)
            for t, h, _http, b in records
            if t == "resource" and h.get_header("WARC-Concurrent-To") == page_id
        }
        dom = resources[f"urn:dom:{article.url}"]
        assert dom[0].get_header("Content-Type") == "text/html"
        assert article.paragraphs[0].encode() in dom[1] and b'id="app"' in dom[1]
        shot = resources[f"urn:screenshot:{article.url}"]
        assert shot[0].get_header("Content-Type") == "image/png" and shot[1].startswith(PNG_MAGIC)
        assert hashlib.sha256(shot[1]).hexdigest() == rows[article.url]["screenshot_sha256"]


def test_reindex_restores_the_same_rows(browser_crawl, tmp_path):
    out, _site = browser_crawl
    rebuilt = tmp_path / "rebuilt.db"
    proc = run_archiver("reindex", str(out / "warcs"), "--db", str(rebuilt))
    assert proc.returncode == 0, proc.stderr
    columns = (
        "id, url, text, text_sha256, text_source, dom_record_id, screenshot_record_id, screenshot_sha256"
    )
    query = f"select {columns} from articles order by id"
    assert _rows(rebuilt, query) == _rows(out / "archive.db", query)
    query = "select * from captures where record_type = 'resource' order by record_id"
    assert _rows(rebuilt, query) == _rows(out / "archive.db", query)
    assert len(_rows(rebuilt, query)) == 2 * 4  # a DOM and a screenshot of the 3 stories and of /live/


def test_verify_snapshot_and_cite_carry_the_screenshot(browser_crawl, tmp_path):
    out, site = browser_crawl
    assert run_archiver("verify", str(out)).returncode == 0
    wacz = tmp_path / "live.wacz"
    proc = run_archiver("snapshot", str(out), "--out", str(wacz))
    assert proc.returncode == 0, proc.stderr
    verified = run_archiver("verify", str(wacz))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    import zipfile

    with zipfile.ZipFile(wacz) as z:
        warcs = [n for n in z.namelist() if n.endswith(".warc.gz")]
        shots = [
            r.rec_headers.get_header("WARC-Target-URI")
            for n in warcs
            for r in ArchiveIterator(io.BytesIO(z.read(n)))
            if r.rec_type == "resource"
        ]
    assert {f"urn:screenshot:{a.url}" for a in site.live_articles} <= set(shots)
    article = site.live_articles[0]
    (row,) = _rows(out / "archive.db", f"select screenshot_sha256 from articles where url = '{article.url}'")
    for fmt in ("text", "bibtex", "ris", "csl-json"):
        cited = run_archiver("cite", article.url, "--archive", str(out), "--format", fmt)
        assert cited.returncode == 0 and f"screenshot sha256:{row['screenshot_sha256']}" in cited.stdout
    # a row whose screenshot digest was altered is caught
    copy = tmp_path / "altered"
    shutil.copytree(out, copy)
    with sqlite3.connect(copy / "archive.db") as conn:
        conn.execute("update articles set screenshot_sha256 = 'deadbeef' where url = ?", [article.url])
    altered = run_archiver("verify", str(copy))
    assert altered.returncode == 1 and "screenshot sha256 in the WARC is" in altered.stdout


def test_article_page_shows_the_screenshot_and_serves_it_as_an_image_only(browser_crawl):
    from datasette.app import Datasette  # noqa: F401  (the real app, through archiver serve's factory)

    from archiver.serve.app import make_datasette

    out, site = browser_crawl
    article = site.live_articles[1]
    (row,) = _rows(out / "archive.db", f"select * from articles where url = '{article.url}'")
    ds = make_datasette(out / "archive.db")
    import asyncio

    async def fetch():
        page = await ds.client.get(f"/archive/articles/{row['id']}")
        slug = row["screenshot_record_id"].strip("<>").split(":")[-1]
        image = await ds.client.get(f"/-/screenshot/{slug}.png")
        missing = await ds.client.get("/-/screenshot/00000000-0000-0000-0000-000000000000.png")
        return page, slug, image, missing

    page, slug, image, missing = asyncio.run(fetch())
    assert page.status_code == 200
    assert f"/-/screenshot/{slug}.png" in page.text and row["screenshot_sha256"] in page.text
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert hashlib.sha256(image.content).hexdigest() == row["screenshot_sha256"]
    assert "default-src 'none'" in image.headers["content-security-policy"]
    assert image.headers["x-content-type-options"] == "nosniff"
    assert missing.status_code == 404


# -- browser mode on a hostile site: a page that hangs, forbidden requests -----


PROSE = " ".join(
    ["The lighthouse keeper logged every ship that passed the point during the long winter storm."] * 8
)


@pytest.fixture(scope="module")
def hostile_browser_crawl(tmp_path_factory):
    """A browser-mode crawl of a site with a hanging page and scripts calling forbidden addresses."""
    require_chromium()
    beacon = PagesServer({}, "127.0.0.2").start()
    html = "text/html; charset=utf-8"
    forbidden = (
        f'<img src="{beacon.url}/img.png"><img src="http://169.254.169.254/latest/meta-data/">'
        f'<script>fetch("{beacon.url}/fetch");</script>'
    )
    pages = {
        "/": (
            html,
            b'<html><body><a href="/2024/01/01/hang/">a</a> <a href="/2024/01/02/fine/">b</a></body></html>',
        ),
        "/2024/01/01/hang/": (
            html,
            f"<html><head><title>Hang</title><script>while (true) {{}}</script></head>"
            f"<body><article><h1>Hang</h1><p>{PROSE}</p></article></body></html>".encode(),
        ),
        "/2024/01/02/fine/": (
            html,
            f"<html><head><title>Fine</title></head><body><article><h1>Fine</h1><p>{PROSE}</p>"
            f"{forbidden}</article></body></html>".encode(),
        ),
    }
    site = PagesServer(pages).start()
    work = tmp_path_factory.mktemp("hostile-browser")
    outlet = work / "hostile.toml"
    outlet.write_text(
        f'name = "hostile"\nhome = "{site.url}/"\n'
        "article_allow = ['^/\\d{4}/\\d{2}/\\d{2}/[^/]+/$']\nmax_depth = 1\nrender = \"browser\"\n"
    )
    out = work / "archive"
    try:
        _crawl(outlet, out, 'ARCHIVER_ALLOW_PRIVATE_ADDRESSES=["127.0.0.1/32"]', "ARCHIVER_BROWSER_TIMEOUT=6")
        yield out, site, beacon
    finally:
        site.stop()
        beacon.stop()


def test_a_hanging_page_times_out_and_the_crawl_goes_on(hostile_browser_crawl):
    out, site, _beacon = hostile_browser_crawl
    rows = {r["url"]: r for r in _rows(out / "archive.db", "select url, text, text_source from articles")}
    assert rows[f"{site.url}/2024/01/02/fine/"]["text_source"] == "dom"
    hang = rows[f"{site.url}/2024/01/01/hang/"]  # kept as received, its text from the HTTP response
    assert hang["text_source"] == "http" and PROSE[:60] in hang["text"]
    assert _stats(out)["archiver/browser/errors"] == 1


def test_the_address_guard_refuses_what_scripts_ask_of_forbidden_addresses(hostile_browser_crawl):
    out, _site, beacon = hostile_browser_crawl
    assert beacon.hits == []  # 127.0.0.2 is outside the allowed 127.0.0.1/32: nothing reached it
    assert _stats(out)["archiver/browser/refused"] >= 3  # two images and one fetch
    archived = {h.get_header("WARC-Target-URI") for t, h, _http, _b in _records(out) if t == "response"}
    assert not [u for u in archived if "127.0.0.2" in u or "169.254" in u]


def test_http_mode_screenshots_come_from_the_archive_never_the_live_web(tmp_path):
    require_chromium()
    html = "text/html; charset=utf-8"
    from archiver.demo.live import PHOTO_PREFIX  # noqa: F401  (the demo's photo is a real PNG)
    from archiver.demo.site import _png

    pages = {
        "/": (
            html,
            b'<html><body><a href="/pic.png">photo</a> <a href="/2024/03/01/story/">story</a></body></html>',
        ),
        "/pic.png": ("image/png", _png()),
        "/2024/03/01/story/": (
            html,
            f"<html><head><title>Story</title></head><body><article><h1>Story</h1><p>{PROSE}</p>"
            f'<img src="/pic.png" width="200" height="100"><img src="/never-archived.png"></article>'
            f"<script>document.title = 'scripts ran';</script></body></html>".encode(),
        ),
    }
    site = PagesServer(pages).start()
    try:
        outlet = tmp_path / "shots.toml"
        outlet.write_text(
            f'name = "shots"\nhome = "{site.url}/"\n'
            "article_allow = ['^/\\d{4}/\\d{2}/\\d{2}/[^/]+/$']\nmax_depth = 1\n"
        )
        out = tmp_path / "archive"
        # requisites off: every path the site serves is then asked for once, by the crawl's own links
        args = ["crawl", str(outlet), "--out", str(out), "--screenshots", "--set", "CONCURRENT_REQUESTS=1"]
        args += ["--set", "ARCHIVER_REQUISITES_ENABLED=false"]
        for setting in LOCAL:
            args += ["--set", setting]
        proc = run_archiver(*args, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
    finally:
        site.stop()
    (row,) = _rows(out / "archive.db", "select * from articles")
    assert row["text_source"] == "http" and row["dom_record_id"] is None
    shots = [b for t, h, _http, b in _records(out) if t == "resource"]
    assert len(shots) == 2 and all(b.startswith(PNG_MAGIC) for b in shots)  # the story and the home page
    assert row["screenshot_sha256"] in {hashlib.sha256(b).hexdigest() for b in shots}
    # the browser asked the live site for nothing: each path was fetched once, by the crawler
    assert sorted(site.hits) == sorted(set(site.hits))
    assert "/never-archived.png" not in site.hits
