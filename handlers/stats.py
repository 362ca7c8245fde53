"""Scrapy's in-memory stats collector without the per-call cost of its deprecation shim.

Scrapy 2.19's ``StatsCollector.__getattribute__`` wraps each stats method to warn about
a ``spider`` argument, and looks up a cache attribute on every attribute access,
``_stats`` included, each miss an ``AttributeError`` raised and caught. A crawl makes
tens of stats calls per exchange (Scrapy's middlewares and ours), and the shim was
about 2% of the reactor thread's time in ``bench/requisites.py``. :class:`StatsCollector`
keeps Scrapy's methods and their signatures and drops the shim. Enabled by the
``STATS_CLASS`` setting.
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector

__all__ = ["StatsCollector"]


class StatsCollector(MemoryStatsCollector):
    """Scrapy's ``MemoryStatsCollector`` with plain attribute access (no warning shim)."""

    __getattribute__ = object.__getattribute__
