"""Issue 11, the outside audit: the address guard, the schemes fetched, names, DNS rebinding.

Each test fails on the code the audit attacked. Crawls are real Scrapy crawls of
servers on 127.0.0.x (the loopback range); nothing leaves the machine.
"""

from __future__ import annotations

import gzip
import http.server
import ipaddress
import json
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler
from guard_support import guard, run
from support import LOCAL, REPO, run_archiver

from archiver.downloadermiddlewares import address_guard
from archiver.downloadermiddlewares.address_guard import (
    AddressRefused,
    address_kind,
    embedded_ipv4,
)


# -- item 8: wrapped IPv4 and metadata before any allow list ------------------------------------------

WRAPPED_METADATA = [
    "64:ff9b::a9fe:a9fe",  # NAT64 well-known prefix
    "64:ff9b:1:a9fe:a9:fe00::",  # NAT64 local-use /48 (RFC 6052, bits 64-71 skipped)
    "64:ff9b:1::a9fe:a9fe",  # NAT64 local-use with the /96 layout
    "2002:a9fe:a9fe::",  # 6to4
    "::a9fe:a9fe",  # IPv4-compatible
    "::ffff:169.254.169.254",  # IPv4-mapped
    "2001:0:4136:e378:8000:63bf:5601:5601",  # Teredo whose client is 169.254.169.254 (obfuscated)
    "fd00:ec2::254",  # AWS IPv6 metadata
]


@pytest.mark.parametrize("address", WRAPPED_METADATA)
@pytest.mark.parametrize("allow", [False, True, ["0.0.0.0/0", "::/0"]])
def test_wrapped_metadata_addresses_are_refused_whatever_is_allowed(address, allow, no_lookups):
    mw = guard(allow)
    with pytest.raises(AddressRefused, match="a metadata address"):
        run(mw.process_request(Request(f"http://[{address}]/latest/meta-data/")))
    assert mw.stats.get_value("archiver/address_guard/refused/metadata") == 1


@pytest.mark.parametrize(
    "address, kind",
    [
        ("64:ff9b::7f00:1", "loopback"),
        ("64:ff9b::a00:1", "private"),
        ("2002:7f00:1::", "loopback"),
        ("2002:c0a8:101::1", "private"),
        ("::7f00:1", "loopback"),
        ("::a00:1", "private"),
    ],
)
def test_wrapped_private_addresses_are_refused(address, kind, no_lookups):
    assert address_kind(ipaddress.ip_address(address)) == kind
    with pytest.raises(AddressRefused, match=f"a {kind} address"):
        run(guard().process_request(Request(f"http://[{address}]/")))


def test_wrapped_public_addresses_stay_public(no_lookups):
    for address in ("64:ff9b::808:808", "2002:808:808::1"):
        assert embedded_ipv4(ipaddress.ip_address(address)) == [ipaddress.ip_address("8.8.8.8")]
        assert run(guard().process_request(Request(f"http://[{address}]/"))) is None


# -- item 2: only http(s) is ever requested --------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///dev/zero",
        "ftp://127.0.0.2:2121/x%0d%0aINJECTED",
        "s3://bucket/key",
        "data:text/html,<p>hi</p>",
        "gopher://127.0.0.1:70/",
    ],
)
def test_guard_refuses_every_scheme_but_http_and_https(url, no_lookups):
    mw = guard(allow=True)
    with pytest.raises(AddressRefused, match="only http and https URLs are fetched"):
        run(mw.process_request(Request(url)))
    assert mw.stats.get_value("archiver/address_guard/refused/scheme") == 1


def test_project_settings_switch_off_every_other_download_handler():
    from scrapy.core.downloader.handlers import DownloadHandlers
    from scrapy.utils.test import get_crawler as crawler_for

    from archiver import settings

    names = {k: v for k, v in vars(settings).items() if k.isupper()}
    handlers = DownloadHandlers(crawler_for(settings_dict=names))
    assert set(handlers._schemes) == {"http", "https"}, handlers._schemes
    for scheme in ("file", "ftp", "s3", "data"):
        assert handlers._get_handler(scheme) is None


