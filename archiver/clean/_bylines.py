"""Author names from bylines and author values: prefixes, roles and dates cut, one name each.

A byline is written many ways ("By A and B", "Posted byName", "Name, Senior
Reporter", "View all posts by Name"); these helpers turn one into the list of
names an archivist would cite, with no "By", no roles and no dates.
"""

from __future__ import annotations

import functools
import re
from typing import Any
from urllib.parse import urlsplit

import lxml.etree as etree

from ._datetext import MONTHS, normalise_date
from ._sources import join_url
from ._values import clean, squash


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
    s = _BYLINE_PREFIX.sub("", _BYLINE_PREFIX_GLUED.sub("", _LEADING_DATE.sub("", s)))
    s = _BYLINE_TAIL.split(_GLUED_MONTH.sub(" ", s))[0]
    parts = []
    for i, seg in enumerate(re.split(r"\s*;\s*|,\s*(?=\S+\s+\S)", s)):
        if i and _is_role(seg):  # "Name, Privacy & Security Expert, Outlet": a role, then more about it
            break
        parts.extend(re.split(r"\s*(?:\band\b|\bund\b|\bet\b|\by\b|&|\|)\s*", seg))
    out = []
    for p in (_without_role(x.strip(" ,-–—•·:*")) for x in parts):
        if p and _is_name(p):
            out.append(p)
    return out


#: A date written before the name, then a separator: "Dec. 19, 2025 · Name", "2025-12-19 | Name".
_LEADING_DATE = re.compile(
    r"^\s*(?:[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\.?\s+[A-Za-z]{3,9}\.?\s+\d{4}|"
    r"\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{4})\s*[·•|–—-]\s*"
)
_GLUED_MONTH = re.compile(
    r"(?<=[a-z])(?=(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?(?:\s+\d|\b))"
)
#: Words that start a job title after a name ("Keith Barry Senior Autos Reporter").
_ROLE_WORDS = frozenset(
    "senior staff writer reporter editor contributor correspondent columnist founder co-founder head "
    "lead chief former deputy expert consultant director manager specialist dvm phd "
    "journalist producer photographer analyst".split()
)


def _is_role(segment: str) -> bool:
    """Whether a comma-separated piece of a byline is a job title (a role word in it)."""
    return any(w.lower().strip(".,()").removesuffix("s") in _ROLE_WORDS for w in segment.split())


_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)")


def _without_role(p: str) -> str:
    """A name without the job title written after it; "" when the part is only a role.
    A role in brackets goes too ("Lance Ryan (Content Manager)"), a nickname stays."""
    p = _PARENTHESIS.sub(lambda m: "" if _is_role(m.group(1)) else m.group(0), p).strip()
    words = p.split()
    for i, w in enumerate(words):
        if w.lower().strip(".,") in _ROLE_WORDS:
            return " ".join(words[:i]).rstrip(" ,-–—") if i >= 2 else ("" if i == 0 else p)
    return p


_BYLINE_PREFIX = re.compile(
    r"^\s*(?:(?:written|posted|published|reviewed|edited|compiled|reported)\s+by|by|von|par|por|"
    r"di|door|av|af|authors?|autor|auteur|posted|written|(?:\w+\s+){1,3}by)\b\s*:?\s*(?=\S)",
    re.I,
)
_BYLINE_PREFIX_GLUED = re.compile(r"^\s*(?:[Bb]y|Author)(?=[A-Z][a-z])")
_BYLINE_TAIL = re.compile(
    r"\s+(?:[-–—|•·]|on|am|le|el|published|updated|posted|last updated|veröffentlicht|"
    r"aktualisiert)(?:\s+|\s*:)|\s*[•·|]\s*|(?:published|updated|posted) on\b|"
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
    "sign in",
    "name",
    "updated",
    "admin",
}


def _is_name(p: str) -> bool:
    low = p.lower()
    if low in _NOT_NAMES or len(p) < 2 or len(p) > 80 or p.isdigit():
        return False
    if "@" in p or "/" in p or ":" in p or "*" in p or "." in p and " " not in p:
        return False
    if low.split()[0].rstrip(".") in MONTHS or low.endswith(" says"):
        return False  # a date, or a comment's "Name says"
    return len(p.split()) <= 8


def _byline(root: etree._Element) -> list[str]:
    """Names in the page's author markup (``rel``/``itemprop`` author, a byline or author class)."""
    return list(_byline_of(root))


