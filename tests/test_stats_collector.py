"""The crawl's stats collector: Scrapy's in-memory one, without its per-call warning shim."""

from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from archiver import settings as project_settings


def _crawler_stats():
    names = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    crawler = get_crawler(settings_dict=names)
    return crawler.stats


def test_the_crawl_counts_with_scrapys_own_methods_unwrapped():
    stats = _crawler_stats()
    assert isinstance(stats, MemoryStatsCollector)
    # Scrapy's shim hands out a wrapper per method; ours is the method itself.
    assert stats.inc_value.__func__ is MemoryStatsCollector.inc_value
    stats.inc_value("archiver/requisites/scheduled")
    stats.inc_value("archiver/requisites/scheduled", 2)
    stats.max_value("archiver/most", 5)
    stats.max_value("archiver/most", 3)
    stats.set_value("archiver/name", "x", spider=None)  # the old spider argument is still accepted
    assert stats.get_value("archiver/requisites/scheduled") == 3
    assert stats.get_stats() == {"archiver/requisites/scheduled": 3, "archiver/most": 5, "archiver/name": "x"}
