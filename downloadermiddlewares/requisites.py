"""Downloader middleware: fetch every archived page's requisites, once per crawl, within budgets.

For each HTML page the crawl archives, :func:`archiver.crawl.requisites.html_requisites`
names what a browser needs to render it; each URL is requested once per crawl with
``engine.download_async`` through the whole downloader chain (guard, robots.txt, slots,
conditional requests, capture), and its outcome goes to the ``requisites`` table.
Order 540 (below RetryMiddleware and HttpCompression), budgets, settings and stats:
"Page requisites and replay" in ``docs/architecture.md``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import deferred_from_coro

from archiver.crawl.requisites import Requisite, css_requisites, html_requisites

from archiver.downloadermiddlewares.capture import CAPTURE_META_KEY
from archiver.defaults import DEFAULTS
from archiver.extensions.archive import session_or_none

META_KEY = "archiver_requisite"
_HTML_TYPES = (b"text/html", b"application/xhtml+xml")
_CSS_PARSE_LIMIT = 4 * 1024 * 1024  # bytes of a stylesheet parsed for more requisites
_REASONS = {  # stats key part -> reason in the table
    "robots": "robots.txt",
    "page_count": "page budget (count)",
    "page_bytes": "page budget (bytes)",
    "crawl_count": "crawl budget (count)",
    "crawl_bytes": "crawl budget (bytes)",
}


class BudgetExceeded(IgnoreRequest):
    """A requisite not fetched because its page's or the crawl's budget is spent."""

    def __init__(self, key: str) -> None:
        super().__init__(_REASONS[key])
        self.key = key


@dataclasses.dataclass
class _Outcome:
    status: str  # archived, skipped, failed
    reason: str | None = None
    capture_record_id: str | None = None


@dataclasses.dataclass
class _Budget:
    count: int = 0
    bytes: int = 0


class RequisiteMiddleware:
    """Schedule, deduplicate, budget and record the requisites of every archived page."""

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        if not settings.getbool("ARCHIVER_REQUISITES_ENABLED", DEFAULTS["ARCHIVER_REQUISITES_ENABLED"]):
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        self.page_max_count = settings.getint(
            "ARCHIVER_REQUISITES_PAGE_MAX_COUNT", DEFAULTS["ARCHIVER_REQUISITES_PAGE_MAX_COUNT"]
        )
        self.page_max_bytes = settings.getint(
            "ARCHIVER_REQUISITES_PAGE_MAX_BYTES", DEFAULTS["ARCHIVER_REQUISITES_PAGE_MAX_BYTES"]
        )
        self.crawl_max_count = settings.getint(
            "ARCHIVER_REQUISITES_CRAWL_MAX_COUNT", DEFAULTS["ARCHIVER_REQUISITES_CRAWL_MAX_COUNT"]
        )
        self.crawl_max_bytes = settings.getint(
            "ARCHIVER_REQUISITES_CRAWL_MAX_BYTES", DEFAULTS["ARCHIVER_REQUISITES_CRAWL_MAX_BYTES"]
        )
        #: url -> outcome (None while the fetch is under way); one fetch per URL per crawl.
        self.outcomes: dict[str, _Outcome | None] = {}
        #: url -> (page record id, requisite) pairs waiting for that URL's outcome.
        self.waiting: dict[str, list[tuple[str, Requisite]]] = {}
        #: stylesheet url -> what it names (given to every later page that uses it).
        self.children: dict[str, list[Requisite]] = {}
        self.pages: dict[str, _Budget] = {}
        self.crawl = _Budget()
        self.page_urls: dict[str, str] = {}
        self.loaded = False  # what a resumed crawl's first run archived (see _load_archived)
        #: stylesheet url -> its capture, archived by a resumed crawl's first run: read on first use.
        self.archived_css: dict[str, str] = {}
        #: page -> its ``requisites`` rows not written yet.
        self.rows: dict[str, list[dict[str, Any]]] = {}
        #: page -> its requisites still under way; a page's rows are written once none is.
        self.unsettled: dict[str, int] = {}
        crawler.signals.connect(self._closed, signal=signals.spider_closed)
        crawler.signals.connect(self._idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RequisiteMiddleware:
        return cls(crawler)

    # -- downloader hooks ----------------------------------------------------------------

    def process_request(self, request: Request, spider: Any = None) -> None:
        info = request.meta.get(META_KEY)
        if info is None:
            return
        page = self.pages.get(info["page"], _Budget())
        if page.bytes >= self.page_max_bytes:
            raise BudgetExceeded("page_bytes")
        if self.crawl.bytes >= self.crawl_max_bytes:
            raise BudgetExceeded("crawl_bytes")
        return

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        info = request.meta.get(META_KEY)
        capture = request.meta.get(CAPTURE_META_KEY)
        if info is None:
            if (
                capture is not None
                and isinstance(response, TextResponse)
                and self._is_html(response)
                and response.status < 400
            ):
                self._page(capture.record_id, response)
                self._flush()
            return response
        url = info["url"]
        size = len(response.body)
        self.crawl.bytes += size
        self.pages.setdefault(info["page"], _Budget()).bytes += size
        self.stats.inc_value("archiver/requisites/bytes", size)
        if response.status >= 400 or capture is None:
            reason = f"HTTP {response.status}" if response.status >= 400 else "not archived"
            self._resolve(url, _Outcome("failed", reason))
            self._flush()
            return response
        if self._is_css(response, info["kind"]):
            text = response.body[:_CSS_PARSE_LIMIT].decode(_charset(response), errors="replace")
            self.children[url] = css_requisites(text, response.url)
        self._resolve(url, _Outcome("archived", capture_record_id=capture.record_id))
        self._flush()
        return response

    def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> None:
        info = request.meta.get(META_KEY)
        if info is None:
            return
        if isinstance(exception, BudgetExceeded):
            self.stats.inc_value(f"archiver/requisites/skipped/{exception.key}")
            outcome = _Outcome("skipped", str(exception))
        elif isinstance(exception, IgnoreRequest) and "robots.txt" in str(exception):
            self.stats.inc_value("archiver/requisites/skipped/robots")
            outcome = _Outcome("skipped", "robots.txt")
        else:
            outcome = _Outcome("failed", f"{type(exception).__name__}: {exception}"[:300])
        self._resolve(info["url"], outcome)
        self._flush()

    # -- bookkeeping ---------------------------------------------------------------------

    @staticmethod
    def _is_html(response: Response) -> bool:
        return _media_type(response) in _HTML_TYPES

    @staticmethod
    def _is_css(response: Response, kind: str) -> bool:
        ctype = _media_type(response)
        return ctype == b"text/css" or (kind == "style" and ctype in (b"", b"text/plain"))

    def _page(self, page_id: str, response: TextResponse) -> None:
        """Every requisite of one archived page: recorded now if known, else scheduled or waited for."""
        self.pages.setdefault(page_id, _Budget())
        self.page_urls[page_id] = response.url
        for requisite in html_requisites(response.text, response.url):
            self._need(page_id, requisite)

    def _load_archived(self) -> None:
        """A resumed crawl: what its first run already archived counts as fetched (never twice)."""
        self.loaded = True
        session = session_or_none(self.crawler)
        if session is None:
            return
        rows = session.store.db.execute(
            "SELECT url, record_id, content_type FROM captures"
            " WHERE crawl_id = ? AND status IS NOT NULL AND status < 400",
            [session.crawl_id],
        ).fetchall()
        for url, record_id, content_type in rows:
            self.outcomes.setdefault(url, _Outcome("archived", capture_record_id=record_id))
            if (content_type or "").split(";")[0].strip().lower() == "text/css":
                self.archived_css[url] = record_id

    def _children(self, url: str) -> list[Requisite]:
        """What a stylesheet names; one the killed run archived is read back from its WARC record.

        The run that fetched it may have died before fetching what it names
        (``@import``, ``url()``): those are needed still, and the stylesheet
        itself is never fetched twice.
        """
        record_id = self.archived_css.pop(url, None)
        if record_id is not None and url not in self.children:
            self.children[url] = self._archived_css_requisites(url, record_id)
        return self.children.get(url, [])

    def _archived_css_requisites(self, url: str, record_id: str) -> list[Requisite]:
        from archiver.crawl.conditional import held_capture
        from archiver.warc import HttpParseError, WarcError

        session = session_or_none(self.crawler)
        capture = session.store.capture(record_id) if session is not None else None
        if session is None or capture is None:
            return []
        held = held_capture(session.store, session.out_dir / "warcs", capture)
        if held is None:
            return []
        try:
            body = held.record.decoded_body(limit=_CSS_PARSE_LIMIT)
        except (HttpParseError, WarcError):
            return []
        ctype = (capture.content_type or "").encode("latin-1", "replace")
        return css_requisites(body.decode(_charset_of(ctype), errors="replace"), url)

    def _need(self, page_id: str, requisite: Requisite) -> None:
        if not self.loaded:
            self._load_archived()
        url = requisite.url
        if url in self.outcomes:
            outcome = self.outcomes[url]
            if outcome is None:
                self.waiting[url].append((page_id, requisite))
                self.unsettled[page_id] = self.unsettled.get(page_id, 0) + 1
            else:
                self.stats.inc_value("archiver/requisites/deduplicated")
                self._write(page_id, requisite, outcome)
                for child in self._children(url):
                    self._need(page_id, child)
            return
        page = self.pages.setdefault(page_id, _Budget())
        over = (
            "page_count"
            if page.count >= self.page_max_count
            else "crawl_count"
            if self.crawl.count >= self.crawl_max_count
            else None
        )
        if over is not None:  # not remembered: another page with budget left may still fetch it
            self.stats.inc_value(f"archiver/requisites/skipped/{over}")
            self._write(page_id, requisite, _Outcome("skipped", _REASONS[over]))
            return
        page.count += 1
        self.crawl.count += 1
        self.outcomes[url] = None
        self.waiting[url] = [(page_id, requisite)]
        self.unsettled[page_id] = self.unsettled.get(page_id, 0) + 1
        self.stats.inc_value("archiver/requisites/scheduled")
        self._fetch(self._request(page_id, requisite))

    def _fetch(self, request: Request) -> None:
        """Download through the downloader middlewares and slots, bypassing scheduler and spider.

        A requisite has nothing for the spider (no links to follow, nothing to
        clean), so it skips the scheduler, the spider middlewares and a
        callback: half of what an exchange costs Scrapy (bench/requisites.py).
        The engine counts it in flight, so the crawl does not close before it
        ends; redirects are followed; the outcome is recorded by this
        middleware's own hooks, so the result and any error are dropped here.
        """
        deferred_from_coro(self.crawler.engine.download_async(request)).addErrback(lambda _failure: None)

    def _request(self, page_id: str, requisite: Requisite) -> Request:
        spider = self.crawler.spider
        meta: dict[str, Any] = {
            META_KEY: {"url": requisite.url, "page": page_id, "kind": requisite.kind},
            "allow_offsite": True,  # a CDN is not the outlet, and its files are still the page's
        }
        outlet = getattr(spider, "outlet", None)
        if outlet is not None and not outlet.requisites_obey_robots:
            meta["dont_obey_robotstxt"] = True
        return Request(requisite.url, callback=NO_CALLBACK, meta=meta, dont_filter=True)

    def _resolve(self, url: str, outcome: _Outcome) -> None:
        if self.outcomes.get(url) is not None:
            return  # already settled (a retried request's late exception)
        self.outcomes[url] = outcome
        if outcome.status != "skipped":
            self.stats.inc_value(f"archiver/requisites/{outcome.status}")
        for page_id, requisite in self.waiting.pop(url, []):
            self.unsettled[page_id] -= 1
            self._write(page_id, requisite, outcome)
            for child in self.children.get(url, ()):
                self._need(page_id, child)
        if outcome.status == "skipped" and outcome.reason in (_REASONS["page_bytes"],):
            del self.outcomes[url]  # another page with bytes left may fetch it

    def _write(self, page_id: str, requisite: Requisite, outcome: _Outcome) -> None:
        self.rows.setdefault(page_id, []).append(
            {
                "page_record_id": page_id,
                "page_url": self.page_urls.get(page_id),
                "url": requisite.url,
                "source": requisite.source,
                "kind": requisite.kind,
                "status": outcome.status,
                "reason": outcome.reason,
                "capture_record_id": outcome.capture_record_id,
            }
        )

    def _flush(self, *, everything: bool = False) -> None:
        """Write the rows of every page whose requisites are all settled: one WARC record per page."""
        settled = [p for p in self.rows if everything or not self.unsettled.get(p)]
        session = session_or_none(self.crawler)
        if settled and session is not None:
            session.record_requisites([row for page in settled for row in self.rows[page]])
        for page in settled:
            del self.rows[page]
            self.unsettled.pop(page, None)

    def _idle(self, spider: Any = None) -> None:
        self._flush(everything=True)  # nothing is in flight: write what is left (a requisite held forever)

    def _closed(self, spider: Any = None, reason: str = "") -> None:
        unfinished = sum(1 for outcome in self.outcomes.values() if outcome is None)
        if unfinished:
            self.stats.set_value("archiver/requisites/unfinished", unfinished)


def _media_type(response: Response) -> bytes:
    return (response.headers.get(b"Content-Type") or b"").split(b";")[0].strip().lower()


def _charset(response: Response) -> str:
    encoding = getattr(response, "encoding", None)
    if encoding:
        return encoding
    return _charset_of(response.headers.get(b"Content-Type") or b"")


def _charset_of(content_type: bytes) -> str:
    """The ``charset`` a Content-Type names, if Python knows it; else UTF-8 (CSS's default)."""
    ctype = content_type.decode("latin-1").lower()
    if "charset=" in ctype:
        name = ctype.split("charset=", 1)[1].split(";")[0].strip().strip('"')
        try:
            "".encode(name)
            return name
        except LookupError:
            pass
    return "utf-8"
