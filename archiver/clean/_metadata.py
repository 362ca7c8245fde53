"""Page metadata from JSON-LD, OpenGraph, meta tags, ``<time>`` and the byline.

One finder per field over the page's :class:`~._sources.Sources`, each trying its
sources in order of trust; the first one that gives a value wins. Dates are found
by the ordered finders of ``_dates``.
"""

from __future__ import annotations

import re

from ..article import Article
from ._bylines import (
    _NAME_LIKE,
    LABEL_WORDS,
    _byline,
    _dateline_author,
    _is_role,
    _labelled_byline,
    _names,
    _unlabelled_author,
    linked_cowriters,
)
from ._dates import MODIFIED, find_date, find_published
from ._sources import Sources, canonical_url, join_url
from ._titles import find_titles
from ._values import clean, squash


def read_metadata(src: Sources, art: Article) -> None:
    """Set ``art``'s metadata fields to what the page says about itself (typed, field by field)."""
    site_name = find_site_name(src)
    art.title, src.agreed_title = find_titles(src, site_name)
    src.title = art.title
    art.authors = find_authors(src, site_name)
    art.published = find_published(src)
    art.modified = find_date(src, MODIFIED)
    art.language = find_language(src)
    art.canonical_url = canonical_url(src)
    art.description = find_description(src)
    art.section = find_section(src)
    art.tags = find_tags(src)
    art.image = find_image(src)
    art.site_name = site_name
    art.is_article_page = src.is_article


def find_site_name(src: Sources) -> str | None:
    pub = src.article.get("publisher")
    return (clean(pub.get("name")) if isinstance(pub, dict) else None) or src.first_meta(
        "og:site_name", "application-name"
    )


def find_authors(src: Sources, site_name: str | None = None) -> list[str]:
    """Separate names from JSON-LD, then author meta tags, then the visible byline.

    A person beats an organisation or the outlet's own name: when the first source
    names only those, a person named by a later source is taken instead. A login
    handle ("KatieS", "franshares": the account that posted) gives way to the name a
    visible "By ..." label shows. The outlet's name written after the persons ("A and
    B, The Daily Courier") is no author."""
    names = _without_roles(src, _authors(src), site_name)
    outlet = {squash(n) for n in (site_name, _publisher(src)) if n} | _organisations(src)
    outlet -= _typed_people(src)  # a personal site: its name is its author's
    if names and all(squash(n) in outlet for n in names):
        people = _people_instead(src, outlet)
        if people:
            return people
    if names and all(" " not in n for n in names):
        shown = [n for n in _labelled_byline(src.root) if squash(n) not in outlet]
        if shown:
            return shown
    if len(names) == 1:
        names = _cowriters(src, names[0])
    people = [n for n in names if squash(n) not in outlet]
    return people if people else names


def _without_roles(src: Sources, names: list[str], site_name: str | None) -> list[str]:
    """Names cut to the shorter name another source gives them ("Ann Lee Gardener" where the
    byline shows "Ann Lee", "Courier News Sponsored" where the site is "Courier News"): the
    words after it are a role no role list knows. A one-word part right after such a cut
    is the rest of that role ("Gardener & Astrologer")."""
    if not any(len(n.split()) >= 3 for n in names):
        return names  # the other sources are read only for a name long enough to hold a role
    root = src.root
    shorter = [
        n
        for n in (*_byline(root), *_labelled_byline(root), *_unlabelled_author(root, src.url), site_name)
        if n and " " in n
    ]
    out: list[str] = []
    cut = False
    for n in names:
        if cut and " " not in n:
            continue
        short = next((m for m in shorter if n.startswith(m + " ")), None)
        cut = short is not None
        out.append(short or n)
    return out


def _cowriters(src: Sources, name: str) -> list[str]:
    """The visible byline's names when it lists the one metadata name among others, or
    the author-page links beside the link to that name: a theme's author meta tag and
    JSON-LD name the post's first writer only."""
    shown = [n for n in _byline(src.root) if _NAME_LIKE.match(n) and not _is_role(n)]
    key = squash(name)
    if len(shown) > 1 and any(squash(n).endswith(key) for n in shown):
        return shown
    return linked_cowriters(src.root, src.url, name) or [name]


