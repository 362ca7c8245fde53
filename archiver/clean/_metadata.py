"""Page metadata from JSON-LD, OpenGraph, meta tags, ``<time>`` and the byline.

Sources are read in that order of trust; the first one that gives a field wins.
Dates are normalised to ISO 8601 and keep the page's time zone when it has one.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from datetime import datetime
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import lxml.etree as etree

from ._dom import text_of

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "socialmediaposting",
        "techarticle",
        "scholarlyarticle",
        "liveblogposting",
        "report",
        "posting",
        "askpublicnewsarticle",
        "satiricalarticle",
        "advertisernewsarticle",
        "medicalscholarlyarticle",
    }
)
_WS = re.compile(r"\s+")
_BY = re.compile(r"^\s*(?:by|von|par|por|di|door|av|af)\s*[:\-]?\s+", re.I)
_DATE_RES = [
    re.compile(
        r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
        r"\s*(Z|[+-]\d{2}:?\d{2})?)?"
    ),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b"),
    re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})\b"),
]
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            "jan january januar janvier enero gennaio",
            "feb february februar février febrero febbraio",
            "mar march märz mars marzo",
            "apr april avril abril aprile",
            "may mai mayo maggio",
            "jun june juni juin junio giugno",
            "jul july juli juillet julio luglio",
            "aug august août agosto",
            "sep sept september septembre septiembre settembre",
            "oct october oktober octobre octubre ottobre",
            "nov november novembre noviembre",
            "dec december dezember décembre diciembre dicembre",
        ]
    )
    for m in names.split()
}
_TEXT_DATE = re.compile(
    r"\b(?:(\d{1,2})(?:st|nd|rd|th)?\.?\s+([A-Za-zäéû]{3,9})\.?,?\s+(\d{4})|"
    r"([A-Za-zäéû]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4}))\b"
)


def clean(s: Any) -> str | None:
    if s is None:
        return None
    if isinstance(s, (list, tuple)):
        s = s[0] if s else None
        return clean(s)
    if isinstance(s, dict):
        return clean(s.get("name") or s.get("@value") or s.get("url"))
    s = str(s)
    if "&" in s:
        s = html_lib.unescape(html_lib.unescape(s))  # double-escaped in many CMS outputs
    s = _WS.sub(" ", s).strip()
    return s or None


def normalise_date(value: Any) -> str | None:
    """Return an ISO 8601 date or datetime (with tz when given), or ``None``."""
    s = clean(value)
    if not s:
        return None
    m = _DATE_RES[0].search(s)
    if m:
        y, mo, d, hh, mm, ss, tz = m.groups()
        try:
            datetime(int(y), int(mo), int(d))
        except ValueError:
            return None
        if hh is None:
            return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
        out = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}T{int(hh):02d}:{mm}:{ss or '00'}"
        if tz:
            if tz != "Z" and ":" not in tz:
                tz = tz[:3] + ":" + tz[3:]
            out += tz  # "Z" kept as the page wrote it
        return out
    for rx, order in ((_DATE_RES[1], (0, 1, 2)), (_DATE_RES[2], (2, 1, 0))):
        m = rx.search(s)
        if m:
            g = m.groups()
            y, mo, d = (int(g[i]) for i in order)
            try:
                datetime(y, mo, d)
            except ValueError:
                continue
            return f"{y:04d}-{mo:02d}-{d:02d}"
    m = _DATE_RES[3].search(s)
    if m:
        a, b, y = (int(x) for x in m.groups())
        mo, d = (b, a) if a > 12 else (a, b)  # US order unless the first cannot be a month
        try:
            datetime(y, mo, d)
            return f"{y:04d}-{mo:02d}-{d:02d}"
        except ValueError:
            pass
    m = _TEXT_DATE.search(s)
    if m:
        if m.group(1):
            d, mon, y = m.group(1), m.group(2), m.group(3)
        else:
            mon, d, y = m.group(4), m.group(5), m.group(6)
        mo = _MONTHS.get(mon.lower().rstrip("."))
        if mo:
            try:
                datetime(int(y), mo, int(d))
                return f"{int(y):04d}-{mo:02d}-{int(d):02d}"
            except ValueError:
                pass
    return None


def _names(value: Any) -> list[str]:
    """Author names from a JSON-LD/meta author value (str, dict or list)."""
    if value is None:
        return []
    if isinstance(value, list):
        out: list[str] = []
        for v in value:
            out.extend(_names(v))
        return out
    if isinstance(value, dict):
        value = value.get("name")
        if isinstance(value, (list, dict)):
            return _names(value)
    s = clean(value)
    if not s or s.startswith("http") or len(s) > 150:
        return []
    s = _BYLINE_PREFIX.sub("", _BYLINE_PREFIX_GLUED.sub("", s))
    s = _BYLINE_TAIL.split(s)[0]
    parts = re.split(r"\s*(?:;|\band\b|\bund\b|\bet\b|\by\b|&|\|)\s*|,\s*(?=\S+\s+\S)", s)
    out = []
    for p in (x.strip(" ,-–—•·:") for x in parts):
        if p and _is_name(p):
            out.append(p)
    return out


_BYLINE_PREFIX = re.compile(
    r"^\s*(?:(?:written|posted|published|reviewed|edited|compiled|reported)\s+by|by|von|par|por|"
    r"di|door|av|af|author|autor|auteur|posted|written)\s*:?\s*(?=\S)",
    re.I,
)
_BYLINE_PREFIX_GLUED = re.compile(r"^By(?=[A-Z][a-z])")
_BYLINE_TAIL = re.compile(
    r"\s+(?:[-–—|•·]|on|am|le|el|published|updated|posted|last updated|veröffentlicht|"
    r"aktualisiert)\s+|\s*[•·|]\s*|(?:published|updated|posted) on\b|"
    r"[\s-]+(?=(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d)|\s*\d",
    re.I,
)
_NOT_NAMES = {
    "by",
    "author",
    "the author",
    "staff",
    "editor",
    "editorial team",
    "guest",
    "guest author",
    "anonymous",
    "unknown",
    "team",
    "redaktion",
    "written by",
}


def _is_name(p: str) -> bool:
    low = p.lower()
    if low in _NOT_NAMES or len(p) < 2 or len(p) > 80 or p.isdigit():
        return False
    if "@" in p or "/" in p or "." in p and " " not in p:
        return False
    if low.split()[0].rstrip(".") in _MONTHS:
        return False
    return len(p.split()) <= 8


def _iter_jsonld(root: etree._Element) -> Iterator[dict[str, Any]]:
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            try:
                data = json.loads(re.sub(r"[\x00-\x1f]", " ", raw), strict=False)
            except ValueError:
                continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.extend(item["@graph"] if isinstance(item["@graph"], list) else [item["@graph"]])
                yield item
                main = item.get("mainEntity")
                if isinstance(main, dict):
                    stack.append(main)


def _types(item: dict[str, Any]) -> set[str]:
    t = item.get("@type")
    if isinstance(t, str):
        t = [t]
    if not isinstance(t, list):
        return set()
    return {str(x).lower().rsplit("/", 1)[-1] for x in t}


def _meta(root: etree._Element) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in root.iter("meta"):
        key = m.get("property") or m.get("name") or m.get("itemprop") or m.get("http-equiv")
        content = m.get("content")
        if key and content and content.strip():
            out.setdefault(key.strip().lower(), []).append(content.strip())
    return out


def _first(meta: dict[str, list[str]], *keys: str) -> str | None:
    for k in keys:
        if k in meta:
            return clean(meta[k][0])
    return None


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
_AUTHOR_META = (
    "author",
    "article:author",
    "dc.creator",
    "dcterms.creator",
    "parsely-author",
    "sailthru.author",
    "citation_author",
    "byl",
    "twitter:creator",
)


_TITLE_SEP = re.compile(r"\s+(?:\||-|–|—|::|·|•|»)\s+")


def _split_title(title: str, site: str | None, url: str = "") -> str:
    """Remove a " | Site" / " - Site" suffix (or prefix) from a page title."""
    parts = _TITLE_SEP.split(title)
    if len(parts) < 2:
        return title
    host = re.sub(r"^www\.", "", re.sub(r"^[a-z]+://", "", url or "").split("/")[0]).split(".")[0]

    def is_site(part: str) -> bool:
        key = re.sub(r"\W+", "", part).lower()
        if not key:
            return True
        if site and key == re.sub(r"\W+", "", site).lower():
            return True
        return bool(host) and len(host) > 2 and (host in key or key in host)

    if is_site(parts[-1]):
        return " - ".join(parts[:-1]) if len(parts) > 2 else parts[0]
    if is_site(parts[0]):
        return " - ".join(parts[1:])
    if " | " in title:
        head, _, tail = title.rpartition(" | ")
        if len(tail.split()) <= 4 and len(head.split()) >= 3:
            return head
    return title


def _tokens(s: str) -> set[str]:
    return set(re.findall(r"\w+", s.lower()))


def _headline_h1(root: etree._Element, meta_title: str | None) -> str | None:
    """The visible headline: the page's <h1> that agrees with the metadata title."""
    body = root.find("body")
    if body is None:
        return None
    h1s = []
    for h in body.iter("h1"):
        text = clean(text_of(h))
        if text and 5 <= len(text) <= 300:
            h1s.append(text)
        if len(h1s) >= 3:
            break
    if not h1s:
        return None
    if not meta_title:
        return h1s[0] if len(h1s) == 1 else None
    mt = _tokens(meta_title)
    for text in h1s:
        ht = _tokens(text)
        if ht and len(ht & mt) >= 0.5 * min(len(ht), len(mt)):
            return text
    return None


