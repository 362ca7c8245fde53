"""Page requisites in real crawls of the demo outlet and its CDN (downloadermiddlewares/requisites.py).

The session crawl (``demo_crawl``) is read from the CDN's request log, the
``requisites`` table, the captures and the WARCs; the re-crawl
(``demo_recrawl``) from its conditional requests and revisits; one more
crawl with an outlet file of its own checks robots.txt off and the budgets.
"""

from __future__ import annotations

import collections
import json
import sqlite3
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archiver.demo import face
from archiver.demo.threaded import PagesServer
from support import LOCAL, run_archiver


def rows(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def stats(out: Path) -> dict:
    (text,) = rows(out / "archive.db", "select stats from crawls order by started_at desc limit 1")[0]
    return json.loads(text)


def test_every_article_lists_its_requisites_with_their_sources(demo_crawl, demo_server):
    out, _, _ = demo_crawl
    db = out / "archive.db"
    cdn = demo_server.cdn.url
    article = demo_server.site.articles[0]
    (page_id,) = rows(db, "select capture_record_id from articles where url = ?", (article.url,))[0]
    got = {
        url: (source, status, reason)
        for url, source, status, reason in rows(
            db, "select url, source, status, reason from requisites where page_record_id = ?", (page_id,)
        )
    }
    section = article.section
    expected = {
        f"{cdn}{face.STYLESHEET_PATH}": ("link[rel=stylesheet]@href", "archived", None),
        f"{cdn}{face.FONTS_CSS_PATH}": ("stylesheet @import", "archived", None),
        f"{cdn}{face.FONT_PATH}": ("link[rel=preload as=font]@href", "archived", None),
        f"{cdn}{face.RULE_PATH}": ("stylesheet url()", "archived", None),
        f"{cdn}/assets/img/{section}-696.png": ("img@src", "archived", None),
        f"{cdn}/assets/img/{section}-348.png": ("img@srcset", "archived", None),
        f"{cdn}/assets/img/{section}-1392.png": ("img@srcset", "archived", None),
        f"{cdn}/assets/img/map-348.png": ("img@data-src", "archived", None),
        f"{cdn}/assets/img/map-696.png": ("img@data-srcset", "archived", None),
        f"{cdn}{face.PIXEL_PATH}": ("img@src", "skipped", "robots.txt"),
        f"{demo_server.url}{face.FAVICON_PATH}": ("link[rel=icon]@href", "archived", None),
    }
    for url, row in expected.items():
        assert got.get(url) == row, url
    # named by the page's style attribute and by the CDN stylesheet: the first one seen is kept
    assert got[f"{cdn}{face.MASTHEAD_PATH}"][0] in ("style attribute url()", "stylesheet url()")
    # every archived requisite points at a capture of its own URL
    bad = rows(
        db,
        "select r.url from requisites r left join captures c on c.record_id = r.capture_record_id "
        "where r.status = 'archived' and (c.url is null or c.url != r.url)",
    )
    assert bad == []


def test_each_requisite_is_fetched_once_per_crawl(demo_crawl, demo_server):
    """Counted in the crawl's own archive: the session's CDN also serves other tests' crawls."""
    out, _, _ = demo_crawl
    cdn = demo_server.cdn.url
    fetched = collections.Counter(
        url for (url,) in rows(out / "archive.db", "select url from captures where url like ?", (cdn + "/%",))
    )
    assert fetched[cdn + face.STYLESHEET_PATH] == 1 and fetched[cdn + face.FONT_PATH] == 1
    assert max(fetched.values()) == 1, [u for u, n in fetched.items() if n > 1]
    assert cdn + face.PIXEL_PATH not in fetched  # robots.txt of the CDN forbids it
    requested = {url for _, url, _ in rows(out / "archive.db", "select 1, url, 1 from requisites")}
    assert {u for u in requested if u.startswith(cdn) and not u.endswith(face.PIXEL_PATH)} == set(fetched) - {
        cdn + "/robots.txt"
    }
    db = out / "archive.db"
    pages = rows(db, "select count(distinct page_record_id) from requisites")[0][0]
    assert pages >= len(demo_server.site.articles)
    s = stats(out)
    assert s["archiver/requisites/deduplicated"] > 10 * s["archiver/requisites/scheduled"]
    assert s["archiver/requisites/skipped/robots"] == 1


def test_identical_payload_at_another_url_is_a_revisit_by_digest(demo_crawl, demo_server):
    out, _, _ = demo_crawl
    favicon, touch = demo_server.url + face.FAVICON_PATH, demo_server.cdn.url + face.TOUCH_ICON_PATH
    found = rows(
        out / "archive.db",
        "select url, record_type, refers_to, payload_sha256 from captures where url in (?, ?)",
        (favicon, touch),
    )
    assert len(found) == 2
    kinds = sorted(r[1] for r in found)
    assert kinds == ["response", "revisit"]
    first = next(r for r in found if r[1] == "response")
    second = next(r for r in found if r[1] == "revisit")
    assert second[3] == first[3]
    (target,) = rows(out / "archive.db", "select url from captures where record_id = ?", (second[2],))[0]
    assert target == first[0]


def test_requisite_records_are_ordinary_exchanges_and_verify_checks_them(demo_crawl, demo_server):
    out, _, _ = demo_crawl
    font = demo_server.cdn.url + face.FONT_PATH
    types = []
    for path in sorted((out / "warcs").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_headers.get_header("WARC-Target-URI") == font:
                    types.append(record.rec_type)
                    if record.rec_type == "response":
                        assert record.http_headers.get_header("Content-Type") == "font/ttf"
                        assert record.content_stream().read() == demo_server.cdn.pages[face.FONT_PATH].body
    assert sorted(types) == ["request", "response"]
    index = "".join(p.read_text() for p in (out / "indexes").glob("*.cdxj"))
    assert face.FONT_PATH in index and face.MASTHEAD_PATH in index
    proc = run_archiver("verify", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_recrawl_sends_conditional_requests_and_writes_revisits(demo_recrawl):
    out, server = demo_recrawl["out"], demo_recrawl["server"]
    second = [(m, p, h) for m, p, h in server.cdn.requests if m == "GET" and p.startswith("/assets/")]
    assert second, "the re-crawl fetched no requisite"
    assert all(h.get("If-None-Match") for _, _, h in second), "a requisite was fetched unconditionally"
    db = out / "archive.db"
    latest = rows(
        db,
        "select c.record_type, c.status from captures c join crawls k on k.id = c.crawl_id "
        "where c.url like ? and k.started_at = (select max(started_at) from crawls)",
        (server.cdn.url + "/assets/%",),
    )
    assert latest and all(kind == "revisit" for kind, _ in latest), latest
    paths = [p for _, p, _ in second]
    assert len(paths) == len(set(paths)), "a requisite was fetched twice in the re-crawl"


def test_robots_off_for_requisites_and_budgets_are_counted(demo_server, tmp_path):
    """One article, an outlet that lets requisites ignore robots.txt, and a page budget that bites.

    The article names 13 requisites itself; its CDN stylesheet adds two more
    (fonts.css, rule.png), which arrive after it: with a budget of 14 the
    robots-disallowed pixel is fetched and the last one is skipped.
    """
    article = demo_server.site.articles[0]
    outlet = tmp_path / "demoopen.toml"
    outlet.write_text(
        'name = "demoopen"\nhome = "http://127.0.0.1:8000/"\n'
        f'start_urls = ["{article.path}"]\nmax_pages = 1\nrequisites_obey_robots = false\n'
    )
    out = tmp_path / "out"
    args = ["crawl", str(outlet), "--out", str(out), "--home", demo_server.url]
    for setting in [*LOCAL, "ARCHIVER_REQUISITES_PAGE_MAX_COUNT=14"]:
        args += ["--set", setting]
    proc = run_archiver(*args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    db = out / "archive.db"
    got = {
        url: (status, reason)
        for url, status, reason in rows(db, "select url, status, reason from requisites")
    }
    cdn = demo_server.cdn.url
    assert got[cdn + face.PIXEL_PATH] == ("archived", None)  # robots.txt off for this outlet's requisites
    assert got[cdn + face.RULE_PATH] == ("skipped", "page budget (count)")
    assert sum(1 for status, _ in got.values() if status == "archived") == 14
    s = stats(out)
    assert s["archiver/requisites/skipped/page_count"] == 1 and s["archiver/requisites/scheduled"] == 14
    assert "archiver/requisites/skipped/robots" not in s


def test_reindex_rebuilds_the_requisites_table_from_the_warcs(demo_crawl, tmp_path):
    out, _, _ = demo_crawl
    rebuilt = tmp_path / "rebuilt.db"
    for _ in range(2):  # a second run over the same WARCs changes nothing
        proc = run_archiver("reindex", str(out / "warcs"), "--db", str(rebuilt))
        assert proc.returncode == 0, proc.stderr
        query = "select * from requisites order by page_record_id, url"
        assert rows(rebuilt, query) == rows(out / "archive.db", query)
    assert rows(rebuilt, "select count(*) from requisites")[0][0] > 0


def test_requisites_keep_the_hosts_concurrency_limit(tmp_path):
    """A page naming a dozen slow images: no more of them at once than the host's slot allows.

    Requisites go straight to the downloader (not through the scheduler), so
    Scrapy's downloader started every queued one at once (handlers/downloader.py).
    """
    images = [f"/img/{n}.png" for n in range(12)]
    page = "".join(f'<img src="{path}">' for path in images)
    pages = {
        "/story/": ("text/html; charset=utf-8", f"<title>Story</title><h1>Story</h1>{page}".encode()),
        "/robots.txt": ("text/plain", b"User-agent: *\nAllow: /\n"),
        **{path: ("image/png", face._image("world", 8, 8, stripes=False) + path.encode()) for path in images},
    }
    with PagesServer(pages, delays=dict.fromkeys(images, 0.2)) as site:
        outlet = tmp_path / "slots.toml"
        outlet.write_text(f'name = "slots"\nhome = "{site.url}/"\nstart_urls = ["/story/"]\nmax_pages = 1\n')
        out = tmp_path / "out"
        args = ["crawl", str(outlet), "--out", str(out)]
        # no delay between requests (a delay of its own spaces them: AutoThrottle off)
        for setting in [*LOCAL, "AUTOTHROTTLE_ENABLED=false", "CONCURRENT_REQUESTS_PER_DOMAIN=3"]:
            args += ["--set", setting]
        proc = run_archiver(*args, timeout=120)
        most = site.most_at_once
    assert proc.returncode == 0, proc.stderr[-3000:]
    archived = rows(out / "archive.db", "select url from requisites where status = 'archived'")
    assert sorted(url for (url,) in archived) == sorted(site.url + path for path in images)
    assert most <= 3, f"{most} requests at once on a host whose slot allows 3"
