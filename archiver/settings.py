"""Scrapy settings of the archiver: the one place that wires our components.

This module is plain constants (``scrapy.cfg`` points here), so importing it
does not import Scrapy. Every ``ARCHIVER_*`` setting is documented here.
"""

from archiver import USER_AGENT as _USER_AGENT

BOT_NAME = "news-archiver"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

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

# Capture next to the downloader: a download handler tees the raw bytes of
# each exchange and the capture middleware (order 950, closest to the
# downloader) writes them to WARC before decompression and redirects act.
DOWNLOAD_HANDLERS = {
    "http": "pipelines.handler.TeeHTTP11DownloadHandler",
    "https": "pipelines.handler.TeeHTTP11DownloadHandler",
}
DOWNLOADER_MIDDLEWARES = {
    # After OffsiteMiddleware (50), before robots.txt is fetched (100): refuse private, loopback,
    # link-local and metadata addresses (see ARCHIVER_ALLOW_PRIVATE_ADDRESSES).
    "pipelines.address_guard.AddressGuardMiddleware": 60,
    # Just above RetryMiddleware (550): wait what Retry-After asks before a retry.
    "pipelines.retry_after.RetryAfterMiddleware": 560,
    "pipelines.capture.WarcCaptureMiddleware": 950,
    # Below 950: adds If-None-Match/If-Modified-Since before the request is
    # sent (and archived); replays the held page when the answer is a 304.
    # Below DownloaderStats (850) too, so Scrapy's stats count the real 304s.
    "pipelines.conditional.ConditionalRequestMiddleware": 840,
    # Resume (spiders/replay.py): a request for a URL the interrupted crawl archived is
    # answered from the WARC, as HttpCacheMiddleware answers from its storage.
    "spiders.replay.ArchiveReplayMiddleware": 830,
    # Distributed workers only (spiders/ledger.py): last to see a failed download.
    "spiders.ledger.LedgerDownloaderMiddleware": 1,
}
SPIDER_MIDDLEWARES = {
    # A replayed page whose article is stored yields no item (spiders/replay.py).
    "spiders.replay.ReplayedItemsMiddleware": 850,
    # Distributed workers only: a taken request is finished once its output is handed on.
    "spiders.ledger.LedgerSpiderMiddleware": 5,
    # Tests only, when ARCHIVER_TEST_KILL_AT is set (archiver/killpoint.py).
    "spiders.killpoints.KillPointMiddleware": 2,
}
# Live progress line on a TTY, JSON log lines (pipelines/progress.py).
EXTENSIONS = {
    "pipelines.progress.ProgressExtension": 500,
}
ITEM_PIPELINES = {
    "pipelines.clean.CleanPipeline": 300,
    "pipelines.store.StorePipeline": 800,
}

# Where the archive goes: DIR/warcs/*.warc.gz and DIR/archive.db.
ARCHIVER_OUT_DIR = "archive"
# Rotate WARC files past this many bytes (compressed).
ARCHIVER_WARC_MAX_SIZE = 1_000_000_000
# WARC file name prefix; defaults to the outlet name.
ARCHIVER_WARC_PREFIX = None
# Replace the outlet's home origin (the demo outlet on a free local port).
ARCHIVER_OUTLET_HOME = None
# Re-crawls: conditional requests (ETag/Last-Modified of the archived response) for pages held.
ARCHIVER_CONDITIONAL_ENABLED = True
# Continue an unfinished crawl of the same outlet in ARCHIVER_OUT_DIR (state in DIR/state/).
ARCHIVER_RESUME = True
# Start a new crawl even if the last one did not finish (its WARC tail is still repaired).
ARCHIVER_FRESH = False
# Progress line on stderr: "auto" (only when stderr is a terminal), True or False.
ARCHIVER_PROGRESS = "auto"
ARCHIVER_PROGRESS_INTERVAL = 1.0
# Log records as JSON lines (archiver crawl --json-log).
ARCHIVER_JSON_LOG = False
# Distributed crawls (spiders/distributed.py; set by archiver crawl --redis URL --worker-id W).
ARCHIVER_REDIS_URL = None
ARCHIVER_WORKER_ID = None
# Hostile web (pipelines/address_guard.py, pipelines/retry_after.py, archiver/hostile.py):
# fetch private/loopback addresses? False, True (loopback + private, never
# link-local/metadata) or a list of networks such as ["127.0.0.0/8"].
ARCHIVER_ALLOW_PRIVATE_ADDRESSES = False
# Longest wait, in seconds, a Retry-After header can impose before a retry.
ARCHIVER_RETRY_AFTER_MAX = 60
# Links followed from one page at most (a page with 100,000 links is a trap or a dump).
ARCHIVER_MAX_LINKS_PER_PAGE = 1000
# URLs of one shape (digits -> N: /calendar/N/N/) scheduled at most: bounds crawler traps.
ARCHIVER_SHAPE_BUDGET = 500
# A path repeating one segment more often than this is a relative-link loop.
ARCHIVER_MAX_SEGMENT_REPEATS = 3
