"""Downloader middleware: in browser mode, render each HTML page in headless Chromium.

For an outlet with ``render = "browser"`` (or ``ARCHIVER_RENDER``, ``--render browser``),
each HTML page its rules do not rule out is loaded in the crawl's one
:class:`archiver.crawl.browser.render.BrowserRenderer` after Scrapy has downloaded and
archived it: the page's requests pass :func:`browser_guard` and are archived, the DOM and
a screenshot become ``resource`` records, and the spider gets the DOM as the body. A page
that cannot be rendered goes on as the HTTP response it was. Order 580, settings and
stats: "Script-built outlets" in ``docs/architecture.md``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import socket
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.http import HtmlResponse, Request, Response

from archiver.crawl.browser.records import DOM_PREFIX, SCREENSHOT_PREFIX, resource_url
from archiver.crawl.browser.render import CHROMIUM, BrowserRenderer, Document, Exchange, RenderError

from archiver.downloadermiddlewares.address_guard import allowed_networks, refusal
from archiver.downloadermiddlewares.capture import CAPTURE_META_KEY
from archiver.defaults import DEFAULTS
from archiver.extensions.archive import get_session
from archiver.warc.exchange import HttpExchange

logger = logging.getLogger(__name__)

RENDER_META_KEY = "archiver_render"
HTML_TYPES = ("text/html", "application/xhtml+xml")


def browser_guard(allowed: tuple[Any, ...]) -> Any:
    """An async ``guard(url)`` for the browser: http(s) only, and the address rules of the crawl."""

    async def guard(url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"scheme {parts.scheme or '(none)'}: only http(s) is fetched"
        host = parts.hostname
        try:
            addresses = [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(
                    host, parts.port or 80, type=socket.SOCK_STREAM
                )
            except OSError as exc:
                return f"{host} does not resolve ({exc})"
            addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        for ip in addresses:
            kind = refusal(ip, allowed)  # the crawl's own rule: metadata never, then the allow list
            if kind:
                return f"{host} is a {kind.replace('_', '-')} address ({ip})"
        return None

    return guard


def exchange_bytes(exchange: Exchange) -> tuple[bytes, bytes]:
    """Request and response as HTTP/1.1 messages rebuilt from what the browser's side reported."""
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    head = f"{exchange.method} {target} HTTP/1.1\r\n"
    names = {k.lower() for k, _ in exchange.request_headers}
    if "host" not in names:
        head += f"Host: {parts.netloc}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in exchange.request_headers if not k.startswith(":"))
    request = head.encode("latin-1", "replace") + b"\r\n" + (exchange.request_body or b"")
    status = f"HTTP/1.1 {exchange.status} {exchange.reason}\r\n"
    kept = [
        (k, v)
        for k, v in exchange.response_headers
        if k.lower() not in ("content-encoding", "transfer-encoding", "content-length")
    ]
    status += "".join(f"{k}: {v}\r\n" for k, v in kept)
    status += f"Content-Length: {len(exchange.body)}\r\n\r\n"
    return request, status.encode("latin-1", "replace") + exchange.body


