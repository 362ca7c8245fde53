"""Scrapy glue for resuming a crawl killed at any moment (see :mod:`archiver.crawl.resume`).

:func:`open_resume` runs when the spider opens its archive: it repairs what the
interrupted crawl left (cut-off WARC tail quarantined, missing rows indexed) and returns
the crawl id to continue under. ``downloadermiddlewares/replay.py`` then rebuilds the
frontier from the WARC without the network. Settings ``ARCHIVER_RESUME`` (default True)
and ``ARCHIVER_FRESH`` (start anew even if the last crawl did not finish); the story and
the stats: "Crawling at scale" in ``docs/architecture.md``.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.dupefilters import RFPDupeFilter

from archiver.crawl.resume import ResumePlan, finish, new_crawl_id, prepare
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


#: Kept for settings that name it: replayed requests now go through the scheduler, so Scrapy's own
#: dupefilter sees them (see ``downloadermiddlewares/replay.py``).
ResumeDupeFilter = RFPDupeFilter