# The finders of author names ask the same page more than once (a source, then a check of
# another source's answer); one XPath over the whole page is a few milliseconds. Keyed by
# the tree itself (hashed by identity), so a page's answer never serves another page.
@functools.lru_cache(maxsize=4)
def _byline_of(root: etree._Element) -> tuple[str, ...]:
    nodes = root.xpath(
        '//*[@rel="author" or @itemprop="author" or contains(@class,"byline") or '
        'contains(@class,"author-name") or contains(@class,"author") and not('
        'contains(@class,"bio") or contains(@class,"box")) or '
        'contains(@class,"author") and contains(@class,"__name")][position()<6]'
    )
    for el in nodes:
        name_el = el.xpath('.//*[@itemprop="name"]')
        # pieces joined by a space: "<span>Posted by</span><a>Damien Walter</a>" is two words
        text = clean(" ".join((name_el[0] if name_el else el).itertext()))
        if text and len(text) < 80:
            names = _names(text)
            if names:
                return tuple(names[:4])
    return ()


#: The word a byline's label is, in the languages seen: "By", "Author", "Autorin", "Par", ...
LABEL_WORDS = r"by|authors?|author\(s\)|autor(?:in)?|auteur|autore|von|par|por|di|door|av|af"
_BY_LABEL = re.compile(
    rf"^(?:(?:written|posted|published|article|words|story|text|reported)\s+by|{LABEL_WORDS})"
    r"\s*:?(?:\s+(?P<name>.+))?$",
    re.I,
)
#: Capitalised words (particles such as "van der" between them), as a name is written.
_NAME_LIKE = re.compile(
    r"^[A-ZÀ-Ý][\w'’.-]*(?:\s+(?:(?:van|von|der|den|de|da|di|du|la|le|del|della|dos|das|ten|ter|bin|ibn|al)"
    r"\s+){0,2}[A-ZÀ-Ý][\w'’.-]*){0,4}$"
)


def _labelled_byline(root: etree._Element) -> list[str]:
    """Names after a visible "By" / "Written by" label, in the same text or the next:
    a byline without an author class or author markup."""
    return list(_labelled_byline_of(root))


@functools.lru_cache(maxsize=4)  # asked more than once per page, like _byline_of
def _labelled_byline_of(root: etree._Element) -> tuple[str, ...]:
    body = root.find("body")
    if body is None:
        return ()
    pieces = [t.strip() for t in _texts_outside_menus(body) if t.strip()]
    for i, piece in enumerate(pieces):
        if len(piece) > 80:
            continue
        m = _BY_LABEL.match(piece)
        if not m:
            continue
        name = m.group("name") or (pieces[i + 1] if i + 1 < len(pieces) else "")
        names = [n for n in _names(name) if _NAME_LIKE.match(n) and (" " in n or m.group("name") is None)]
        if names:
            return tuple(names[:4])
    return ()


_MENU_CLASSES = frozenset({"menu", "sub-menu", "submenu", "dropdown-menu"})


def _texts_outside_menus(el: etree._Element) -> list[str]:
    """The element's text pieces in order, without those of navigation menus:
    "By Industry" / "By Company Size" in a site's menu label no byline."""
    out: list[str] = []
    if _is_menu(el):
        return out
    if el.text:
        out.append(el.text)
    for child in el:
        if isinstance(child.tag, str):
            out.extend(_texts_outside_menus(child))
        if child.tail:
            out.append(child.tail)
    return out


def _is_menu(el: etree._Element) -> bool:
    """A menu: an ARIA menu, or a list classed as one ("sub-menu", "dropdown-menu").
    Not any <nav>: a theme may put the post's header, byline and all, in one."""
    if (el.get("role") or "").lower() in ("menu", "menubar"):
        return True
    return not _MENU_CLASSES.isdisjoint((el.get("class") or "").lower().split())


#: A link to the writer's archive page: WordPress ``/author/slug/``, ``/authors/slug``, or a
#: library's search by author (``?_author=Name``).
_AUTHOR_PATH = re.compile(r"/(?:author|authors|autor|auteur)/[^/?#]+|[?&]_?author=[^&#]+", re.I)
#: The words around a name in a portrait's alt text: "Picture of Name", "Name photo".
_PORTRAIT_WORDS = re.compile(
    r"^(?:picture|photo|image|portrait|avatar)\s+of\s+|\s+(?:picture|photo|image|avatar)$", re.I
)


def _unlabelled_author(root: etree._Element, url: str = "") -> list[str]:
    """A writer named by the page's markup without any "By": the text of a link to an
    author archive page, or the alt text of an image classed as the author's portrait
    (an author box whose name sits in an unclassed <div>). A person's name only, of two
    words or more: a login handle or a team is no evidence here."""
    body = root.find("body")
    if body is None:
        return []
    for el in body.iter("a", "img"):
        if any(_is_menu(up) or up.tag == "nav" for up in el.iterancestors()):
            continue  # "Hong Kong Actuary" in a site menu: a column, not this page's writer
        text = _author_link_text(el, url) if el.tag == "a" else _portrait_alt(el)
        names = [n for n in _names(text) if _NAME_LIKE.match(n) and " " in n] if text else []
        if names:
            return names[:1]
    return []


