"""Downloader middleware: answer requests for pages this crawl already archived from the WARC.

As Scrapy's HttpCacheMiddleware answers from its storage, :class:`ArchiveReplayMiddleware`
(order 830) returns a URL's archived response instead of fetching it, and the engine runs
it as any response, so a resumed crawl (or a worker taking over its predecessor's ledger)
rebuilds its frontier by parsing the archived pages again and fetches only what was never
archived. Items of pages already stored are dropped by
:class:`archiver.spiders.replay.ReplayedItemsMiddleware`. When it is on, what it skips and
its stats: "Crawling at scale" in ``docs/architecture.md``.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from archiver.crawl.ledger import RECHECK_META_KEY
from archiver.crawl.resume import ArchivedPages
from archiver.extensions.archive import archive_extension

logger = logging.getLogger(__name__)

#: Flag of a response read back from this crawl's WARC (the capture middleware skips it).
REPLAYED_FLAG = "replayed"
#: request.meta key: True when the replayed page's article or wall verdict is already stored.
STORED_META_KEY = "archiver_replay_stored"
_CAPTURE_META_KEY = "archiver_capture"


class ArchiveReplayMiddleware:
    """Return the archived response for a URL this crawl holds, so it is not fetched again."""

    def __init__(self, crawler: Any, pages: ArchivedPages, *, check_all: bool) -> None:
        self.stats = crawler.stats
        self.store = archive_extension(crawler).session.store
        self.pages = pages
        self.check_all = check_all

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArchiveReplayMiddleware:
        archive = archive_extension(crawler)
        session = archive.session if archive is not None else None
        plan = archive.resume_plan if archive is not None else None
        resumed = plan is not None and plan.resumed
        if session is None or not (resumed or crawler.settings.get("ARCHIVER_REDIS_URL")):
            raise NotConfigured  # no message: Scrapy would log it as a warning on every fresh crawl
        pages = ArchivedPages(session.store.db, session.out_dir / "warcs", session.crawl_id)
        return cls(crawler, pages, check_all=resumed)

    def process_request(self, request: Request, spider: Any = None) -> Response | None:
        if request.method != "GET" or not (self.check_all or request.meta.get(RECHECK_META_KEY)):
            return None
        page = self.pages.lookup(request.url)
        if page is None or page.needs_fetch:
            return None
        try:
            body = page.body()
        except ValueError as exc:
            logger.warning("cannot replay %s from the archive (%s); fetching it again", request.url, exc)
            return None
        headers = Headers(page.headers())
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        self.stats.inc_value("archiver/resume/replayed")
        request.meta[_CAPTURE_META_KEY] = self.store.capture(page.record_id)
        request.meta[STORED_META_KEY] = bool(page.has_article or page.wall)
        return cls(
            url=request.url,
            status=page.status or 200,
            headers=headers,
            body=body,
            request=request,
            flags=[REPLAYED_FLAG],
        )

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if REPLAYED_FLAG not in response.flags:
            request.meta.pop(STORED_META_KEY, None)  # copied along by a redirect: not about this page
        return response
