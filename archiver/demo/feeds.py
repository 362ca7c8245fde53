"""Machine-readable entry points of the demo outlet: robots.txt, sitemaps, RSS and Atom.

They list every article so a crawler can find them without following links;
the news sitemap carries the ``news:`` fields Scrapy's own parser drops.
"""

from __future__ import annotations

from email.utils import format_datetime
from xml.sax.saxutils import escape

from archiver.demo.content import SITE_NAME, ArticleContent
from archiver.demo.render import iso

SITEMAP_INDEX = "/sitemap_index.xml"
ARTICLE_SITEMAP = "/sitemap-articles.xml"
PAGE_SITEMAP = "/sitemap-pages.xml"
NEWS_SITEMAP = "/news-sitemap.xml"
RSS = "/feed.xml"
ATOM = "/atom.xml"

Entry = tuple[ArticleContent, str]  # an article and its absolute URL


def robots_txt(base: str, disallowed: list[str]) -> str:
    lines = ["# robots.txt for the Meridian Herald demo outlet", "User-agent: *"]
    lines += [f"Disallow: {path}" for path in disallowed]
    lines += ["", f"Sitemap: {base}{SITEMAP_INDEX}", f"Sitemap: {base}{NEWS_SITEMAP}", ""]
    return "\n".join(lines)


def sitemap_index(base: str, lastmod: str) -> str:
    items = "".join(
        f"<sitemap><loc>{base}{path}</loc><lastmod>{lastmod}</lastmod></sitemap>\n"
        for path in (ARTICLE_SITEMAP, PAGE_SITEMAP, NEWS_SITEMAP)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{items}</sitemapindex>\n'
    )


def urlset(locs: list[tuple[str, str]]) -> str:
    """A plain sitemap of (absolute URL, lastmod) pairs."""
    items = "".join(
        f"<url><loc>{escape(loc)}</loc><lastmod>{lastmod}</lastmod></url>\n" for loc, lastmod in locs
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{items}</urlset>\n'
    )


def news_sitemap(entries: list[Entry]) -> str:
    items = "".join(
        f"""<url><loc>{escape(url)}</loc><news:news><news:publication><news:name>{escape(SITE_NAME)}</news:name><news:language>en</news:language></news:publication><news:publication_date>{iso(a.published)}</news:publication_date><news:title>{escape(a.title)}</news:title><news:keywords>{escape(", ".join(a.tags))}</news:keywords></news:news></url>
"""
        for a, url in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n{items}</urlset>\n'
    )


def rss(base: str, entries: list[Entry]) -> str:
    """RSS 2.0, newest first, with dc:creator and the description as summary."""
    newest = max(a.modified for a, _ in entries)
    items = "".join(
        f"""<item>
<title>{escape(a.title)}</title>
<link>{escape(url)}</link>
<guid isPermaLink="true">{escape(url)}</guid>
<pubDate>{format_datetime(a.published)}</pubDate>
{"".join(f"<dc:creator>{escape(n)}</dc:creator>" for n in a.authors)}
<category>{escape(a.section.title())}</category>
<description>{escape(a.description)}</description>
</item>
"""
        for a, url in entries
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{escape(SITE_NAME)}</title>
<link>{base}/</link>
<atom:link href="{base}{RSS}" rel="self" type="application/rss+xml"/>
<description>Latest news from Britain and the world</description>
<language>en-GB</language>
<lastBuildDate>{format_datetime(newest)}</lastBuildDate>
{items}</channel>
</rss>
"""


def atom(base: str, entries: list[Entry]) -> str:
    newest = max(a.modified for a, _ in entries)
    items = "".join(
        f"""<entry>
<title>{escape(a.title)}</title>
<link rel="alternate" type="text/html" href="{escape(url)}"/>
<id>{escape(url)}</id>
<published>{iso(a.published)}</published>
<updated>{iso(a.modified)}</updated>
{"".join(f"<author><name>{escape(n)}</name></author>" for n in a.authors)}
<category term="{escape(a.section)}"/>
<summary>{escape(a.description)}</summary>
</entry>
"""
        for a, url in entries
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">
<title>{escape(SITE_NAME)}</title>
<link rel="alternate" type="text/html" href="{base}/"/>
<link rel="self" type="application/atom+xml" href="{base}{ATOM}"/>
<id>{base}/</id>
<updated>{iso(newest)}</updated>
{items}</feed>
"""
