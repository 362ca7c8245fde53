"""Downloader middleware that archives every HTTP exchange to WARC.

Next to the downloader (order 950), so it sees each response before HttpCompression,
redirects and retries act: every status is archived, robots.txt, redirects and 404s
included, and every failed fetch too. The bytes are the connection's own when
:mod:`archiver.handlers.http11` saw them, else a reconstruction marked
``WARC-Archiver-Reconstructed: true``. It owns no writer: the crawl's session writes the
records and the ``captures`` row, and the Capture goes to ``request.meta["archiver_capture"]``.
Byte-exact against reconstructed, settings and stats: "Byte-exact capture" in ``docs/architecture.md``.
"""

from __future__ import annotations

import http
import ipaddress
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from archiver.capture import Capture
from archiver.warc.exchange import HttpExchange
from archiver.timestamps import utc_now

from archiver.defaults import DEFAULTS
from archiver.downloadermiddlewares.address_guard import guard_policy, refusal, refused
from archiver.extensions.archive import get_session
from archiver.extensions.write_failure import WRITE_ERRORS, has_failed, stop_crawl, watch_items
from archiver.handlers.http11 import META_KEY as RAW_META_KEY
from archiver.handlers.http11 import RawExchange

CAPTURE_META_KEY = "archiver_capture"


class NotArchived(IgnoreRequest):
    """A request dropped because the archive cannot be written (logged once, by write_failure)."""


_ARCHIVED_SCHEMES = ("http", "https")


def _header_lines(items: Any, skip: tuple[bytes, ...] = ()) -> bytes:
    out = b""
    for name, values in items:
        name_b = name if isinstance(name, bytes) else str(name).encode("latin-1")
        if name_b.lower() in skip:
            continue
        for value in values if isinstance(values, list) else [values]:
            value_b = value if isinstance(value, bytes) else str(value).encode("latin-1")
            out += name_b + b": " + value_b + b"\r\n"
    return out


def reconstruct_request(request: Request) -> bytes:
    """The request as Scrapy would send it (Host first, then its headers, then the body)."""
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    head = f"{request.method} {target} HTTP/1.1\r\n".encode("latin-1")
    if b"host" not in {k.lower() for k in request.headers}:
        head += b"Host: " + parts.netloc.encode("idna" if not parts.netloc.isascii() else "ascii") + b"\r\n"
    head += _header_lines(request.headers.items())
    if request.body and b"content-length" not in {k.lower() for k in request.headers}:
        head += b"Content-Length: %d\r\n" % len(request.body)
    return head + b"\r\n" + (request.body or b"")


def reconstruct_response(response: Response) -> bytes:
    """Status line, headers and body rebuilt from a Scrapy Response.

    ``response.protocol``, the reason phrase of ``http.HTTPStatus`` (not the server's),
    Scrapy's header names (Title-Cased, grouped by name: original order and case are
    lost) and ``response.body`` (still content-encoded; Twisted has removed chunking, so
    ``Transfer-Encoding`` is dropped and ``Content-Length`` set to the body held).
    """
    version = (
        response.protocol
        if response.protocol and response.protocol.upper().startswith("HTTP/")
        else "HTTP/1.1"
    )
    try:
        reason = http.HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    head = f"{version} {response.status} {reason}\r\n".encode("latin-1")
    head += _header_lines(response.headers.items(), skip=(b"transfer-encoding", b"content-length"))
    head += b"Content-Length: %d\r\n" % len(response.body)
    return head + b"\r\n" + response.body


def _teed(request: Request, raw: RawExchange, error: str | None) -> HttpExchange:
    """The exchange as :mod:`archiver.handlers.http11` teed it off the connection."""
    return HttpExchange(
        url=request.url,
        request_bytes=raw.request_bytes,
        response_bytes=raw.response_bytes or None,
        fetched_at=raw.started_at or utc_now(),
        ip=raw.ip,
        error=error,
    )


def _rebuilt(request: Request, response: Response | None, error: str | None) -> HttpExchange:
    """The exchange rebuilt from Scrapy's objects (another download handler, or nothing came)."""
    ip = response.ip_address if response is not None else None
    return HttpExchange(
        url=request.url,
        request_bytes=reconstruct_request(request),
        response_bytes=reconstruct_response(response) if response is not None else None,
        fetched_at=utc_now(),
        ip=str(ip) if ip else None,
        error=error,
        reconstructed=True,
    )


