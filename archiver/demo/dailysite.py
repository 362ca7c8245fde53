"""A generated outlet that changes from day to day: new articles, edited articles, a sitemap with lastmod.

Built on :mod:`archiver.demo.bigsite` (same pages, same server): ``/sitemap.xml``
lists every article with its ``<lastmod>`` (its publication time, or the time of
its last edit), and robots.txt points at it. :func:`daily_pages` gives the
site after ``new`` articles were added and the ``edited`` ones changed: what an
incremental re-crawl (archiver/crawl/incremental.py) must find with few requests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from xml.sax.saxutils import escape

from archiver.demo.bigsite import SECTION_SIZE, build_pages

__all__ = ["daily_pages", "outlet_toml", "pages_for", "with_base"]

EDIT_MARK = "Correction and update"


def pages_for(articles: int) -> int:
    """The ``pages`` argument of :func:`build_pages` that gives exactly ``articles`` articles."""
    return articles + 2 + -(-articles // SECTION_SIZE)


def _lastmod(html: bytes) -> str:
    marker = b'article:published_time" content="'
    start = html.index(marker) + len(marker)
    return html[start : html.index(b'"', start)].decode()


def daily_pages(
    articles: int, *, new: int = 0, edited: Iterable[int] = (), edited_at: dt.datetime | None = None
) -> dict[str, bytes]:
    """The site with ``articles + new`` articles, the ``edited`` ones (by number) changed at ``edited_at``."""
    site = build_pages(pages_for(articles + new))
    when = (edited_at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    lastmod = {path: _lastmod(html) for path, html in site.items() if path.startswith("/news/")}
    for number in edited:
        path = f"/news/{number}/"
        note = f'<div class="entry-content"><p>{EDIT_MARK} {number}: this story was revised on {when}.</p>'
        site[path] = site[path].replace(b'<div class="entry-content">', note.encode(), 1)
        lastmod[path] = when
    urls = "".join(
        f"<url><loc>{{base}}{escape(path)}</loc><lastmod>{stamp}</lastmod></url>\n"
        for path, stamp in sorted(lastmod.items(), key=lambda kv: int(kv[0].split("/")[2]))
    )
    site["/sitemap.xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n"
    ).encode()
    site["/robots.txt"] = b"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n"
    return site


def with_base(pages: dict[str, bytes], base: str) -> dict[str, bytes]:
    """Fill in the site's own origin where the sitemap and robots.txt name it."""
    out = dict(pages)
    for path in ("/sitemap.xml", "/robots.txt"):
        out[path] = pages[path].replace(b"{base}", base.rstrip("/").encode())
    return out


def outlet_toml(base_url: str, *, name: str = "daily") -> str:
    """The outlet file of the site at ``base_url``: its home page and its sitemap."""
    return f"""name = "{name}"
title = "The Daily Demo"
home = "{base_url.rstrip("/")}/"
start_urls = ["/"]
sitemap_urls = ["/sitemap.xml"]
article_allow = ['^/news/\\d+/$']
max_pages = 1000000
"""
