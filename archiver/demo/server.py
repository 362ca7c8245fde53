"""Serve the demo outlet over real HTTP on 127.0.0.1, the way a modest news site would.

A stdlib threaded server, so tests need nothing but a free port. It behaves like
a production web server where archiving cares: gzip when asked, Content-Length,
Last-Modified and ETag on every response, 304 for conditional requests, HEAD,
trailing-slash redirects, an HTML 404. It logs every request (for tests that
assert what a crawler fetched and how) and can edit one article between two
crawls while every other byte stays the same.

Run it by hand with ``python -m archiver.demo.server --port 8000``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gzip
import hashlib
import http.server
import sys
import threading
import time
from email.message import Message
from email.utils import format_datetime, parsedate_to_datetime

from archiver.demo.content import catalogue
from archiver.demo.model import DemoSite, Page
from archiver.demo.site import STATIC_DATE, build_site, render_article
from archiver.demo.threaded import BackgroundServer, QuietHTTPServer

__all__ = ["DemoServer", "RequestLog"]

COMPRESSIBLE = ("text/", "application/xml", "application/rss+xml", "application/atom+xml", "application/json")

RequestLog = tuple[str, str, Message]  # (method, path as requested incl. query, request headers)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


class DemoServer(BackgroundServer):
    """The demo outlet on a local port; use as a context manager or start()/stop().

    ``port=0`` picks a free port; ``url`` is the base URL the site was built for.
    ``requests`` lists (method, path, headers) of every request in arrival order.
    ``delay`` (seconds) slows every response down, so a test can interrupt a crawl mid-way.
    """

    thread_name = "demo-server"

    cors = False

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, delay: float = 0.0) -> None:
        self._listen(host, port, delay)
        #: The outlet's second origin (its CDN: stylesheets, font, images), on a free port of the same host.
        self.cdn = AssetServer(host, delay=delay)
        self.site: DemoSite = build_site(self.url, self.cdn.url)
        self.cdn.pages = self.site.cdn_pages
        self.requests: list[RequestLog] = []
        self._lock = threading.Lock()
        self._gzipped: dict[str, bytes] = {}
        self._contents = catalogue()

    def _listen(self, host: str, port: int, delay: float) -> None:
        """Bind the server (``port=0``: a free one) and learn its URL."""
        self.delay = delay
        self._httpd = QuietHTTPServer((host, port), _Handler)
        self._httpd.demo = self  # type: ignore[attr-defined]
        self.url = self._bind()

    # -- test helpers ----------------------------------------------------------------------
    def requests_for(self, path: str) -> list[RequestLog]:
        """Requests whose path (query ignored) is ``path``."""
        with self._lock:
            return [r for r in self.requests if r[1].split("?", 1)[0] == path]

    def clear_requests(self) -> None:
        """Forget the request log (the CDN's too)."""
        with self._lock:
            self.requests.clear()
        cdn = getattr(self, "cdn", None)
        if cdn is not None:
            cdn.clear_requests()

    def edit_article(self, path: str, text: str) -> None:
        """Replace one article's body with ``text`` (paragraphs split on blank lines).

        Only that page changes: its body, modified time (now), Last-Modified and
        ETag. Listings, feeds and sitemaps keep their bytes, so a re-crawl sees
        exactly one changed page. ``site.articles`` is updated to the new text.
        """
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
        if not paragraphs:
            raise ValueError("edit_article needs some text: paragraphs separated by blank lines")
        with self._lock:
            article = self.site.article(path)
            now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
            index = next(
                i
                for i, c in enumerate(self._contents)
                if c.slug == article.path.rstrip("/").rsplit("/", 1)[1]
            )
            content = dataclasses.replace(
                self._contents[index],
                paragraphs=paragraphs,
                modified=now,
                promos=[(n, s) for n, s in self._contents[index].promos if n < len(paragraphs)],
            )
            self._contents[index] = content
            body = render_article(self.url, content, self._contents, self.site.cdn_url)
            self.site.pages[article.path] = Page(self.site.pages[article.path].content_type, body, now)
            self._gzipped.pop(article.path, None)
            new = dataclasses.replace(
                article, paragraphs=paragraphs, modified=now.isoformat().replace("+00:00", "Z")
            )
            self.site.articles[self.site.articles.index(article)] = new

    def start(self) -> "DemoServer":
        self.cdn.start()
        return super().start()

    def stop(self) -> None:
        super().stop()
        self.cdn.stop()

    # -- serving ---------------------------------------------------------------------------
    def _log(self, method: str, path: str, headers: Message) -> None:
        with self._lock:
            self.requests.append((method, path, headers))

    def _lookup(self, path: str) -> tuple[str, Page]:
        with self._lock:
            pages = self.site.pages
            if path in pages:
                return path, pages[path]
            if not path.endswith("/") and path + "/" in pages:
                return path, Page(
                    "text/html; charset=utf-8",
                    b"",
                    pages[path + "/"].last_modified,
                    status=301,
                    location=self.url + path + "/",
                )
            return path, self.site.not_found

    def _gzip(self, path: str, body: bytes) -> bytes:
        with self._lock:
            if path not in self._gzipped:
                self._gzipped[path] = gzip.compress(body, compresslevel=6, mtime=0)
            return self._gzipped[path]


class AssetServer(DemoServer):
    """The demo outlet's CDN: its files by path, with the outlet's caching headers and CORS for fonts."""

    thread_name = "demo-cdn"
    cors = True  # a font from another origin loads only with Access-Control-Allow-Origin

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, delay: float = 0.0) -> None:
        self._listen(host, port, delay)
        self.pages: dict[str, Page] = {}
        self.requests = []
        self._lock = threading.Lock()
        self._gzipped = {}

    def start(self) -> "AssetServer":
        return BackgroundServer.start(self)

    def stop(self) -> None:
        BackgroundServer.stop(self)

    def _lookup(self, path: str) -> tuple[str, Page]:
        page = self.pages.get(path)
        if page is None:
            return path, Page("text/plain; charset=utf-8", b"not found\n", STATIC_DATE, status=404)
        return path, page


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "MeridianDemo/1.0"

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:  # quiet: tests read .requests instead
        pass

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, *, send_body: bool) -> None:
        demo: DemoServer = self.server.demo  # type: ignore[attr-defined]
        demo._log(self.command, self.path, self.headers)
        if demo.delay:
            time.sleep(demo.delay)
        path, page = demo._lookup(self.path.split("?", 1)[0].split("#", 1)[0])
        body = page.body
        compress = (
            page.status == 200
            and page.content_type.startswith(COMPRESSIBLE)
            and "gzip" in self.headers.get("Accept-Encoding", "").lower()
        )
        etag = _etag(body)
        if compress:
            body = demo._gzip(path, body)
            etag = etag[:-1] + '-gzip"'
        last_modified = format_datetime(page.last_modified.astimezone(dt.timezone.utc), usegmt=True)
        if page.status == 200 and self._not_modified(etag, page.last_modified):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            return
        self.send_response(page.status)
        if page.location:
            self.send_header("Location", page.location)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", last_modified)
        self.send_header("ETag", etag)
        if page.content_type.startswith(COMPRESSIBLE):
            self.send_header("Vary", "Accept-Encoding")
        if compress:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Cache-Control", "max-age=60")
        if demo.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _not_modified(self, etag: str, last_modified: dt.datetime) -> bool:
        """RFC 9110: If-None-Match wins over If-Modified-Since; either gzip or plain ETag matches."""
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            plain = etag.replace("-gzip", "")
            tags = {t.strip().removeprefix("W/").replace("-gzip", "") for t in inm.split(",")}
            return "*" in tags or plain in tags
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=dt.timezone.utc)
            return last_modified.replace(microsecond=0) <= since
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m archiver.demo.server",
        description="Serve the demo news outlet on 127.0.0.1 until Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port (default 8000)")
    args = parser.parse_args(argv)
    try:
        server = DemoServer(args.host, args.port)
    except OSError as exc:
        print(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror}; try another --port", file=sys.stderr
        )
        return 2
    with server:
        print(
            f"Demo outlet at {server.url}/ ({len(server.site.articles)} articles), "
            f"its CDN at {server.cdn.url}/. Ctrl-C to stop.",
            flush=True,
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
