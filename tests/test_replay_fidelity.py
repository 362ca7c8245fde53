"""Visual fidelity: every demo article, live and replayed from the archive, in real Chromium.

The demo outlet (with its CDN origin) is crawled into an archive; Datasette
serves it. For every article Chromium screenshots the live page and the
archive's replay of its capture (``/-/replay/<timestamp>/<url>``, what the
capture view frames), same viewport, JavaScript off in both. The share of
differing pixels must stay at or below 1% on every page; the worst pair and
its diff image are saved in ``test-artifacts/replay/``. A replay that lost
its stylesheets, font or images differs by far more (the test says how much).
While the replay is shown, neither demo origin may receive a request: nothing
comes from the live web.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import playwright.sync_api as playwright_api  # the test extra; Debian's chromium, no browser download
from PIL import Image, ImageChops  # the test extra (pillow)
from support import CHROMIUM, CHROMIUM_ARGS, require_chromium, serve_asgi

from archiver.serve.app import make_datasette

# Deselect with -m "not browser" (make test-fast); selected, a missing Chromium fails (context).
pytestmark = pytest.mark.browser
ARGS = [*CHROMIUM_ARGS, "--font-render-hinting=none"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "replay"
VIEWPORT = {"width": 1280, "height": 900}
MAX_DIFF_SHARE = 0.01
#: A pixel differs when a channel differs by more than this (anti-aliasing noise stays below it).
CHANNEL_TOLERANCE = 16


@pytest.fixture(scope="module")
def archive_server(demo_crawl):
    """The session crawl's archive served by uvicorn on 127.0.0.1: (base URL, archive folder)."""
    out, _, _ = demo_crawl
    with serve_asgi(make_datasette(out / "archive.db").app()) as url:
        yield url, out


@pytest.fixture(scope="module")
def context():
    require_chromium()
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        ctx = browser.new_context(viewport=VIEWPORT, device_scale_factor=1, java_script_enabled=False)
        yield ctx
        ctx.close()
        browser.close()


def screenshot(page, url: str) -> Image.Image:
    from io import BytesIO

    response = page.goto(url, wait_until="networkidle", timeout=60_000)
    assert response is not None and response.status == 200, f"{url} answered {response and response.status}"
    return Image.open(BytesIO(page.screenshot(full_page=True))).convert("RGB")


def diff_share(live: Image.Image, replay: Image.Image) -> tuple[float, Image.Image]:
    """Share of pixels that differ (over the larger of the two pages) and the diff image."""
    width, height = max(live.width, replay.width), max(live.height, replay.height)
    a, b = (Image.new("RGB", (width, height), "white") for _ in range(2))
    a.paste(live)
    b.paste(replay)
    diff = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > CHANNEL_TOLERANCE else 0)
    differing = diff.histogram()[255]
    return differing / (width * height), diff


def test_every_article_replays_like_the_live_page(archive_server, context, demo_server):
    base, out = archive_server
    with sqlite3.connect(out / "archive.db") as conn:
        captured = dict(conn.execute("select url, fetched_at from articles"))
    articles = demo_server.site.articles
    assert set(captured) == {a.url for a in articles}, "not every demo article was archived"
    page = context.new_page()
    results = []
    for article in articles:
        live = screenshot(page, article.url)
        stamp = "".join(ch for ch in captured[article.url] if ch.isdigit())[:14]
        origin_before = len(demo_server.requests) + len(demo_server.cdn.requests)
        replay = screenshot(page, f"{base}/-/replay/{stamp}/{article.url}")
        assert len(demo_server.requests) + len(demo_server.cdn.requests) == origin_before, (
            f"the replay of {article.url} reached the live site"
        )
        share, diff = diff_share(live, replay)
        results.append((share, article.url, live, replay, diff))
    page.close()
    worst = max(results, key=lambda r: r[0])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    share, url, live, replay, diff = worst
    live.save(ARTIFACTS / "worst-live.png")
    replay.save(ARTIFACTS / "worst-replay.png")
    diff.save(ARTIFACTS / "worst-diff.png")
    print(f"\nworst replay: {share:.4%} of pixels differ ({url}); pair in {ARTIFACTS}")
    over = [(f"{s:.2%}", u) for s, u, *_ in results if s > MAX_DIFF_SHARE]
    assert not over, f"replays differ from the live pages by more than {MAX_DIFF_SHARE:.0%}: {over}"


def test_replay_without_requisites_would_fail_this_test(archive_server, context, demo_server):
    """The measure is not blind: the raw capture (HTML alone, nothing rewritten) differs far more than 1%."""
    from archiver.serve import record_slug

    base, out = archive_server
    article = demo_server.site.articles[0]
    with sqlite3.connect(out / "archive.db") as conn:
        (record_id,) = conn.execute(
            "select capture_record_id from articles where url = ?", [article.url]
        ).fetchone()
    page = context.new_page()
    live = screenshot(page, article.url)
    bare = screenshot(page, f"{base}/-/capture/{record_slug(record_id)}/raw")
    page.close()
    share, _ = diff_share(live, bare)
    assert share > 0.05, (
        f"the bare capture differs by only {share:.2%}: the fidelity measure cannot see a lost face"
    )