def _author_link_text(a: etree._Element, url: str) -> str | None:
    """The name a link to this site's author page shows; not a link inside a sentence
    ("says study author <a href=other.org/author/...>"): a person quoted, not the writer."""
    href = (a.get("href") or "").strip()
    if not _AUTHOR_PATH.search(href) or not _same_site(url, href):
        return None
    parent = a.getparent()
    if parent is not None and len(clean(" ".join(parent.itertext())) or "") > 120:
        return None
    return clean(" ".join(a.itertext())) or clean(a.get("aria-label")) or clean(a.get("title"))


def linked_cowriters(root: etree._Element, url: str, name: str) -> list[str]:
    """The writers whose author-page links follow the link to ``name`` in its byline:
    "<a>A</a>, <a>B</a> & <a>C</a>", or a list of links under "Author(s)", where the
    metadata names only the first. A link after another credit ("Fact-checked by <a>",
    "Data Analysis By <a>") is no cowriter: the byline's writers end there."""
    key = squash(name)
    body = root.find("body")
    for a in body.iter("a") if body is not None else ():
        if squash(_author_link_text(a, url) or "") != key:
            continue
        box = a
        for _ in range(3):  # the link's byline: up to three levels up, while it stays short
            up = box.getparent()
            if up is None or len(clean(" ".join(up.itertext())) or "") > _BYLINE_BOX:
                break
            box = up
        names: list[str] = []
        for piece in _links_and_texts(box, url):
            if isinstance(piece, str):
                if names and _CREDIT_LABEL.search(piece):
                    break
            elif _markup(piece, box) == _markup(a, box):
                names.extend(n for n in _names(_author_link_text(piece, url)) if _NAME_LIKE.match(n))
        return list(dict.fromkeys(names)) if len(set(map(squash, names))) > 1 else []
    return []


def _markup(el: etree._Element, box: etree._Element) -> list[tuple[str, str]]:
    """The tags and classes from a link up to its byline: a cowriter's link is marked up
    as the first writer's (an "expert" reviewer's box beside it is classed apart)."""
    out = []
    while el is not None and el is not box:
        out.append((el.tag, el.get("class") or ""))
        el = el.getparent()
    return out


#: The most text a byline of several linked names holds (with a role after each).
_BYLINE_BOX = 400
#: Text ending in another credit's label: "Fact-checked by", "Edited by:", "Tested by".
_CREDIT_LABEL = re.compile(rf"\b(?:{LABEL_WORDS})\s*:?\s*$", re.I)


def _links_and_texts(el: etree._Element, url: str) -> list[str | etree._Element]:
    """An element's text pieces in order, its author-page links as elements."""
    if el.tag == "a" and _author_link_text(el, url):
        return [el]
    out: list[str | etree._Element] = [el.text] if el.text else []
    for child in el:
        if isinstance(child.tag, str):
            out.extend(_links_and_texts(child, url))
        if child.tail:
            out.append(child.tail)
    return out


def _same_site(url: str, href: str) -> bool:
    """Whether a link stays on the page's host (a relative link does)."""
    try:
        return urlsplit(join_url(url, href) or "").netloc == urlsplit(url).netloc
    except ValueError:  # a malformed host ("http://[broken/")
        return False


def _portrait_alt(img: etree._Element) -> str | None:
    parent = img.getparent()
    classes = f"{img.get('class') or ''} {parent.get('class') or '' if parent is not None else ''}".lower()
    if "author" not in classes:
        return None
    alt = clean(img.get("alt"))
    return _PORTRAIT_WORDS.sub("", alt) if alt else None


_SEPARATORS = re.compile(r"\s*[|•·]\s*")


def _dateline_author(root: etree._Element) -> list[str]:
    """The name in an unlabelled dateline under the <h1>: "Name | Senior Writer | July 2,
    2025", one short line holding a date and, beside it, a person's name (a role, if any,
    is left out)."""
    body = root.find("body")
    h1 = body.find(".//h1") if body is not None else None
    if h1 is None:
        return []
    for el in _following(h1, 30):
        text = clean(" ".join(el.itertext()))
        if not text or len(text) > 80:
            continue
        parts = _SEPARATORS.split(text)
        if len(parts) < 2 or not any(normalise_date(p) for p in parts):
            continue
        names = [
            p for p in parts if " " in p and _NAME_LIKE.match(p) and not _is_role(p) and not normalise_date(p)
        ]
        if names:
            return names[:1]
    return []


def _following(el: etree._Element, n: int) -> list[etree._Element]:
    """The ``n`` elements after ``el`` in document order (its descendants excluded)."""
    out: list[etree._Element] = []
    for nxt in el.itersiblings():
        for x in nxt.iter(etree.Element):
            out.append(x)
            if len(out) >= n:
                return out
    parent = el.getparent()
    return out + (_following(parent, n - len(out)) if parent is not None and parent.tag != "body" else [])