@pytest.fixture
def listener():
    """A TCP listener on 127.0.0.2 (an FTP server as far as the crawler knows) counting connections."""
    sock = socket.socket()
    sock.bind(("127.0.0.2", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    accepted: list[bytes] = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with conn:
                conn.sendall(b"220 ready\r\n")
                conn.settimeout(2)
                try:
                    accepted.append(conn.recv(4096))
                except OSError:
                    accepted.append(b"")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1], accepted
    stop.set()
    thread.join(5)
    sock.close()


def _serve(routes: dict[str, tuple[str, bytes]], host: str = "127.0.0.1", port: int = 0):
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            ctype, body = routes.get(self.path, ("text/html", b"<html><body>nothing</body></html>"))
            self.send_response(200 if self.path in routes else 404)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, hits


def test_file_and_ftp_entries_of_a_sitemap_and_a_feed_are_never_fetched(listener, tmp_path):
    ftp_port, accepted = listener
    secret = tmp_path / "secret-sitemap.xml"
    secret.write_text(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>http://127.0.0.1:1/read-from-a-local-file</loc></url></urlset>"
    )
    hostile = [
        f"file://127.0.0.1{secret}",
        f"file://{secret}",
        "file:///dev/zero",
        f"ftp://127.0.0.2:{ftp_port}/x%0d%0aINJECTED%20COMMAND",
        "data:text/html,<a href='/from-data'>x</a>",
    ]
    locs = "".join(f"<url><loc>{u.replace('&', '&amp;')}</loc></url>" for u in hostile)
    sitemap = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'.encode()
    items = "".join(f"<item><title>x</title><link>{u}</link></item>" for u in hostile)
    feed = f'<rss version="2.0"><channel><title>f</title>{items}</channel></rss>'.encode()
    server, hits = _serve(
        {"/sitemap.xml": ("application/xml", sitemap), "/feed.xml": ("application/rss+xml", feed)}
    )
    try:
        port = server.server_address[1]
        outlet = tmp_path / "schemes.toml"
        outlet.write_text(
            textwrap.dedent(f"""
                name = "schemes"
                home = "http://127.0.0.1:{port}/"
                domains = ["127.0.0.1", "127.0.0.2"]
                start_urls = []
                sitemap_urls = ["/sitemap.xml"]
                feed_urls = ["/feed.xml"]
                """)
        )
        out = tmp_path / "archive"
        args = ["crawl", str(outlet), "--out", str(out)]
        for setting in LOCAL:
            args += ["--set", setting]
        proc = run_archiver(*args, timeout=180)
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert accepted == [], f"the FTP listener got a connection: {accepted!r}"
    assert "/sitemap.xml" in hits and "/feed.xml" in hits
    assert not [h for h in hits if "read-from-a-local-file" in h or "from-data" in h]
    with sqlite3.connect(out / "archive.db") as conn:
        urls = [u for (u,) in conn.execute("select url from captures")]
        ((stats,),) = conn.execute("select stats from crawls").fetchall()
    assert all(u.startswith("http://") for u in urls), urls
    stats = json.loads(stats)
    assert stats["archiver/discovery/skipped_scheme"] >= len(hostile)
    assert "only http and https are" in proc.stderr


# -- item 10: names with a trailing newline ------------------------------------------------------------


def test_names_with_a_trailing_newline_are_refused(tmp_path):
    from archiver.outlets import OutletError, load_outlet, parse_outlet
    from archiver.warc.writer import WarcWriter
    from archiver.scheduler.distributed import check_worker_id

    with pytest.raises(OutletError, match="is not a valid outlet name"):
        load_outlet("evil\n")
    with pytest.raises(OutletError, match="key 'name'"):
        parse_outlet({"name": "evil\n", "home": "http://news.example/"}, source=str(tmp_path / "x.toml"))
    with pytest.raises(ValueError, match="control characters"):
        WarcWriter(tmp_path / "warcs", "evil\n")
    with pytest.raises(Exception, match="worker"):
        check_worker_id("w1\n")
    assert not any(tmp_path.rglob("*.warc.gz"))


def test_every_validation_regex_is_anchored_at_the_very_end():
    """No ``re.match`` on a pattern ending in ``$`` (which also matches before a final newline)."""
    import re

    offenders = []
    for path in [*REPO.glob("archiver/**/*.py"), *REPO.glob("spiders/*.py"), *REPO.glob("pipelines/*.py")]:
        if "/clean/" in str(path):
            continue  # text heuristics, not name checks
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"re\.compile\(r?[\"']\^.*\$[\"']\)", line):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == []


# -- item 3: DNS rebinding, decided before anything is recorded ------------------------------------------

