"""The ``news`` spider's defences against a hostile web: failures, traps, odd pages.

:class:`HostileWeb` is one crawl's helper; the spider calls it for every failed fetch
(one WARNING line ``fetch failed (KIND): URL: reason`` and counters, where Scrapy speaks
in many voices), for each followed link (trap guard, link cap), for each page (binary
bodies, charset problems) and at close (a crawl robots.txt stopped says so). The
exchange itself is already in the WARC when it runs. Each check and its counters:
"Hostile web, faults and security" in ``docs/architecture.md``.
"""

from __future__ import annotations

import logging
from typing import Any, Iterable

from scrapy import signals
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError

from archiver.crawl.hostile import TrapGuard, page_problems
from archiver.downloadermiddlewares.address_guard import AddressRefused
from archiver.downloadermiddlewares.capture import NotArchived
from archiver.defaults import DEFAULTS

logger = logging.getLogger("archiver.spiders.news")

#: (exception type, kind, what to tell the archivist); the first match wins.
_KINDS: tuple[tuple[type[BaseException], str, str], ...] = (
    (
        DownloadTimeoutError,
        "timeout",
        "no complete response within DOWNLOAD_TIMEOUT; the bytes that came are "
        "archived (WARC-Truncated: time)",
    ),
    (
        DownloadCancelledError,
        "too_large",
        "larger than DOWNLOAD_MAXSIZE; the first bytes are archived (WARC-Truncated: length)",
    ),
    (ResponseDataLossError, "connection_lost", "connection closed before the response was complete"),
    (DownloadConnectionRefusedError, "connection_refused", "connection refused"),
    (CannotResolveHostError, "dns", "host name does not resolve"),
    (DownloadFailedError, "connection_lost", "connection reset or lost mid-response; what came is archived"),
)


def classify(exc: BaseException) -> tuple[str, str]:
    """``(kind, reason)`` for a fetch failure; ``kind`` is a stats key suffix."""
    text = str(exc)
    if isinstance(exc, AddressRefused):
        return "refused_address", text
    if isinstance(exc, NotArchived):
        return "not_archived", text
    if isinstance(exc, HttpError):
        status = exc.response.status
        return "http_status", f"HTTP {status} (after retries where {status} is retried)"
    if isinstance(exc, IgnoreRequest):
        # Scrapy's robots.txt, redirect and decompression middlewares raise a bare IgnoreRequest:
        # their message is all that tells them apart (our own refusals have types, above).
        if "robots.txt" in text:
            return "robots_forbidden", "robots.txt forbids it for our User-Agent"
        if "max redirections" in text:
            return "redirect_loop", "redirect loop (REDIRECT_MAX_TIMES redirects without an answer)"
        if "DOWNLOAD_MAXSIZE" in text:
            return "too_large", (
                "decompresses to more than DOWNLOAD_MAXSIZE (a gzip bomb?); the compressed bytes are archived"
            )
        return "ignored", text or type(exc).__name__
    for exc_type, kind, reason in _KINDS:
        if isinstance(exc, exc_type):
            return kind, f"{reason} ({type(exc).__name__}: {text})" if text else reason
    return "error", f"{type(exc).__name__}: {text}"