def _people_instead(src: Sources, outlet: set[str]) -> list[str]:
    """Persons named by the sources after the first, for a first source naming only the outlet."""
    ld = src.article.get("author")
    alts = (_names(ld if isinstance(ld, list) else [ld]), _meta_authors(src), _byline(src.root))
    for alt in (*alts, _labelled_byline(src.root)):
        people = [n for n in alt if squash(n) not in outlet and _PERSON.match(n)]
        if people:
            return list(dict.fromkeys(people))
    return []


_PERSON = re.compile(r"^[A-ZÀ-Ý][\w'’.-]+(?: [A-ZÀ-Ý][\w'’.-]+){1,3}$")


def _organisations(src: Sources) -> set[str]:
    """Names of the JSON-LD authors typed Organization."""
    return _ld_authors_typed(src, "organization")


def _typed_people(src: Sources) -> set[str]:
    """Names of the JSON-LD authors typed Person."""
    return _ld_authors_typed(src, "person")


def _ld_authors_typed(src: Sources, kind: str) -> set[str]:
    ld = src.article.get("author")
    items = ld if isinstance(ld, list) else [ld]
    return {
        squash(clean(i.get("name")) or "")
        for i in items
        if isinstance(i, dict) and kind in str(i.get("@type")).lower()
    }


def _meta_authors(src: Sources) -> list[str]:
    authors: list[str] = []
    for k in _AUTHOR_META:
        for v in src.meta.get(k, []):
            if k == "twitter:creator" and v.startswith("@"):
                continue
            authors.extend(_names(v))
        if authors:
            return authors
    for i in range(1, 5):  # Yoast's reading card: twitter:label1 "Written by", twitter:data1 the name
        label = src.first_meta(f"twitter:label{i}")
        if label and _AUTHOR_LABEL.search(label):
            return _names(src.first_meta(f"twitter:data{i}"))
    return authors


#: A label saying "written by" / "author" (twitter:labelN), in the byline's languages.
_AUTHOR_LABEL = re.compile(rf"\b(?:{LABEL_WORDS})\b", re.I)


def _authors(src: Sources) -> list[str]:
    """Names as the first source gives them (an organisation included)."""
    authors = _names(src.article.get("author")) or _names(src.article.get("creator"))
    authors = authors or _meta_authors(src) or _byline(src.root) or _labelled_byline(src.root)
    authors = authors or _unlabelled_author(src.root, src.url) or _dateline_author(src.root)
    return list(dict.fromkeys(authors))


def _publisher(src: Sources) -> str | None:
    pub = src.article.get("publisher")
    return clean(pub.get("name")) if isinstance(pub, dict) else None


def find_description(src: Sources) -> str | None:
    return clean(src.article.get("description")) or src.first_meta(
        "og:description", "description", "twitter:description", "dc.description"
    )


def find_section(src: Sources) -> str | None:
    return clean(src.article.get("articleSection")) or src.first_meta(
        "article:section", "section", "parsely-section", "og:article:section"
    )


def find_tags(src: Sources) -> list[str]:
    kw = src.article.get("keywords")
    tags: list[str] = []
    if isinstance(kw, str):
        tags = [k.strip() for k in kw.split(",") if k.strip()]
    elif isinstance(kw, list):
        tags = [c for k in kw if (c := clean(k))]
    if not tags:
        tags = src.meta.get("article:tag") or []
        if not tags and "keywords" in src.meta:
            tags = src.meta["keywords"][0].split(",")
        tags = [t.strip() for t in tags if t.strip()]
    return list(dict.fromkeys(tags))


def find_image(src: Sources) -> str | None:
    img = src.article.get("image")
    if isinstance(img, list):
        img = img[0] if img else None
    image = clean(img.get("url") if isinstance(img, dict) else img) or src.first_meta(
        "og:image", "og:image:url", "twitter:image", "twitter:image:src"
    )
    return join_url(src.url, image) if image else None


def find_language(src: Sources) -> str | None:
    root = src.root
    html = root if root.tag == "html" else root.find(".//html")
    lang = (
        clean(src.article.get("inLanguage"))
        or (html.get("lang") if html is not None else None)
        or src.first_meta("content-language", "og:locale", "dc.language", "language")
    )
    return lang.replace("_", "-").split(",")[0].strip() if lang else None


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
