"""Browser mode: pages per second and memory over a long crawl of a script-built site.

    python bench/browser.py [--pages 1000] [--json FILE]

A generated outlet whose every article is a shell (an empty ``#app``, a
script that fetches the story as JSON and a lazy-loaded photo) is served on
127.0.0.1 and crawled three ways, each in its own process:

* **http**: ``archiver crawl`` in HTTP mode (every story flagged needs_browser);
* **browser**: ``archiver crawl --render browser`` (Chromium renders every page,
  every exchange archived, DOM and screenshot records, texts from the DOM);
* **bare playwright**: the peer floor: one Chromium loading each page and
  taking the same full-page screenshot, archiving nothing.

Prints pages/s of each and the ratios, and the memory (PSS) of the browser
crawl (the crawler process and its Chromium processes together) when the
200th and the last page had been rendered: the target is under 10% growth
from page 200 to page 1,000.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout: bench._common
from archiver.crawl.browser.render import CHROMIUM, CHROMIUM_QUIET_ARGS  # noqa: E402
from archiver.demo.threaded import PagesServer  # noqa: E402
from bench._common import REPO, save_json  # noqa: E402

SCRIPT = b"""(function(){var r=document.getElementById("app");
fetch("/api/"+r.dataset.story+".json").then(function(x){return x.json()}).then(function(s){
var h="<article><h1>"+s.title+"</h1>";s.paragraphs.forEach(function(p){h+="<p>"+p+"</p>"});
h+='<img style="margin-top:1500px" width="320" height="180" data-src="'+s.image+'"></article>';r.innerHTML=h;
var i=r.querySelector("img");new IntersectionObserver(function(e,o){if(e[0].isIntersecting){i.src=i.dataset.src;o.disconnect()}}).observe(i);});})();"""
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cf"
    "c0000003010100c9fe92ef0000000049454e44ae426082"
)
WORDS = "harbour council ferry library garden market river bridge school station vote budget".split()


def build_site(pages: int) -> dict[str, tuple[str, bytes]]:
    """The outlet: /sitemap.xml, /story/<n>/ shells, /api/<n>.json stories, /app.js, photos."""
    site: dict[str, tuple[str, bytes]] = {"/app.js": ("text/javascript", SCRIPT)}
    locs = []
    for n in range(pages):
        paragraphs = [
            " ".join(WORDS[(n + i * 7 + j) % len(WORDS)] for j in range(40)).capitalize() + "."
            for i in range(5)
        ]
        story = {"title": f"Story {n}", "paragraphs": paragraphs, "image": f"/photo/{n}.png"}
        site[f"/api/{n}.json"] = ("application/json", json.dumps(story).encode())
        site[f"/photo/{n}.png"] = ("image/png", PNG)
        site[f"/story/{n}/"] = (
            "text/html; charset=utf-8",
            f'<!DOCTYPE html><html><head><title>Story {n}</title></head><body><div id="app" '
            f'data-story="{n}">Loading</div><noscript>Enable JavaScript.</noscript>'
            '<script src="/app.js"></script></body></html>'.encode(),
        )
        locs.append(f"<url><loc>BASE/story/{n}/</loc></url>")
    site["/sitemap.xml"] = (
        "application/xml",
        (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(locs)
            + "</urlset>"
        ).encode(),
    )
    site["/robots.txt"] = ("text/plain", b"User-agent: *\nAllow: /\n")
    return site


def serve(site: dict[str, tuple[str, bytes]]) -> tuple[PagesServer, str]:
    """The site on a free port, ``BASE`` in its pages replaced by the server's own URL."""
    server = PagesServer({})
    base = server.url.encode()
    server.pages = {path: (kind, body.replace(b"BASE", base)) for path, (kind, body) in site.items()}
    return server.start(), server.url