def read_metadata(root: etree._Element, url: str) -> dict[str, Any]:
    """Collect metadata from the unmodified tree (before any clean-up)."""
    md: dict[str, Any] = {"authors": [], "tags": []}
    meta = _meta(root)
    ld_article: dict[str, Any] | None = None
    ld_any: list[dict[str, Any]] = []
    ld_other: list[dict[str, Any]] = []  # Recipe, HowTo, VideoObject...: dated too
    is_article = False
    free = None
    for item in _iter_jsonld(root):
        types = _types(item)
        if types & ARTICLE_TYPES:
            is_article = True
            if ld_article is None:
                ld_article = item
        if "webpage" in types or types & ARTICLE_TYPES:
            ld_any.append(item)
        elif item.get("datePublished") and not types & {"organization", "person", "website"}:
            ld_other.append(item)
        if "isAccessibleForFree" in item:
            v = item["isAccessibleForFree"]
            if str(v).strip().lower() in ("false", "0", "no"):
                free = False
    src = ld_article or {}
    md["title"] = clean(src.get("headline")) or clean(src.get("name"))
    md["authors"] = _names(src.get("author")) or _names(src.get("creator"))
    md["published"] = normalise_date(src.get("datePublished")) or normalise_date(src.get("dateCreated"))
    md["modified"] = normalise_date(src.get("dateModified"))
    md["description"] = clean(src.get("description"))
    md["section"] = clean(src.get("articleSection"))
    kw = src.get("keywords")
    if isinstance(kw, str):
        md["tags"] = [k.strip() for k in kw.split(",") if k.strip()]
    elif isinstance(kw, list):
        md["tags"] = [clean(k) for k in kw if clean(k)]
    img = src.get("image")
    if isinstance(img, list):
        img = img[0] if img else None
    md["image"] = clean(img.get("url") if isinstance(img, dict) else img)
    lang = src.get("inLanguage")
    md["language"] = clean(lang)
    pub = src.get("publisher")
    md["site_name"] = clean(pub.get("name")) if isinstance(pub, dict) else None
    if not md["published"]:
        for item in ld_any + ld_other:
            md["published"] = normalise_date(item.get("datePublished"))
            if md["published"]:
                break
    md["free"] = free

    og_type = (_first(meta, "og:type") or "").lower()
    if og_type == "article" or og_type.startswith("article"):
        is_article = True
    md["is_article_page"] = is_article
    md["title"] = md["title"] or _first(
        meta, "og:title", "twitter:title", "dc.title", "citation_title", "parsely-title", "headline"
    )
    md["site_name"] = md["site_name"] or _first(meta, "og:site_name", "application-name")
    md["description"] = md["description"] or _first(
        meta, "og:description", "description", "twitter:description", "dc.description"
    )
    md["image"] = md["image"] or _first(
        meta, "og:image", "og:image:url", "twitter:image", "twitter:image:src"
    )
    md["section"] = md["section"] or _first(
        meta, "article:section", "section", "parsely-section", "og:article:section"
    )
    if not md["tags"]:
        tags = meta.get("article:tag") or []
        if not tags and "keywords" in meta:
            tags = [t for t in meta["keywords"][0].split(",")]
        md["tags"] = [t.strip() for t in tags if t.strip()]
    if not md["authors"]:
        for k in _AUTHOR_META:
            for v in meta.get(k, []):
                if k == "twitter:creator" and v.startswith("@"):
                    continue
                md["authors"].extend(_names(v))
            if md["authors"]:
                break
    if not md["published"]:
        for k in _DATE_META:
            if k in meta:
                md["published"] = normalise_date(meta[k][0])
                if md["published"]:
                    break
    if not md["modified"]:
        for k in _MOD_META:
            if k in meta:
                md["modified"] = normalise_date(meta[k][0])
                if md["modified"]:
                    break
    # <time> elements and the visible byline
    if not md["published"]:
        for el in root.xpath('//*[@itemprop="datePublished"]'):
            d = normalise_date(el.get("content") or el.get("datetime") or text_of(el))
            if d:
                md["published"] = d
                break
    if not md["published"]:
        md["published"] = _time_element(root)
    if not md["published"]:
        for k, values in meta.items():
            if ("date" in k or "publish" in k) and not any(
                w in k for w in ("modif", "updat", "expir", "revis", "valid")
            ):
                md["published"] = normalise_date(values[0])
                if md["published"]:
                    break
    if not md["published"]:
        m = _URL_DATE.search(url or "") or _URL_DATE.search(md.get("canonical_url") or "")
        if m:
            md["published"] = normalise_date("-".join(m.groups()))
    if not md["published"]:
        md["published"] = _script_date(root)
    if not md["published"]:
        md["published"] = (
            _visible_date(root)
            or _date_near_headline(root)
            or _labelled_date(root)
            or _script_date(root, _SCRIPT_PLAIN_DATE)
        )
    if not md["published"] and md["modified"]:
        md["published"] = None
    if not md["modified"]:
        for item in ld_any:
            md["modified"] = normalise_date(item.get("dateModified"))
            if md["modified"]:
                break
    if not md["authors"]:
        md["authors"] = _byline(root)
    meta_title = _split_title(md["title"], md["site_name"], url) if md["title"] else None
    md["title"] = _headline_h1(root, meta_title) or meta_title
    if not md["title"]:
        t = root.find(".//title")
        title = clean(text_of(t)) if t is not None else None
        if title:
            md["title"] = _split_title(title, md["site_name"], url)
    html = root if root.tag == "html" else root.find(".//html")
    lang = (
        md["language"]
        or (html.get("lang") if html is not None else None)
        or _first(meta, "content-language", "og:locale", "dc.language", "language")
    )
    md["language"] = lang.replace("_", "-").split(",")[0].strip() if lang else None
    canon = None
    for link in root.iter("link"):
        if (link.get("rel") or "").strip().lower() == "canonical" and link.get("href"):
            canon = link.get("href").strip()
            break
    canon = canon or _first(meta, "og:url")
    md["canonical_url"] = _join(url, canon) if canon else None
    if md["image"]:
        md["image"] = _join(url, md["image"])
    md["authors"] = list(dict.fromkeys(md["authors"]))
    md["tags"] = list(dict.fromkeys(md["tags"]))
    return md


