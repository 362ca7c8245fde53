"""Page metadata from JSON-LD, OpenGraph, meta tags, ``<time>`` and the byline.

One finder per field over the page's :class:`~._sources.Sources`, each trying its
sources in order of trust; the first one that gives a value wins. Dates are found
by the ordered finders of ``_dates``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.etree as etree

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
)
from ._dates import MODIFIED, find_date, find_published
from ._dom import text_of
from ._sources import Sources, canonical_url, join_url
from ._values import clean


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


def find_title(src: Sources, site_name: str | None) -> str | None:
    """The headline (see ``find_titles``)."""
    return find_titles(src, site_name)[0]


def find_titles(src: Sources, site_name: str | None) -> tuple[str | None, str | None]:
    """The headline, and the title the metadata agrees on.

    The headline: the metadata title without the site's name, or the visible <h1> that
    agrees with it, else the document's <title>; but a lone <h1> that reads as a headline
    and disagrees with the metadata title is the headline (that title was written for
    search). A metadata title that is only the site's name (og:title "Robomow" on every
    page) is passed over for the next source. The agreed title leaves such a lone <h1>
    out, and the body's clean-up removes only the agreed title where the text repeats it:
    a lone <h1> the metadata does not confirm may be a heading that belongs to the text."""
    meta_title = None
    for raw in (
        clean(src.article.get("headline")),
        clean(src.article.get("name")),
        *(src.first_meta(k) for k in _TITLE_META),
    ):
        title = _split_title(raw, site_name, src.url) if raw else None
        if title and not _is_site(title, site_name, src.url, whole=True):
            meta_title = title
            break
    h1 = _headline_h1(src.root, meta_title, src.url)
    title = (_split_title(h1, site_name, src.url) if h1 else None) or meta_title
    if not title:
        t = src.root.find(".//title")
        raw = clean(text_of(t)) if t is not None else None
        if raw:
            title = _split_title(raw, site_name, src.url)
    lone = _lone_h1(src.root, src.url) if meta_title and not h1 else None
    return (_split_title(lone, site_name, src.url) if lone else title), title


_TITLE_META = ("og:title", "twitter:title", "dc.title", "citation_title", "parsely-title", "headline")


def find_authors(src: Sources, site_name: str | None = None) -> list[str]:
    """Separate names from JSON-LD, then author meta tags, then the visible byline.

    A person beats an organisation or the outlet's own name: when the first source
    names only those, a person named by a later source is taken instead. A login
    handle ("KatieS", "franshares": the account that posted) gives way to the name a
    visible "By ..." label shows. The outlet's name written after the persons ("A and
    B, The Daily Courier") is no author."""
    names = _authors(src)
    outlet = {_squash(n) for n in (site_name, _publisher(src)) if n} | _organisations(src)
    outlet -= _typed_people(src)  # a personal site: its name is its author's
    if names and all(_squash(n) in outlet for n in names):
        people = _people_instead(src, outlet)
        if people:
            return people
    if names and all(" " not in n for n in names):
        shown = [n for n in _labelled_byline(src.root) if _squash(n) not in outlet]
        if shown:
            return shown
    if len(names) == 1:
        names = _cowriters(src, names[0])
    people = [n for n in names if _squash(n) not in outlet]
    return people if people else names


def _cowriters(src: Sources, name: str) -> list[str]:
    """The visible byline's names when it lists the one metadata name among others: a
    theme's author meta tag and JSON-LD name the post's first writer only."""
    shown = [n for n in _byline(src.root) if _NAME_LIKE.match(n) and not _is_role(n)]
    key = _squash(name)
    if len(shown) > 1 and any(_squash(n).endswith(key) for n in shown):
        return shown
    return [name]


def _people_instead(src: Sources, outlet: set[str]) -> list[str]:
    """Persons named by the sources after the first, for a first source naming only the outlet."""
    ld = src.article.get("author")
    alts = (_names(ld if isinstance(ld, list) else [ld]), _meta_authors(src), _byline(src.root))
    for alt in (*alts, _labelled_byline(src.root)):
        people = [n for n in alt if _squash(n) not in outlet and _PERSON.match(n)]
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
        _squash(clean(i.get("name")) or "")
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


def _squash(s: str) -> str:
    return re.sub(r"\W+", "", s).lower()


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


_TITLE_SEP = re.compile(r"\s+(?:\||-|–|—|::|·|•|»)\s+")


