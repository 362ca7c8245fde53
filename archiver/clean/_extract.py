"""``extract``: one page in, one :class:`~archiver.article.Article` out, never an exception."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import lxml.etree as etree

from ..article import Article
from ._bio import drop_trailing_bio
from ._body import find_body
from ._datetext import normalise_date
from ._decode import decode_html, looks_binary, scrub
from ._dom import drop, parse, strip_junk, text_of
from ._metadata import read_metadata
from ._sources import read_sources
from ._patterns import FURNITURE_HEADING, FURNITURE_LINE, HEADINGS, PROMO_PREFIX
from ._render import Block, Trace, blocks_of, to_markdown, to_text
from ._walls import detect_wall

EXTRACTOR_NAME = "archiver.clean"
EXTRACTOR_VERSION = "1.6.0"

_KEY = re.compile(r"\W+")
_LINK_ONLY_MAX = 120  # a shorter all-link block is a teaser or a menu entry
_REPEAT_MIN = 50  # a paragraph this long met twice is shown twice, not written twice
_DATELINE = re.compile(r"^[\w .,:/|-]+$")
_INVISIBLE = re.compile(r"^[\s\u00ad\u200b-\u200f\u2060\ufeff\u2605\u2606\u2729-\u272f\u2b50\u2bea\u2beb]*$")


#: Deeper element nesting is flattened (text kept): the renderer walks the tree
#: recursively, and no real article nests this deep (libxml2's old default limit).
MAX_DEPTH = 256


_DEEP = etree.XPath("/" + "/".join(["*"] * MAX_DEPTH))


def _flatten_deep(root: etree._Element, limit: int = MAX_DEPTH) -> None:
    """Strip the tags (not the text) below ``limit`` levels, without recursion."""
    if not _DEEP(root):
        return
    stack = [(root, 0)]
    while stack:
        el, depth = stack.pop()
        if depth >= limit:
            etree.strip_tags(el, "*")
            continue
        stack.extend((child, depth + 1) for child in el)


def _key(s: str) -> str:
    return _KEY.sub(" ", s).strip().lower()


def _select(root: etree._Element, selectors: Sequence[str], unmatched: list[str]) -> list[etree._Element]:
    from lxml.cssselect import CSSSelector  # cssselect ships with Scrapy (parsel)

    found: list[etree._Element] = []
    for sel in selectors:
        try:
            hits = CSSSelector(sel)(root)
        except Exception:  # bad selector: same as a rule that stopped matching
            hits = []
        if not hits:
            unmatched.append(sel)
        found.extend(hits)
    # outermost only, document order
    ids = set(map(id, found))
    out = []
    for el in found:
        if not any(id(a) in ids for a in el.iterancestors()) and el not in out:
            out.append(el)
    return out


def _in_run(blocks: list[Block], i: int, run: int = 3) -> bool:
    """Whether block ``i`` is in a row of ``run`` or more identical blocks: a
    refrain or a generated table is the text itself, not a second copy of it."""
    text = blocks[i].text
    lo = i
    while lo > 0 and i - lo + 1 < run and blocks[lo - 1].text == text:
        lo -= 1
    hi = i
    while hi + 1 < len(blocks) and hi - lo + 1 < run and blocks[hi + 1].text == text:
        hi += 1
    return hi - lo + 1 >= run


def _line_rule(bl: Block, i: int, tkey: str | None) -> str | None:
    """The rule that drops one rendered block on its own, or None to keep it."""
    text = bl.text
    if tkey and bl.kind in HEADINGS and _key(text) == tkey:
        return "title-repeated"
    if tkey and i < 3 and bl.kind == "p" and _key(text) == tkey:
        return "title-repeated"
    if len(text) < 400 and FURNITURE_LINE.match(text):
        return "furniture-line"
    if len(text) < 300 and PROMO_PREFIX.match(text) and bl.link_ratio > 0.3:
        return "promo-link"
    if bl.kind not in HEADINGS and bl.link_ratio > 0.9 and len(text) < _LINK_ONLY_MAX:
        return "link-only"
    if len(text) < 40 and _DATELINE.match(text) and normalise_date(text):
        return "date-line"  # a bare date line (the byline's), not prose
    if _INVISIBLE.match(text):
        return "no-text"  # zero-width joiners, soft hyphens or a rating's stars
    return None


_QUOTE_MARKS = " \t\n\"'“”„«»‘’‚‹›「」『』"
_PULL_QUOTE_MAX = 400  # a longer quote is text, even when the body repeats it


def _pull_quote(bl: Block, blocks: list[Block]) -> bool:
    """A quote that repeats words of another paragraph of the body: a pull quote,
    shown twice on the page and written once in the text."""
    key = _key(bl.text.strip(_QUOTE_MARKS))
    if len(key) < 20 or len(bl.text) > _PULL_QUOTE_MAX:
        return False
    return any(other is not bl and other.kind != "quote" and key in _key(other.text) for other in blocks)


def _filter(blocks: list[Block], title: str | None, trace: Trace | None = None) -> list[Block]:
    """Drop furniture lines, link-only blocks and the title repeated in the body."""
    tkey = _key(title) if title else None
    out: list[Block] = []
    seen: set[str] = set()
    in_trailer = False
    for i, bl in enumerate(blocks):
        text = bl.text
        rule = None
        if len(text) >= _REPEAT_MIN:
            if text in seen and not _in_run(blocks, i):
                # the same paragraph again: a second copy of the body (mobile and
                # desktop layouts), a pull quote, a lead shown twice
                rule = "repeated"
            seen.add(text)
        if rule is None and in_trailer:
            if bl.link_ratio > 0.5 or len(text) < 60:
                rule = "after-furniture-heading"  # the links (or short teasers) under a "related" lead-in
            else:
                in_trailer = False
        if rule is None and len(text) < 80 and FURNITURE_HEADING.match(text):
            in_trailer = True
            rule = "furniture-heading"
        rule = rule or _line_rule(bl, i, tkey)
        if rule is None and bl.kind == "quote" and _pull_quote(bl, blocks):
            rule = "pull-quote"
        if rule is None:
            out.append(bl)
        elif trace is not None:
            trace.append(("line:" + rule, bl))
    return out


def extract(
    html: str | bytes, url: str, *, keep_selectors: Sequence[str] = (), remove_selectors: Sequence[str] = ()
) -> Article:
    """Clean one page: main text (plain and Markdown) plus metadata.

    ``keep_selectors`` (CSS) name the body for an outlet and take precedence when
    they match; ``remove_selectors`` name parts to drop. A selector that matches
    nothing is listed in ``Article.unmatched_selectors`` and the generic cleaner
    takes over. Never raises: a page with no text comes back with ``reason``.
    """
    return _run(html, url, keep_selectors, remove_selectors, None)


def explain(
    html: str | bytes, url: str, *, keep_selectors: Sequence[str] = (), remove_selectors: Sequence[str] = ()
) -> tuple[Article, list[Decision]]:
    """``extract`` plus its decisions: the body parts chosen, and every element or
    line cut from them with the name of the rule that cut it (``archiver extract --explain``)."""
    trace: Trace = []
    art = _run(html, url, keep_selectors, remove_selectors, trace)
    return art, [_decision(rule, what) for rule, what in trace]


@dataclass
class Decision:
    """One decision of the cleaner: ``rule`` (``body:chosen``, ``prune:link-list``,
    ``line:repeated``...), the element or block it concerns, and the start of its text."""

    rule: str
    what: str
    chars: int
    text: str


def _decision(rule: str, what: etree._Element | Block) -> Decision:
    if isinstance(what, Block):
        return Decision(rule, what.kind, len(what.text), what.text[:100])
    cls = (what.get("class") or "").split()
    name = what.tag + "".join("." + c for c in cls[:2]) + (f"#{what.get('id')}" if what.get("id") else "")
    text = " ".join(text_of(what).split())
    return Decision(rule, name[:80], len(text), text[:100])


def _run(
    html: str | bytes,
    url: str,
    keep_selectors: Sequence[str],
    remove_selectors: Sequence[str],
    trace: Trace | None,
) -> Article:
    art = Article(url=url, extractor=EXTRACTOR_NAME, extractor_version=EXTRACTOR_VERSION)
    try:
        _extract_into(art, html, url, keep_selectors, remove_selectors, trace)
    except Exception as exc:  # never let one page stop a crawl
        art.text = art.markdown = ""
        art.reason = f"extractor error: {type(exc).__name__}: {exc}"[:300]
    return art


def _extract_into(
    art: Article,
    html: str | bytes,
    url: str,
    keep_selectors: Sequence[str],
    remove_selectors: Sequence[str],
    trace: Trace | None = None,
) -> None:
    if isinstance(html, (bytes, bytearray, memoryview)):
        if looks_binary(bytes(html[:2048])):
            art.reason = "binary content, not HTML"
            return
        html, _charset = decode_html(bytes(html))
    elif not isinstance(html, str):
        art.reason = f"unsupported input type {type(html).__name__}"
        return
    root = parse(scrub(html))
    if root is None:
        art.reason = "empty document"
        return
    _flatten_deep(root)
    src = read_sources(root, url)  # the unmodified tree, before any clean-up
    read_metadata(src, art)
    cleaned_html = html
    unmatched: list[str] = []
    for el in _select(root, remove_selectors, unmatched) if remove_selectors else ():
        drop(el)
    strip_junk(root)
    forced = _select(root, keep_selectors, unmatched) if keep_selectors else []
    art.unmatched_selectors = unmatched
    nodes = find_body(root, forced or None, art.description, trace)
    kept = _filter(blocks_of(nodes), src.agreed_title, trace)
    blocks = drop_trailing_bio(kept, art.authors)
    if trace is not None:
        trace.extend(("line:bio", bl) for bl in kept[len(blocks) :])
    art.text = to_text(blocks)
    art.markdown = to_markdown(blocks)
    body = root.find("body")
    page_text = text_of(body) if body is not None else ""
    art.wall, art.wall_evidence = detect_wall(page_text, art.text, src.free, src.agreed_title)
    if not art.text and not art.wall:
        blocks = _prose_fallback(cleaned_html, src.agreed_title, trace)
        if blocks:
            art.text, art.markdown = to_text(blocks), to_markdown(blocks)
            art.reason = "no article container: the page's prose paragraphs kept"
    if not art.text:
        art.reason = ("wall: " + art.wall) if art.wall else "no main content found"


_PROSE_MIN = 80  # a fallback block: this long,
_PROSE_LD = 0.3  # this little linked,
_PROSE_TOTAL = 150  # and the page's prose at least this long
_SENTENCE_END = re.compile(r"[.!?…。]\W*$")


def _prose_fallback(html: str, title: str | None, trace: Trace | None) -> list[Block]:
    """When no container looks like an article, the page's visible paragraphs of prose
    (long, unlinked, ending like sentences), re-read from the page without its junk."""
    root = parse(scrub(html))
    if root is None:
        return []
    _flatten_deep(root)
    strip_junk(root)
    body = root.find("body")
    blocks = [
        bl
        for bl in _filter(blocks_of([body if body is not None else root]), title)
        if len(bl.text) >= _PROSE_MIN and bl.link_ratio < _PROSE_LD and _SENTENCE_END.search(bl.text)
    ]
    if sum(len(bl.text) for bl in blocks) < _PROSE_TOTAL:
        return []
    if trace is not None:
        trace.extend(("fallback:prose", bl) for bl in blocks)
    return blocks
