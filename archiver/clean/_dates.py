"""Publication and modification dates: finding them on a page.

``PUBLISHED`` and ``MODIFIED`` are the finders tried in order, most trusted first;
the first date found wins. Each reads what the page writes through
:func:`._datetext.normalise_date`, which keeps the time zone the page gives.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Callable, Iterable

import lxml.etree as etree

from ._datetext import MONTHS, normalise_date, swapped, ymd
from ._dom import text_of
from ._shown import opengraph_published, shown_instead
from ._sources import Sources, canonical_url
from ._values import words
from ._zones import local_spelling

_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|\b)")
#: ``/2023/october/03/``, ``/2023/oct/03/``: the month named in the path.
_URL_TEXT_DATE = re.compile(r"/((?:19|20)\d{2})/([a-z]{3,9})/(0?[1-9]|[12]\d|3[01])(?:/|\b)", re.I)
_SCRIPT_DATE = re.compile(
    r"[\\\"']*(?:datePublished|publishedDate|published_?[Aa]t|publish_?[Dd]ate|published_?[Oo]n|"
    r"pubDate|publication_?[Dd]ate|firstPublished|first_published_at|"
    r"date_?published|displayDate)[\\\"']*\s*:\s*[\\\"']+([0-9]{4}-[0-9]{2}-[0-9]{2}[^\\\"']{0,25})"
)
_SCRIPT_PLAIN_DATE = re.compile(
    r"[\\\"']+date[\\\"']+\s*:\s*[\\\"']+([0-9]{4}-[0-9]{2}-[0-9]{2}[^\\\"']{0,25})"
)
_DATE_CLASS = re.compile(r"date|time|publish|posted|byline|meta|datum|fecha|dateline|author", re.I)


def _marks(t: etree._Element) -> str:
    """What a ``<time>`` says of itself: its class, itemprop and ``pubdate`` value, lower-cased."""
    return f"{t.get('class') or ''} {t.get('itemprop') or ''} {t.get('pubdate') or ''}".lower()


def _marked_published(t: etree._Element) -> bool:
    """A ``<time>`` marked as the publication date (``pubdate``, or a class or itemprop naming it)."""
    marks = _marks(t)
    return "publish" in marks or "pubdate" in marks or t.get("pubdate") is not None


def _time_element(root: etree._Element) -> str | None:
    """A ``<time>``: first one marked as publication, else the first one."""
    first = None
    for t in root.iter("time"):
        d = normalise_date(t.get("datetime") or text_of(t))
        if not d:
            continue
        if _marked_published(t):
            return d
        if first is None and not any(w in _marks(t) for w in ("modif", "updat")):
            first = d
    return first


def _script_date(root: etree._Element, rx: re.Pattern[str] = _SCRIPT_DATE) -> str | None:
    """A publication date in page data (Next.js/Nuxt state, analytics objects)."""
    texts = (script.text for script in root.iter("script"))
    found = (rx.search(text) for text in texts if text and len(text) <= 2_000_000)
    return _first_date(m.group(1) for m in found if m)


def _date_near_headline(
    root: etree._Element, longest: int = 80, title: str | None = None, reach: tuple[int, int] = (149, 20)
) -> str | None:
    """A date written just before or after the page's <h1> (the dateline), in a piece
    of text at most ``longest`` characters long, among the ``reach`` elements after it,
    then those before. A page without an <h1> (a site builder writing its headline in a
    styled <p> or <h2>) is read beside the element that holds the ``title``."""
    body = root.find("body")
    if body is None:
        return None
    h1 = body.find(".//h1")
    if h1 is None and title:
        h1 = _title_element(body, title)
    if h1 is None:
        return None
    elements = list(body.iter(etree.Element))
    try:
        at = elements.index(h1)
    except ValueError:
        return None
    window = elements[at + 1 : at + 1 + reach[0]] + elements[max(0, at - reach[1]) : at]
    return _first_date(
        piece
        for el in window
        if el.tag not in ("script", "style", "a")
        for piece in (el.text, el.tail)
        if piece and 6 <= len(piece.strip()) <= longest and re.search(r"\d{2}", piece)
    )


_TITLE_AGREES = 0.7  # share of the words of the title and the element's text they have in common


def _title_element(body: etree._Element, title: str) -> etree._Element | None:
    """The first element holding its own text whose words are mostly the title's
    (shared words at least 70% of the larger word set: the headline, not a block around it)."""
    want = words(title)
    if not want:
        return None
    for el in body.iter(etree.Element):
        if el.tag in ("script", "style", "title") or not (el.text or "").strip():
            continue
        text = text_of(el)
        if len(text) > 300:
            continue
        have = words(text)
        if len(want & have) >= _TITLE_AGREES * max(len(want), len(have)):
            return el
    return None


def _visible_date(root: etree._Element) -> str | None:
    """A date written in a date/byline element of the page."""
    body = root.find("body")
    if body is None:
        return None
    return _first_date(
        piece
        for el in body.iter("span", "div", "p", "li", "small", "em", "abbr")
        if _DATE_CLASS.search(f"{el.get('class') or ''} {el.get('id') or ''}")
        for piece in _short_texts(el)
        if 6 <= len(piece.strip()) <= 120
    )


def _short_texts(el: etree._Element) -> list[str]:
    """The element's whole text, then each of its text nodes: those of 120 characters at most."""
    text = text_of(el)
    return ([text] if len(text) <= 120 else []) + [t for t in el.itertext() if len(t) <= 120]


