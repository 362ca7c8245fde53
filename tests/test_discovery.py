"""Sitemaps, sitemap indexes, Google News sitemaps, RSS and Atom parsing."""

from __future__ import annotations

import gzip

from archiver.crawl.discovery import parse_feed, parse_sitemap

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://p.example/2024/06/21/belarus/</loc>
    <news:news>
      <news:publication><news:name>P</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2024-06-21T09:00:00+01:00</news:publication_date>
      <news:title>Belarus posed for 'covert' military campaign</news:title>
    </news:news>
  </url>
  <url><loc> https://p.example/2024/06/20/other/ </loc><lastmod>2024-06-20</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://p.example/news.xml</loc><lastmod>2024-06-21</lastmod></sitemap>
</sitemapindex>"""


def test_news_sitemap_keeps_publication_date_and_title():
    links = parse_sitemap(NEWS_SITEMAP)
    assert [l.url for l in links] == [
        "https://p.example/2024/06/21/belarus/",
        "https://p.example/2024/06/20/other/",
    ]
    assert links[0].published == "2024-06-21T09:00:00+01:00"
    assert links[0].title == "Belarus posed for 'covert' military campaign"
    assert links[0].language == "en"
    assert links[1].lastmod == "2024-06-20" and links[1].published is None


def test_sitemap_index_entries_are_sitemaps_and_gzip_is_read():
    links = parse_sitemap(gzip.compress(INDEX))
    assert [(l.url, l.kind) for l in links] == [("https://p.example/news.xml", "sitemap")]


def test_not_a_sitemap_gives_nothing():
    assert parse_sitemap(b"<html><body>hi</body></html>") == []
    assert parse_sitemap(b"\x00\x01garbage") == []
    assert parse_sitemap(b"") == []


def test_entities_are_not_expanded():
    evil = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://p.example/&e;</loc></url></urlset>"""
    assert all("root:" not in l.url for l in parse_sitemap(evil))


def test_rss_dates_become_iso():
    rss = b"""<rss version="2.0"><channel><item><title>A</title><link>https://p.example/a/</link>
    <pubDate>Fri, 21 Jun 2024 09:00:00 +0100</pubDate></item></channel></rss>"""
    (link,) = parse_feed(rss)
    assert link.url == "https://p.example/a/"
    assert link.published == "2024-06-21T09:00:00+01:00"
    assert link.title == "A"


def test_atom_links():
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>B</title>
    <link rel="alternate" href="https://p.example/b/"/><published>2024-06-20T08:00:00Z</published></entry></feed>"""
    (link,) = parse_feed(atom)
    assert (link.url, link.published, link.title) == ("https://p.example/b/", "2024-06-20T08:00:00Z", "B")


def test_gzip_bomb_sitemap_is_decompressed_only_up_to_the_size_limit():
    """A 400 MB gzip bomb costs about the 50 MB limit in memory, not 400 MB, and its links are read."""
    import tracemalloc
    import zlib

    from archiver.crawl.discovery import MAX_XML_BYTES

    head = (
        b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>http://a.test/x</loc></url>"
    )
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunks = [packer.compress(head)]
    zeros = b" " * (1 << 20)
    chunks += [packer.compress(zeros) for _ in range(400)]
    bomb = b"".join(chunks) + packer.flush()
    assert len(bomb) < 2 * 1024 * 1024
    tracemalloc.start()
    try:
        links = parse_sitemap(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [link.url for link in links] == ["http://a.test/x"]
    assert peak < 3 * MAX_XML_BYTES, f"{peak / 2**20:.0f} MB for a 400 MB bomb: decompression is not bounded"
