"""The article body of a cleaned tree: the chosen container, its lead, and the furniture pruned inside it.

Choosing the container is ``_score``'s job. Here the furniture inside it is pruned
by named predicates (:data:`PRUNE_RULES`, each with named thresholds): furniture
class/id names, link lists, captions, furniture headings with what follows them.
With a ``trace`` list, every pruned element is logged with the rule that cut it
(``archiver extract --explain``).
"""

from __future__ import annotations

import re

import lxml.etree as etree

from ._dom import drop, text_of
from ._patterns import FURNITURE_HEADING, FURNITURE_TAGS, HEADINGS
from ._render import Trace
from ._score import SUBHEADS, Stats, choose, gather, join_parts, measure, score_candidates
from ._values import squash
from ._words import attr_words, is_named

_LIST_LD = 0.5
_NEG_PARA = 200  # prose under which a box named as furniture goes
_UNLINKED_KEEP = 200  # unlinked text that keeps a link-dense section (a sourced paragraph)
_LIST_LD_LISTS = 0.8  # a list in the body may be mostly links (sources, tools, further reading)
_PRUNABLE = frozenset(
    {
        "div",
        "section",
        "ul",
        "ol",
        "table",
        "aside",
        "figure",
        "form",
        "header",
        "footer",
        "nav",
        "p",
        "span",
        "dl",
        "center",
        "details",
        "blockquote",
        "li",
    }
)


def _holds_subheading(el: etree._Element, st: Stats) -> bool:
    """A block that is just one unlinked subheading (page builders wrap every
    heading in a "widget" box: the name says layout, not furniture)."""
    if st.link.get(el, 0) or st.text.get(el, 0) > 200:
        return False
    heads = [h for h in el.iter(*SUBHEADS)]
    # (a one-word title, "News", "Archives", names a sidebar box)
    return (
        len(heads) == 1
        and st.text.get(heads[0], 0) == st.text.get(el, 0) > 0
        and len(text_of(heads[0]).split()) > 1
    )


_FIGURE_TEXT = etree.XPath("boolean(.//table|.//blockquote|.//pre|.//ul|.//ol)")


def _holds_text_blocks(figure: etree._Element) -> bool:
    """A <figure> that wraps a table, quote, code or list (WordPress puts every
    table in ``<figure class="wp-block-table">``) is text, not an image; an
    embedded post (a tweet's blockquote) is not the article's text."""
    return "embed" not in (figure.get("class") or "") and bool(_FIGURE_TEXT(figure))


# Named thresholds: a share is the element's prose over the whole body's prose.
_CAPTION_MAX = 400  # text under which a caption (or an image figure) is dropped
_FURNITURE_TAG_SHARE = 0.3  # <nav>, <aside>, <footer>, <header>... under this share go
_NAMED_FURNITURE_SHARE = 0.5  # a box named as strong furniture (or a boxout) under this share goes
_NEGATIVE_SHARE = 0.25  # a box named as weak furniture goes under this share...
_NEGATIVE_LD = 0.3  # ...when it holds little prose or is this link-dense
_LINK_LIST_SHARE = 0.25  # a link-dense list or box under this share goes
_TRAILER_SHARE = 0.3  # what follows a furniture heading goes when it holds less prose than this


def _figure(el: etree._Element, st: Stats, share: float, words: str) -> bool:
    """A caption, or a small figure that is an image rather than a table or quote."""
    tag = el.tag
    return tag == "figcaption" or (
        tag == "figure" and st.text.get(el, 0) < _CAPTION_MAX and not _holds_text_blocks(el)
    )


def _caption_name(el: etree._Element, st: Stats, share: float, words: str) -> bool:
    """A small block named as a caption or credit."""
    return (
        bool(words)
        and is_named("CAPTION", words)
        and st.text.get(el, 0) < _CAPTION_MAX
        and el.tag not in ("body", "article", "main")
    )


