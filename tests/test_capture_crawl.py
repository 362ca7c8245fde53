"""Byte-exact capture in a real Scrapy crawl against hand-written raw HTTP responses.

A raw socket server on 127.0.0.1 answers with bytes written here (odd header
case, repeated headers, gzip, chunked, a 301, a 404, a close-delimited
HTTP/1.0 body, a stalled body) and logs the exact request bytes it receives.
The crawl runs in a subprocess (a Twisted reactor cannot restart inside
pytest): this file is also the crawl script, run as ``python THIS_FILE``.
The WARC blocks must equal what crossed the socket, byte for byte.
"""

from __future__ import annotations

import gzip
import json
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

HTML_GZ = gzip.compress(b"<html><body><p>Gzipped news</p></body></html>", mtime=0)
CHUNK_BODY_PARTS = [b"<html><body>", b"<p>Chunked news</p>", b"</body></html>"]
ROBOTS = b"User-agent: *\r\nDisallow: /private\r\n"


def _chunked(parts: list[bytes]) -> bytes:
    out = b""
    for i, part in enumerate(parts):
        ext = b";note=x" if i == 1 else b""
        out += b"%X%s\r\n%s\r\n" % (len(part), ext, part)
    return out + b"0\r\n\r\n"


RESPONSES: dict[str, bytes] = {
    "/robots.txt": b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(ROBOTS)
    + ROBOTS,
    "/odd": (
        b"HTTP/1.1 200 Fine Thanks\r\n"
        b"x-LOWER-upper: MiXeD\r\n"
        b"Set-Cookie: a=1; Path=/\r\n"
        b"CONTENT-TYPE: text/html;charset=UTF-8\r\n"
        b"set-cookie: b=2\r\n"
        b"X-Dup: one\r\n"
        b"X-Dup: two\r\n"
        b"content-length: 45\r\n\r\n"
        b"<html><body><p>odd headers</p></body>\n</html>"
    ),
    "/gzip": (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
        b"Vary: Accept-Encoding\r\nContent-Length: %d\r\n\r\n" % len(HTML_GZ) + HTML_GZ
    ),
    "/chunked": (
        b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ntransfer-encoding: chunked\r\n\r\n"
        + _chunked(CHUNK_BODY_PARTS)
    ),
    "/moved": (
        b"HTTP/1.1 301 Gone Elsewhere\r\nLocation: /target\r\nContent-Type: text/html\r\n"
        b"Content-Length: 9\r\n\r\nmoved on\n"
    ),
    "/target": b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 14\r\n\r\n<p>target</p>\n",
    "/missing": b"HTTP/1.1 404 Nope\r\nContent-Type: text/html\r\nContent-Length: 10\r\n\r\nnot here!\n",
    "/close": b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<p>until the connection closes</p>\n",
}
SHORT = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100\r\n\r\n<p>cut off after twenty"
STALL_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n<p>only the start"
RESPONSES["/short"] = SHORT
CLOSE_AFTER = {"/close", "/short"}
PATHS = ["/odd", "/gzip", "/chunked", "/moved", "/missing", "/close", "/private", "/stall", "/short"]


class RawServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RawHandler)
        self.requests: list[tuple[str, bytes]] = []
        self.connections = 0
        self.lock = threading.Lock()


class RawHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: RawServer = self.server  # type: ignore[assignment]
        with server.lock:
            server.connections += 1
        buf = b""
        while True:
            while b"\r\n\r\n" not in buf:
                try:
                    data = self.request.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                buf += data
            end = buf.index(b"\r\n\r\n") + 4
            raw, buf = buf[:end], buf[end:]
            path = raw.split(b" ", 2)[1].decode()
            with server.lock:
                server.requests.append((path, raw))
            if path == "/stall":
                self.request.sendall(STALL_HEAD)
                time.sleep(3)
                return
            self.request.sendall(RESPONSES.get(path, RESPONSES["/missing"]))
            if path in CLOSE_AFTER:
                self.request.shutdown(socket.SHUT_WR)
                return


class TlsRawServer(RawServer):
    """The same raw server behind TLS: the tee must see the plaintext HTTP bytes."""

    def __init__(self, certfile: Path, keyfile: Path) -> None:
        super().__init__()
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(certfile, keyfile)

    def get_request(self):
        sock, addr = super().get_request()
        return self.context.wrap_socket(sock, server_side=True), addr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_crawl(tmp_path: Path, base: str, *, handler: str, max_size: int, paths: list[str]) -> dict:
    out = tmp_path / "out"
    urls = [base + p for p in paths] + [f"http://127.0.0.1:{_free_port()}/refused"]
    cmd = [sys.executable, __file__, str(out), handler, str(max_size), *urls]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    return json.loads((out / "result.json").read_text())


def warc_records(out: Path) -> list[tuple[str, dict, bytes]]:
    from warcio.archiveiterator import ArchiveIterator

    records = []
    for path in sorted((out / "warcs").glob("*.warc.gz")):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f, no_record_parse=True):
                records.append((path.name, dict(rec.rec_headers.headers), rec.raw_stream.read()))
    return records


