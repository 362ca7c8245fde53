"""Finding article URLs: sitemaps, sitemap indexes, Google News sitemaps, RSS and Atom.

Scrapy's own sitemap parser keeps only ``<loc>`` and ``<lastmod>``; a news
sitemap's ``news:publication_date`` and ``news:title`` are what lets a crawl
skip articles outside its date window without fetching them, so this module
parses them itself. Everything here is plain functions over bytes: no Scrapy.
"""

from __future__ import annotations

import dataclasses
import zlib

from lxml import etree

__all__ = ["Link", "parse_sitemap", "parse_feed", "looks_like_feed", "looks_like_sitemap"]

MAX_XML_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit (uncompressed)


@dataclasses.dataclass(frozen=True)
class Link:
    """A URL found in a sitemap or feed, with what the document said about it.

    ``kind`` is ``"sitemap"`` for an entry of a sitemap index (to be fetched and
    parsed as a sitemap again) and ``"page"`` otherwise.
    """

    url: str
    kind: str = "page"
    lastmod: str | None = None
    published: str | None = None
    title: str | None = None
    language: str | None = None


def _parse_xml(body: bytes) -> etree._Element | None:
    if body[:2] == b"\x1f\x8b":
        try:
            # Bounded: a gzipped sitemap bomb inflates to MAX_XML_BYTES at most, never whole.
            body = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, MAX_XML_BYTES)
        except (OSError, EOFError, zlib.error):
            return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(body[:MAX_XML_BYTES].lstrip(), parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child_text(el: etree._Element, *names: str) -> str | None:
    """Text of the first descendant whose local name is one of ``names``."""
    for child in el.iter():
        if _local(child.tag) in names and child.text and child.text.strip():
            return child.text.strip()
    return None


def looks_like_sitemap(body: bytes) -> bool:
    root = _parse_xml(body)
    return root is not None and _local(root.tag) in ("urlset", "sitemapindex")


def looks_like_feed(body: bytes) -> bool:
    root = _parse_xml(body)
    return root is not None and _local(root.tag) in ("rss", "feed", "rdf")


def parse_sitemap(body: bytes) -> list[Link]:
    """Entries of a sitemap (``urlset``) or sitemap index (``sitemapindex``).

    News sitemap fields (``news:publication_date``, ``news:title``,
    ``news:language``) are kept on each link. Returns ``[]`` for anything
    that is not a sitemap, so a caller can log it and go on.
    """
    root = _parse_xml(body)
    if root is None:
        return []
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        return []
    links = []
    for entry in root:
        if _local(entry.tag) not in ("url", "sitemap"):
            continue
        loc = None
        for child in entry:
            if _local(child.tag) == "loc" and child.text:
                loc = child.text.strip()
        if not loc:
            continue
        news = next((c for c in entry if _local(c.tag) == "news"), None)
        links.append(
            Link(
                url=loc,
                kind="sitemap" if kind == "sitemapindex" else "page",
                lastmod=_child_text(entry, "lastmod"),
                published=_child_text(news, "publication_date") if news is not None else None,
                title=_child_text(news, "title") if news is not None else None,
                language=_child_text(news, "language") if news is not None else None,
            )
        )
    return links


def parse_feed(body: bytes) -> list[Link]:
    """Items of an RSS 2.0, RSS 1.0 (RDF) or Atom feed, with date and title."""
    root = _parse_xml(body)
    if root is None:
        return []
    links = []
    for item in root.iter():
        name = _local(item.tag)
        if name == "item":
            url = _child_text(item, "link") or (
                item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
            )
            published = _child_text(item, "pubdate", "date")
        elif name == "entry":
            url = None
            for link in item:
                if _local(link.tag) == "link" and link.get("rel", "alternate") == "alternate":
                    url = link.get("href")
                    break
            published = _child_text(item, "published", "updated")
        else:
            continue
        if url:
            links.append(
                Link(url=url.strip(), published=_rfc822_to_iso(published), title=_child_text(item, "title"))
            )
    return links


def _rfc822_to_iso(value: str | None) -> str | None:
    """RSS dates are RFC 822 ("Fri, 21 Jun 2024 09:00:00 +0100"); make them ISO 8601."""
    if not value or value[:4].isdigit():
        return value
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError):
        return value
