"""Scrapy glue for resuming a crawl killed at any moment (see :mod:`archiver.crawl.resume`).

:func:`open_resume` runs when the spider opens its archive: it repairs what
the interrupted crawl left (cut-off WARC tail quarantined, missing rows
indexed) and returns the crawl id to continue under.

:class:`ResumeMiddleware` (a spider middleware, order 850) then rebuilds the
crawl's frontier without the network: every request the spider yields for a
URL this crawl already archived is answered from the WARC and handed straight
to its callback, whose own requests go through the same test. So the spider's
``seen`` set and page budget are rebuilt exactly as the first run built them,
nothing archived is fetched again, and only what was never archived (or was
cut off) reaches the downloader. A replayed page whose article is already
stored yields no item, so no article is stored twice.

Settings: ``ARCHIVER_RESUME`` (default True), ``ARCHIVER_FRESH`` (start a new
crawl even if the last one did not finish). Stats: ``archiver/resume/replayed``,
``archiver/resume/quarantined``, ``archiver/resume/reindexed``.
"""

from __future__ import annotations

import logging
from typing import Any, AsyncIterator, Iterable, Iterator
from urllib.parse import urljoin

from scrapy import Request, signals
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from archiver.crawl.resume import ArchivedPages, ResumePlan, finish, new_crawl_id, prepare
from archiver.extensions.archive import archive_extension, get_session
from archiver.defaults import DEFAULTS

logger = logging.getLogger(__name__)


def open_resume(crawler: Any, outlet_name: str, prefix: str | None) -> ResumePlan | None:
    """Repair and plan the crawl (None: no resume, let the session pick a crawl id)."""
    settings = crawler.settings
    crawl_id = None
    if settings.get("ARCHIVER_REDIS_URL"):
        # Distributed: the frontier lives in Redis and the crawl id is shared, but a
        # restarted worker still repairs the WARC its killed predecessor was writing.
        from archiver.scheduler.distributed import shared_crawl_id

        worker = settings.get("ARCHIVER_WORKER_ID")
        crawl_id = f"{shared_crawl_id(crawler, outlet_name, new_crawl_id(outlet_name))}-{worker}"
    elif not settings.getbool("ARCHIVER_RESUME", DEFAULTS["ARCHIVER_RESUME"]):
        return None
    plan = prepare(
        settings.get("ARCHIVER_OUT_DIR"),
        outlet_name,
        prefix=prefix,
        fresh=settings.getbool("ARCHIVER_FRESH", DEFAULTS["ARCHIVER_FRESH"]),
        crawl_id=crawl_id,
    )
    for repair in plan.repairs:
        logger.warning("interrupted crawl: %s", repair)
    for problem in plan.damage:
        logger.error("damaged WARC (left as is, reported): %s", problem)
    if plan.resumed:
        logger.info(
            "resuming crawl %s (last WARC checked and indexed: %d records)", plan.crawl_id, plan.reindexed
        )

    def _opened(spider: Any) -> None:  # the stats collector exists from here on
        stats = crawler.stats
        if plan.repairs:
            stats.set_value("archiver/resume/quarantined", len(plan.repairs))
        if plan.resumed:
            stats.set_value("archiver/resume/crawl_id", plan.crawl_id)
            stats.set_value("archiver/resume/reindexed", plan.reindexed)

    def _closed(spider: Any, reason: str) -> None:
        finish(plan, reason)

    crawler.signals.connect(_opened, signal=signals.spider_opened, weak=False)
    crawler.signals.connect(_closed, signal=signals.spider_closed, weak=False)
    return plan


class ResumeDupeFilter(RFPDupeFilter):
    """Scrapy's dupefilter, reachable by :class:`ResumeMiddleware` (``DUPEFILTER_CLASS``).

    Replayed requests never reach the scheduler, so the middleware records
    them here: a redirect that lands on a replayed URL is then filtered as it
    was in the first run, instead of being fetched again.
    """

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ResumeDupeFilter":
        dupefilter = super().from_crawler(crawler)
        archive = archive_extension(crawler)
        if archive is not None:
            archive.dupefilter = dupefilter
        return dupefilter


class ResumeMiddleware:
    """Answer requests for already-archived URLs from the WARCs (resumed crawls only)."""

    def __init__(self, crawler: Any, plan: ResumePlan) -> None:
        session = get_session(crawler)
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = session.store
        self.pages = ArchivedPages(session.store.db, session.out_dir / "warcs", plan.crawl_id)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ResumeMiddleware":
        archive = archive_extension(crawler)
        plan: ResumePlan | None = archive.resume_plan if archive is not None else None
        if plan is None or not plan.resumed or archive.session is None:
            raise NotConfigured  # no message: Scrapy would log it as a warning on every fresh crawl
        return cls(crawler, plan)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in start:
            for out in self._expand([item]):
                yield out

    def process_spider_output(
        self, response: Any, result: Iterable[Any], spider: Any = None
    ) -> Iterator[Any]:
        yield from self._expand(result)

    async def process_spider_output_async(
        self, response: Any, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        async for item in result:
            for out in self._expand([item]):
                yield out

    # -- replay ------------------------------------------------------------

    def _expand(self, outputs: Iterable[Any]) -> Iterator[Any]:
        """Pass on items and new requests; replay archived requests depth first."""
        stack = list(outputs)[::-1]
        while stack:
            obj = stack.pop()
            if not isinstance(obj, Request) or obj.callback is None:
                yield obj
                continue
            page = self.pages.lookup(obj.url)
            if page is None or page.needs_fetch:
                yield obj
                continue
            self.stats.inc_value("archiver/resume/replayed")
            archive = archive_extension(self.crawler)
            dupefilter = archive.dupefilter if archive is not None else None
            if dupefilter is not None:
                dupefilter.request_seen(obj)
            children = list(self._replay(obj, page))
            stack.extend(reversed(children))

    def _replay(self, request: Request, page: Any) -> Iterator[Any]:
        status = page.status or 0
        depth = request.meta.get("depth", 0)
        if 300 <= status < 400:
            if page.location:  # follow the redirect the way the first run did
                yield request.replace(url=urljoin(request.url, page.location))
            return
        if not 200 <= status < 300:
            return  # an archived 404/410/...: the spider never saw it, and it is not fetched again
        try:
            body = page.body()
        except ValueError as exc:
            logger.warning("cannot replay %s from the archive (%s); fetching it again", request.url, exc)
            yield request.replace(dont_filter=True)
            return
        headers = Headers(page.headers())
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        request.meta["archiver_replayed"] = True
        request.meta["archiver_capture"] = self.store.capture(page.record_id)
        response = cls(url=request.url, status=status, headers=headers, body=body, request=request)
        assert request.callback is not None  # only requests with a callback are replayed (see above)
        for out in request.callback(response, **request.cb_kwargs) or ():
            if isinstance(out, Request):
                out.meta.setdefault("depth", depth + 1)
                yield out
            elif page.has_article or page.wall:
                continue  # stored (or flagged) before the interruption
            else:
                yield out
