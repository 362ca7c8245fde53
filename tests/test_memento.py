"""Memento routes in Datasette (RFC 7089): URI-M, TimeGate, TimeMap, sandboxed archived HTML, and cite()."""

from __future__ import annotations

import asyncio
import email.utils
import re
import sqlite3

import pytest
from datasette.plugins import pm
from datasette.utils.asgi import Request

from archiver.serve.app import make_datasette
from archiver.store import article_id
from archiver.warc.reader import read_record_at

CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'"


def _get(ds, path, headers=None):
    async def run():
        return await ds.client.get(path, headers=headers or {})

    return asyncio.run(run())


def _ts(iso: str) -> str:
    return "".join(ch for ch in iso if ch.isdigit())[:14]


def _rows(db, sql, params=()):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def recrawl(demo_recrawl):
    out = demo_recrawl["out"]
    url = demo_recrawl["server"].url + demo_recrawl["edited"].path
    return out, make_datasette(out / "archive.db"), url


def _memento_of(ds, archive, row: dict):
    """The Memento of a captures row, checked: the body of the record ``row`` names, and its time."""
    resp = _get(ds, f"/{_ts(row['fetched_at'])}/{row['url']}")
    assert resp.status_code == 200
    record = read_record_at(archive / "warcs" / row["warc_file"], row["offset"])
    assert resp.content == record.decoded_body()
    moment = email.utils.parsedate_to_datetime(resp.headers["memento-datetime"])
    assert moment.strftime("%Y%m%d%H%M%S") == _ts(row["fetched_at"])
    return resp


def test_memento_serves_the_captured_body_sandboxed(demo_crawl):
    archive = demo_crawl[0]
    ds = make_datasette(archive / "archive.db")
    capture = _rows(
        archive / "archive.db",
        "select c.* from articles a join captures c on c.record_id = a.capture_record_id "
        "order by a.id limit 1",
    )[0]
    resp = _memento_of(ds, archive, capture)
    assert resp.headers["content-type"] == capture["content_type"]
    assert resp.headers["content-security-policy"] == CSP
    assert resp.headers["x-content-type-options"] == "nosniff"
    link = resp.headers["link"]
    assert f'<{capture["url"]}>; rel="original"' in link
    assert re.search(r"/timegate/" + re.escape(capture["url"]) + r'>; rel="timegate"', link)
    assert re.search(
        r"/timemap/" + re.escape(capture["url"]) + r'>; rel="timemap"; type="application/link-format"', link
    )
    # no archived header (cookies, caching, encodings) reaches the reader
    assert "content-encoding" not in resp.headers and "set-cookie" not in resp.headers


def test_unknown_url_is_404(demo_crawl):
    ds = make_datasette(demo_crawl[0] / "archive.db")
    resp = _get(ds, "/20240101000000/http://not-archived.example/page")
    assert resp.status_code == 404 and "not in this archive" in resp.text
    assert _get(ds, "/timemap/http://not-archived.example/page").status_code == 404


def test_timemap_lists_every_capture_of_both_crawls(recrawl):
    out, ds, url = recrawl
    captures = _rows(
        out / "archive.db", "select fetched_at from captures where url = ? order by fetched_at", (url,)
    )
    assert len(captures) >= 2
    resp = _get(ds, f"/timemap/{url}")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/link-format")
    entries = re.findall(r'<[^>]+/(\d{14})/([^>]+)>; rel="[^"]*memento[^"]*"; datetime="([^"]+)"', resp.text)
    assert [(ts, u) for ts, u, _ in entries] == [(_ts(c["fetched_at"]), url) for c in captures]
    assert f'<{url}>; rel="original"' in resp.text
    assert 'rel="first memento"' in resp.text and 'rel="last memento"' in resp.text


def test_each_version_is_its_own_memento(recrawl, demo_recrawl):
    out, ds, url = recrawl
    first, second = _rows(
        out / "archive.db",
        "select fetched_at from article_versions where article_id = ? order by version",
        (article_id(url),),
    )
    old = _get(ds, f"/{_ts(first['fetched_at'])}/{url}")
    new = _get(ds, f"/{_ts(second['fetched_at'])}/{url}")
    assert old.status_code == new.status_code == 200
    assert b"Correction: the council vote" in new.content
    assert b"Correction: the council vote" not in old.content


