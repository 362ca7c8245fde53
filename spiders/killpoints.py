"""Scrapy glue of the test-only kill points (:mod:`archiver.crawl.killpoint`), installed only when one is set.

``taken`` (single-process crawls: the request reached the downloader; a
distributed worker's scheduler says it itself), ``downloaded`` (Scrapy's
``response_downloaded``, before any downloader middleware archives it) and
``mid_parse`` (a callback has yielded a request, handed on, and has more
output that is not).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured

from archiver.crawl import killpoint


class KillPointMiddleware:
    """A spider middleware (for ``mid_parse``) that also listens to the download signals."""

    def __init__(self, crawler: Any) -> None:
        if not killpoint.armed():
            raise NotConfigured
        if not crawler.settings.get("ARCHIVER_REDIS_URL"):
            crawler.signals.connect(self._taken, signal=signals.request_reached_downloader)
        crawler.signals.connect(self._downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Any) -> KillPointMiddleware:
        return cls(crawler)

    def _taken(self, **_: Any) -> None:
        killpoint.reached("taken")

    def _downloaded(self, **_: Any) -> None:
        killpoint.reached("downloaded")

    async def process_spider_output_async(
        self, response: Any, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        requests = 0
        async for out in result:
            if requests == 1:
                requests += 1  # once per callback
                killpoint.reached("mid_parse")
            requests += isinstance(out, Request)
            yield out

    def process_spider_output(self, response: Any, result: Any, spider: Any = None) -> Any:
        requests = 0
        for out in result:
            if requests == 1:
                requests += 1
                killpoint.reached("mid_parse")
            requests += isinstance(out, Request)
            yield out