_LABELLED_DATE = re.compile(
    r"(?:posted|published|updated|last updated|veröffentlicht|aktualisiert|publié|mis à jour|"
    r"publicado|actualizado|pubblicato)\b(?:\s+(?:on|am|le|el|il))?\s*:?\s*(.{6,40})",
    re.I,
)


def _labelled_date(root: etree._Element) -> str | None:
    """A date the page labels as such ("Posted on ...", "Last updated: ...")."""
    body = root.find("body")
    if body is None:
        return None
    found = (
        _LABELLED_DATE.search(piece)
        for piece in body.itertext()
        if len(piece) <= 200 and re.search(r"\d", piece)
    )
    return _first_date(m.group(1) for m in found if m)


_DATE_META = (
    "article:published_time",
    "article:published",
    "og:published_time",
    "datepublished",
    "publishdate",
    "publish-date",
    "pubdate",
    "publication_date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "dcterms.created",
    "citation_publication_date",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "published_time",
    "published-date",
    "displaydate",
    "originalpublicationdate",
    "og:article:published_time",
    "dc.created",
    "datecreated",
    "date_published",
    "pub_date",
    "created",
)
_MOD_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
    "dc.date.modified",
    "article:modified",
    "lastmod",
    "date_modified",
    "revised",
)
_NOT_PUBLISHED_KEY = ("modif", "updat", "expir", "revis", "valid")


def _first_date(values: Iterable[Any]) -> str | None:
    for v in values:
        d = normalise_date(v)
        if d:
            return d
    return None


def _meta_date(src: Sources, keys: tuple[str, ...]) -> str | None:
    return _first_date(src.meta[k][0] for k in keys if k in src.meta)


def ld_published(src: Sources) -> str | None:
    """The article item's datePublished (or dateCreated)."""
    return normalise_date(src.article.get("datePublished")) or normalise_date(src.article.get("dateCreated"))


def ld_any_published(src: Sources) -> str | None:
    """datePublished of a WebPage item, or of a dated item of another type (Recipe, VideoObject)."""
    return _first_date(item.get("datePublished") for item in src.pages + src.others)


def meta_published(src: Sources) -> str | None:
    """A publication-date meta tag from the known names, in order of trust."""
    return _meta_date(src, _DATE_META)


def itemprop_published(src: Sources) -> str | None:
    """Microdata: an element marked ``itemprop="datePublished"``."""
    return _first_date(
        el.get("content") or el.get("datetime") or text_of(el)
        for el in src.root.xpath('//*[@itemprop="datePublished"]')
    )


def time_published(src: Sources) -> str | None:
    """A ``<time>``: the first one marked as publication, else the first one."""
    return _time_element(src.root)


def any_meta_published(src: Sources) -> str | None:
    """Any meta tag whose name speaks of a date or publishing, not of an update."""
    return _first_date(
        values[0]
        for k, values in src.meta.items()
        if ("date" in k or "publish" in k) and not any(w in k for w in _NOT_PUBLISHED_KEY)
    )


def url_published(src: Sources) -> str | None:
    """The date in the URL's path (``/2024/05/17/``, ``/2024/may/17/``), or in the canonical URL's."""
    for url in (src.url or "", canonical_url(src) or ""):
        m = _URL_DATE.search(url)
        if m:
            return normalise_date("-".join(m.groups()))
        m = _URL_TEXT_DATE.search(url)
        if m and m.group(2).lower() in MONTHS:
            return ymd(*m.groups())
    return None


