"""A hostile web site on 127.0.0.1 for crawler tests: every way a page can go wrong.

Independent of the archiver (raw sockets, the standard library only), so it
can test any crawler. Two origins on two free ports:

* the main origin, whose home page links every case:

  ==========================  ==================================================
  ``/malformed/``             unclosed tags, stray ``<``, an article all the same
  ``/charset-lie/``           declares UTF-8 (header and ``<meta>``), sent as windows-1251
  ``/no-charset/``            no charset anywhere, UTF-8 bytes
  ``/binary/``                random bytes served as ``text/html``
  ``/bomb/``                  gzip bomb: ``BOMB_SIZE`` zero bytes gzip-encoded
  ``/huge/``                  a ``HUGE_SIZE`` (20 MB) page, no Content-Length
  ``/loop/a/`` ``/loop/b/``   a redirect loop (a -> b -> a)
  ``/chain/N/``               an endless redirect chain (N -> N+1)
  ``/calendar/YYYY/MM/``      a calendar trap: previous/next month, forever
  ``/slow/``                  trickles one byte every ``TRICKLE_PAUSE`` seconds
  ``/reset/``                 half a response, then a TCP reset
  ``/reset-early/``           a TCP reset before any byte
  ``/burst/``                 500, then 503 (both ``Retry-After: 1``), then an article
  ``/burst-capped/``          503 with ``Retry-After: 3600`` once, then an article
  ``/many-links/``            ``MANY_LINKS`` (100,000) links to ``/many/<slug>/``
  ``/redirect-metadata/``     302 to the cloud metadata address 169.254.169.254
  ==========================  ==================================================

  plus a direct link to ``http://10.0.0.1/admin/`` (a private address) and one
  to the second origin.
* the *robots* origin, whose robots.txt disallows everything for
  ``news-archiver`` (and allows every other agent).

Every request is logged in :attr:`HostileSite.requests` as a
:class:`Hit` (origin, path, time), so tests can check what a crawler fetched
and when. Usage::

    with HostileSite() as site:
        site.url, site.robots_url, site.hits("/burst/")
"""

from __future__ import annotations

import gzip
import os
import random
import socket
import socketserver
import struct
import threading
import time
from dataclasses import dataclass
from typing import Callable

BOMB_SIZE = 128 * 1024 * 1024
HUGE_SIZE = 20 * 1024 * 1024
MANY_LINKS = 100_000
TRICKLE_PAUSE = 0.25
TRICKLE_FOR = 30.0
CHARSET_LIE_TEXT = (
    "Сегодня в Москве прошёл сильный дождь, и жители города остались дома. "
    "Синоптики обещают, что к выходным вернётся солнце и потеплеет до двадцати градусов."
)
NO_CHARSET_TEXT = (
    "Zürich’s café owners say the crème brûlée season starts early this year, and façades gleam."
)
BINARY_BODY = random.Random(7).randbytes(50_000)
METADATA_URL = "http://169.254.169.254/latest/meta-data/"
PRIVATE_URL = "http://10.0.0.1/admin/"


@dataclass(frozen=True)
class Hit:
    origin: str  # "main" or "robots"
    path: str
    at: float  # time.monotonic()
    user_agent: str


def article(title: str, paragraphs: list[str], charset: str | None = "utf-8") -> str:
    """A small news article page (og:type article, JSON-LD NewsArticle)."""
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head>{meta}<title>{title}</title>"
        '<meta property="og:type" content="article">'
        f'<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{title}", '
        '"datePublished": "2024-06-01T09:00:00Z"}</script></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


FILLER = [
    "The council met on Tuesday evening to discuss the proposal, which has divided residents for months.",
    "Supporters argue the plan will bring jobs and investment; opponents fear the loss of green space.",
    "A final decision is expected before the end of the summer, officials said after the meeting.",
]

MALFORMED = (
    "<html><head><title>Malformed but readable</title><meta property=og:type content=article>"
    "<body><div class=x><article><h1>Malformed but readable"
    "<p>First paragraph of the malformed page, never closed, still worth keeping for the record."
    "<p>Second paragraph <b>bold <i>and italic</b> badly nested</i>, with a stray < sign and &bogus; entity."
    "<div><span><p>Third paragraph inside unclosed containers, the crawler must not choke on it."
    "<table><tr><td>cell<tr><td>" + "".join(f"<p>{p}" for p in FILLER) + "<<<>>> </scr" + "ipt"
)


def _status(
    code: int, reason: str, headers: list[tuple[str, str]], body: bytes = b"", *, length: bool = True
) -> bytes:
    head = f"HTTP/1.1 {code} {reason}\r\n"
    for name, value in headers:
        head += f"{name}: {value}\r\n"
    if length:
        head += f"Content-Length: {len(body)}\r\n"
    head += "Connection: close\r\n\r\n"
    return head.encode("latin-1") + body