class BrowserRenderMiddleware:
    """Render HTML pages of browser-mode outlets (see docs/architecture.md, "Script-built outlets")."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.mode = settings.get("ARCHIVER_RENDER", DEFAULTS["ARCHIVER_RENDER"])
        self.allowed = allowed_networks(settings)
        self.executable = (
            settings.get("ARCHIVER_CHROMIUM", DEFAULTS["ARCHIVER_CHROMIUM"])
            or os.environ.get("ARCHIVER_CHROMIUM")
            or CHROMIUM
        )
        self.timeout = settings.getfloat("ARCHIVER_BROWSER_TIMEOUT", DEFAULTS["ARCHIVER_BROWSER_TIMEOUT"])
        self.screenshots = settings.getbool("ARCHIVER_SCREENSHOTS", DEFAULTS["ARCHIVER_SCREENSHOTS"])
        self.pages_at_once = settings.getint("ARCHIVER_BROWSER_PAGES", DEFAULTS["ARCHIVER_BROWSER_PAGES"])
        self.replay_screenshots = settings.getbool(
            "ARCHIVER_SCREENSHOTS_HTTP", DEFAULTS["ARCHIVER_SCREENSHOTS_HTTP"]
        )
        self.renderer: BrowserRenderer | None = None
        self.replayer: BrowserRenderer | None = None
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "BrowserRenderMiddleware":
        return cls(crawler)

    def enabled(self, spider: Any) -> bool:
        """Browser mode for this crawl: the setting, else the outlet file's ``render``."""
        mode = self.mode or getattr(getattr(spider, "outlet", None), "render", "http")
        return mode == "browser"

    def _wants(self, request: Request, response: Response, spider: Any) -> bool:
        if response.status != 200 or request.meta.get(CAPTURE_META_KEY) is None:
            return False
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").split(";")[0]
        if content_type.strip().lower() not in HTML_TYPES:
            return False
        outlet = getattr(spider, "outlet", None)
        return outlet is None or outlet.url_verdict(response.url) is not False

    async def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        spider = spider or self.crawler.spider
        browser = self.enabled(spider)
        if not (browser or self.replay_screenshots) or not self._wants(request, response, spider):
            return response
        if browser:
            return await self._render(request, response)
        if self.replay_screenshots:
            await self._replay_screenshot(request, response)
        return response

    @staticmethod
    def _document(response: Response) -> Document:
        return Document(
            url=response.url,
            status=response.status,
            headers=[
                (k.decode("latin-1"), v.decode("latin-1"))
                for k, values in response.headers.items()
                for v in values
            ],
            body=response.body,
        )

    async def _replay_screenshot(self, request: Request, response: Response) -> None:
        """HTTP mode with screenshots: photograph the page as the archive replays it, scripts off.

        The browser gets the archived document, and every other request is
        answered from the archive alone (what it does not hold stays missing):
        nothing is asked of the live web.
        """
        if self.replayer is None:
            self.replayer = BrowserRenderer(
                guard=browser_guard(()),
                record=lambda exchange: None,
                executable=self.executable,
                load_timeout=self.timeout,
                screenshot_timeout=self.timeout / 2,
                concurrency=self.pages_at_once,
                answer=self._from_archive,
            )
        try:
            rendered = await self.replayer.render(self._document(response))
        except RenderError as exc:
            self.stats.inc_value("archiver/browser/errors")
            logger.error("screenshot of the archived page: %s", exc)
            return
        if rendered.screenshot:
            shot = get_session(self.crawler).record_resource(
                request.meta[CAPTURE_META_KEY],
                url=resource_url(SCREENSHOT_PREFIX, response.url),
                payload=rendered.screenshot,
                content_type="image/png",
            )
            self.stats.inc_value("archiver/browser/screenshots")
            request.meta[RENDER_META_KEY] = {
                "text_source": "http",
                "screenshot_record_id": shot.record_id,
                "screenshot_sha256": shot.payload_sha256,
            }

    async def _from_archive(self, url: str) -> tuple[int, list[tuple[str, str]], bytes] | None:
        held = get_session(self.crawler).held(url)
        if held is None or held.record.status is None:
            return None
        return held.record.status, list(held.record.http_headers), held.record.decoded_body()

    async def _render(self, request: Request, response: Response) -> Response:
        """Browser mode: render the page live, archive all it fetched, hand on the DOM."""
        renderer = self._renderer()
        try:
            rendered = await renderer.render(self._document(response))
        except RenderError as exc:
            self.stats.inc_value("archiver/browser/errors")
            logger.error("browser: %s; the page is kept as received over HTTP", exc)
            return response
        self.stats.inc_value("archiver/browser/pages")
        self.stats.inc_value("archiver/browser/requests", rendered.requests)
        self.stats.inc_value("archiver/browser/refused", rendered.refused)
        for problem in rendered.failed:
            logger.warning("browser: failed to fetch %s", problem)
        session = get_session(self.crawler)
        page = request.meta[CAPTURE_META_KEY]
        dom = session.record_resource(
            page, url=resource_url(DOM_PREFIX, response.url), payload=rendered.dom, content_type="text/html"
        )
        shot = None
        if rendered.screenshot:
            shot = session.record_resource(
                page,
                url=resource_url(SCREENSHOT_PREFIX, response.url),
                payload=rendered.screenshot,
                content_type="image/png",
            )
        request.meta[RENDER_META_KEY] = {
            "text_source": "dom",
            "dom_record_id": dom.record_id,
            "screenshot_record_id": shot.record_id if shot else None,
            "screenshot_sha256": shot.payload_sha256 if shot else None,
        }
        return HtmlResponse(
            url=response.url,
            status=response.status,
            headers=response.headers,
            body=rendered.dom,
            encoding="utf-8",
            request=request,
            flags=response.flags,
            ip_address=response.ip_address,
            protocol=response.protocol,
        )

    def _renderer(self) -> BrowserRenderer:
        if self.renderer is None:
            self.renderer = BrowserRenderer(
                guard=browser_guard(self.allowed),
                record=self._record,
                executable=self.executable,
                user_agent=self.crawler.settings.get("USER_AGENT"),
                load_timeout=self.timeout,
                scroll_timeout=self.timeout / 3,
                screenshot_timeout=self.timeout / 2,
                screenshots=self.screenshots,
                concurrency=self.pages_at_once,
            )
        return self.renderer

    def _record(self, exchange: Exchange) -> None:
        request_bytes, response_bytes = exchange_bytes(exchange)
        get_session(self.crawler).record_exchange(
            HttpExchange(
                url=exchange.url,
                request_bytes=request_bytes,
                response_bytes=response_bytes,
                fetched_at=exchange.fetched_at,
                reconstructed=True,
            )
        )

    async def _closed(self, spider: Any = None, reason: str | None = None) -> None:
        for name in ("renderer", "replayer"):
            renderer = getattr(self, name)
            if renderer is not None:
                setattr(self, name, None)
                await renderer.close()
