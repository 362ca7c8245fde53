"""Crawl many outlets at once: one Scrapy process, one crawler per outlet.

One crawler per outlet rather than one spider over all of them, so each outlet keeps its
own politeness, stats, crawl row, WARC prefix and resume state, and one that fails to
start or stops early leaves the others running. They share the reactor, so the wall time
approaches the slowest outlet's rather than the sum, and one archive database connection
(``ARCHIVER_SHARED_STORE``, see :mod:`archiver.crawl.shared_store`). See "Many outlets"
in ``docs/architecture.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess

from archiver.crawl.fleet import OutletRun
from archiver.spiders.runner import crawl_settings, start

logger = logging.getLogger(__name__)

#: Settings every crawl of a many-outlet run gets.
FLEET_SETTINGS: dict[str, Any] = {
    "ARCHIVER_SHARED_STORE": True,
    "ARCHIVER_PROGRESS": False,  # one progress line per crawler would garble the terminal
}


def run_fleet(
    runs: list[OutletRun], out_dir: str | Path, *, overrides: Mapping[str, Any] | None = None
) -> list[OutletRun]:
    """Crawl every runnable outlet of ``runs`` into ``out_dir`` together; fill in each run's stats."""
    from archiver.crawl.resume import CrawlRunning, ensure_idle

    settings = crawl_settings(out_dir, {"ARCHIVER_INCREMENTAL": True, **(overrides or {}), **FLEET_SETTINGS})
    if settings.getbool("ARCHIVER_JSON_LOG"):
        from archiver.extensions.progress import install_json_logging

        install_json_logging(settings.get("LOG_LEVEL"))
        settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(settings)
    crawlers: dict[int, Any] = {}
    for index, run in enumerate(runs):
        if run.outlet is None:
            continue
        try:
            ensure_idle(out_dir, run.outlet.name)
        except CrawlRunning as exc:
            run.error = str(exc)
            continue
        crawler = process.create_crawler("news")
        try:
            deferred = process.crawl(crawler, outlet=run.outlet)
        except Exception as exc:  # noqa: BLE001 - a crawler that cannot be set up fails its outlet only
            run.error = f"could not start: {exc}"
            continue
        deferred.addErrback(_start_failed, run)
        crawlers[index] = crawler
    if crawlers:
        start(process)
    for index, crawler in crawlers.items():
        run = runs[index]
        try:
            run.stats = dict(crawler.stats.get_stats())
        except RuntimeError:
            run.stats = {}
    return runs


def _start_failed(failure: Any, run: OutletRun) -> None:
    """A crawler whose start or run raised: note it on its outlet; the others go on."""
    run.error = run.error or f"crawl failed: {failure.getErrorMessage()}"
    logger.error("outlet %s: %s", run.name, run.error)