def _html(
    body: str | bytes,
    content_type: str = "text/html; charset=utf-8",
    code: int = 200,
    reason: str = "OK",
    extra: list[tuple[str, str]] | None = None,
) -> bytes:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return _status(code, reason, [("Content-Type", content_type), *(extra or [])], data)


def _redirect(location: str) -> bytes:
    return _status(302, "Found", [("Location", location), ("Content-Type", "text/html; charset=utf-8")])


def _slug(n: int) -> str:
    """Letters only, so the links of /many-links/ do not share a URL shape."""
    out = ""
    n += 26 * 27
    while n:
        n, r = divmod(n, 26)
        out = chr(97 + r) + out
    return out


class HostileSite:
    """The two origins, served from daemon threads; a context manager."""

    def __init__(self) -> None:
        self.requests: list[Hit] = []
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._bomb: bytes | None = None
        self.bomb_ready = threading.Event()
        self._servers: list[socketserver.ThreadingTCPServer] = []
        self.url = ""
        self.robots_url = ""

    # -- lifecycle -----------------------------------------------------------

    def __enter__(self) -> "HostileSite":
        threading.Thread(target=self._make_bomb, daemon=True).start()
        self.url = self._serve("main")
        self.robots_url = self._serve("robots")
        self.bomb_ready.wait(60)
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def _serve(self, origin: str) -> str:
        site = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                site._handle(origin, self.request)

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
        server.daemon_threads = True
        server.allow_reuse_address = True
        server.server_bind()
        server.server_activate()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    def _make_bomb(self) -> None:
        self._bomb = gzip.compress(bytes(BOMB_SIZE), compresslevel=9, mtime=0)
        self.bomb_ready.set()

    @property
    def bomb(self) -> bytes:
        self.bomb_ready.wait(60)
        assert self._bomb is not None
        return self._bomb

    # -- what tests look at ----------------------------------------------------

    def hits(self, prefix: str, origin: str = "main") -> list[Hit]:
        return [h for h in self.requests if h.origin == origin and h.path.startswith(prefix)]

    def _count(self, key: str) -> int:
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]

    # -- serving -------------------------------------------------------------------

    def _handle(self, origin: str, sock: socket.socket) -> None:
        sock.settimeout(10)
        data = b""
        try:
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = sock.recv(4096)
                if not chunk:
                    return
                data += chunk
        except OSError:
            return
        lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        path = parts[1] if len(parts) > 1 else "/"
        agent = next(
            (line.split(":", 1)[1].strip() for line in lines[1:] if line.lower().startswith("user-agent:")),
            "",
        )
        with self._lock:
            self.requests.append(Hit(origin, path, time.monotonic(), agent))
        try:
            if origin == "robots":
                self._robots_origin(sock, path)
            else:
                self._main_origin(sock, path)
        except OSError:
            pass  # the client gave up (timeout, size limit): expected here
        finally:
            try:
                sock.close()
            except OSError:
                pass

    def _robots_origin(self, sock: socket.socket, path: str) -> None:
        if path == "/robots.txt":
            text = "User-agent: news-archiver\nDisallow: /\n\nUser-agent: *\nDisallow:\n"
            sock.sendall(_html(text, "text/plain; charset=utf-8"))
        else:
            sock.sendall(_html(article("Forbidden fruit", FILLER)))

    def _routes(self) -> dict[str, Callable[[socket.socket, str], None]]:
        return {
            "/robots.txt": lambda s, p: s.sendall(
                _html("User-agent: *\nDisallow:\n", "text/plain; charset=utf-8")
            ),
            "/": self._home,
            "/malformed/": lambda s, p: s.sendall(_html(MALFORMED)),
            "/charset-lie/": self._charset_lie,
            "/no-charset/": lambda s, p: s.sendall(
                _html(article("No charset anywhere", [NO_CHARSET_TEXT, *FILLER], charset=None), "text/html")
            ),
            "/binary/": lambda s, p: s.sendall(_html(BINARY_BODY, "text/html; charset=utf-8")),
            "/bomb/": lambda s, p: s.sendall(_html(self.bomb, extra=[("Content-Encoding", "gzip")])),
            "/huge/": self._huge,
            "/loop/a/": lambda s, p: s.sendall(_redirect("/loop/b/")),
            "/loop/b/": lambda s, p: s.sendall(_redirect("/loop/a/")),
            "/slow/": self._slow,
            "/reset/": self._reset,
            "/reset-early/": lambda s, p: self._rst(s),
            "/burst/": self._burst,
            "/burst-capped/": self._burst_capped,
            "/many-links/": self._many_links,
            "/redirect-metadata/": lambda s, p: s.sendall(_redirect(METADATA_URL)),
        }

    def _main_origin(self, sock: socket.socket, path: str) -> None:
        route = self._routes().get(path)
        if route is not None:
            return route(sock, path)
        if path.startswith("/chain/"):
            n = int(path.strip("/").split("/")[1])
            return sock.sendall(_redirect(f"/chain/{n + 1}/"))
        if path.startswith("/calendar/"):
            return self._calendar(sock, path)
        if path.startswith("/many/"):
            return sock.sendall(
                _html("<html><head><meta charset='utf-8'></head><body><p>one of many</p></body></html>")
            )
        sock.sendall(
            _html(
                "<html><head><meta charset='utf-8'></head><body>not here</body></html>",
                code=404,
                reason="Not Found",
            )
        )

    def _home(self, sock: socket.socket, path: str) -> None:
        links = [p for p in self._routes() if p not in ("/", "/robots.txt", "/loop/b/")]
        links += ["/chain/1/", "/calendar/2024/06/", PRIVATE_URL, self.robots_url + "/forbidden/"]
        items = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
        sock.sendall(
            _html(
                f"<!doctype html><html><head><meta charset='utf-8'><title>Hostile</title></head>"
                f"<body><h1>Hostile site</h1><ul>{items}</ul></body></html>"
            )
        )

    def _charset_lie(self, sock: socket.socket, path: str) -> None:
        page = article("Новости дня", [CHARSET_LIE_TEXT, CHARSET_LIE_TEXT[::-1]], charset="utf-8")
        sock.sendall(_html(page.encode("cp1251"), "text/html; charset=utf-8"))

    def _huge(self, sock: socket.socket, path: str) -> None:
        head = _status(200, "OK", [("Content-Type", "text/html; charset=utf-8")], length=False)
        sock.sendall(
            head + b"<!doctype html><html><head><meta charset='utf-8'></head><body><article><h1>Huge</h1>"
        )
        para = ("<p>" + " ".join(FILLER) + "</p>\n").encode()
        sent = 0
        block = para * (65536 // len(para))
        while sent < HUGE_SIZE:
            sock.sendall(block)
            sent += len(block)
        sock.sendall(b"</article></body></html>")

    def _slow(self, sock: socket.socket, path: str) -> None:
        body = b"<html><head><meta charset='utf-8'></head><body><p>" + b"s" * 4000 + b"</p></body></html>"
        sock.sendall(
            _status(
                200,
                "OK",
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
                length=False,
            )
        )
        deadline = time.monotonic() + TRICKLE_FOR
        for byte in body:
            if time.monotonic() > deadline:
                break
            sock.sendall(bytes([byte]))
            time.sleep(TRICKLE_PAUSE)

    @staticmethod
    def _rst(sock: socket.socket) -> None:
        """Close with a TCP reset (SO_LINGER 0) instead of an orderly FIN."""
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()

    def _reset(self, sock: socket.socket, path: str) -> None:
        page = article("Reset midway", FILLER).encode()
        whole = _html(page)
        sock.sendall(whole[: len(whole) // 2])
        time.sleep(0.1)
        self._rst(sock)

    def _burst(self, sock: socket.socket, path: str) -> None:
        n = self._count("burst")
        if n == 1:
            return sock.sendall(
                _html("busy", code=500, reason="Internal Server Error", extra=[("Retry-After", "1")])
            )
        if n == 2:
            return sock.sendall(
                _html("busy", code=503, reason="Service Unavailable", extra=[("Retry-After", "1")])
            )
        sock.sendall(_html(article("After the burst", FILLER)))

    def _burst_capped(self, sock: socket.socket, path: str) -> None:
        if self._count("burst-capped") == 1:
            return sock.sendall(
                _html(
                    "come back in an hour",
                    code=503,
                    reason="Service Unavailable",
                    extra=[("Retry-After", "3600")],
                )
            )
        sock.sendall(_html(article("Worth the wait", FILLER)))

    def _many_links(self, sock: socket.socket, path: str) -> None:
        links = "".join(f'<a href="/many/{_slug(i)}/">{i}</a>\n' for i in range(MANY_LINKS))
        sock.sendall(
            _html(f"<html><head><meta charset='utf-8'><title>Links</title></head><body>{links}</body></html>")
        )

    def _calendar(self, sock: socket.socket, path: str) -> None:
        try:
            year, month = (int(x) for x in path.strip("/").split("/")[1:3])
        except ValueError:
            return sock.sendall(_html("bad month", code=404, reason="Not Found"))
        nxt = (year + month // 12, month % 12 + 1)
        prev = (year - (month == 1), (month - 2) % 12 + 1)
        sock.sendall(
            _html(
                f"<html><head><meta charset='utf-8'><title>Events {year}-{month:02d}</title></head><body>"
                f"<p>No events in {year}-{month:02d}.</p>"
                f'<a href="/calendar/{prev[0]}/{prev[1]:02d}/">previous month</a> '
                f'<a href="/calendar/{nxt[0]}/{nxt[1]:02d}/">next month</a></body></html>'
            )
        )


def main() -> None:  # pragma: no cover - for poking at it by hand
    with HostileSite() as site:
        print(f"hostile site at {site.url} (robots origin {site.robots_url}); Ctrl-C to stop")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
