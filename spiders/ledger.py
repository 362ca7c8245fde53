"""Spider middleware: tell a distributed worker's ledger when a request it took is finished.

A request taken off the shared queue (``scheduler/distributed.py``) carries its ledger
token in ``request.meta``; :class:`LedgerSpiderMiddleware` (order 5: it sees what the
engine gets) marks it finished once its callback's output has been handed on in full.
A request whose end goes unnoticed only stays on the ledger longer: run again after a
kill, it is answered from the archive. Not installed outside a distributed crawl. When
a request is finished, in full: "Crawling at scale" in ``docs/architecture.md``.
"""

from __future__ import annotations

import collections
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured

from archiver.crawl.ledger import RECHECK_META_KEY, TAKEN_META_KEY
from archiver.scheduler.distributed import finished


def _token(response: Any) -> str | None:
    request = getattr(response, "request", None)
    return request.meta.get(TAKEN_META_KEY) if request is not None else None


class LedgerSpiderMiddleware:
    """Mark a taken request finished once its callback's output is all handed on."""

    def __init__(self, crawler: Any) -> None:
        if not crawler.settings.get("ARCHIVER_REDIS_URL"):
            raise NotConfigured
        self.crawler = crawler
        #: token -> items of its response still in the item pipelines
        self.items: collections.Counter[str] = collections.Counter()
        #: tokens whose callback output is exhausted but whose items are not all through
        self.waiting: set[str] = set()
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self._item_done, signal=signal)

    @classmethod
    def from_crawler(cls, crawler: Any) -> LedgerSpiderMiddleware:
        return cls(crawler)

    def _item_done(self, response: Any = None, **_: Any) -> None:
        token = _token(response)
        if token is None or token not in self.items:
            return
        self.items[token] -= 1
        if self.items[token] <= 0:
            del self.items[token]
            if token in self.waiting:
                self.waiting.discard(token)
                finished(self.crawler, token)

    def _output(self, token: str, out: Any) -> None:
        if isinstance(out, Request):
            # A callback that copies response.meta must not hand on the ledger's marks.
            out.meta.pop(TAKEN_META_KEY, None)
            out.meta.pop(RECHECK_META_KEY, None)
        elif out is not None:
            self.items[token] += 1

    def _exhausted(self, token: str) -> None:
        if self.items.get(token):
            self.waiting.add(token)
        else:
            finished(self.crawler, token)

    def process_spider_output(
        self, response: Any, result: Iterable[Any], spider: Any = None
    ) -> Iterator[Any]:
        token = _token(response)
        if token is None:
            yield from result
            return
        try:
            for out in result:
                self._output(token, out)
                yield out
        except GeneratorExit:
            raise  # abandoned (the crawl is stopping): keep it on the ledger
        except BaseException:
            self._exhausted(token)  # the callback failed: running it again fails again
            raise
        self._exhausted(token)

    async def process_spider_output_async(
        self, response: Any, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        token = _token(response)
        if token is None:
            async for out in result:
                yield out
            return
        try:
            async for out in result:
                self._output(token, out)
                yield out
        except GeneratorExit:
            raise
        except BaseException:
            self._exhausted(token)
            raise
        self._exhausted(token)
