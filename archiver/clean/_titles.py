"""The headline: the metadata title, the visible <h1> and the document's <title>, weighed.

A site's name is cut from each (" | The Courier"), a metadata title that is only the
site's name is passed over, and a lone <h1> that reads as a headline wins over a title
written for search. :func:`find_titles` also gives the title the metadata agrees on,
the one the body's clean-up removes where the text repeats it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.etree as etree

from ._dom import text_of
from ._sources import Sources, join_url
from ._values import clean, squash, word_list, words


def find_titles(src: Sources, site_name: str | None) -> tuple[str | None, str | None]:
    """The headline, and the title the metadata agrees on.

    The headline: the metadata title without the site's name, or the visible <h1> that
    agrees with it, else the document's <title>; but a lone <h1> that reads as a headline
    and disagrees with the metadata title is the headline (that title was written for
    search). A metadata title that is only the site's name (og:title "Robomow" on every
    page) is passed over for the next source. The agreed title leaves such a lone <h1>
    out, and the body's clean-up removes only the agreed title where the text repeats it:
    a lone <h1> the metadata does not confirm may be a heading that belongs to the text.
    No <h1> showing the metadata title word for word, but an <h2>/<h3> showing it (or a
    part of the <title>): that heading is the headline, the <h1> is the site's or a section's."""
    meta_title = _meta_title(src, site_name)
    h1 = _headline_h1(src.root, meta_title, src.url)
    title = (_split_title(h1, site_name, src.url) if h1 else None) or meta_title
    t = src.root.find(".//title")
    raw = clean(text_of(t)) if t is not None else None
    if not title and raw:
        title = _split_title(raw, site_name, src.url)
    shown = _shown_title(src.root, [meta_title] if meta_title else _TITLE_SEP.split(raw or ""), h1)
    if shown:
        return shown, title
    seen = _headline_h1(src.root, meta_title, src.url, typed_out=True) if h1 else None
    headline = (_split_title(seen, site_name, src.url) if seen else None) or meta_title or title
    lone = _lone_h1(src.root, src.url, meta_title) if meta_title and not seen else None
    return _without_host(_split_title(lone, site_name, src.url) if lone else headline, src.url), title


def _meta_title(src: Sources, site_name: str | None) -> str | None:
    """The first metadata title that is not the site's name; one cut short ("... (Including",
    "...") gives way to a later source that writes it out."""
    titles = []
    for raw in (
        clean(src.article.get("headline")),
        clean(src.article.get("name")),
        *(src.first_meta(k) for k in _TITLE_META),
    ):
        title = _split_title(raw, site_name, src.url) if raw else None
        if title and not _is_site(title, site_name, src.url, whole=True):
            titles.append(title)
    if titles and _cut_short(titles[0]):
        start = word_list(titles[0].rstrip(".… "))
        for longer in titles[1:]:
            if word_list(longer)[: len(start)] == start and not _cut_short(longer):
                return longer
    return titles[0] if titles else None


def _cut_short(title: str) -> bool:
    """Whether a title was cut to a length: an ellipsis at its end, a bracket left open."""
    return title.rstrip().endswith(("...", "…")) or title.count("(") > title.count(")")


#: Words a title shown in a secondary heading has at least (a one-word "Blog" is a label).
_SHOWN_WORDS = 3


def _shown_title(root: etree._Element, titles: list[str | None], h1: str | None) -> str | None:
    """The metadata title (else a part of the <title>) that an <h2>/<h3> shows word for
    word, when no <h1> does: the page's visible headline is that heading."""
    keys = [word_list(t) for t in titles if t]
    keys = [k for k in keys if len(k) >= _SHOWN_WORDS]
    body = root.find("body")
    if not keys or body is None:
        return None
    if any(word_list(text) in keys for text in [h1 or "", *_all_h1(body)]):
        return None
    for h in body.iter("h2", "h3"):
        text = clean(headline_text(h))
        if text and word_list(text) in keys:
            return text
    return None


def _all_h1(body: etree._Element) -> list[str]:
    return [clean(headline_text(h)) or "" for h in body.iter("h1")]


_TITLE_META = ("og:title", "twitter:title", "dc.title", "citation_title", "parsely-title", "headline")


