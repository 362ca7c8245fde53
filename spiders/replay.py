"""Spider middleware: a page replayed from this crawl's WARC yields no item already stored.

Its requests still go on to the scheduler and its dupefilter, so a resumed crawl
rebuilds its frontier (see :mod:`archiver.downloadermiddlewares.replay`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request

from archiver.downloadermiddlewares.replay import REPLAYED_FLAG, STORED_META_KEY


def _stored(response: Any) -> bool:
    return REPLAYED_FLAG in getattr(response, "flags", ()) and bool(response.meta.get(STORED_META_KEY))


class ReplayedItemsMiddleware:
    """Drop the items of a replayed page whose article is already stored; keep its requests."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> ReplayedItemsMiddleware:
        return cls()

    def process_spider_output(
        self, response: Any, result: Iterable[Any], spider: Any = None
    ) -> Iterable[Any]:
        if not _stored(response):
            return result
        return (out for out in result if isinstance(out, Request))

    async def process_spider_output_async(
        self, response: Any, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        stored = _stored(response)
        async for out in result:
            if not stored or isinstance(out, Request):
                yield out
