"""Security: nothing gets in. No fetches of private addresses, no paths out of the
archive folder, no markup run from archived titles and texts, no writes through Datasette.

No test here sends traffic anywhere but 127.0.0.1: the address guard is tested
by calling the middleware on IP literals (10.0.0.1, 169.254.169.254, ...) with
``socket.getaddrinfo`` and the thread pool replaced by functions that fail the
test if reached, and by real crawls of a server on 127.0.0.1 that the guard
must keep from receiving a single request.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import http.server
import ipaddress
import json
import sqlite3
import threading
import urllib.parse
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from twisted.internet import defer

from archiver.article import Article
from archiver.outlets import Outlet, OutletError, load_outlet, parse_outlet
from archiver.warc.writer import WarcWriter
from archiver.downloadermiddlewares import address_guard
from archiver.downloadermiddlewares.address_guard import AddressRefused, parse_allowed
from archiver.warc.exchange import HttpExchange
from guard_support import guard, run
from support import LOCAL, run_archiver

XSS_TITLE = "<script>alert(1)</script>"
XSS_TEXT = 'Before the markup. <img src=x onerror="alert(2)"> After the markup. ' * 5
XSS_AUTHOR = '<b onmouseover="alert(3)">Mallory</b>'


# -- the address guard, called directly --------------------------------------------------------


REFUSED_BY_DEFAULT = [
    ("http://127.0.0.1:8000/", "loopback"),
    ("http://10.0.0.1/admin/", "private"),
    ("http://192.168.1.1/", "private"),
    ("http://172.16.0.5/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://169.254.10.10/", "link_local"),
    ("http://[::1]:8000/", "loopback"),
    ("http://[fe80::1]/", "link_local"),
    ("http://[fd00:ec2::254]/", "metadata"),
    ("http://[::ffff:10.0.0.1]/", "private"),
    ("http://100.64.0.1/", "reserved"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    ("http://224.0.0.1/", "reserved"),
]


@pytest.mark.parametrize("url, kind", REFUSED_BY_DEFAULT)
def test_guard_refuses_non_public_ip_literals_before_any_connection(url, kind, no_lookups, caplog):
    mw = guard()
    with pytest.raises(AddressRefused) as refused:
        run(mw.process_request(Request(url)))
    assert f"a {kind.replace('_', '-')} address" in str(refused.value)
    assert "ARCHIVER_ALLOW_PRIVATE_ADDRESSES" in str(refused.value)
    assert mw.stats.get_value(f"archiver/address_guard/refused/{kind}") == 1
    assert mw.stats.get_value("archiver/address_guard/refused") == 1
    assert [
        r.getMessage() for r in caplog.records if r.name == "archiver.downloadermiddlewares.address_guard"
    ] == [str(refused.value)]


def test_guard_lets_public_addresses_through(no_lookups):
    mw = guard()
    assert run(mw.process_request(Request("http://93.184.215.14/news/"))) is None
    assert run(mw.process_request(Request("http://[2606:4700::1111]/"))) is None
    assert mw.stats.get_value("archiver/address_guard/refused") is None


def test_guard_refuses_a_name_that_resolves_to_a_private_address(monkeypatch):
    """A public-looking outlet host whose DNS answer is private (or rebinds to it)."""
    looked_up = []

    def fake_getaddrinfo(host, port, *args):
        looked_up.append(host)
        return [(2, 1, 6, "", ("10.0.0.7", port))]

    monkeypatch.setattr(address_guard.socket, "getaddrinfo", fake_getaddrinfo)
    monkeypatch.setattr(address_guard.threads, "deferToThread", lambda fn, *a: defer.succeed(fn(*a)))
    monkeypatch.setattr(address_guard, "maybe_deferred_to_future", lambda d: d)  # no reactor in this test
    mw = guard()
    with pytest.raises(AddressRefused, match=r"intranet\.news\.example resolves to 10\.0\.0\.7, a private"):
        run(mw.process_request(Request("https://intranet.news.example/")))
    with pytest.raises(AddressRefused):
        run(mw.process_request(Request("https://intranet.news.example/other")))
    assert looked_up == ["intranet.news.example"], "one lookup per host and port, then the cache"


def test_guard_drops_a_response_that_came_from_a_private_peer(no_lookups):
    """DNS rebinding: the name passed the check, the connection went elsewhere."""
    mw = guard()
    request = Request("http://news.example/")
    response = HtmlResponse(
        request.url, body=b"<p>x</p>", request=request, ip_address=ipaddress.ip_address("10.1.2.3")
    )
    with pytest.raises(AddressRefused, match="connected to 10.1.2.3"):
        mw.process_response(request, response)
    public = HtmlResponse(
        request.url, body=b"<p>x</p>", request=request, ip_address=ipaddress.ip_address("93.184.215.14")
    )
    assert mw.process_response(request, public) is public


def test_allowing_private_addresses_never_opens_link_local_or_metadata(no_lookups):
    mw = guard(allow=True)
    for url in ("http://127.0.0.1:8000/", "http://10.0.0.1/", "http://[::1]/"):
        assert run(mw.process_request(Request(url))) is None
    for url in ("http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/"):
        with pytest.raises(AddressRefused):
            run(mw.process_request(Request(url)))


def test_allowing_a_list_of_networks_opens_exactly_those(no_lookups):
    mw = guard(allow=["127.0.0.0/8"])
    assert run(mw.process_request(Request("http://127.0.0.1:8000/"))) is None
    with pytest.raises(AddressRefused):
        run(mw.process_request(Request("http://10.0.0.1/")))
    with pytest.raises(ValueError, match="ARCHIVER_ALLOW_PRIVATE_ADDRESSES"):
        parse_allowed(["not a network"])


def test_guard_is_on_by_default_in_the_project_settings():
    from archiver import settings

    assert settings.ARCHIVER_ALLOW_PRIVATE_ADDRESSES is False
    assert (
        settings.DOWNLOADER_MIDDLEWARES["archiver.downloadermiddlewares.address_guard.AddressGuardMiddleware"]
        < 100
    )  # before robots.txt


# -- the address guard in real crawls of 127.0.0.1 ----------------------------------------------------


@pytest.fixture(scope="module")
def local_site():
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            body = b"<html><body><p>local</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], hits
    server.shutdown()
    server.server_close()


def crawl_without_allow(home: str, out: Path) -> tuple[str, dict]:
    outlet = out.parent / "local.toml"
    outlet.write_text(f'name = "local"\nhome = "{home}"\n')
    args = ["crawl", str(outlet), "--out", str(out)]
    for setting in LOCAL:
        if not setting.startswith("ARCHIVER_ALLOW_PRIVATE_ADDRESSES"):
            args += ["--set", setting]
    proc = run_archiver(*args, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with sqlite3.connect(out / "archive.db") as conn:
        ((stats,),) = conn.execute("select stats from crawls").fetchall()
    return proc.stderr, json.loads(stats)


@pytest.mark.parametrize(
    "host, says",
    [
        ("127.0.0.1", "127.0.0.1 is a loopback address"),
        ("localhost", "localhost resolves to 127.0.0.1, a loopback address"),
    ],
)
def test_crawl_of_a_loopback_outlet_is_refused_by_default(host, says, local_site, tmp_path):
    port, hits = local_site
    hits.clear()
    log, stats = crawl_without_allow(f"http://{host}:{port}/", tmp_path / "archive")
    assert hits == [], "the guard let a request through"
    assert says in log
    assert stats["archiver/address_guard/refused/loopback"] >= 1
    assert stats.get("downloader/request_count", 0) == 0


# -- nothing escapes the archive folder ------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["../evil", "..", "a/b", "/etc/passwd", "evil\x00", "Evil", ".hidden", "x" * 65]
)
def test_outlet_names_cannot_be_paths(name, tmp_path):
    with pytest.raises(OutletError, match="is not a valid outlet name"):
        load_outlet(name)
    with pytest.raises(OutletError, match="key 'name'"):
        parse_outlet({"name": name, "home": "http://news.example/"}, source=str(tmp_path / "x.toml"))


@pytest.mark.parametrize("prefix", ["../x", "..", "a/b", "/tmp/x", "a\\b", ".x", "x\x00y", ""])
def test_warc_prefixes_cannot_leave_the_warc_folder(prefix, tmp_path):
    with pytest.raises(ValueError, match="plain file-name part"):
        WarcWriter(tmp_path / "warcs", prefix)
    assert not any(tmp_path.rglob("*.warc.gz"))


def test_crawl_with_a_prefix_escaping_the_folder_fails_and_writes_nothing_outside(tmp_path):
    out = tmp_path / "inside" / "archive"
    proc = run_archiver(
        "crawl",
        "demo",
        "--out",
        str(out),
        "--home",
        "http://127.0.0.1:9/",
        "--set",
        "ARCHIVER_WARC_PREFIX=../x",
        "--set",
        "ARCHIVER_ALLOW_PRIVATE_ADDRESSES=false",
        timeout=120,
    )
    assert proc.returncode != 0
    assert "WARC prefix '../x' must be a plain file-name part" in proc.stderr
    assert "Traceback" not in proc.stderr
    created = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(out in p.parents for p in created), f"files outside the archive folder: {created}"
    assert [p for p in created if p.suffix == ".gz" or p.name.startswith("x")] == []
    assert not (tmp_path / "inside" / "x").exists() and not (tmp_path / "x").exists()


def test_spider_refuses_an_escaping_prefix_before_building_any_path(tmp_path):
    """``scrapy crawl news -s ARCHIVER_WARC_PREFIX=../../x`` bypasses the CLI: the archive extension checks too."""
    from archiver.extensions.archive import ArchiveExtension
    from archiver.spiders.news import NewsSpider

    crawler = get_crawler(
        NewsSpider,
        settings_dict={"ARCHIVER_OUT_DIR": str(tmp_path / "out"), "ARCHIVER_WARC_PREFIX": "../../x"},
    )
    crawler.spider = NewsSpider.from_crawler(crawler, outlet="demo")
    with pytest.raises(ValueError, match="plain file-name part"):
        ArchiveExtension.from_crawler(crawler)
    assert [p for p in tmp_path.rglob("*") if p.name in ("x", "crawl.json")] == []


# -- markup from archived pages is shown escaped, the server stays read-only -------------------------


@pytest.fixture(scope="module")
def hostile_archive(tmp_path_factory) -> Path:
    """An archive whose one article has markup in its title, text and author."""
    from archiver.crawl.session import ArchiveSession

    out = tmp_path_factory.mktemp("xss") / "archive"
    session = ArchiveSession(out, Outlet(name="xss", home="http://127.0.0.1/", domains=("127.0.0.1",)))
    url = "http://127.0.0.1/2024/06/01/xss/"
    page = (
        f"<html><head><title>{XSS_TITLE}</title></head><body><article><p>{XSS_TEXT}</p>"
        "</article></body></html>"
    ).encode()
    capture = session.record_exchange(
        HttpExchange(
            url=url,
            fetched_at=dt.datetime(2024, 6, 1, 9, tzinfo=dt.timezone.utc),
            request_bytes=b"GET /2024/06/01/xss/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            response_bytes=b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s"
            % (len(page), page),
        )
    )
    session.record_article(
        Article(
            url=url,
            title=XSS_TITLE,
            text=XSS_TEXT,
            markdown=XSS_TEXT,
            authors=[XSS_AUTHOR],
            section=XSS_TITLE,
            description=XSS_TEXT,
            published="2024-06-01T09:00:00Z",
        ),
        capture,
    )
    session.close({"finish_reason": "finished"})
    return out


def fetch(out: Path, paths: list[str], method: str = "get", **kwargs) -> dict[str, object]:
    from archiver.serve.app import make_datasette

    async def go():
        ds = make_datasette(out / "archive.db")
        await ds.invoke_startup()
        return {path: await getattr(ds.client, method)(path, **kwargs) for path in paths}

    return asyncio.run(go())


def article_id(out: Path) -> str:
    with sqlite3.connect(out / "archive.db") as conn:
        return conn.execute("select id from articles").fetchone()[0]


def shown_pages(out: Path) -> list[str]:
    """Every page of the archive that shows a title or text: Datasette's own and ours."""
    from archiver.serve.app import make_datasette

    ds = make_datasette(out / "archive.db")
    queries = ds.metadata("queries", database="archive") or {}
    aid = article_id(out)
    pages = [
        "/",
        "/archive",
        "/archive/articles",
        f"/archive/articles/{aid}",
        "/archive/captures",
        "/archive/articles?_search=markup",
        "/archive?sql=select+title,+text,+authors+from+articles",
    ]
    pages += [f"/archive/{name}?q=markup" for name in queries]
    pages += ["/-/search?q=markup", "/-/outlets", "/-/outlet/xss", f"/-/article/{aid}"]
    return pages


