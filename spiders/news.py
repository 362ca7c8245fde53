"""The ``news`` spider: crawl one outlet from its sitemaps, feeds and pages.

``scrapy crawl news -a outlet=NAME`` (or ``archiver crawl NAME --out DIR``).
Discovery parses sitemaps (indexes and Google News sitemaps included) and
RSS/Atom with :mod:`archiver.crawl.discovery`; a news sitemap's publication date
keeps out-of-window articles from being fetched at all. Every HTML page the
outlet's URL rules do not rule out goes to the pipelines, which decide from
the page's own signals whether it is an article.
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Iterator
from urllib.parse import urldefrag

import scrapy
from scrapy.http import Response

from archiver.crawl.discovery import Link, parse_feed, parse_sitemap
from archiver.defaults import DEFAULTS
from archiver.outlets import Outlet, load_outlet
from archiver.spiders.hostile import HostileWeb
from archiver.spiders.items import PageItem

HTML_TYPES = (b"text/html", b"application/xhtml+xml")


class NewsSpider(scrapy.Spider):
    name = "news"
    hostile: HostileWeb  # set by from_crawler

    def __init__(self, outlet: str | Outlet | None = None, home: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if outlet is None:
            raise ValueError("the news spider needs an outlet: scrapy crawl news -a outlet=NAME")
        self.outlet = outlet if isinstance(outlet, Outlet) else load_outlet(outlet)
        if home:
            self.outlet = self.outlet.rebase(home)
        self.allowed_domains = list(self.outlet.domains)
        self.scheduled = 0
        self.seen: set[str] = set()
        self.revisits: Any = None  # archiver.crawl.incremental.Revisits when ARCHIVER_INCREMENTAL
        self.deferred: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "NewsSpider":
        home = kwargs.pop("home", None) or crawler.settings.get("ARCHIVER_OUTLET_HOME")
        spider = super().from_crawler(crawler, *args, home=home, **kwargs)
        spider.hostile = HostileWeb(crawler)
        return spider

    def closed(self, reason: str) -> None:
        """Scrapy calls it when the spider closes (the archive extension closes the archive)."""
        self.hostile.closed(dict(self.crawler.stats.get_stats()))

    # -- requests ----------------------------------------------------------

    def _budget_left(self) -> bool:
        limit = self.outlet.max_pages
        return limit is None or self.scheduled < limit

    def _request(self, url: str, callback: Any, **meta: Any) -> scrapy.Request | None:
        """A request within the outlet and the page budget, or ``None``."""
        url = urldefrag(url)[0]
        if not url.lower().startswith(("http://", "https://")):
            # A sitemap, feed or page may list file:, ftp:, data: ... : never requested.
            self.crawler.stats.inc_value("archiver/discovery/skipped_scheme")
            self.logger.warning("not fetched (only http and https are): %s", url[:200])
            return None
        if url in self.seen or not self.outlet.allows_host(url) or not self._budget_left():
            return None
        if self.revisits is not None and callback == self.parse_page and not meta.get("seed"):
            if not self._wanted_again(url, meta.get("listed_modified")):
                return None
        self.seen.add(url)
        self.scheduled += 1
        return scrapy.Request(url, callback=callback, errback=self.fetch_failed, meta=meta)

    def _load_revisits(self) -> None:
        """Incremental crawls: what the archive holds of this outlet, and when each article is due."""
        if self.revisits is not None or not self.crawler.settings.getbool(
            "ARCHIVER_INCREMENTAL", DEFAULTS["ARCHIVER_INCREMENTAL"]
        ):
            return
        from archiver.crawl.incremental import RevisitSchedule, Revisits
        from archiver.extensions.archive import get_session

        session = get_session(self.crawler)
        self.revisits = Revisits.load(
            session.store.db,
            self.outlet.name,
            crawl_id=session.crawl_id,
            schedule=RevisitSchedule.from_table(*self.outlet.revisit),
        )

    def _wanted_again(self, url: str, lastmod: str | None) -> bool:
        """Incremental crawls: whether an archived article is fetched again (archiver/crawl/incremental.py)."""
        decision = self.revisits.decide(url, lastmod=lastmod)
        if decision.fetch or decision.final or url not in self.deferred:
            self.crawler.stats.inc_value(f"archiver/incremental/{decision.reason}")
        if decision.fetch:
            return True
        if decision.final:
            self.seen.add(url)
        else:
            self.deferred.add(url)  # not due by age: a sitemap may still list it as modified
        return False

    def fetch_failed(self, failure: Any) -> None:
        """Every request's errback: say once why it failed (spiders/hostile.py)."""
        self.hostile.failed(failure)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self._load_revisits()
        for item in self.start_requests():
            yield item

    def start_requests(self) -> Iterator[scrapy.Request]:
        o = self.outlet
        seeds = [(u, self.parse_sitemap) for u in o.sitemap_urls]
        seeds += [(u, self.parse_feed) for u in o.feed_urls]
        seeds += [(u, self.parse_page) for u in o.start_urls]
        for url, callback in seeds:
            request = self._request(url, callback, seed=True)
            if request is not None:
                yield request

    # -- callbacks ---------------------------------------------------------

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        yield from self._follow_listed(parse_sitemap(response.body), response, "sitemap")

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        yield from self._follow_listed(parse_feed(response.body), response, "feed")

    def _follow_listed(self, links: list[Link], response: Response, kind: str) -> Iterator[scrapy.Request]:
        """Requests for what a ``kind`` document (``sitemap`` or ``feed``) lists; one listing nothing is counted."""
        stats = self.crawler.stats
        if not links:
            self.logger.warning("not a %s (or empty): %s", kind, response.url)
            stats.inc_value(f"archiver/discovery/bad_{kind}")
        for link in links:
            url = response.urljoin(link.url)
            if link.kind == "sitemap":
                request = self._request(url, self.parse_sitemap)
            elif not self.outlet.in_date_window(link.published):
                stats.inc_value("archiver/discovery/out_of_window")
                continue
            else:
                request = self._request(
                    url,
                    self.parse_page,
                    listed_published=link.published,
                    listed_title=link.title,
                    listed_modified=link.lastmod,
                )
            if request is not None:
                stats.inc_value("archiver/discovery/listed")
                yield request

    def parse_page(self, response: Response) -> Iterator[Any]:
        content_type = (response.headers.get(b"Content-Type") or b"").split(b";")[0].strip().lower()
        if content_type not in HTML_TYPES or not isinstance(response, scrapy.http.TextResponse):
            return
        if not self.hostile.page_ok(
            response.url, response.body, (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        ):
            return
        verdict = self.outlet.url_verdict(response.url)
        if verdict is not False:
            yield PageItem(
                url=response.url,
                body=response.body,
                capture=response.meta.get("archiver_capture"),
                url_verdict=verdict,
                listed_published=response.meta.get("listed_published"),
                listed_title=response.meta.get("listed_title"),
                render=response.meta.get("archiver_render"),
            )
        if response.status >= 400:
            return  # a denied page (401/403/451) is judged as a wall; its links are not the outlet's
        depth_limit = self.outlet.max_depth
        if depth_limit is not None and response.meta.get("depth", 0) >= depth_limit:
            return
        for href in self.hostile.cap_links(response.url, response.xpath("//a/@href").getall()):
            url = response.urljoin(href.strip())
            # A URL the outlet's rules call an article is wanted however many
            # share its shape (/news/N); the trap guard bounds everything else.
            if (
                url.startswith(("http://", "https://"))
                and self.outlet.may_follow(url)
                and (
                    self.outlet.url_verdict(url) is True
                    or self.hostile.allow_link(urldefrag(url)[0], self.seen)
                )
            ):
                request = self._request(url, self.parse_page)
                if request is None and not self._budget_left():
                    return
                if request is not None:
                    yield request
