"""A generated news site of any size, and a fast static server for it.

The demo outlet (150 pages) is too small to measure a crawler or to spread over several
workers; this one has ``pages`` pages, articles with a real one's signals inside the
furniture the cleaner must drop, all reachable from the home page and linking to each
other. Deterministic: the same ``pages`` and base URL give the same bytes.
``python -m archiver.demo.bigsite --pages 5000 --port 0`` serves it with asyncio
(:func:`serve_fast`, the benchmark's server); :class:`BigSiteServer` serves it from a
thread and counts requests per path (tests). See "The demo outlet and generated sites"
in ``docs/architecture.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import random
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from archiver.demo.threaded import BackgroundServer, QuietHTTPServer

__all__ = ["BigSiteServer", "build_pages", "outlet_toml", "SECTION_SIZE"]

#: Articles listed per section page.
SECTION_SIZE = 50
_WORDS = (
    "council budget river harbour minister school hospital railway election storm market court "
    "village festival museum bridge farmers energy water report police university library port "
    "research housing coast weather mayor union strike transport season plan review data city"
).split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def _layout(title: str, head: str, body: str) -> bytes:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | The Big Demo</title>
{head}</head>
<body><header><nav><a href="/">Home</a> <a href="/section/0/">Section 0</a> <a href="/about/">About</a></nav></header>
<div class="cookie-banner">We use cookies. <button>Accept</button></div>
<main>{body}</main>
<aside class="newsletter"><h3>Get the morning briefing</h3><form><input name="email"></form></aside>
<footer><p>&copy; The Big Demo. All rights reserved.</p><a href="/about/">About us</a></footer>
</body></html>""".encode()


