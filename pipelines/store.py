"""Item pipeline: store each clean article through the crawl's archive session."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from archiver.extensions.archive import get_session
from archiver.spiders.items import PageItem


class StorePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        return cls(crawler)

    def process_item(self, item: PageItem, spider: Any = None) -> PageItem:
        if item.article is None or item.capture is None:
            raise DropItem(f"nothing to store for {item.url} (no article or no capture)")
        item.article_id = get_session(self.crawler).record_article(item.article, item.capture)
        self.stats.inc_value("archiver/articles/stored")
        return item