def _join(base: str, ref: str) -> str | None:
    """``urljoin``, or None for a URL it cannot parse (``http://[broken/`` raises ValueError)."""
    try:
        return urljoin(base, ref)
    except ValueError:
        return None


def _byline(root: etree._Element) -> list[str]:
    nodes = root.xpath(
        '//*[@rel="author" or @itemprop="author" or contains(@class,"byline") or '
        'contains(@class,"author-name") or contains(@class,"author") and not('
        'contains(@class,"bio") or contains(@class,"box"))][position()<6]'
    )
    for el in nodes:
        name_el = el.xpath('.//*[@itemprop="name"]')
        text = clean(text_of(name_el[0] if name_el else el))
        if text and len(text) < 80:
            names = _names(text)
            if names:
                return names[:4]
    return []


_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|\b)")
_SCRIPT_DATE = re.compile(
    r"[\\\"']*(?:datePublished|publishedDate|published_?[Aa]t|publish_?[Dd]ate|published_?[Oo]n|"
    r"pubDate|publication_?[Dd]ate|firstPublished|first_published_at|"
    r"date_?published|displayDate)[\\\"']*\s*:\s*[\\\"']+([0-9]{4}-[0-9]{2}-[0-9]{2}[^\\\"']{0,25})"
)
_SCRIPT_PLAIN_DATE = re.compile(
    r"[\\\"']+date[\\\"']+\s*:\s*[\\\"']+([0-9]{4}-[0-9]{2}-[0-9]{2}[^\\\"']{0,25})"
)
_DATE_CLASS = re.compile(r"date|time|publish|posted|byline|meta|datum|fecha|dateline|author", re.I)