def test_markup_in_titles_and_texts_is_escaped_on_every_page(hostile_archive):
    responses = fetch(hostile_archive, shown_pages(hostile_archive))
    shown = 0
    for path, response in responses.items():
        if response.status_code == 404:
            continue  # a page another part of the project has not built (yet)
        assert response.status_code == 200, (path, response.status_code)
        body = response.text
        for raw in (XSS_TITLE, '<img src=x onerror="alert(2)">', '<b onmouseover="alert(3)">'):
            assert raw not in body, f"{path} shows {raw!r} unescaped"
        if "&lt;script&gt;alert(1)&lt;/script&gt;" in body or "alert(2)" in body:
            shown += 1
    assert shown >= 4, "the article's title/text should appear (escaped) on the table, row and query pages"


def test_archived_html_is_replayed_only_in_a_sandbox(hostile_archive):
    response = fetch(hostile_archive, ["/20240601090000/http://127.0.0.1/2024/06/01/xss/"])
    response = next(iter(response.values()))
    assert response.status_code == 200, "the Memento route must serve the archived page (in a sandbox)"
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert response.headers["x-content-type-options"] == "nosniff"


WRITES = [
    ("post", "/archive/articles", {"data": {"title": "x"}}),
    ("post", "/archive/-/create", {"json": {"table": "evil", "rows": [{"a": 1}]}}),
    ("post", "/archive/articles/-/insert", {"json": {"row": {"title": "x"}}}),
    ("post", "/archive/latest_articles", {"data": {}}),
    ("put", "/archive/articles", {}),
    ("delete", "/archive/articles", {}),
    ("patch", "/archive/articles", {}),
]


