"""A stdlib HTTP server run from a background thread: what the demo servers share."""

from __future__ import annotations

import http.server
import sys
import threading
import time
from typing import TypeVar

T = TypeVar("T", bound="BackgroundServer")


class QuietHTTPServer(http.server.ThreadingHTTPServer):
    """A threading HTTP server that takes a client hanging up (a killed crawler) as normal.

    ``socketserver`` prints a traceback for every connection reset; the
    kill-point tests and ``bench/kill_workers.py`` SIGKILL crawlers on purpose.
    Any other error is still printed.
    """

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class BackgroundServer:
    """Start/stop an ``http.server`` instance (``self._httpd``) in a daemon thread.

    Subclasses create ``self._httpd`` in ``__init__`` and call
    :meth:`_bind` to learn their URL; ``start``/``stop`` and the context
    manager come from here.
    """

    _httpd: http.server.HTTPServer
    _thread: threading.Thread | None = None
    thread_name = "http-server"

    def _bind(self) -> str:
        """The base URL the server listens on (``port=0`` picked a free one)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host.decode() if isinstance(host, bytes) else host}:{port}"

    def start(self: T) -> T:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, name=self.thread_name, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self: T) -> T:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class PagesServer(BackgroundServer):
    """Fixed pages by path, ``{path: (content type, body)}``, 200 for those and 404 for any other.

    ``hits`` lists every path asked for, in arrival order (what a test asserts
    a crawler fetched or never reached). ``pages`` may be replaced before
    :meth:`start` (a page that names the server's own ``url``). ``delays``
    holds seconds to wait before answering a path (a slow robots.txt).
    ``most_at_once`` is the largest number of requests it was answering at
    the same time (what a test of a crawler's per-host concurrency reads).
    """

    thread_name = "pages-server"

    def __init__(
        self,
        pages: dict[str, tuple[str, bytes]],
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        delays: dict[str, float] | None = None,
    ) -> None:
        self.pages = pages
        self.delays = delays or {}
        self.hits: list[str] = []
        self.most_at_once = 0
        self._at_once = 0
        self._lock = threading.Lock()
        self._httpd = QuietHTTPServer((host, port), _PagesHandler)
        self._httpd.pages_server = self  # type: ignore[attr-defined]
        self.url = self._bind()


class _PagesHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        server: PagesServer = self.server.pages_server  # type: ignore[attr-defined]
        with server._lock:
            server.hits.append(self.path)
            server._at_once += 1
            server.most_at_once = max(server.most_at_once, server._at_once)
        try:
            time.sleep(server.delays.get(self.path, 0))
            content_type, body = server.pages.get(self.path, ("text/plain", b"not found"))
            self.send_response(200 if self.path in server.pages else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        finally:
            with server._lock:
                server._at_once -= 1

    def log_message(self, *args: object) -> None:
        pass