def warcio_check(path: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("warcio")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "warcio.cli"]
    return subprocess.run(cmd + ["check", str(path)], capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def server():
    srv = RawServer()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def teed(server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("teed")
    server.requests.clear()
    result = run_crawl(
        tmp,
        f"http://127.0.0.1:{server.server_address[1]}",
        handler="archiver.handlers.http11.TeeHTTP11DownloadHandler",
        max_size=3000,
        paths=PATHS,
    )
    return tmp / "out", result, list(server.requests), server.connections


def _by_uri(records, rec_type):
    out: dict[str, list] = {}
    for name, headers, block in records:
        if headers["WARC-Type"] == rec_type:
            out.setdefault(headers["WARC-Target-URI"].rsplit("/", 1)[-1], []).append((name, headers, block))
    return out


def test_response_blocks_are_the_bytes_sent(teed):
    out, result, _, _ = teed
    responses = _by_uri(warc_records(out), "response")
    for path in ["/robots.txt", "/odd", "/gzip", "/chunked", "/moved", "/target", "/missing", "/close"]:
        [(_, headers, block)] = responses[path.lstrip("/")]
        assert block == RESPONSES[path], path
        assert "WARC-Archiver-Reconstructed" not in headers
        assert headers["WARC-IP-Address"] == "127.0.0.1"


def test_request_blocks_are_the_bytes_received(teed):
    out, _, server_requests, _ = teed
    requests = _by_uri(warc_records(out), "request")
    for path, raw in server_requests:
        blocks = [block for _, _, block in requests[path.lstrip("/")]]
        assert raw in blocks, path
    assert "private" not in requests  # disallowed by robots.txt: never sent, never archived


def test_keep_alive_connections_were_split_per_exchange(teed):
    _, _, server_requests, connections = teed
    assert len(server_requests) >= 8
    assert connections < len(server_requests)  # several exchanges shared a connection


def test_capture_meta_links_item_to_its_response_record(teed):
    out, result, _, _ = teed
    responses = _by_uri(warc_records(out), "response")
    seen = {Path(item["url"]).name: item for item in result["responses"]}
    for name in ["odd", "gzip", "chunked", "target", "missing", "close"]:
        capture = seen[name]["capture"]
        [(warc_file, headers, block)] = responses[name]
        assert capture["record_id"] == headers["WARC-Record-ID"]
        assert capture["warc_file"] == warc_file
    from archiver.warc import capture_from_record, iter_records

    stored = {item["capture"]["record_id"]: item["capture"] for item in result["responses"]}
    rebuilt = {}
    for path in (out / "warcs").glob("*.warc.gz"):
        for record in iter_records(path):
            if record.record_id in stored:
                rebuilt[record.record_id] = capture_from_record(record).to_dict()
    assert rebuilt == stored  # reindex rebuilds exactly the capture the crawl handed on
    assert not any(item["raw_left_in_meta"] for item in result["responses"])  # bytes not dragged along
    assert (
        seen["gzip"]["body"] == "<html><body><p>Gzipped news</p></body></html>"
    )  # HttpCompression still works
    assert seen["chunked"]["body"] == b"".join(CHUNK_BODY_PARTS).decode()
    assert seen["odd"]["capture"]["reason"] == "Fine Thanks" and seen["missing"]["capture"]["status"] == 404
    assert (
        seen["target"]["capture"]["payload_sha256"]
        == __import__("hashlib").sha256(b"<p>target</p>\n").hexdigest()
    )


def test_redirect_and_robots_are_archived(teed):
    out, _, _, _ = teed
    responses = _by_uri(warc_records(out), "response")
    assert b"301 Gone Elsewhere" in responses["moved"][0][2]
    assert responses["robots.txt"][0][2].endswith(ROBOTS)


def test_errors_are_archived_as_request_plus_metadata(teed):
    out, result, _, _ = teed
    records = warc_records(out)
    meta = _by_uri(records, "metadata")
    [(_, refused_meta, block)] = meta["refused"]
    assert block.startswith(b"fetch-error: ") and b"refused" in block.lower()
    assert refused_meta.get("WARC-Archiver-Reconstructed") == "true"  # no byte was ever sent
    [(_, stall_headers, stall_block)] = _by_uri(records, "response")["stall"]
    assert stall_block == STALL_HEAD and stall_headers["WARC-Truncated"] == "time"
    assert "robots.txt" in meta  # the dead host's robots.txt fetch failed too, and is archived
    [(_, short_headers, short_block)] = _by_uri(records, "response")["short"]
    assert short_block == SHORT and short_headers["WARC-Truncated"] == "disconnect"
    assert result["stats"]["archiver/warc/errors"] == 4  # refused page, its robots.txt, the stall, the short


def test_every_file_checks_with_warcio_and_rotation_happened(teed):
    out, result, _, _ = teed
    files = sorted((out / "warcs").glob("*.warc.gz"))
    assert len(files) >= 2
    for path in files:
        check = warcio_check(path)
        assert check.returncode == 0, check.stdout
    types = [h["WARC-Type"] for _, h, _ in warc_records(out)]
    assert types.count("warcinfo") == len(files)
    stats = result["stats"]
    assert stats["archiver/warc/records"] == types.count("request") + types.count("response") + types.count(
        "metadata"
    )
    assert stats["archiver/warc/reconstructed"] == 2  # only the refused page and its robots.txt: nothing sent


def test_fallback_without_tee_is_marked_reconstructed(server, tmp_path):
    base = f"http://127.0.0.1:{server.server_address[1]}"
    result = run_crawl(
        tmp_path,
        base,
        handler="scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
        max_size=10**9,
        paths=["/chunked", "/odd"],
    )
    out = tmp_path / "out"
    responses = _by_uri(warc_records(out), "response")
    [(_, headers, block)] = responses["chunked"]
    assert headers["WARC-Archiver-Reconstructed"] == "true"
    assert b"transfer-encoding" not in block.lower() and block.endswith(b"".join(CHUNK_BODY_PARTS))
    [(_, _, odd)] = responses["odd"]
    assert odd.startswith(b"HTTP/1.1 200 OK\r\n")  # reason from http.HTTPStatus, not the server's
    for path in (out / "warcs").glob("*.warc.gz"):
        assert warcio_check(path).returncode == 0
    assert result["stats"]["archiver/warc/reconstructed"] >= 3


def test_https_is_teed_above_tls(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    srv = TlsRawServer(cert, key)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        base = f"https://127.0.0.1:{srv.server_address[1]}"
        result = run_crawl(
            tmp_path,
            base,
            handler="archiver.handlers.http11.TeeHTTP11DownloadHandler",
            max_size=10**9,
            paths=["/odd", "/chunked", "/gzip"],
        )
    finally:
        srv.shutdown()
        srv.server_close()
    responses = _by_uri(warc_records(tmp_path / "out"), "response")
    for path in ["/robots.txt", "/odd", "/chunked", "/gzip"]:
        [(_, headers, block)] = responses[path.lstrip("/")]
        assert block == RESPONSES[path] and headers["WARC-Target-URI"].startswith("https://")
        assert "WARC-Archiver-Reconstructed" not in headers
    requests = _by_uri(warc_records(tmp_path / "out"), "request")
    assert [b for _, b in srv.requests if b.startswith(b"GET /odd ")] == [requests["odd"][0][2]]
    assert len(result["responses"]) == 3


# ---------------------------------------------------------------------------------------------
# The crawl itself, run in a subprocess: python tests/test_capture_crawl.py OUT HANDLER MAXSIZE URL...


class StandInSession:
    """Minimal stand-in for archiver.crawl.session.ArchiveSession: only the WARC side."""

    def __init__(self, out: Path, max_size: int) -> None:
        from archiver.warc import WarcWriter

        self.writer = WarcWriter(
            out / "warcs",
            "capt",
            max_size=max_size,
            warcinfo={"software": "test", "crawl-id": "c1", "outlet": "raw"},
        )

    def record_exchange(self, exchange, any_url=False):
        return self.writer.write(exchange)  # the exchange, written as is


def _crawl_main(out: Path, handler: str, max_size: int, urls: list[str]) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess

    responses: list[dict] = []

    class RawSpider(scrapy.Spider):
        name = "raw"

        async def start(self):
            for url in urls:
                meta = {"download_timeout": 1.5} if url.endswith("/stall") else {}
                yield scrapy.Request(url, callback=self.parse, meta=meta, dont_filter=True)

        def parse(self, response):
            capture = response.meta.get("archiver_capture")
            responses.append(
                {
                    "url": response.url,
                    "status": response.status,
                    "capture": capture.to_dict() if capture else None,
                    "body": response.body.decode("utf-8", "replace"),
                    "raw_left_in_meta": "archiver_raw" in response.meta,
                }
            )

    from archiver.extensions.archive import ArchiveExtension

    session = StandInSession(out, max_size)

    class StandInArchive(ArchiveExtension):
        def open_session(self, crawler):
            return session

        def _close_session(self, spider, reason):
            pass  # closed below, after the stats are read

    process = CrawlerProcess(
        settings={
            "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
            "DOWNLOADER_MIDDLEWARES": {"archiver.downloadermiddlewares.capture.WarcCaptureMiddleware": 950},
            "EXTENSIONS": {StandInArchive: -1},
            "ROBOTSTXT_OBEY": True,
            "RETRY_ENABLED": False,
            "HTTPERROR_ALLOW_ALL": True,
            "CONCURRENT_REQUESTS": 1,
            "LOG_LEVEL": "WARNING",
            "TELNETCONSOLE_ENABLED": False,
            "DOWNLOAD_TIMEOUT": 10,
        }
    )
    crawler = process.create_crawler(RawSpider)
    process.crawl(crawler)
    process.start()
    session.writer.close()
    stats = {k: v for k, v in crawler.stats.get_stats().items() if k.startswith("archiver/")}
    (out / "result.json").write_text(json.dumps({"responses": responses, "stats": stats}))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    _crawl_main(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4:])