_TITLE_SEP = re.compile(r"\s+(?:\||-|–|—|::|·|•|»)\s+")


def _is_site(part: str, site: str | None, url: str, whole: bool = False) -> bool:
    """Whether a piece of a title is the site's name (or the name of one of its host's labels).

    ``whole``: the piece is a whole title, which may name the host among other words
    ("Pricing Guide of Example Electricians" on example-electricians.com): only the
    host's name alone (give or take a short ending, "Robomow.com") is the site's."""
    key = squash(part)
    if not key:
        return True
    if site and key == squash(site):
        return True
    labels = re.sub(r"^www\.", "", re.sub(r"^[a-z]+://", "", url or "").split("/")[0]).split(".")
    for host in (squash(h) for h in labels[:-1]):  # promotions.newegg.com: both
        if not host or len(host) <= 2:
            continue
        if whole:
            if key in host or (key.startswith(host) and len(key) <= len(host) + 4):
                return True
        elif host in key or key in host:
            return True
    return False


def _without_host(title: str | None, url: str) -> str | None:
    """A headline without the host's name written before it with no separator
    ("example.com Harbour reopens"); the agreed title keeps it (the text is cleaned as before)."""
    host = _host(url)
    if title and host and "." in host and title.lower().startswith(host + " "):
        return title[len(host) + 1 :].strip() or title
    return title


def _host(url: str) -> str:
    """The page's host without "www.", lower-cased; "" for no URL or a malformed one."""
    try:
        return re.sub(r"^www\.", "", urlsplit(url).netloc.lower()) if "://" in (url or "") else ""
    except ValueError:  # "http://[broken/"
        return ""


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


def _headline_h1(
    root: etree._Element, meta_title: str | None, url: str = "", typed_out: bool = False
) -> str | None:
    """The visible headline: the page's <h1> that agrees with the metadata title
    (an <h1> linking to the home page is the site's name, not a headline). ``typed_out``:
    not an <h1> typed in the text that words the title otherwise (the headline, not the
    agreed title the body's clean-up removes)."""
    h1s = _h1_texts(root, url, meta_title if typed_out else None)
    if not h1s:
        return None
    if not meta_title:
        return h1s[0] if len(h1s) == 1 else None
    mt = words(meta_title)
    best, best_key = None, (0.0, 0)
    for text in h1s:  # the <h1> that agrees best: the site's name in an <h1> shares a word or two
        ht = words(text)
        common = len(ht & mt)
        key = (common / min(len(ht), len(mt)) if ht and mt else 0.0, common)
        if key[0] >= 0.5 and key > best_key:
            best, best_key = text, key
    return best


def _h1_texts(root: etree._Element, url: str, meta_title: str | None = None) -> list[str]:
    """The texts of the page's first three <h1> of headline length, not linking home; with
    a metadata title, not an <h1> formatted by hand that words it otherwise (see
    ``_formatted``)."""
    body = root.find("body")
    if body is None:
        return []
    key = word_list(meta_title) if meta_title else None
    h1s: list[tuple[str, bool]] = []
    for h in body.iter("h1"):
        if _links_home(h, url):
            continue
        text = clean(headline_text(h))
        if text and 5 <= len(text) <= 300:
            h1s.append((text, bool(key) and _formatted(h) and word_list(text) != key))
        if len(h1s) >= 3:
            break
    return [text for text, typed in h1s if not typed]


#: Inline formatting a text editor writes (bold, italics, a colour): a theme's headline has classes.
_FORMATTING = frozenset({"b", "strong", "em", "i", "u", "font"})


def _formatted(h: etree._Element) -> bool:
    """Whether an <h1> was formatted by hand in the text editor (bold or coloured words
    inside it): a heading typed in the page's text, which the metadata title, when it
    words the page otherwise, names better than it."""
    return any(x.tag in _FORMATTING or x.get("style") for x in h.iterdescendants() if isinstance(x.tag, str))


def _lone_h1(root: etree._Element, url: str, meta_title: str | None = None) -> str | None:
    """The page's one <h1>, when it reads as a headline (see ``_headline_like``)."""
    h1s = _h1_texts(root, url, meta_title)
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
