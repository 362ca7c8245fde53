"""Item pipeline: clean each fetched page with :func:`archiver.clean.extract`.

It decides what is an article (the outlet's URL rule, else the page's own
signals: ``og:type=article``, JSON-LD ``NewsArticle``), records walls on the
capture instead of storing them, applies the outlet's date window, and
raises a drift alarm when an outlet's CSS rule stops matching.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from archiver.clean import extract
from pipelines.capture import get_session
from spiders.items import PageItem


#: Statuses that say "not for you": an article URL answering them is a wall.
DENIED_STATUSES = (401, 403, 451)


class CleanPipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.drift_logged: set[str] = set()
        # Clean in worker processes (archiver/clean_pool.py) unless ARCHIVER_CLEAN_WORKERS = 0.
        from archiver.clean_pool import worker_count

        self.workers = worker_count(crawler.settings.get("ARCHIVER_CLEAN_WORKERS", "auto"))
        self.queue = crawler.settings.getint("ARCHIVER_CLEAN_QUEUE", 0) or None
        self.pool: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "CleanPipeline":
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        if self.workers:
            from archiver.clean_pool import acquire

            self.pool = acquire(self.workers, self.queue)

    def close_spider(self, spider: Any = None) -> None:
        if self.pool is not None:
            from archiver.clean_pool import release

            self.stats.set_value("archiver/clean/pool_waits", self.pool.waited)
            release(self.pool)
            self.pool = None

    async def process_item(self, item: PageItem, spider: Any = None) -> PageItem:
        spider = spider or self.crawler.spider
        outlet = spider.outlet
        if self.pool is not None:
            article = await self.pool.extract(
                item.body,
                item.url,
                keep_selectors=outlet.body_selectors,
                remove_selectors=outlet.remove_selectors,
            )
        else:
            article = extract(
                item.body,
                item.url,
                keep_selectors=outlet.body_selectors,
                remove_selectors=outlet.remove_selectors,
            )
        return self._judge(item, article, outlet, spider)

    def _judge(self, item: PageItem, article: Any, outlet: Any, spider: Any) -> PageItem:
        """Article or not, wall, empty, date window: what is stored (raises DropItem otherwise)."""
        is_article = item.url_verdict or (item.url_verdict is None and article.is_article_page)
        if not is_article:
            self.stats.inc_value("archiver/pages/not_article")
            raise DropItem(f"not an article: {item.url}", log_level="DEBUG")
        self._check_drift(article, outlet, spider)
        status = item.capture.status if item.capture is not None else None
        if not article.wall and status in DENIED_STATUSES:
            article.wall = "denied"
        if article.wall:
            evidence = "; ".join(
                e for e in (f"HTTP {status}" if status else None, article.wall_evidence) if e
            )
            self.stats.inc_value(f"archiver/walls/{article.wall}")
            if item.capture is not None:
                get_session(self.crawler).flag_wall(item.capture, wall=article.wall, evidence=evidence)
            raise DropItem(f"{article.wall} wall at {item.url}: {evidence}", log_level="INFO")
        if not article.text:
            self.stats.inc_value("archiver/articles/empty")
            raise DropItem(f"no article text at {item.url}: {article.reason}")
        published = article.published or item.listed_published
        if not outlet.in_date_window(published):
            self.stats.inc_value("archiver/articles/out_of_window")
            raise DropItem(f"published {published}, outside the date window: {item.url}")
        item.article = article
        return item

    def _check_drift(self, article: Any, outlet: Any, spider: Any) -> None:
        """Count article pages where an outlet selector matched nothing; warn once per selector.

        A selector that stops matching usually means the outlet redesigned its
        pages: the generic cleaner has taken over, and the outlet file needs a look.
        """
        for selector in article.unmatched_selectors or ():
            self.stats.inc_value(f"archiver/drift/{outlet.name}")
            if selector not in self.drift_logged:
                self.drift_logged.add(selector)
                spider.logger.warning(
                    "drift alarm: outlet %s: selector %r matched nothing on %s (site redesign?); "
                    "the generic cleaner took over. Check %s.",
                    outlet.name,
                    selector,
                    article.url,
                    outlet.source,
                )