def script_published(src: Sources) -> str | None:
    """A named publication date in page data (Next.js/Nuxt state, analytics objects)."""
    return _script_date(src.root)


def visible_published(src: Sources) -> str | None:
    """A date written in a date/byline element of the page."""
    return _visible_date(src.root)


def dateline_published(src: Sources) -> str | None:
    """A date written just before or after the page's <h1> (or its headline)."""
    return _date_near_headline(src.root, title=src.title)


def labelled_published(src: Sources) -> str | None:
    """A date the page labels as such ("Posted on ...")."""
    return _labelled_date(src.root)


def plain_script_published(src: Sources) -> str | None:
    """A bare ``"date": "..."`` in page data: the weakest evidence."""
    return _script_date(src.root, _SCRIPT_PLAIN_DATE)


def ld_modified(src: Sources) -> str | None:
    return normalise_date(src.article.get("dateModified"))


def meta_modified(src: Sources) -> str | None:
    return _meta_date(src, _MOD_META)


def ld_any_modified(src: Sources) -> str | None:
    return _first_date(item.get("dateModified") for item in src.pages)


Finder = Callable[[Sources], "str | None"]

#: Publication-date finders, most trusted first.
PUBLISHED: tuple[Finder, ...] = (
    ld_published,
    ld_any_published,
    meta_published,
    itemprop_published,
    time_published,
    any_meta_published,
    url_published,
    script_published,
    visible_published,
    dateline_published,
    labelled_published,
    plain_script_published,
)
#: Modification-date finders, most trusted first.
MODIFIED: tuple[Finder, ...] = (ld_modified, meta_modified, ld_any_modified)


def find_published(src: Sources) -> str | None:
    """The first date the ``PUBLISHED`` finders give, unless the headline's dateline shows
    a date at least two days earlier: a content system re-stamps datePublished when a page
    is re-saved, while the date printed by the headline stays the first publication's (and
    a date before the publication cannot be an update). Two days, so that a UTC timestamp
    against the local day it falls on is not taken for a re-stamp; a dateline piece of at
    most 40 characters, so that a date quoted in a sentence is not taken for it. A UTC
    stamp is kept in the page's own zone when its ``<time>`` and URL agree on that day.
    A stamp the page never shows gives way to the date by its headline (:mod:`._shown`)."""
    found = find_date(src, PUBLISHED[:_PAGE_DATA]) or _weak_published(src)
    found = (found and local_spelling(found, src.root, url_published(src))) or found
    if found and found == find_date(src, MODIFIED):
        found = _marked_before(src.root, found) or found
    shown = _date_near_headline(src.root, longest=40, title=src.title) if found else None
    if found and shown and _days(shown) <= _days(found) - 2 and not swapped(shown, found):
        return shown
    if found and not opengraph_published(src):
        return shown_instead(src.root, found, _date_near_headline(src.root, title=src.title)) or found
    return found


#: Where the finders that read page data and the body's text start in ``PUBLISHED``.
_PAGE_DATA = PUBLISHED.index(script_published)
#: Elements either side of the headline that hold its dateline (a date, a byline).
_BY_HEADLINE = 10


def _weak_published(src: Sources) -> str | None:
    """The date of the page data or the body's text (no metadata, no URL date gives one),
    unless a date printed right by the headline (within ten elements) falls on another day:
    a named date in a script, or an element classed as a date, may be a related article's
    (cards below the text, a recommendations feed); the date by the headline is the page's."""
    found = find_date(src, PUBLISHED[_PAGE_DATA:])
    near = _date_near_headline(src.root, title=src.title, reach=(_BY_HEADLINE, _BY_HEADLINE))
    if found and near and near[:10] != found[:10] and not swapped(near, found):
        return near
    return found


def _marked_before(root: etree._Element, found: str) -> str | None:
    """The date of a ``<time>`` marked as the publication (``pubdate``, a class or itemprop
    naming it) when it falls on an earlier day than ``found``: a datePublished equal to
    dateModified to the second is re-stamped on every save, the marked date is the first."""
    for t in root.iter("time"):
        if _marked_published(t):
            d = normalise_date(t.get("datetime") or text_of(t))
            return d if d and d[:10] < found[:10] else None
    return None


def _days(iso: str) -> int:
    return datetime.fromisoformat(iso[:10]).toordinal()


def find_date(src: Sources, finders: tuple[Finder, ...]) -> str | None:
    """The first date any finder gives."""
    for finder in finders:
        d = finder(src)
        if d:
            return d
    return None