REBIND_RUNNER = """
import socket, sys, threading
real_getaddrinfo, real_gethostbyname = socket.getaddrinfo, socket.gethostbyname
answers = iter(["127.0.0.1"])  # the first answer (the one the guard checks); then the rebinding one
lock = threading.Lock()

def answer():
    with lock:
        return next(answers, "127.0.0.2")

def getaddrinfo(host, port, *args, **kwargs):
    if host in ("rebind.test", b"rebind.test"):
        return real_getaddrinfo(answer(), port, *args, **kwargs)
    return real_getaddrinfo(host, port, *args, **kwargs)

def gethostbyname(host):
    return answer() if host == "rebind.test" else real_gethostbyname(host)

socket.getaddrinfo, socket.gethostbyname = getaddrinfo, gethostbyname
from archiver.cli import cli
cli(sys.argv[1:])
"""


def _pair_of_servers():
    """An allowed server on 127.0.0.1 and a forbidden one on 127.0.0.2, on the same port."""
    for _ in range(20):
        good, good_hits = _serve({"/": ("text/html", b"<html><body><p>the allowed page</p></body></html>")})
        port = good.server_address[1]
        try:
            bad, bad_hits = _serve(
                {"/": ("text/html", b"<html><body><p>FORBIDDEN-SECRET-PAGE</p></body></html>")},
                host="127.0.0.2",
                port=port,
            )
        except OSError:
            good.shutdown()
            good.server_close()
            continue
        return port, (good, good_hits), (bad, bad_hits)
    raise AssertionError("no port free on both 127.0.0.1 and 127.0.0.2")


def test_dns_rebinding_reaches_neither_the_forbidden_server_nor_the_archive(tmp_path):
    port, (good, good_hits), (bad, bad_hits) = _pair_of_servers()
    try:
        outlet = tmp_path / "rebind.toml"
        outlet.write_text(f'name = "rebind"\nhome = "http://rebind.test:{port}/"\n')
        out = tmp_path / "archive"
        args = ["crawl", str(outlet), "--out", str(out)]
        for setting in LOCAL:
            if not setting.startswith("ARCHIVER_ALLOW_PRIVATE_ADDRESSES"):
                args += ["--set", setting]
        args += ["--set", 'ARCHIVER_ALLOW_PRIVATE_ADDRESSES=["127.0.0.1/32"]']
        proc = subprocess.run(  # noqa: PLW1510 (the exit code is asserted)
            [sys.executable, "-c", REBIND_RUNNER, *args],
            cwd=REPO,
            env={**__import__("os").environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=180,
        )
    finally:
        for server in (good, bad):
            server.shutdown()
            server.server_close()
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert bad_hits == [], "the crawler connected to the address of the second DNS answer"
    assert "/" in good_hits
    plain = b"".join(gzip.decompress(p.read_bytes()) for p in (out / "warcs").glob("*.warc.gz"))
    assert b"FORBIDDEN-SECRET-PAGE" not in plain
    assert b"the allowed page" in plain
    with sqlite3.connect(out / "archive.db") as conn:
        dump = "\n".join(conn.iterdump())
    assert "FORBIDDEN-SECRET-PAGE" not in dump
    assert b"WARC-IP-Address: 127.0.0.2" not in plain


def test_handler_refuses_a_forbidden_peer_before_the_capture_middleware_sees_it():
    """Whatever connected (a pooled connection, another resolver): nothing from a forbidden peer is handed on."""
    from scrapy.http import HtmlResponse

    from archiver.handlers.http11 import META_KEY, RawExchange, TeeHTTP11DownloadHandler

    from archiver import settings

    crawler = get_crawler(
        settings_dict={
            "ARCHIVER_ALLOW_PRIVATE_ADDRESSES": ["127.0.0.1/32"],
            "DOWNLOADER_MIDDLEWARES": settings.DOWNLOADER_MIDDLEWARES,
        }
    )
    handler = TeeHTTP11DownloadHandler.__new__(TeeHTTP11DownloadHandler)  # no reactor needed for the check
    handler._crawler = crawler
    handler._allowed = address_guard.guard_policy(crawler.settings)
    assert handler._allowed is not None, "the project's middlewares include the guard"
    request = Request("http://news.example/")
    raw = RawExchange(url=request.url, ip="127.0.0.2")
    request.meta[META_KEY] = raw
    response = HtmlResponse(
        request.url, body=b"x", request=request, ip_address=ipaddress.ip_address("127.0.0.2")
    )
    with pytest.raises(AddressRefused, match="connected to 127.0.0.2"):
        handler._check_peer(request, response)
    assert raw.recorded, "the exchange is marked so that the capture middleware never records it"
    ok = HtmlResponse(request.url, body=b"x", request=request, ip_address=ipaddress.ip_address("127.0.0.1"))
    handler._check_peer(request, ok)
