"""The archive pages in a real headless Chromium: article and citation, search, charts, hostile page.

Debian's ``chromium`` (installed by ``.ci/run``) driven by Playwright for
Python, against ``archiver serve``'s app on 127.0.0.1. The hostile archived
page's scripts, form, stylesheet, meta refresh and off-site image all point
at a local listener: it must receive nothing. Screenshots go to
``test-artifacts/screenshots`` (the path is printed).
"""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

import ui_archive
from support import CHROMIUM, CHROMIUM_ARGS, require_chromium, serve_asgi
from archiver.serve.app import make_datasette
from archiver.serve import record_slug

import playwright.sync_api as playwright_api  # the test extra; Debian's chromium, no browser download

# Deselect with -m "not browser" (make test-fast); selected, a missing Chromium fails (below).
pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


class Beacon:
    """A local HTTP listener recording every request: where hostile content would phone home."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        beacon = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self) -> None:
                beacon.requests.append(f"{self.command} {self.path}")
                self.send_response(204)
                self.end_headers()

            do_GET = do_POST = do_HEAD = do_OPTIONS = _record

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def beacon():
    b = Beacon()
    yield b
    b.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory, beacon):
    """The archive served by uvicorn in a thread: (base URL, ids)."""
    out = tmp_path_factory.mktemp("browser-archive")
    ids = ui_archive.build(out, beacon=beacon.url)
    with serve_asgi(make_datasette(out).app(), timeout=20, lifespan="on") as url:
        yield url, ids


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {SCREENSHOTS}")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, site):
    base, _ids = site
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    context.add_cookies([{"name": "archive_session", "value": "secret-cookie", "url": base}])
    page = context.new_page()
    yield page
    context.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_article_page_renders_with_citation_and_copy_button(page, site):
    base, ids = site
    page.goto(f"{base}/archive/articles/{ids['article']}")
    assert page.locator("h1.archive-title").inner_text() == "Border stays open, says Lukashenko"
    citation = page.locator("#cite-text")
    assert citation.is_visible()
    text = citation.inner_text()
    assert "20261120090500/https://demo.example/politics/border-stays-open" in text
    assert page.locator(".archive-text p").count() == 2
    assert page.locator(".archive-diff del").first.inner_text() == "Sunday"
    page.locator("button[data-copy-target='cite-text']").click()
    page.wait_for_selector("button[data-copy-target='cite-text'][data-copied]")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == citation.text_content().strip()
    shot(page, "article")


def test_search_finds_the_article_and_highlights_the_word(page, site):
    base, _ids = site
    page.goto(f"{base}/-/search")
    page.fill("input[name=q]", "western")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector(".archive-result")
    assert page.locator(".archive-result-title").all_inner_texts() == ["Border stays open, says Lukashenko"]
    assert page.locator(".archive-snippet mark").first.inner_text().lower() == "western"
    page.locator("[data-facet='author'] a", has_text="Ana Ivanova").click()
    page.wait_for_selector("[data-facet='author'] li.selected")
    assert page.locator(".archive-result").count() == 1
    shot(page, "search")


def test_outlet_charts_render(page, site):
    base, _ids = site
    page.goto(f"{base}/-/outlet/demo")
    charts = page.locator("svg.archive-chart")
    assert charts.count() == 2
    for i in range(2):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100
    bars = page.locator("#articles-per-day rect.bar")
    assert bars.count() == 2 and all(bars.nth(i).bounding_box()["height"] > 10 for i in range(2))
    shot(page, "outlet")


def test_hostile_archived_page_runs_nothing(page, site, beacon):
    base, ids = site
    before = list(beacon.requests)
    slug = record_slug(ids["hostile_capture"].record_id)
    page.goto(f"{base}/-/capture/{slug}")
    frame_element = page.wait_for_selector("iframe.archive-frame")
    frame = frame_element.content_frame()
    frame.wait_for_load_state("load")
    page.wait_for_timeout(1500)  # time for a refresh, a beacon or a form post to happen
    assert frame.locator("#hostile-heading").inner_text() == "Hostile archived page"  # no script changed it
    assert frame.locator("body").get_attribute("data-script-ran") is None
    assert "PWNED" not in page.content() and page.title() != "PWNED"
    assert page.locator("h1").first.inner_text() == "Archived capture"
    shot(page, "hostile-framed")

    page.goto(f"{base}/-/capture/{slug}/raw")  # opened directly: the CSP sandbox still holds
    page.wait_for_timeout(1500)
    assert page.locator("#hostile-heading").inner_text() == "Hostile archived page"
    assert page.locator("body").get_attribute("data-script-ran") is None
    assert page.url == f"{base}/-/capture/{slug}/raw"  # the meta refresh did not navigate away
    shot(page, "hostile-raw")
    assert beacon.requests == before, f"the hostile page reached out: {beacon.requests[len(before) :]}"
