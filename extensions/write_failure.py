"""Stop the crawl, cleanly and once, when the archive cannot be written.

A full disk or a read-only output folder makes every further fetch pointless. The WARC
writer has already cut its file back to the last whole record and SQLite rolls the
failed transaction back; :func:`stop_crawl` logs one ERROR saying what to do, sets
``archiver/archive/write_error`` and closes the spider with :data:`REASON` (``archiver
crawl`` then exits non-zero). The capture middleware calls it when ``record_exchange``
fails; :func:`watch_items` connects it to ``item_error`` for the item pipelines' writes.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from scrapy import signals

from archiver.extensions.archive import archive_extension

logger = logging.getLogger(__name__)

#: The spider's close reason after a failed archive write.
REASON = "archive_write_failed"
#: What a failed write of the WARC (OSError, WarcWriteError) or of SQLite raises.
WRITE_ERRORS: tuple[type[BaseException], ...] = (OSError, sqlite3.OperationalError)
ADVICE = (
    "free space in the output folder (or make it writable), or choose another --out folder, then run "
    "the same command again: the archive up to the last whole record is intact"
)


def stop_crawl(crawler: Any, exc: BaseException) -> None:
    """Log, record and close the spider (idempotent: only the first failure acts)."""
    archive = archive_extension(crawler)
    if archive is not None:
        if archive.write_failed:
            return
        archive.write_failed = True
    message = f"cannot write the archive: {exc}"
    crawler.stats.set_value("archiver/archive/write_error", message)
    logger.error("%s. The crawl stops. What to do: %s.", message, ADVICE)
    engine = getattr(crawler, "engine", None)
    if engine is not None and getattr(crawler, "spider", None) is not None:
        from scrapy.utils.defer import deferred_from_coro

        deferred_from_coro(engine.close_spider_async(reason=REASON))


def has_failed(crawler: Any) -> bool:
    """True once a write failed: nothing more should be fetched or written."""
    archive = archive_extension(crawler)
    return archive is not None and archive.write_failed


def watch_items(crawler: Any) -> None:
    """Stop the crawl when an item pipeline's archive write fails as well."""

    def item_error(item: Any, response: Any, spider: Any, failure: Any) -> None:
        if isinstance(failure.value, WRITE_ERRORS):
            stop_crawl(crawler, failure.value)

    crawler.signals.connect(item_error, signal=signals.item_error, weak=False)
