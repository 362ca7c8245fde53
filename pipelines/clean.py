"""Item pipeline: clean each fetched page with :func:`archiver.clean.extract`.

It decides what is an article (the outlet's URL rule, else the page's own
signals: ``og:type=article``, JSON-LD ``NewsArticle``), records walls on the
capture (a paywall's teaser is also stored, as a partial article; other walls
are not), applies the outlet's date window, and raises a drift alarm when an
outlet's CSS rule stops matching.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from archiver.crawl.clean_pool import Cleaned, WorkerDied, acquire, clean_page, release, worker_count
from archiver.defaults import DEFAULTS
from archiver.extensions.archive import get_session
from archiver.spiders.items import PageItem


#: Statuses that say "not for you": an article URL answering them is a wall.
DENIED_STATUSES = (401, 403, 451)


class CleanPipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.drift_logged: set[str] = set()
        self.shell_logged: set[str] = set()
        # Clean in worker processes (archiver/crawl/clean_pool.py) unless ARCHIVER_CLEAN_WORKERS = 0.
        self.workers = worker_count(
            crawler.settings.get("ARCHIVER_CLEAN_WORKERS", DEFAULTS["ARCHIVER_CLEAN_WORKERS"])
        )
        self.queue = crawler.settings.getint("ARCHIVER_CLEAN_QUEUE", DEFAULTS["ARCHIVER_CLEAN_QUEUE"]) or None
        self.pool: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "CleanPipeline":
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        if self.workers:
            self.pool = acquire(self.workers, self.queue)

    def close_spider(self, spider: Any = None) -> None:
        if self.pool is not None:
            self.stats.set_value("archiver/clean/pool_waits", self.pool.waited)
            self.stats.set_value("archiver/clean/workers_replaced", self.pool.replaced)
            release(self.pool)
            self.pool = None

    async def process_item(self, item: PageItem, spider: Any = None) -> PageItem:
        spider = spider or self.crawler.spider
        outlet = spider.outlet
        # A rendered page's text is the browser's: only a fetched one may be a script-built shell.
        check_shell = not item.render
        if self.pool is not None:
            try:
                cleaned = await self.pool.clean(
                    item.body,
                    item.url,
                    keep_selectors=outlet.body_selectors,
                    remove_selectors=outlet.remove_selectors,
                    check_shell=check_shell,
                )
            except WorkerDied as exc:  # the page is in the WARC: `archiver reclean` can try it again
                self.stats.inc_value("archiver/clean/worker_died")
                raise DropItem(f"{exc} while cleaning {item.url}") from exc
        else:
            cleaned = clean_page(
                item.body, item.url, outlet.body_selectors, outlet.remove_selectors, check_shell
            )
        return self._judge(item, cleaned, outlet, spider)

    def _judge(self, item: PageItem, cleaned: Cleaned, outlet: Any, spider: Any) -> PageItem:
        """Article or not, wall, empty, date window: what is stored (raises DropItem otherwise)."""
        article = cleaned.article
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
            if not article.stored_as_article:  # consent, CAPTCHA, denied, or a teaser without text
                raise DropItem(f"{article.wall} wall at {item.url}: {evidence}", log_level="INFO")
            # a paywall's teaser: what the reader got, stored as a partial article (same evidence)
            article.wall_evidence = evidence or article.wall_evidence
            self.stats.inc_value("archiver/articles/partial")
        if item.render:
            for key, value in item.render.items():
                setattr(article, key, value)
        elif cleaned.shell_evidence:  # judged in the cleaning worker (never for a wall's teaser)
            self._flag_shell(item, cleaned.shell_evidence, outlet, spider)
        if not article.text:
            self.stats.inc_value("archiver/articles/empty")
            raise DropItem(f"no article text at {item.url}: {article.reason}")
        published = article.published or item.listed_published
        if not outlet.in_date_window(published):
            self.stats.inc_value("archiver/articles/out_of_window")
            raise DropItem(f"published {published}, outside the date window: {item.url}")
        item.article = article
        return item

    def _flag_shell(self, item: PageItem, evidence: list[str], outlet: Any, spider: Any) -> None:
        """Flag an article page that is a script-built shell, instead of storing what little it shows.

        The capture gets ``needs_browser`` with its evidence (and a record in
        the WARC), the page no article row; one warning per outlet says how to
        capture it whole.
        """
        self.stats.inc_value("archiver/pages/needs_browser")
        if item.capture is not None:
            get_session(self.crawler).flag_needs_browser(item.capture, evidence=evidence)
        if outlet.name not in self.shell_logged:
            self.shell_logged.add(outlet.name)
            spider.logger.warning(
                "outlet %s: %s looks built by scripts (%s); it is flagged needs_browser and not stored. "
                'Set render = "browser" in %s (or archiver crawl --render browser) to capture such pages.',
                outlet.name,
                item.url,
                "; ".join(evidence),
                outlet.source or "the outlet file",
            )
        raise DropItem(f"script-built shell at {item.url}: {'; '.join(evidence)}", log_level="INFO")

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
