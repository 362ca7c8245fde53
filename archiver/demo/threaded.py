"""A stdlib HTTP server run from a background thread: what the demo servers share."""

from __future__ import annotations

import http.server
import threading
from typing import TypeVar

T = TypeVar("T", bound="BackgroundServer")


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