def _tree_rss_mb(pid: int) -> float:
    """Proportional set size of ``pid`` and its children (Chromium), in MB: shared pages counted once."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_full_info().pss  # PSS: Chromium's processes share pages
        except psutil.NoSuchProcess:
            pass
    return total / 1024 / 1024


def _rendered(db: Path) -> int:
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.5)
        try:
            (count,) = conn.execute(
                "select count(*) from captures where record_type = 'resource' and url like 'urn:dom:%'"
            ).fetchone()
        finally:
            conn.close()
        return int(count)
    except sqlite3.Error:
        return -1


def crawl(base: str, pages: int, out: Path, mode: str) -> dict[str, Any]:
    """Run ``archiver crawl`` in ``mode``; sample the process tree's RSS against pages rendered."""
    outlet = out.parent / f"{out.name}.toml"
    outlet.write_text(
        f'name = "scripted"\nhome = "{base}/"\nsitemap_urls = ["/sitemap.xml"]\n'
        "article_allow = ['^/story/\\\\d+/$']\nstart_urls = []\n"
        f"max_pages = {pages + 5}\n"
    )
    settings = [
        "DOWNLOAD_DELAY=0",
        "AUTOTHROTTLE_ENABLED=false",
        "ARCHIVER_ALLOW_PRIVATE_ADDRESSES=true",
        "LOG_LEVEL=WARNING",
    ]
    cmd = [
        sys.executable,
        "-m",
        "archiver.cli",
        "crawl",
        str(outlet),
        "--out",
        str(out),
        "--render",
        mode,
        "--quiet",
    ]
    for setting in settings:
        cmd += ["--set", setting]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[int, float]] = []
    while proc.poll() is None:
        time.sleep(1.0)
        if mode == "browser":
            samples.append((_rendered(out / "archive.db"), _tree_rss_mb(proc.pid)))
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"{mode} crawl failed:\n{proc.stderr.read()[-3000:]}")
    return {"seconds": seconds, "pages_per_s": pages / seconds, "samples": samples}


def bare_playwright(base: str, pages: int) -> dict[str, Any]:
    """The floor: one Chromium loading each story and taking a full-page screenshot, nothing archived."""
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_QUIET_ARGS))
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for n in range(pages):
            page.goto(f"{base}/story/{n}/", wait_until="load")
            page.wait_for_selector("article")
            page.screenshot(full_page=True)
        browser.close()
    seconds = time.monotonic() - started
    return {"seconds": seconds, "pages_per_s": pages / seconds}


def rss_at(samples: list[tuple[int, float]], pages: int) -> float | None:
    """The RSS sampled when ``pages`` pages had first been rendered."""
    for rendered, rss in samples:
        if rendered >= pages:
            return rss
    return None


def report(figures: dict[str, Any]) -> None:
    """The figures as the bench prints them."""
    print(f"script-built site, {figures['pages']} pages on 127.0.0.1")
    print(f"  http mode (flags needs_browser): {figures['http_pages_per_s']:8.2f} pages/s")
    print(f"  browser mode (archived, DOM, PNG): {figures['browser_pages_per_s']:6.2f} pages/s")
    print(f"  bare Playwright (load + PNG only): {figures['bare_playwright_pages_per_s']:6.2f} pages/s")
    print(
        f"  browser / bare Playwright: {figures['browser_vs_bare_playwright']:.3f}x; "
        f"browser / http: {figures['browser_vs_http']:.3f}x"
    )
    print(
        f"  RSS (crawler + Chromium) at page 200: {figures['rss_mb_at_200']} MB, at the end: "
        f"{figures['rss_mb_at_end']} MB, growth {figures['rss_growth']} (target < 0.10)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--json", type=Path, help="Write the figures to this file.")
    args = parser.parse_args(argv)
    server, base = serve(build_site(args.pages))
    try:
        with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp:
            http_run = crawl(base, args.pages, Path(tmp) / "http", "http")
            browser_run = crawl(base, args.pages, Path(tmp) / "browser", "browser")
            bare = bare_playwright(base, args.pages)
    finally:
        server.stop()
    early = rss_at(browser_run["samples"], min(200, args.pages))
    late = rss_at(browser_run["samples"], int(args.pages * 0.95))
    figures = {
        "pages": args.pages,
        "http_pages_per_s": round(http_run["pages_per_s"], 2),
        "browser_pages_per_s": round(browser_run["pages_per_s"], 2),
        "bare_playwright_pages_per_s": round(bare["pages_per_s"], 2),
        "browser_vs_bare_playwright": round(browser_run["pages_per_s"] / bare["pages_per_s"], 3),
        "browser_vs_http": round(browser_run["pages_per_s"] / http_run["pages_per_s"], 3),
        "rss_mb_at_200": round(early, 1) if early else None,
        "rss_mb_at_end": round(late, 1) if late else None,
        "rss_growth": round(late / early - 1, 3) if early and late else None,
    }
    report(figures)
    save_json(args.json, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
