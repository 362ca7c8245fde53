"""Scrapy settings of the archiver: the one place that wires our components.

This module is plain constants (``scrapy.cfg`` points here), so importing it
does not import Scrapy. The ``ARCHIVER_*`` settings and their defaults are in
:mod:`archiver.defaults`.
"""

from archiver import USER_AGENT as _USER_AGENT
from archiver.defaults import DEFAULTS as _DEFAULTS

BOT_NAME = "news-archiver"
SPIDER_MODULES = ["archiver.spiders"]
NEWSPIDER_MODULE = "archiver.spiders"

# An honest User-Agent that names the project and says what it does.
USER_AGENT = _USER_AGENT
ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = "news-archiver"

# Politeness: AutoThrottle adapts the delay to the server's latency.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_DELAY = 0.25
# The delay as stated. Scrapy's random jitter (0.5-1.5x by default) is drawn again each time the
# downloader checks whether a request may go, so the waits average about 1.25x the delay
# (bench/fleet.py: 94 s for a 75 s floor); fixed, a polite crawl takes 1.02x its floor.
DOWNLOAD_DELAY_JITTER = 0  # Scrapy 2.19 (RANDOMIZE_DOWNLOAD_DELAY = False before it)
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024  # bounds gzip bombs and runaway pages
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
# Items of one response processed at once. Our pipelines do not await, so Scrapy's
# default (100) only creates 100 asyncio tasks per page for nothing (bench/crawl.py).
CONCURRENT_ITEMS = 8
# Denied answers reach the spider so the cleaner can record them as walls
# (on the capture, with the status as evidence) rather than vanish.
HTTPERROR_ALLOWED_CODES = [401, 403, 451]
COOKIES_ENABLED = False  # archive the page every reader gets, not a session's
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
# Scrapy's downloader, with each slot's concurrency held for the page requisites that go straight
# to it rather than through the scheduler (handlers/downloader.py).
DOWNLOADER = "archiver.handlers.downloader.Downloader"
# Scrapy's in-memory stats without the warning shim it runs on every stats call (handlers/stats.py).
STATS_CLASS = "archiver.handlers.stats.StatsCollector"

# Capture next to the downloader: a download handler tees the raw bytes of
# each exchange and the capture middleware (order 950, closest to the
# downloader) writes them to WARC before decompression and redirects act.
# Only http(s) is ever requested: Scrapy's file, ftp, s3 and data handlers are switched
# off, so a file:// or ftp:// entry in a hostile sitemap reaches neither the disk nor
# the network (the address guard refuses those schemes too, with a counted reason).
DOWNLOAD_HANDLERS = {
    "http": "archiver.handlers.http11.TeeHTTP11DownloadHandler",
    "https": "archiver.handlers.http11.TeeHTTP11DownloadHandler",
    "file": None,
    "ftp": None,
    "s3": None,
    "data": None,
}
DOWNLOADER_MIDDLEWARES = {
    # After OffsiteMiddleware (50), before robots.txt is fetched (100): refuse private, loopback,
    # link-local and metadata addresses (see ARCHIVER_ALLOW_PRIVATE_ADDRESSES).
    "archiver.downloadermiddlewares.address_guard.AddressGuardMiddleware": 60,
    # Scrapy's robots.txt middleware in its place (100), with the parsed rules handed to every
    # request that waited for them, not to the first one only (downloadermiddlewares/robotstxt.py).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "archiver.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": 100,
    # Just above RetryMiddleware (550): wait what Retry-After asks before a retry.
    "archiver.downloadermiddlewares.retry_after.RetryAfterMiddleware": 560,
    "archiver.downloadermiddlewares.capture.WarcCaptureMiddleware": 950,
    # Below 950: adds If-None-Match/If-Modified-Since before the request is
    # sent (and archived); replays the held page when the answer is a 304.
    # Below DownloaderStats (850) too, so Scrapy's stats count the real 304s.
    "archiver.downloadermiddlewares.conditional.ConditionalRequestMiddleware": 840,
    # Resume (downloadermiddlewares/replay.py): a request for a URL the interrupted crawl archived is
    # answered from the WARC, as HttpCacheMiddleware answers from its storage.
    "archiver.downloadermiddlewares.replay.ArchiveReplayMiddleware": 830,
    # Distributed workers only (downloadermiddlewares/ledger.py): last to see a failed download.
    "archiver.downloadermiddlewares.ledger.LedgerDownloaderMiddleware": 1,
    # Browser mode (outlet `render = "browser"`): after HttpCompression (590) and redirects
    # (600) have acted, load the page in Chromium and archive all it fetches.
    "archiver.downloadermiddlewares.render.BrowserRenderMiddleware": 580,
    # Below RetryMiddleware (550) and HttpCompression (590): every archived HTML page's
    # stylesheets, fonts, images, icons and scripts, fetched once per crawl (downloadermiddlewares/requisites.py).
    "archiver.downloadermiddlewares.requisites.RequisiteMiddleware": 540,
}
SPIDER_MIDDLEWARES = {
    # A replayed page whose article is stored yields no item (spiders/replay.py).
    "archiver.spiders.replay.ReplayedItemsMiddleware": 850,
    # Distributed workers only: a taken request is finished once its output is handed on.
    "archiver.spiders.ledger.LedgerSpiderMiddleware": 5,
    # Tests only, when ARCHIVER_TEST_KILL_AT is set (archiver/crawl/killpoint.py).
    "archiver.spiders.killpoints.KillPointMiddleware": 2,
}
# Live progress line on a TTY, JSON log lines (extensions/progress.py).
EXTENSIONS = {
    # Opens the crawl's archive (extensions/archive.py). First of all extensions (Scrapy's own
    # are at 0), so it closes the archive before the others' spider_closed handlers run.
    "archiver.extensions.archive.ArchiveExtension": -1,
    "archiver.extensions.progress.ProgressExtension": 500,
}
ITEM_PIPELINES = {
    "archiver.pipelines.clean.CleanPipeline": 300,
    "archiver.pipelines.store.StorePipeline": 800,
}

# Every ARCHIVER_* setting, with its default and what it does, is in archiver/defaults.py
# (and README's settings table); they are project settings like the ones above.
globals().update(_DEFAULTS)