def _article_count(pages: int) -> int:
    """Articles such that home + sections + about + articles == pages."""
    n = pages - 2
    while n + 2 + -(-n // SECTION_SIZE) > pages:
        n -= 1
    return max(n, 1)


def _article(i: int, count: int) -> bytes:
    rng = random.Random(i)
    title = f"Story {i}: " + " ".join(rng.choice(_WORDS) for _ in range(5)).title()
    day = 1 + i % 28
    date = f"2024-06-{day:02d}T{8 + i % 10:02d}:00:00Z"
    related = sorted(
        {(i * 7 + 3) % count, (i + 1) % count, (i * 13 + 5) % count, (i + count // 2) % count} - {i}
    )
    links = "".join(f'<li><a href="/news/{j}/">Story {j}</a></li>' for j in related)
    paragraphs = "".join(f"<p>{_paragraph(rng)}</p>" for _ in range(rng.randint(4, 8)))
    head = (
        f'<meta property="og:type" content="article"><meta property="og:title" content="{title}">'
        f'<meta property="article:published_time" content="{date}">'
        f'<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle", '
        f'"headline": "{title}", "datePublished": "{date}", '
        f'"author": {{"@type": "Person", "name": "Reporter {i % 17}"}}}}'
        f"</script>"
    )
    body = (
        f'<article><h1>{title}</h1><p class="byline">By Reporter {i % 17}</p>'
        f'<time datetime="{date}">{date[:10]}</time>'
        f'<div class="share-bar"><a href="#">Share</a> <a href="#">Tweet</a></div>'
        f'<div class="entry-content">{paragraphs}</div></article>'
        f'<section class="related"><h2>More like this</h2><ul>{links}</ul></section>'
        f'<p><a href="/section/{i // SECTION_SIZE}/">More in this section</a></p>'
    )
    return _layout(title, head, body)


def build_pages(pages: int) -> dict[str, bytes]:
    """Path -> HTML of a site of exactly ``pages`` pages (plus robots.txt)."""
    count = _article_count(pages)
    sections = -(-count // SECTION_SIZE)
    site: dict[str, bytes] = {}
    section_links = "".join(f'<li><a href="/section/{s}/">Section {s}</a></li>' for s in range(sections))
    latest = "".join(f'<li><a href="/news/{i}/">Story {i}</a></li>' for i in range(min(count, 20)))
    site["/"] = _layout("Home", "", f"<h1>The Big Demo</h1><ul>{section_links}</ul><ul>{latest}</ul>")
    site["/about/"] = _layout(
        "About", "", "<h1>About</h1><p>A generated news site for tests and benchmarks.</p>"
    )
    for s in range(sections):
        items = "".join(
            f'<li><a href="/news/{i}/">Story {i}</a></li>'
            for i in range(s * SECTION_SIZE, min(count, (s + 1) * SECTION_SIZE))
        )
        nav = "".join(f'<a href="/section/{t}/">{t}</a> ' for t in (s - 1, s + 1) if 0 <= t < sections)
        site[f"/section/{s}/"] = _layout(
            f"Section {s}", "", f"<h1>Section {s}</h1><ul>{items}</ul><p>{nav}</p>"
        )
    for i in range(count):
        site[f"/news/{i}/"] = _article(i, count)
    site["/robots.txt"] = b"User-agent: *\nAllow: /\n"
    return site


def article_paths(site: dict[str, bytes]) -> list[str]:
    return [p for p in site if p.startswith("/news/")]


def outlet_toml(base_url: str, *, name: str = "bigsite", max_pages: int = 1_000_000) -> str:
    """An outlet definition for the site served at ``base_url``."""
    return f"""name = "{name}"
title = "The Big Demo"
home = "{base_url.rstrip("/")}/"
start_urls = ["/"]
article_allow = ['^/news/\\d+/$']
max_pages = {max_pages}
"""


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        server = self.server
        path = self.path.split("?", 1)[0]
        server.log(path)  # type: ignore[attr-defined]
        body = server.pages.get(path)  # type: ignore[attr-defined]
        status = 200 if body is not None else 404
        if body is None:
            body = b"<html><body><h1>Not found</h1></body></html>"
        self.send_response(status)
        kind = _TYPES.get(path.rsplit(".", 1)[-1], "text/html; charset=utf-8")
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", '"' + hashlib.sha1(body).hexdigest()[:16] + '"')
        self.end_headers()
        self.wfile.write(body)


class _Server(QuietHTTPServer):
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], pages: dict[str, bytes]) -> None:
        super().__init__(address, _Handler)
        self.pages = pages
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()

    def log(self, path: str) -> None:
        with self._lock:
            self.hits[path] += 1


class BigSiteServer(BackgroundServer):
    """The generated site on a free port of 127.0.0.1; ``hits`` counts GETs per path."""

    thread_name = "bigsite"
    _httpd: _Server

    def __init__(self, pages: int = 500, host: str = "127.0.0.1", port: int = 0) -> None:
        self.pages = build_pages(pages)
        self._httpd = _Server((host, port), self.pages)
        self.url = self._bind()

    @property
    def hits(self) -> Counter[str]:
        return self._httpd.hits

    def write_outlet(self, path: str | Path, **kwargs: object) -> Path:
        path = Path(path)
        path.write_text(outlet_toml(self.url, **kwargs))  # type: ignore[arg-type]
        return path


#: Content types by file extension (page requisites in bench/requisites.py); the rest is HTML.
_TYPES = {"txt": "text/plain", "css": "text/css", "png": "image/png", "ttf": "font/ttf"}


def _response(pages: dict[str, bytes], path: str) -> bytes:
    body = pages.get(path)
    status = "200 OK" if body is not None else "404 Not Found"
    if body is None:
        body = b"<html><body><h1>Not found</h1></body></html>"
    kind = _TYPES.get(path.rsplit(".", 1)[-1], "text/html; charset=utf-8")
    etag = hashlib.sha1(body).hexdigest()[:16]
    head = (
        f'HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\nETag: "{etag}"\r\n\r\n'
    )
    return head.encode("latin-1") + body


async def serve_fast(
    pages: dict[str, bytes], host: str = "127.0.0.1", port: int = 0, ready: Any = None
) -> None:
    """Serve ``pages`` with asyncio (keep-alive, GET only): several thousand requests/s on one core.

    The benchmark's server: a threaded stdlib server would be the bottleneck.
    Responses are built once and reused.
    """
    import asyncio

    cache: dict[str, bytes] = {}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode("latin-1").split("?", 1)[0]
                if path not in cache:
                    cache[path] = _response(pages, path)
                writer.write(cache[path])
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host, port, backlog=1024)
    if ready is not None:
        ready(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m archiver.demo.bigsite",
        description="Serve a generated news site on 127.0.0.1 until killed.",
    )
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    import asyncio

    pages = build_pages(args.pages)
    try:
        asyncio.run(
            serve_fast(
                pages, port=args.port, ready=lambda port: print(f"URL http://127.0.0.1:{port}", flush=True)
            )
        )
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