def _is_site(part: str, site: str | None, url: str, whole: bool = False) -> bool:
    """Whether a piece of a title is the site's name (or the name of one of its host's labels).

    ``whole``: the piece is a whole title, which may name the host among other words
    ("Pricing Guide of Example Electricians" on example-electricians.com): only the
    host's name alone (give or take a short ending, "Robomow.com") is the site's."""
    key = re.sub(r"\W+", "", part).lower()
    if not key:
        return True
    if site and key == re.sub(r"\W+", "", site).lower():
        return True
    labels = re.sub(r"^www\.", "", re.sub(r"^[a-z]+://", "", url or "").split("/")[0]).split(".")
    for host in (re.sub(r"\W+", "", h).lower() for h in labels[:-1]):  # promotions.newegg.com: both
        if not host or len(host) <= 2:
            continue
        if whole:
            if key in host or (key.startswith(host) and len(key) <= len(host) + 4):
                return True
        elif host in key or key in host:
            return True
    return False


def _split_title(title: str, site: str | None, url: str = "") -> str:
    """Remove a " | Site" / " - Site" suffix (or prefix) from a page title."""
    parts = _TITLE_SEP.split(title)
    if len(parts) < 2:
        return title

    def is_site(part: str) -> bool:
        return _is_site(part, site, url)

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


def _headline_h1(root: etree._Element, meta_title: str | None, url: str = "") -> str | None:
    """The visible headline: the page's <h1> that agrees with the metadata title
    (an <h1> linking to the home page is the site's name, not a headline)."""
    h1s = _h1_texts(root, url)
    if not h1s:
        return None
    if not meta_title:
        return h1s[0] if len(h1s) == 1 else None
    mt = _tokens(meta_title)
    best, best_key = None, (0.0, 0)
    for text in h1s:  # the <h1> that agrees best: the site's name in an <h1> shares a word or two
        ht = _tokens(text)
        common = len(ht & mt)
        key = (common / min(len(ht), len(mt)) if ht and mt else 0.0, common)
        if key[0] >= 0.5 and key > best_key:
            best, best_key = text, key
    return best


def _h1_texts(root: etree._Element, url: str) -> list[str]:
    """The texts of the page's first three <h1> of headline length, not linking home."""
    body = root.find("body")
    if body is None:
        return []
    h1s: list[str] = []
    for h in body.iter("h1"):
        if _links_home(h, url):
            continue
        text = clean(headline_text(h))
        if text and 5 <= len(text) <= 300:
            h1s.append(text)
        if len(h1s) >= 3:
            break
    return h1s


def _lone_h1(root: etree._Element, url: str) -> str | None:
    """The page's one <h1>, when it reads as a headline (see ``_headline_like``)."""
    h1s = _h1_texts(root, url)
    return h1s[0] if len(h1s) == 1 and _headline_like(h1s[0]) else None


_HEADLINE_WORDS = 5  # a section's label ("Our Blog", "M&A Updates") is shorter


def _headline_like(text: str) -> bool:
    """Whether a lone <h1> that shares few words with the metadata title reads as a headline:
    a phrase of five words or more, not a lead-in ending in a colon."""
    return len(text.split()) >= _HEADLINE_WORDS and not text.rstrip().endswith(":")


#: Parts of a heading that are not its words: the date, byline or comment count that a
#: theme writes inside the <h1> (class names are the CMS's, in any language of the page).
_HEADING_NOISE_CLASS = re.compile(r"date|time|byline|author|posted|comment|count", re.I)
_HEADING_NOISE_TAGS = frozenset(
    {"time", "script", "style", "noscript", "button", "svg", "h2", "h3", "h4", "h5", "h6"}
)
#: A one- or two-word label before the headline ("Blog:", "Review:") in an element of its own.
_HEADING_LABEL = re.compile(r"^\s*\w+(?:\s\w+)?\s*:\s*$")


def headline_text(h: etree._Element) -> str:
    """The words of a heading without the date, byline or comment count nested in it,
    and without a leading label in an element of its own: the title a reader sees
    under the page's own decoration ("Dec 18 2025 Preparing ...", "Blog: Best ...")."""
    parts = [h.text or ""]
    for i, child in enumerate(h):
        label = i == 0 and not (h.text or "").strip() and _HEADING_LABEL.match(text_of(child))
        if not (label or _heading_noise(child)):
            parts.append(headline_text(child) if len(child) else text_of(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _heading_noise(el: etree._Element) -> bool:
    """Whether an element inside a heading is decoration, not words of the headline."""
    if not isinstance(el.tag, str) or el.tag in _HEADING_NOISE_TAGS:
        return True
    return bool(_HEADING_NOISE_CLASS.search(f"{el.get('class') or ''} {el.get('id') or ''}"))


def _links_home(h: etree._Element, url: str) -> bool:
    """Whether an element is (inside, or wraps) a link to the site's home page."""
    for a in [*h.iterancestors("a"), *h.iter("a")]:
        href = a.get("href")
        if href is None:
            continue
        if href.strip() in ("/", "./"):
            return True
        parts = urlsplit(join_url(url, href.strip()) or "") if url else None
        if parts and parts.path in ("", "/") and not parts.query and parts.netloc == urlsplit(url).netloc:
            return True
    return False
