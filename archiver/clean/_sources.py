"""The page's machine-readable metadata, read once: JSON-LD items and ``<meta>`` tags.

Every field finder in ``_metadata`` and ``_dates`` reads from one :class:`Sources`,
so the JSON-LD is parsed and the meta tags are collected once per page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import urljoin

import lxml.etree as etree

from ._values import clean

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


@dataclass
class Sources:
    """What the finders read: the tree, the URL, meta tags by lower-cased key,
    and the JSON-LD items sorted by what they describe."""

    root: etree._Element
    url: str
    meta: dict[str, list[str]]
    article: dict[str, Any] = field(default_factory=dict)  # the first article-typed item ({} if none)
    pages: list[dict[str, Any]] = field(default_factory=list)  # WebPage and article items
    others: list[dict[str, Any]] = field(default_factory=list)  # Recipe, HowTo, VideoObject...: dated too
    is_article: bool = False  # an article type in JSON-LD or og:type
    free: bool | None = None  # False when an item says isAccessibleForFree=false
    title: str | None = None  # the headline found, for the finders that look beside it
    agreed_title: str | None = None  # the title the metadata agrees on: the body drops its repeats

    def first_meta(self, *keys: str) -> str | None:
        """The first present meta tag's value, in the order of ``keys``."""
        for k in keys:
            if k in self.meta:
                return clean(self.meta[k][0])
        return None


def read_sources(root: etree._Element, url: str) -> Sources:
    """Collect JSON-LD and meta tags from the unmodified tree."""
    src = Sources(root=root, url=url, meta=_meta(root))
    article = None
    by_id: dict[str, dict[str, Any]] = {}
    for item in _iter_jsonld(root):
        if isinstance(item.get("@id"), str) and len(item) > 2:  # a described node, not a reference
            by_id.setdefault(item["@id"], item)
        types = _types(item)
        if types & ARTICLE_TYPES:
            src.is_article = True
            if article is None:
                article = item
        if "webpage" in types or types & ARTICLE_TYPES:
            src.pages.append(item)
        elif item.get("datePublished") and not types & {"organization", "person", "website"}:
            src.others.append(item)
        if "isAccessibleForFree" in item:
            if str(item["isAccessibleForFree"]).strip().lower() in ("false", "0", "no"):
                src.free = False
    src.article = _resolved(article or {}, by_id)
    og_type = (src.first_meta("og:type") or "").lower()
    if og_type.startswith("article"):
        src.is_article = True
    return src


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


def _resolved(article: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The article with its author, creator and publisher references (``{"@id": ...}``,
    as a ``@graph`` writes them) replaced by the nodes they name."""

    def node(v: Any) -> Any:
        if isinstance(v, list):
            return [node(x) for x in v]
        if isinstance(v, dict) and "name" not in v and isinstance(v.get("@id"), str):
            return by_id.get(v["@id"], v)
        return v

    keys = [k for k in ("author", "creator", "publisher") if k in article]
    return {**article, **{k: node(article[k]) for k in keys}} if keys else article


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


def canonical_url(src: Sources) -> str | None:
    """``<link rel=canonical>``, else ``og:url``, made absolute against the page's URL."""
    canon = None
    for link in src.root.iter("link"):
        if (link.get("rel") or "").strip().lower() == "canonical" and link.get("href"):
            canon = link.get("href").strip()
            break
    canon = canon or src.first_meta("og:url")
    return join_url(src.url, canon) if canon else None


def join_url(base: str, ref: str) -> str | None:
    """``urljoin``, or None for a URL it cannot parse (``http://[broken/`` raises ValueError)."""
    try:
        return urljoin(base, ref)
    except ValueError:
        return None
