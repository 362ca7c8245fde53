"""Load a page in one headless Chromium, archive everything it fetches, keep its DOM and face.

:class:`BrowserRenderer` drives Debian's ``chromium`` through Playwright's async API in
the crawl's own asyncio loop. Scrapy downloads (and archives) the document; the browser
gets those same bytes from the route handler, where every later request is checked by
the caller's ``guard``, fetched with ``route.fetch`` and handed to ``record``. Every step
has a time limit: a page that hangs is a :class:`RenderError` naming the URL and the step.
Why not scrapy-playwright, the dead proxy, recycling: "Script-built outlets" in
``docs/architecture.md``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import OrderedDict
from typing import Any, Awaitable, Callable

from archiver.crawl.browser.exchange import Document, Exchange, Rendered, RenderError

__all__ = [
    "BrowserRenderer",
    "Document",
    "Exchange",
    "Rendered",
    "RenderError",
    "CHROMIUM_ARGS",
    "CHROMIUM_QUIET_ARGS",
]

logger = logging.getLogger(__name__)

#: Debian's chromium, which Playwright drives (no browser download).
CHROMIUM = "/usr/bin/chromium"
#: Chromium flags for any headless use here: no sandbox (containers, root), no background
#: traffic of its own. Tests and benchmarks that browse a loopback server use these alone.
CHROMIUM_QUIET_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--disable-quic",
    "--dns-prefetch-disable",
)
#: The crawl's Chromium: quiet, and behind a proxy nobody listens on (loopback included) as
#: the last line behind the route handler, which answers every request itself.
CHROMIUM_ARGS = (*CHROMIUM_QUIET_ARGS, "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>")
#: Response headers that describe the wire form, not the decoded body Playwright gives.
_WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})
_SCROLL_SCRIPT = """
async (pause) => {
  const frames = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const rest = () => new Promise((resolve) => setTimeout(resolve, pause));
  const bottom = () => window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
  for (let i = 0; i < 200 && !bottom(); i++) {
    window.scrollBy(0, Math.max(200, window.innerHeight * 0.9));
    await frames();
    await rest();
  }
  await frames();  // observers of what is now in view run before we leave the bottom
  return document.documentElement.scrollHeight;
}
"""


#: Seconds without a pending request after which a page counts as settled.
QUIET_SECONDS = 0.15


Guard = Callable[[str], Awaitable[str | None]]
Recorder = Callable[[Exchange], None]
#: In replay mode, what the archive holds of a URL: (status, headers, decoded body), or None.
Answer = Callable[[str], Awaitable[tuple[int, list[tuple[str, str]], bytes] | None]]


class BrowserRenderer:
    """One Chromium for a crawl: :meth:`render` a page, :meth:`close` at the end.

    ``guard(url)`` returns a reason to refuse the request, or ``None``;
    ``record(exchange)`` archives what the browser fetched. Limits are in
    seconds (``*_timeout``) and bytes (``max_resource_bytes``, one response;
    ``cache_bytes``, the per-crawl cache of resources already archived, so a
    stylesheet shared by every page is fetched once).
    """

    def __init__(
        self,
        *,
        guard: Guard,
        record: Recorder,
        executable: str = CHROMIUM,
        user_agent: str | None = None,
        viewport: tuple[int, int] = (1280, 900),
        load_timeout: float = 30.0,
        scroll_timeout: float = 10.0,
        screenshot_timeout: float = 15.0,
        settle_timeout: float = 3.0,
        screenshots: bool = True,
        max_screenshot_height: int = 16_000,
        pages_per_context: int = 50,
        max_resource_bytes: int = 16 * 1024 * 1024,
        cache_bytes: int = 32 * 1024 * 1024,
        concurrency: int = 2,
        answer: Answer | None = None,
    ) -> None:
        self.guard = guard
        self.record = record
        self.executable = executable
        self.user_agent = user_agent
        self.viewport = {"width": viewport[0], "height": viewport[1]}
        self.load_timeout = load_timeout
        self.scroll_timeout = scroll_timeout
        self.screenshot_timeout = screenshot_timeout
        self.settle_timeout = settle_timeout
        self.screenshots = screenshots
        self.max_screenshot_height = max_screenshot_height
        self.pages_per_context = pages_per_context
        self.max_resource_bytes = max_resource_bytes
        self.cache_bytes = cache_bytes
        self.concurrency = concurrency
        #: Replay mode: scripts off, every request answered from the archive by ``answer``, none fetched.
        self.answer = answer
        self._playwright: Any = None
        self._browser: Any = None
        self._context: Any = None
        self._context_pages = 0
        self._open: dict[Any, int] = {}  # pages open in each context
        self._retired: set[Any] = set()  # contexts to close once their last page is closed
        self._cache: OrderedDict[str, tuple[int, list[tuple[str, str]], bytes]] = OrderedDict()
        self._cached = 0
        self._slots = asyncio.Semaphore(concurrency)
        self._starting = asyncio.Lock()

    # -- lifecycle ---------------------------------------------------------

    async def start(self) -> None:
        """Start Playwright and Chromium (once); a missing browser is a clear error."""
        async with self._starting:
            if self._browser is None:
                await self._launch()

    async def _launch(self) -> None:
        try:
            from playwright.async_api import async_playwright
        except ImportError as exc:
            raise RenderError(
                f"browser mode needs Playwright for Python ({exc}): pip install playwright "
                "(no browser download; Debian's chromium is used)"
            ) from None
        if self._playwright is None:
            self._playwright = await async_playwright().start()
        try:
            self._browser = await self._playwright.chromium.launch(
                executable_path=self.executable, headless=True, args=list(CHROMIUM_ARGS)
            )
        except Exception as exc:
            await self._playwright.stop()
            self._playwright = None
            raise RenderError(
                f"cannot start Chromium at {self.executable}: {str(exc).splitlines()[0]}; "
                "install it (apt-get install chromium) or set ARCHIVER_CHROMIUM"
            ) from None

    async def close(self) -> None:
        """Close the browser and Playwright; safe to call twice."""
        self._context, self._open, self._retired = None, {}, set()
        try:
            await asyncio.wait_for(self._close_browser(), timeout=10)
        except Exception:  # a dead browser is closed already
            pass
        if self._playwright is not None:
            try:
                await asyncio.wait_for(self._playwright.stop(), timeout=10)
            except Exception:
                pass
            self._playwright = None

    async def _close_browser(self) -> None:
        if self._browser is not None:
            browser, self._browser = self._browser, None
            self._context, self._open, self._retired = None, {}, set()
            await browser.close()

    async def _open_page(self) -> tuple[Any, Any]:
        """A new page in the current context; a context is retired after ``pages_per_context`` pages."""
        if self._context is None or self._context_pages >= self.pages_per_context:
            if self._context is not None:
                self._retired.add(self._context)
            self._context = await self._browser.new_context(
                viewport=self.viewport,
                user_agent=self.user_agent,
                service_workers="block",
                accept_downloads=False,
                java_script_enabled=self.answer is None,
            )
            self._context_pages = 0
            self._open[self._context] = 0
        context = self._context
        self._context_pages += 1
        self._open[context] += 1
        return context, await context.new_page()

    async def _close_page(self, context: Any, page: Any, *, broken: bool) -> None:
        """Close ``page``; a page that will not close takes its context with it (and then the browser)."""
        closed = True
        try:
            await asyncio.wait_for(page.close(run_before_unload=False), timeout=5)
        except Exception:
            closed = False
        self._open[context] = self._open.get(context, 1) - 1
        if broken and not closed:
            self._retired.add(context)
            if context is self._context:
                self._context = None
        if context in self._retired and self._open.get(context, 0) <= 0:
            self._retired.discard(context)
            self._open.pop(context, None)
            try:
                await asyncio.wait_for(context.close(), timeout=10)
            except Exception:
                await self._close_browser()  # the browser stopped answering: the next page starts a new one

    # -- one page ----------------------------------------------------------

    async def render(self, document: Document) -> Rendered:
        """Load ``document`` in the browser; return its DOM and screenshot, or raise RenderError."""
        async with self._slots:  # at most ``concurrency`` pages at once: memory stays bounded
            await self.start()
            result = Rendered(url=document.url, dom=b"", screenshot=None)
            context, page = await self._open_page()
            broken = False
            try:
                await page.route("**/*", self._router(document, result))
                await self._step("load", self.load_timeout, page.goto(document.url, wait_until="load"))
                await self._settle(result)  # what the load started (the story's JSON) lands first
                if self.answer is None:  # in a replay, scripts are off: nothing lazy to wake
                    await self._scroll(page, result)
                html = await self._step("read the DOM", self.scroll_timeout, page.content())
                result.dom = html.encode("utf-8")
                if self.screenshots:
                    result.screenshot = await self._step(
                        "screenshot", self.screenshot_timeout, self._screenshot(page)
                    )
                return result
            except RenderError as exc:
                broken = True
                raise RenderError(f"{document.url}: {exc}") from None
            except Exception as exc:  # Playwright's own errors: a crashed tab, a closed browser
                broken = True
                raise RenderError(f"{document.url}: browser error: {str(exc).splitlines()[0]}") from None
            finally:
                await self._close_page(context, page, broken=broken)

    async def _scroll(self, page: Any, result: Rendered) -> None:
        """Scroll to the end (lazy content loads), again while that keeps growing the page."""
        for _ in range(3):
            height = await self._step("scroll", self.scroll_timeout, page.evaluate(_SCROLL_SCRIPT, 40))
            await self._settle(result)
            now = await self._step(
                "scroll", self.scroll_timeout, page.evaluate("document.documentElement.scrollHeight")
            )
            if now == height:
                break
        await self._step("scroll", self.scroll_timeout, page.evaluate("window.scrollTo(0, 0)"))

    async def _settle(self, result: Rendered) -> None:
        """Wait until the page's requests have all answered for a moment (at most ``settle_timeout``).

        What scrolling started (lazy images, the next chunk of a story) lands
        before the DOM is read; a page that keeps polling is captured as it
        stands when the time is up.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settle_timeout
        quiet_since = loop.time()
        while loop.time() < deadline:
            if result.in_flight:
                quiet_since = loop.time()
            elif loop.time() - quiet_since >= QUIET_SECONDS:
                return
            await asyncio.sleep(0.03)

    async def _step(self, name: str, timeout: float, awaitable: Awaitable[Any]) -> Any:
        try:
            return await asyncio.wait_for(awaitable, timeout=timeout)
        except asyncio.TimeoutError:
            raise RenderError(f"{name} took longer than {timeout:g} s") from None

    async def _screenshot(self, page: Any) -> bytes:
        height = await page.evaluate("document.documentElement.scrollHeight")
        if isinstance(height, (int, float)) and height > self.max_screenshot_height:
            clip = {"x": 0, "y": 0, "width": self.viewport["width"], "height": self.max_screenshot_height}
            return await page.screenshot(full_page=True, clip=clip, type="png")
        return await page.screenshot(full_page=True, type="png")

    # -- requests ----------------------------------------------------------

    def _router(self, document: Document, result: Rendered) -> Callable[[Any], Awaitable[None]]:
        served = {"document": False}

        async def route(route: Any) -> None:
            request = route.request
            if not served["document"] and request.is_navigation_request() and request.url == document.url:
                served["document"] = True
                headers = {k: v for k, v in document.headers if k.lower() not in _WIRE_HEADERS}
                await route.fulfill(status=document.status, headers=headers, body=document.body)
                return
            result.in_flight += 1
            try:
                await self._fetch(route, result)
            finally:
                result.in_flight -= 1

        return route

    async def _fetch(self, route: Any, result: Rendered) -> None:
        request = route.request
        url = request.url
        result.requests += 1
        if url.startswith("data:"):
            await route.continue_()
            return
        if self.answer is not None:
            await self._replay(route, result)
            return
        refusal = await self.guard(url)
        if refusal:
            result.refused += 1
            logger.info("browser: refused %s: %s", url, refusal)
            await route.abort("blockedbyclient")
            return
        cached = self._cache.get(url) if request.method == "GET" else None
        if cached is not None:
            self._cache.move_to_end(url)
            status, headers, body = cached
            await route.fulfill(status=status, headers=dict(headers), body=body)
            return
        fetched_at = dt.datetime.now(dt.timezone.utc)
        try:
            response = await route.fetch(max_redirects=0, timeout=self.load_timeout * 1000)
            body = await response.body()
        except Exception as exc:
            result.failed.append(f"{url}: {str(exc).splitlines()[0]}")
            await route.abort("failed")
            return
        if len(body) > self.max_resource_bytes:
            result.failed.append(f"{url}: {len(body)} bytes, over the {self.max_resource_bytes}-byte limit")
            await route.abort("failed")
            return
        headers = [(h["name"], h["value"]) for h in response.headers_array]
        self.record(
            Exchange(
                url=url,
                method=request.method,
                request_headers=[(h["name"], h["value"]) for h in await request.headers_array()],
                request_body=request.post_data_buffer,
                status=response.status,
                reason=response.status_text or "",
                response_headers=headers,
                body=body,
                fetched_at=fetched_at,
            )
        )
        plain = [(k, v) for k, v in headers if k.lower() not in _WIRE_HEADERS]
        if request.method == "GET" and response.status == 200:
            self._remember(url, response.status, plain, body)
        await route.fulfill(status=response.status, headers=dict(plain), body=body)

    async def _replay(self, route: Any, result: Rendered) -> None:
        """Answer a request from the archive alone; what it does not hold stays missing."""
        found = await self.answer(route.request.url) if self.answer else None
        if found is None:
            result.failed.append(f"{route.request.url}: not in the archive")
            await route.abort("blockedbyclient")
            return
        status, headers, body = found
        plain = {k: v for k, v in headers if k.lower() not in _WIRE_HEADERS}
        await route.fulfill(status=status, headers=plain, body=body)

    def _remember(self, url: str, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        if len(body) > self.cache_bytes // 8:
            return
        self._cache[url] = (status, headers, body)
        self._cached += len(body)
        while self._cached > self.cache_bytes and self._cache:
            _, (_, _, old) = self._cache.popitem(last=False)
            self._cached -= len(old)