class HostileWeb:
    """One crawl's failure log, trap guard, link cap and page checks (docs/architecture.md, "Hostile web")."""

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.max_links = settings.getint(
            "ARCHIVER_MAX_LINKS_PER_PAGE", DEFAULTS["ARCHIVER_MAX_LINKS_PER_PAGE"]
        )
        budget = settings.getint("ARCHIVER_SHAPE_BUDGET", DEFAULTS["ARCHIVER_SHAPE_BUDGET"])
        self.traps = TrapGuard(
            budget=budget or None,
            max_repeats=settings.getint(
                "ARCHIVER_MAX_SEGMENT_REPEATS", DEFAULTS["ARCHIVER_MAX_SEGMENT_REPEATS"]
            ),
            max_length=settings.getint("URLLENGTH_LIMIT", 2083),
        )
        self._trap_logged: set[tuple[str, str]] = set()
        crawler.signals.connect(self.dropped, signal=signals.request_dropped)

    @property
    def stats(self) -> Any:
        return self.crawler.stats  # set once the crawl starts, after the spider is built

    def failed(self, failure: Any) -> None:
        """Errback of every request the spider makes: log once, count by kind."""
        kind, reason = classify(failure.value)
        request = getattr(failure, "request", None) or getattr(failure.value, "request", None)
        url = request.url if request is not None else "?"
        self.stats.inc_value("archiver/fetch/failed")
        self.stats.inc_value(f"archiver/fetch/failed/{kind}")
        if kind in ("refused_address", "not_archived"):
            return  # logged once already: by the address guard, or when the archive write failed
        # a 404 is ordinary web life; everything else is worth the archivist's attention
        level = logging.INFO if reason.startswith("HTTP 404") else logging.WARNING
        logger.log(level, "fetch failed (%s): %s: %s", kind, url, reason)

    def dropped(self, request: Any, spider: Any = None) -> None:
        """A redirect back to a URL of its own chain is dropped by the dupefilter: name the loop."""
        chain = request.meta.get("redirect_urls") or []
        if request.url in chain:
            loop = " -> ".join([*chain[chain.index(request.url) :], request.url])
            self.stats.inc_value("archiver/fetch/failed")
            self.stats.inc_value("archiver/fetch/failed/redirect_loop")
            logger.warning(
                "fetch failed (redirect_loop): %s: redirects in a loop (%s); each hop is archived",
                chain[0],
                loop,
            )

    def allow_link(self, url: str, seen: set[str]) -> bool:
        """False for a link into a crawler trap (logged once per URL shape and kind)."""
        if url in seen:
            return True  # already scheduled: not counted twice
        verdict = self.traps.check(url)
        if verdict is None:
            return True
        self.stats.inc_value(f"archiver/traps/{verdict.kind}")
        key = (verdict.kind, verdict.message)
        if key not in self._trap_logged:
            self._trap_logged.add(key)
            logger.warning(
                "crawler trap (%s): not following %s and the like: %s", verdict.kind, url, verdict.message
            )
        return False

    def cap_links(self, page_url: str, hrefs: list[str]) -> Iterable[str]:
        """The first ``ARCHIVER_MAX_LINKS_PER_PAGE`` links of a page (logged when cut)."""
        if len(hrefs) <= self.max_links:
            return hrefs
        self.stats.inc_value("archiver/links/capped")
        self.stats.inc_value("archiver/links/dropped", len(hrefs) - self.max_links)
        logger.warning(
            "page with %d links: following the first %d (ARCHIVER_MAX_LINKS_PER_PAGE): %s",
            len(hrefs),
            self.max_links,
            page_url,
        )
        return hrefs[: self.max_links]

    def page_ok(self, url: str, body: bytes, content_type: str) -> bool:
        """Log and count what is odd about an HTML page; False when it must not be cleaned."""
        ok = True
        for problem in page_problems(body, content_type):
            self.stats.inc_value(f"archiver/pages/{problem.kind}")
            level = logging.INFO if problem.kind == "no_charset" else logging.WARNING
            logger.log(level, "page problem (%s): %s: %s", problem.kind, url, problem.message)
            ok = ok and problem.kind != "binary"
        return ok

    def closed(self, stats: dict[str, Any]) -> None:
        """Say so when robots.txt kept the crawl from everything but robots.txt itself."""
        forbidden = stats.get("robotstxt/forbidden", 0)
        pages = stats.get("response_received_count", 0) - stats.get("robotstxt/response_count", 0)
        if forbidden and pages <= 0:
            logger.warning(
                "crawl ended: robots.txt forbids all %d requested URLs for our User-Agent; "
                "nothing but robots.txt was archived",
                forbidden,
            )