def _time_element(root: etree._Element) -> str | None:
    """A ``<time>``: first one marked as publication, else the first one."""
    first = None
    for t in root.iter("time"):
        d = normalise_date(t.get("datetime") or text_of(t))
        if not d:
            continue
        words = f"{t.get('class') or ''} {t.get('itemprop') or ''} {t.get('pubdate') or ''}".lower()
        if "publish" in words or "pubdate" in words or t.get("pubdate") is not None:
            return d
        if first is None and not any(w in words for w in ("modif", "updat")):
            first = d
    return first


def _script_date(root: etree._Element, rx: re.Pattern[str] = _SCRIPT_DATE) -> str | None:
    """A publication date in page data (Next.js/Nuxt state, analytics objects)."""
    for script in root.iter("script"):
        text = script.text
        if not text or len(text) > 2_000_000:
            continue
        m = rx.search(text)
        if m:
            d = normalise_date(m.group(1))
            if d:
                return d
    return None


def _date_near_headline(root: etree._Element) -> str | None:
    """A date written just before or after the page's <h1> (the dateline)."""
    body = root.find("body")
    if body is None:
        return None
    h1 = body.find(".//h1")
    if h1 is None:
        return None
    elements = list(body.iter(etree.Element))
    try:
        at = elements.index(h1)
    except ValueError:
        return None
    window = elements[at + 1 : at + 150] + elements[max(0, at - 20) : at]
    for el in window:
        if el.tag in ("script", "style", "a"):
            continue
        for piece in (el.text, el.tail):
            if piece and 6 <= len(piece.strip()) <= 80 and re.search(r"\d{2}", piece):
                d = normalise_date(piece)
                if d:
                    return d
    return None


def _visible_date(root: etree._Element) -> str | None:
    """A date written in a date/byline element of the page."""
    body = root.find("body")
    if body is None:
        return None
    for el in body.iter("span", "div", "p", "li", "small", "em", "abbr"):
        words = f"{el.get('class') or ''} {el.get('id') or ''}"
        if not words.strip() or not _DATE_CLASS.search(words):
            continue
        text = text_of(el)
        pieces = ([text] if len(text) <= 120 else []) + [t for t in el.itertext() if len(t) <= 120]
        for piece in pieces:
            if 6 <= len(piece.strip()) <= 120:
                d = normalise_date(piece)
                if d:
                    return d
    return None


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
    for piece in body.itertext():
        if len(piece) > 200 or not re.search(r"\d", piece):
            continue
        m = _LABELLED_DATE.search(piece)
        if m:
            d = normalise_date(m.group(1))
            if d:
                return d
    return None
