"""Run the ``news`` spider from Python: what ``archiver crawl`` and ``archiver demo`` call.

Twisted's reactor runs once per process, so a caller that needs several
crawls runs each in its own process (the CLI is one process per crawl).
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any, Mapping

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archiver.outlets import Outlet
from archiver.defaults import DEFAULTS

#: Settings for crawling a server on this machine (the demo, the tests):
#: no politeness delay, more parallel requests.
LOCAL_SETTINGS: dict[str, Any] = {
    "AUTOTHROTTLE_START_DELAY": 0.0,
    "AUTOTHROTTLE_MAX_DELAY": 1.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 8.0,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    # The server is on this machine: let the address guard allow loopback.
    "ARCHIVER_ALLOW_PRIVATE_ADDRESSES": True,
}


#: Net allocations of container objects before Python collects its youngest generation.
#: Python's 700 made a crawl collect about 500 times per 1,000 pages (0.9 s of a
#: 15-second crawl in bench/requisites.py, timed by ``gc.callbacks``); 10,000 collects
#: about a dozen times, for about 3 MB more at the end of that crawl.
GC_THRESHOLD = 10_000


def start(process: CrawlerProcess) -> None:
    """Run the reactor until the crawls end, the cyclic collector tuned for a crawl.

    A crawl allocates many short-lived containers per exchange (requests, headers,
    Deferreds): they die by reference counting, yet Python's default threshold
    counts them and runs collections that find little. Refcounted memory is freed
    as before; only cyclic garbage waits longer.
    """
    gen0, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(max(gen0, GC_THRESHOLD), gen1, gen2)
    process.start()


def crawl_settings(out_dir: str | Path, overrides: Mapping[str, Any] | None = None) -> Settings:
    """The project's settings with the output folder and any overrides applied."""
    settings = Settings()
    settings.setmodule("archiver.settings", priority="project")
    settings.set("ARCHIVER_OUT_DIR", str(out_dir), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(
    outlet: Outlet,
    out_dir: str | Path,
    *,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Crawl ``outlet`` into ``out_dir`` and return the crawl's stats."""
    settings = crawl_settings(out_dir, overrides)
    if settings.getbool(
        "ARCHIVER_JSON_LOG", DEFAULTS["ARCHIVER_JSON_LOG"]
    ):  # --json-log: every line JSON, Scrapy's first ones too
        from archiver.extensions.progress import install_json_logging

        install_json_logging(settings.get("LOG_LEVEL"))
        settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("news")
    process.crawl(crawler, outlet=outlet)
    start(process)
    try:
        return dict(crawler.stats.get_stats())
    except RuntimeError:  # the crawl never started (a bad setting): no stats
        return {}