def test_a_nearby_time_redirects_to_the_closest_capture(recrawl):
    out, ds, url = recrawl
    first, *_, last = _rows(
        out / "archive.db", "select fetched_at from captures where url = ? order by fetched_at", (url,)
    )
    asked = "20991231235959"  # far after both: the last capture is the closest
    resp = _get(ds, f"/{asked}/{url}")
    assert resp.status_code == 302
    assert resp.headers["location"].endswith(f"/{_ts(last['fetched_at'])}/{url}")
    resp = _get(ds, f"/19990101000000/{url}")
    assert resp.headers["location"].endswith(f"/{_ts(first['fetched_at'])}/{url}")


def test_a_revisit_replays_the_payload_it_repeats(recrawl):
    out, ds, _ = recrawl
    revisit = _rows(
        out / "archive.db",
        "select r.url, r.fetched_at, o.warc_file, o.offset, o.status from captures r "
        "join captures o on o.record_id = r.refers_to "
        "where r.record_type = 'revisit' and r.status = 304 and o.status = 200 "
        "and r.url not in (select url from captures where record_type = 'response' "
        "                  and fetched_at > o.fetched_at) "
        "order by r.url limit 1",
    )[0]
    _memento_of(ds, out, revisit)  # the body of the response the revisit repeats


def test_timegate_negotiates_accept_datetime(recrawl):
    out, ds, url = recrawl
    first, *_, last = _rows(
        out / "archive.db", "select fetched_at from captures where url = ? order by fetched_at", (url,)
    )
    resp = _get(ds, f"/timegate/{url}", {"Accept-Datetime": "Thu, 01 Jan 1998 00:00:00 GMT"})
    assert resp.status_code == 302 and "accept-datetime" in resp.headers["vary"]
    assert resp.headers["location"].endswith(f"/{_ts(first['fetched_at'])}/{url}")
    resp = _get(ds, f"/timegate/{url}")
    assert resp.headers["location"].endswith(f"/{_ts(last['fetched_at'])}/{url}")
    assert _get(ds, f"/timegate/{url}", {"Accept-Datetime": "yesterday"}).status_code == 400


def test_templates_get_a_cite_function(demo_crawl):
    archive = demo_crawl[0]
    ds = make_datasette(archive / "archive.db")
    asyncio.run(ds.invoke_startup())
    plugin = pm.get_plugin("archiver_memento")  # the entry point (pyproject.toml)
    request = Request.fake("/archive/articles")
    cite_async = plugin.extra_template_vars(datasette=ds, database="archive", request=request)["cite"]
    assert asyncio.iscoroutinefunction(cite_async), "templates await it: no sqlite call on the event loop"

    def cite(*args):
        return asyncio.run(cite_async(*args))

    row = _rows(archive / "archive.db", "select id, url, fetched_at from articles order by id limit 1")[0]
    html = cite(row["id"], "html")
    assert f'data-versionurl="http://localhost/{_ts(row["fetched_at"])}/{row["url"]}"' in html
    assert cite(row["url"]).startswith(cite(row["id"]).split("\n")[0][:20])
    assert cite("no-such-article") == ""


def test_a_capture_is_served_at_its_own_timestamp_even_with_a_nearer_one_a_second_earlier(tmp_path):
    """URI-M /<ts>/<url> names a capture: one 0.05 s before that second is nearer but must not win."""
    from archiver.capture import Capture
    from archiver.store import Archive

    url = "http://127.0.0.1:9/page/"
    with Archive(tmp_path / "archive.db") as archive:
        for record_id, fetched_at in (
            ("<urn:uuid:a>", "2024-06-01T10:00:00.950000Z"),
            ("<urn:uuid:b>", "2024-06-01T10:00:01.900000Z"),
        ):
            archive.add_capture(
                Capture(
                    record_id=record_id,
                    url=url,
                    fetched_at=fetched_at,
                    warc_file="x.warc.gz",
                    offset=0,
                    length=1,
                    status=200,
                    content_type="text/html",
                )
            )
    ds = make_datasette(tmp_path / "archive.db")
    resp = _get(ds, f"/20240601100001/{url}")
    assert resp.status_code != 302, "the capture of 10:00:01 must be served at its own URI-M"