def _furniture_tag(el: etree._Element, st: Stats, share: float, words: str) -> bool:
    """A furniture element (``<nav>``, ``<aside>``, ``<header>``...) holding a small share."""
    return (
        el.tag in _PRUNABLE
        and (el.tag in FURNITURE_TAGS or el.tag == "header")
        and share < _FURNITURE_TAG_SHARE
    )


def _furniture_name(el: etree._Element, st: Stats, share: float, words: str) -> bool:
    """A block whose class/id names strong furniture or a boxout."""
    return (
        el.tag in _PRUNABLE
        and bool(words)
        and (is_named("STRONG_NEGATIVE", words) or is_named("BODY_BOX", words))
        and share < _NAMED_FURNITURE_SHARE
    )


def _negative_name(el: etree._Element, st: Stats, share: float, words: str) -> bool:
    """A block named as weak furniture, with little prose or many links, that is not a subheading."""
    return (
        el.tag in _PRUNABLE
        and bool(words)
        and is_named("NEGATIVE", words)
        and not is_named("POSITIVE", words)
        and share < _NEGATIVE_SHARE
        and (st.para.get(el, 0) < _NEG_PARA or st.density(el) > _NEGATIVE_LD)
        and not _holds_subheading(el, st)
    )


def _link_list(el: etree._Element, st: Stats, share: float, words: str) -> bool:
    """A list, table or box made mostly of links (a box keeps a sourced paragraph)."""
    tag = el.tag
    if tag not in ("ul", "ol", "div", "section", "table", "dl", "li") or share >= _LINK_LIST_SHARE:
        return False
    limit = _LIST_LD_LISTS if tag in ("ul", "ol", "li", "table", "dl") else _LIST_LD
    text = st.text.get(el, 0)
    return (
        st.density(el) > limit
        and text > 0
        and not (tag in ("div", "section") and text - st.link.get(el, 0) >= _UNLINKED_KEEP)
    )


#: Pruning rules in the order they are asked; the first that holds names the cut.
PRUNE_RULES = (
    ("figure", _figure),
    ("caption-name", _caption_name),
    ("furniture-tag", _furniture_tag),
    ("furniture-name", _furniture_name),
    ("negative-name", _negative_name),
    ("link-list", _link_list),
)


def _after_furniture_heading(head: etree._Element, st: Stats, total: int) -> list[etree._Element]:
    """What follows a furniture heading ("Related", "More from"), when it is not most of the body."""
    following = list(head.itersiblings())
    after = sum(st.para.get(sib, 0) for sib in following)
    return following if after < total * _TRAILER_SHARE else []


def prune_rule(el: etree._Element, st: Stats, total: int) -> str | None:
    """The name of the first rule that cuts ``el`` from the body, or None to keep it."""
    share = st.para.get(el, 0) / total
    words = attr_words(el, layout=False)
    for name, rule in PRUNE_RULES:
        if rule(el, st, share, words):
            return name
    return None


_GALLERY_FIGURES = 3  # captioned figures that make a body a gallery...
_GALLERY_CAPTION = 40  # (each caption at least this long)...
_GALLERY_SHARE = 0.5  # ...when their captions hold this share of its text
_CREDIT = re.compile(r"credit|copyright|photographer|source|byline")


def _gallery(top: etree._Element, st: Stats) -> bool:
    """A photo gallery: captioned figures hold most of the body's text, so the captions are the text."""
    caps = [c for c in top.iter("figcaption") if st.text.get(c, 0) >= _GALLERY_CAPTION]
    return len(caps) >= _GALLERY_FIGURES and sum(st.text.get(c, 0) for c in caps) >= _GALLERY_SHARE * (
        st.text.get(top, 0) or 1
    )


def _gallery_caption(el: etree._Element, words: str) -> bool:
    """In a gallery, a figure or its caption (not the photo credit inside it)."""
    if words and _CREDIT.search(words.lower()):
        return False
    return el.tag in ("figure", "figcaption") or "caption" in words.lower()


