"""The date a reader sees: which dates a page shows, and when the one by its headline wins.

A page's schema.org datePublished is sometimes not the date it shows: an SEO plugin
stamps the draft's creation, or the page prints only its latest revision by the
headline. :func:`shown_instead` takes the date shown by the headline when the page
nowhere shows the day of its stamp and declares no OpenGraph publication time.
"""

from __future__ import annotations

import re

import lxml.etree as etree

from ._datetext import normalise_date, swapped
from ._sources import Sources
from ._zones import possible_days

_SKIP = ("script", "style", "noscript", "template")
#: The OpenGraph publication tags: the date a page declares to every reader of its metadata.
_OG_PUBLISHED = (
    "article:published_time",
    "og:published_time",
    "article:published",
    "og:article:published_time",
)


def visible_days(root: etree._Element) -> set[str]:
    """The days (``YYYY-MM-DD``) of the dates written in the body's short texts (at most
    200 characters: a date line, a byline, a caption; not a date quoted in a paragraph)."""
    body = root.find("body")
    if body is None:
        return set()
    days = set()
    for el in body.iter(etree.Element):
        if el.tag in _SKIP:
            continue
        for piece in (el.text, el.tail):
            if piece and 6 <= len(piece.strip()) <= 200 and re.search(r"\d", piece):
                d = normalise_date(piece)
                if d:
                    days.add(d[:10])
    return days


def opengraph_published(src: Sources) -> bool:
    """Whether the page declares its publication time in an OpenGraph tag."""
    return any(k in src.meta for k in _OG_PUBLISHED)


def shown_instead(root: etree._Element, found: str, shown: str | None) -> str | None:
    """``shown`` (the date by the headline) in place of ``found`` (the metadata's) when
    the page shows readers no date on ``found``'s day. Only asked of a page without
    an OpenGraph publication tag: a date declared there is the page's own choice and
    stays, even hidden (on the dev pages people dated such pages by it as often as by
    the shown date); a stamp only in schema.org data or elsewhere, never shown, is not
    what a reader dates the page by. A shown day the stamp falls on in some time zone
    is that moment, not another date. ``modified`` is read apart and keeps its date."""
    if not shown or shown[:10] in possible_days(found) or swapped(shown, found):
        return None
    return shown if found[:10] not in visible_days(root) else None
