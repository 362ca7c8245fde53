"""The replay routes and the capture view's requisites, through Datasette's test client.

A small hand-built archive (a page, two captures of its stylesheet at other
times, a font, a hostile reference to the SQL API) checks rewriting, the
nearest-in-time choice, types, headers and refusals; the session's demo
crawl checks the capture view's "N of M resources archived" line.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from support import start_test_crawl

from archiver.serve.app import make_datasette
from archiver.store import Archive
from archiver.store.requisites import add_requisites
from archiver.serve import record_slug
from archiver.warc import HttpExchange, WarcWriter

PAGE = "http://news.example/2026/story/"
CSS = "http://cdn.example/site.css"
FONT = "http://cdn.example/f.ttf"
TS = "20261120090000"
FONT_BYTES = b"\x00\x01\x00\x00 not really a font, but bytes to compare"
PAGE_HTML = f"""<!doctype html><html><head><base href="http://news.example/2026/">
<link rel="stylesheet" href="{CSS}" integrity="sha384-xyz"><style>@font-face{{src:url({FONT})}}</style></head>
<body style="background:url('bg.png')"><img src="/img/a.png" srcset="/img/a.png 1x, /img/a2.png 2x">
<img src="/archive.json?sql=select+*+from+captures"><a href="javascript:alert(1)">x</a>
<script src="https://tracker.example/t.js"></script><form action="https://evil.example/post"></form>
<a href="#top">top</a><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></body></html>""".encode()


def response(body: bytes, ctype: str) -> bytes:
    return f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("replay-archive")
    when = datetime(2026, 11, 20, 9, 0, 0, tzinfo=timezone.utc)
    caps = {}
    with WarcWriter(out / "warcs", "rp", warcinfo={"crawl-id": "c1"}) as warcs, Archive(out) as store:
        start_test_crawl(store, started_at="2026-11-20T08:00:00Z")
        for name, url, body, ctype, at in [
            (
                "css_old",
                CSS,
                b"body{color:red} /* version one */ h1{background:url(h1.png)}",
                "text/css",
                when.replace(hour=8),
            ),
            (
                "css_new",
                CSS,
                b"body{color:blue} /* version two */",
                "text/css",
                when.replace(hour=10, minute=30),
            ),
            ("page", PAGE, PAGE_HTML, "text/html; charset=utf-8", when),
            ("font", FONT, FONT_BYTES, "font/ttf", when.replace(minute=1)),
        ]:
            cap = warcs.write(
                HttpExchange(
                    url=url,
                    request_bytes=b"GET / HTTP/1.1\r\n\r\n",
                    response_bytes=response(body, ctype),
                    fetched_at=at,
                )
            )
            cap.crawl_id, cap.outlet = "c1", "demo"
            store.add_capture(cap)
            caps[name] = cap
        page_id = caps["page"].record_id
        add_requisites(
            store.db,
            [
                {
                    "page_record_id": page_id,
                    "url": CSS,
                    "source": "link[rel=stylesheet]@href",
                    "status": "archived",
                    "capture_record_id": caps["css_old"].record_id,
                },
                {
                    "page_record_id": page_id,
                    "url": FONT,
                    "source": "style element @font-face url()",
                    "status": "archived",
                    "capture_record_id": caps["font"].record_id,
                },
                {
                    "page_record_id": page_id,
                    "url": "https://tracker.example/t.js",
                    "source": "script@src",
                    "status": "skipped",
                    "reason": "robots.txt",
                },
            ],
        )
        store.db.conn.commit()
    return out, caps


@pytest.fixture(scope="module")
def ds(archive):
    return make_datasette(archive[0])


def get(ds, path: str):
    async def run():
        return await ds.client.get(path)

    return asyncio.run(run())


def test_replayed_page_names_only_archive_routes(ds):
    r = get(ds, f"/-/replay/{TS}/{PAGE}")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    csp = r.headers["content-security-policy"]
    assert csp.startswith("sandbox;") and "default-src 'none'" in csp and "script-src" not in csp
    doc = BeautifulSoup(r.text, "html.parser")
    prefix = f"/-/replay/{TS}/"
    values = []
    for tag in doc.find_all(True):
        for attr in ("src", "href", "action", "srcset"):
            if tag.get(attr) is not None:
                values += (
                    [v.strip().split(" ")[0] for v in tag[attr].split(",")]
                    if attr == "srcset"
                    else [tag[attr]]
                )
    assert values, "no URL found in the replayed page"
    assert all(v.startswith(prefix) or v.startswith(("data:", "#")) or v == "" for v in values), values
    assert f"{prefix}http://news.example/archive.json?sql=select+*+from+captures" in values
    assert f"{prefix}https://tracker.example/t.js" in values and doc.find("base") is None
    assert doc.find("link")["href"] == f"{prefix}{CSS}" and not doc.find("link").has_attr("integrity")
    assert f'url("{prefix}{FONT}")' in doc.find("style").string
    assert f'url("{prefix}http://news.example/2026/bg.png")' in doc.find("body")["style"]


def test_the_sql_api_is_out_of_reach_of_replayed_pages(ds):
    r = get(ds, f"/-/replay/{TS}/http://news.example/archive.json?sql=select+*+from+captures")
    assert r.status_code == 404 and "is not in this archive" in r.text
    assert "record_id" not in r.text and r.headers["content-type"].startswith("text/plain")


def test_stylesheet_is_the_capture_nearest_the_page_and_rewritten(ds):
    r = get(ds, f"/-/replay/{TS}/{CSS}")
    assert r.status_code == 200 and r.headers["content-type"] == "text/css; charset=utf-8"
    assert "version one" in r.text and "version two" not in r.text
    assert f'url("/-/replay/{TS}/http://cdn.example/h1.png")' in r.text
    later = get(ds, f"/-/replay/20261120110000/{CSS}")
    assert "version two" in later.text


def test_font_comes_back_with_its_bytes_and_type(ds):
    r = get(ds, f"/-/replay/{TS}/{FONT}")
    assert r.status_code == 200 and r.content == FONT_BYTES
    assert r.headers["content-type"] == "font/ttf" and r.headers["access-control-allow-origin"] == "*"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_capture_view_frames_the_replay_and_counts_requisites(ds, archive):
    _out, caps = archive
    r = get(ds, f"/-/capture/{record_slug(caps['page'].record_id)}")
    assert r.status_code == 200
    doc = BeautifulSoup(r.text, "html.parser")
    frame = doc.find("iframe", class_="archive-frame")
    assert frame["src"] == f"/-/replay/{TS}/{PAGE}" and frame.has_attr("sandbox") and not frame["sandbox"]
    details = doc.find("details", class_="archive-requisites")
    assert details.summary.get_text(strip=True) == "2 of 3 resources archived; 1 skipped by robots.txt"
    listed = [tr.find_all("td")[0].get_text() for tr in details.find_all("tr")[1:]]
    assert sorted(listed) == sorted([CSS, FONT, "https://tracker.example/t.js"])


def test_demo_article_capture_view_says_what_was_archived(demo_crawl, demo_server):
    out, _, _ = demo_crawl
    article = demo_server.site.articles[0]
    with sqlite3.connect(out / "archive.db") as conn:
        (record_id,) = conn.execute(
            "select capture_record_id from articles where url = ?", [article.url]
        ).fetchone()
        (total,) = conn.execute(
            "select count(*) from requisites where page_record_id = ?", [record_id]
        ).fetchone()
    r = get(make_datasette(out / "archive.db"), f"/-/capture/{record_slug(record_id)}")
    summary = BeautifulSoup(r.text, "html.parser").find("details", class_="archive-requisites").summary
    assert (
        summary.get_text(strip=True) == f"{total - 1} of {total} resources archived; 1 skipped by robots.txt"
    )