def prune(nodes: list[etree._Element], st: Stats, trace: Trace | None = None) -> None:
    """Drop furniture inside the chosen body parts; log each cut in ``trace`` when given."""
    total = sum(st.para.get(n, 0) for n in nodes) or 1
    for top in nodes:
        doomed: list[tuple[etree._Element, str]] = []
        gallery = _gallery(top, st)
        for el in top.iter(etree.Element):
            if el is top or el in st.code:
                continue
            if gallery and _gallery_caption(el, attr_words(el, layout=False)):
                continue
            if el.tag in HEADINGS:
                if FURNITURE_HEADING.match(text_of(el) or ""):
                    doomed.append((el, "furniture-heading"))
                    doomed.extend(
                        (sib, "after-furniture-heading") for sib in _after_furniture_heading(el, st, total)
                    )
                continue
            rule = prune_rule(el, st, total)
            if rule:
                doomed.append((el, rule))
        for el, rule in doomed:
            if el.getparent() is not None:
                if trace is not None:
                    trace.append(("prune:" + rule, el))
                drop(el)


def find_lead(
    body: etree._Element, nodes: list[etree._Element], st: Stats, description: str | None = None
) -> list[etree._Element]:
    """Lead paragraphs (standfirst) placed before the body container, near it:
    named as a lead, or repeating the page's own description."""
    if not nodes:
        return []
    first = nodes[0]
    scope = first
    for _ in range(4):
        parent = scope.getparent()
        if parent is None or parent is body:
            break
        scope = parent
    out: list[etree._Element] = []
    desc_key = squash(description) if description and len(description) >= 40 else None
    for el in scope.iter(etree.Element):
        if el is first:
            break
        words = attr_words(el)
        if words and is_named("STRONG_NEGATIVE", words):
            continue
        if (
            not (words and is_named("LEAD", words))
            and not (
                desc_key
                and el.tag in _LEAD_TAGS
                and 40 <= st.text.get(el, 0) <= 1000
                and squash(text_of(el)) == desc_key
            )
            and not (  # a long sentence-like <h2> before the body is its lead
                el.tag in ("h2", "h3")
                and st.text.get(el, 0) >= 100
                and text_of(el).rstrip().endswith((".", "!", "?", "…"))
            )
        ):
            continue
        length = st.text.get(el, 0)
        if (
            40 <= length <= 1000
            and st.density(el) < 0.3
            and not any(el in set(o.iterancestors()) for o in out)
        ):
            if any(a in out for a in el.iterancestors()):
                continue
            out.append(el)
    # a lead inside the body container is kept by the body itself
    inside = set()
    for n in nodes:
        inside.update(n.iter())
    return [el for el in out if el not in inside or el.xpath("ancestor::header")]


_LEAD_TAGS = frozenset({"p", "div", "h2", "h3", "span", "strong", "b", "em", "section"})


def find_body(
    root: etree._Element,
    forced: list[etree._Element] | None = None,
    description: str | None = None,
    trace: Trace | None = None,
) -> list[etree._Element]:
    """Return the body parts of a cleaned page in document order (may be empty).

    Lead paragraphs found before the body come first (see ``find_lead``).
    ``trace``, when given, receives ``(decision, element)`` pairs: the parts
    chosen and every element pruned inside them, with the rule's name.
    """
    body = root.find("body")
    if body is None:
        body = root
    st = measure(body)
    if forced:
        nodes = forced
    else:
        scores = score_candidates(body, st)
        best = choose(body, st, scores)
        if best is not None:
            best = join_parts(best, st)
        # Nothing paragraph-like (a stub page): the whole body, pruned, is the text.
        nodes = gather(best, st, scores) if best is not None else [body]
    leads = find_lead(body, nodes, st, description) if not forced else []
    if trace is not None:
        trace.extend(("body:" + ("selector" if forced else "chosen"), n) for n in nodes)
        trace.extend(("body:lead", n) for n in leads)
    prune(nodes, st, trace)
    return leads + nodes
