"""Downloader middleware: conditional requests for pages the archive already holds.

For a URL with an archived response, the request carries that response's validators
(``If-None-Match``, ``If-Modified-Since``; see :mod:`archiver.crawl.conditional`). A
``304 Not Modified`` is archived as a ``revisit`` and then replaced, for the spider, by
the held response read back from the WARC, so the links of an unchanged page are followed
as on the first crawl. Order 840 (below capture, above DownloaderStats), per-request
opt-out, settings and stats: "Re-crawls, revisits and versions" in ``docs/architecture.md``.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, signals
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from archiver.extensions.archive import get_session, session_or_none
from archiver.defaults import DEFAULTS

from .capture import CAPTURE_META_KEY

logger = logging.getLogger(__name__)

#: ``request.meta`` key: (URL, record id) of the held response the validators came from.
HELD_META_KEY = "archiver_held"
#: ``request.meta`` key set on a 304's request once the held response replaces it.
REPLAYED_META_KEY = "archiver_replayed_from"
_VALIDATORS = (b"If-None-Match", b"If-Modified-Since")


class ConditionalRequestMiddleware:
    """Add validators of the held response; replay it when the server answers 304."""

    def __init__(self, crawler: Any) -> None:
        # Off, it still counts revisits (identical payloads) and publishes the version counters.
        self.enabled = crawler.settings.getbool(
            "ARCHIVER_CONDITIONAL_ENABLED", DEFAULTS["ARCHIVER_CONDITIONAL_ENABLED"]
        )
        self.crawler = crawler
        self.stats = crawler.stats
        crawler.signals.connect(self._publish_counters, signal=signals.spider_closed)

    def _publish_counters(self, spider: Any = None, reason: str | None = None) -> None:
        """Copy the session's version counters (new versions, unchanged texts) into the crawl's stats."""
        session = session_or_none(self.crawler)
        for key, value in getattr(session, "counters", {}).items():
            self.stats.set_value(key, value)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ConditionalRequestMiddleware":
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        held_for = request.meta.get(HELD_META_KEY)
        if held_for and held_for[0] != request.url:
            # A redirect or retry copied our validators onto another URL: they describe another page.
            for name in _VALIDATORS:
                request.headers.pop(name, None)
            request.meta.pop(HELD_META_KEY, None)
        elif held_for:
            return None  # a retry of the same URL: validators already there
        if (
            not self.enabled
            or request.method not in ("GET", "HEAD")
            or request.meta.get("archiver_conditional") is False
            or any(name in request.headers for name in _VALIDATORS)
        ):
            return None  # the caller chose its own conditions
        held = get_session(self.crawler).held(request.url)
        validators = held.validators if held is not None else {}
        if not validators:
            return None
        for name, value in validators.items():
            request.headers[name] = value
        request.meta[HELD_META_KEY] = (request.url, held.capture.record_id)
        self.stats.inc_value("archiver/recrawl/conditional")
        return None

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        capture = request.meta.get(CAPTURE_META_KEY)
        if capture is not None and capture.record_type == "revisit":
            self.stats.inc_value("archiver/recrawl/revisits")
        held_for = request.meta.get(HELD_META_KEY)
        if response.status != 304 or not held_for or held_for[0] != request.url:
            return response
        self.stats.inc_value("archiver/recrawl/not_modified")
        return self._replay(request, response)

    def _replay(self, request: Request, response: Response) -> Response:
        """The held response in place of the 304 (the 304 itself is already archived)."""
        from archiver.crawl.conditional import replay_parts
        from archiver.warc import HttpParseError

        session = get_session(self.crawler)
        held = session.held(request.url)
        try:
            if held is None:
                raise HttpParseError("the held response is gone from the archive")
            status, header_list, body = replay_parts(held)
        except HttpParseError as exc:
            self.stats.inc_value("archiver/recrawl/unreadable")
            logger.warning(
                "304 for %s but the archived copy cannot be replayed (%s); "
                "its links are not followed this time",
                request.url,
                exc,
            )
            return response
        headers = Headers()
        for name, value in header_list:
            headers.appendlist(name, value)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        request.meta[REPLAYED_META_KEY] = held.capture.record_id
        return cls(
            url=request.url,
            status=status,
            headers=headers,
            body=body,
            request=request,
            flags=[*response.flags, "archived"],
            ip_address=response.ip_address,
            protocol=response.protocol,
        )
