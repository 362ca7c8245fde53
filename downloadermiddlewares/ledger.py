"""Downloader middleware: a request a distributed worker took is finished when it failed for good.

Order 1: its ``process_exception`` runs after the capture middleware has
archived the failure and after the retry middleware declined. The spider-side
half is :mod:`archiver.spiders.ledger`. Not installed outside a distributed crawl.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.exceptions import NotConfigured

from archiver.crawl.ledger import TAKEN_META_KEY
from archiver.scheduler.distributed import finished


class LedgerDownloaderMiddleware:
    """Mark a taken request finished when its download failed for good (the failure is archived)."""

    def __init__(self, crawler: Any) -> None:
        if not crawler.settings.get("ARCHIVER_REDIS_URL"):
            raise NotConfigured
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> LedgerDownloaderMiddleware:
        return cls(crawler)

    def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> None:
        token = request.meta.get(TAKEN_META_KEY)
        if token:
            finished(self.crawler, token)
