"""Downloader middleware that honours ``Retry-After`` before Scrapy's retry.

A server answering 503 (or 429, 500...) with ``Retry-After`` asks the crawler to wait;
Scrapy's ``RetryMiddleware`` retries at once. Placed just above it (560), this middleware
waits the time asked for (seconds or an HTTP date), capped by ``ARCHIVER_RETRY_AFTER_MAX``,
when the response will be retried. The wait holds only this request's download slot, so
one outlet's back-pressure slows that outlet. Stats: "Scrapy components" in
``docs/architecture.md``.
"""

from __future__ import annotations

import email.utils
import logging
import time
from typing import Any

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future

from archiver.defaults import DEFAULTS
from twisted.internet import task

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` value asks for (>= 0), or None when it is missing or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RetryAfterMiddleware:
    """Wait what ``Retry-After`` asks (within a cap) before a response is retried."""

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED", True):
            raise NotConfigured("RETRY_ENABLED is off: nothing will be retried")
        self.crawler = crawler
        self.stats = crawler.stats
        self.cap = settings.getfloat("ARCHIVER_RETRY_AFTER_MAX", DEFAULTS["ARCHIVER_RETRY_AFTER_MAX"])
        self.codes = {int(c) for c in settings.getlist("RETRY_HTTP_CODES")}
        self.max_retries = settings.getint("RETRY_TIMES")

    @classmethod
    def from_crawler(cls, crawler: Any) -> "RetryAfterMiddleware":
        return cls(crawler)

    def _will_retry(self, request: Request, response: Response) -> bool:
        if response.status not in self.codes or request.meta.get("dont_retry"):
            return False
        limit = request.meta.get("max_retry_times", self.max_retries)
        return request.meta.get("retry_times", 0) < limit

    async def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        if asked is None or not self._will_retry(request, response):
            return response
        wait = min(asked, self.cap)
        if asked > self.cap:
            self.stats.inc_value("archiver/retry_after/capped")
        logger.info(
            "%s answered %d with Retry-After %s: waiting %.1fs before retry %d%s",
            request.url,
            response.status,
            f"{asked:g}s",
            wait,
            request.meta.get("retry_times", 0) + 1,
            f" (capped by ARCHIVER_RETRY_AFTER_MAX={self.cap:g})" if asked > self.cap else "",
        )
        self.stats.inc_value("archiver/retry_after/waits")
        self.stats.inc_value("archiver/retry_after/seconds", wait)
        if wait > 0:
            from twisted.internet import reactor  # the one Scrapy installed

            await maybe_deferred_to_future(task.deferLater(reactor, wait, lambda: None))
        return response