@pytest.mark.parametrize("method, path, kwargs", WRITES)
def test_datasette_refuses_write_methods(method, path, kwargs, hostile_archive):
    before = (hostile_archive / "archive.db").read_bytes()
    if method == "patch":
        from archiver.serve.app import make_datasette

        async def go():
            ds = make_datasette(hostile_archive / "archive.db")
            return await ds.client.request("PATCH", path)

        response = asyncio.run(go())
    else:
        response = next(iter(fetch(hostile_archive, [path], method, **kwargs).values()))
    assert response.status_code == 405
    assert "read-only" in response.text
    assert (hostile_archive / "archive.db").read_bytes() == before


@pytest.mark.parametrize(
    "sql",
    [
        "delete from articles",
        "update articles set title = 'pwned'",
        "insert into crawls (id, outlet, started_at) values ('x', 'x', 'x')",
        "drop table articles",
        "attach database '/tmp/evil.db' as evil",
        "pragma writable_schema = 1",
        "select 1; delete from articles",
    ],
)
def test_sql_that_writes_is_refused(sql, hostile_archive):
    before = (hostile_archive / "archive.db").read_bytes()
    query = urllib.parse.urlencode({"sql": sql, "_shape": "objects"})
    response = next(iter(fetch(hostile_archive, ["/archive.json?" + query]).values()))
    assert response.status_code in (400, 403), (sql, response.status_code, response.text[:300])
    assert (hostile_archive / "archive.db").read_bytes() == before
    with sqlite3.connect(hostile_archive / "archive.db") as conn:
        assert conn.execute("select title from articles").fetchall() == [(XSS_TITLE,)]