class WarcCaptureMiddleware:
    """Hand each exchange's bytes to the session; link the Capture to the request."""

    def __init__(self, crawler: Any) -> None:
        if not crawler.settings.getbool("ARCHIVER_CAPTURE_ENABLED", DEFAULTS["ARCHIVER_CAPTURE_ENABLED"]):
            raise NotConfigured("ARCHIVER_CAPTURE_ENABLED is off")
        self.crawler = crawler
        self.stats = crawler.stats
        self._allowed = guard_policy(crawler.settings)  # None: no address guard in this crawl
        watch_items(crawler)  # a failed archive write stops the crawl (extensions/write_failure.py)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "WarcCaptureMiddleware":
        return cls(crawler)

    def _raw_for(self, request: Request) -> RawExchange | None:
        """The tee's bytes for *this* download (not a stale copy carried over by request.replace)."""
        raw = request.meta.get(RAW_META_KEY)
        if isinstance(raw, RawExchange) and raw.url == request.url and not raw.recorded:
            return raw
        return None

    def _record(self, request: Request, exchange: HttpExchange) -> Capture | None:
        if has_failed(self.crawler):
            raise NotArchived("not archived: the archive cannot be written (the crawl is stopping)")
        try:
            # page requisites: a payload held under another URL is a revisit by digest
            any_url = "archiver_requisite" in request.meta
            capture = get_session(self.crawler).record_exchange(exchange, any_url=any_url)
        except WRITE_ERRORS as exc:
            stop_crawl(self.crawler, exc)
            raise NotArchived(f"not archived: {exc}") from exc
        self.stats.inc_value("archiver/warc/exchanges")
        self.stats.inc_value("archiver/warc/records", 2)
        sent, came = exchange.request_bytes, exchange.response_bytes or b""
        self.stats.inc_value("archiver/warc/bytes", len(sent) + len(came))
        if exchange.reconstructed:
            self.stats.inc_value("archiver/warc/reconstructed")
        if exchange.error:
            self.stats.inc_value("archiver/warc/errors")
        return capture

    def _refuse_forbidden_peer(self, request: Request, peer: str | None) -> None:
        """Decide before recording: a response from a forbidden address (DNS rebinding) is never archived.

        ``handlers/http11.py`` already refuses it; this covers any other download handler.
        """
        if not peer or self._allowed is None:
            return
        try:
            ip = ipaddress.ip_address(peer.split("%")[0])
        except ValueError:
            return
        kind = refusal(ip, self._allowed)
        if kind:
            raise refused(
                self.stats, request, urlsplit(request.url).hostname or "?", ip, kind, "connected to"
            )

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if urlsplit(request.url).scheme not in _ARCHIVED_SCHEMES or "replayed" in response.flags:
            return response  # "replayed": read back from this crawl's WARC (spiders/replay.py)
        raw = self._raw_for(request)
        self._refuse_forbidden_peer(
            request, str(response.ip_address) if response.ip_address else (raw.ip if raw else None)
        )
        if raw is not None and raw.response_bytes:
            # An incomplete exchange (connection lost early with DOWNLOAD_FAIL_ON_DATALOSS off,
            # or a StopDownload) keeps the bytes that came and is marked WARC-Truncated.
            error = (
                None
                if raw.complete
                else f"incomplete response (flags: {', '.join(response.flags) or 'none'})"
            )
            raw.recorded = True
            capture = self._record(request, _teed(request, raw, error))
        else:
            if raw is not None:
                raw.recorded = True
            capture = self._record(request, _rebuilt(request, response, None))
        request.meta[CAPTURE_META_KEY] = capture
        # Drop the raw bytes: a redirect or retry copies meta into its new request,
        # which must not drag (or pickle into a disk queue) this exchange along.
        request.meta.pop(RAW_META_KEY, None)
        return response

    def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> None:
        if isinstance(exception, IgnoreRequest) or urlsplit(request.url).scheme not in _ARCHIVED_SCHEMES:
            return None  # never sent (robots.txt, offsite, filtered): nothing to archive
        error = f"{type(exception).__name__}: {exception}"
        raw = self._raw_for(request)
        if raw is not None and raw.request_bytes:
            raw.recorded = True
            self._record(request, _teed(request, raw, error))
        else:
            if raw is not None:
                raw.recorded = True
            self._record(request, _rebuilt(request, None, error))
        request.meta.pop(CAPTURE_META_KEY, None)
        request.meta.pop(RAW_META_KEY, None)
        return None
