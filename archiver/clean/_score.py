"""Choose the article body: measure every element, let paragraphs vote, climb to the best container.

1. one bottom-up pass (:func:`measure`) gives every element its text length,
   linked-text length and "paragraph text" (text in prose-like blocks);
2. paragraphs vote for their ancestors (readability's scoring: commas, length,
   damped by link density), times priors from class/id words and from
   ``<article>``/``<main>``/``itemprop=articleBody`` (:func:`score_candidates`);
3. the best candidate climbs to the ancestor that best trades prose gained
   against other text taken in (:func:`choose`), parts of a split body are
   joined, and siblings that score like it are gathered (:func:`gather`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import lxml.etree as etree

from ._dom import text_of
from ._patterns import FURNITURE_TAGS
from ._words import attr_words, is_named

_ALPHA = 1.5  # cost of one character of non-prose text taken in when climbing
_BETA = 0.5  # extra cost of linked text
_SMALL = 1500  # prose (chars) under which other candidates are tried
_COMMAS = re.compile(r"[,，、،]")
_INLINE_ONLY_CHILDREN = frozenset(
    {
        "a",
        "b",
        "i",
        "em",
        "strong",
        "span",
        "br",
        "sup",
        "sub",
        "small",
        "u",
        "font",
        "abbr",
        "cite",
        "q",
        "mark",
        "time",
        "code",
        "s",
        "del",
        "ins",
        "img",
    }
)
_DIRECT_PARA = frozenset(
    {"div", "span", "td", "font", "center", "section", "article", "dd", "blockquote", "li", "main", "body"}
)
_HEAD_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
SUBHEADS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_HINT_MARGIN = 0.6
_ENTER_MARGIN = 1.0  # ...and entering one is worth its lists and tables
_OWN_CAP = 3.0
_JOIN_MIN, _JOIN_SHARE, _JOIN_LD = 100, 0.3, 0.4  # body parts: prose, share, container links
_SIB_SHARE = 0.2  # a sibling voted this share of the best candidate's score is more body


def _nonspace(s: str | None) -> int:
    if not s:
        return 0
    return len(s) - s.count(" ") - s.count("\n") - s.count("\t") - s.count("\r")


@dataclass
class Stats:
    """Per-element text measures, computed once bottom-up."""

    text: dict[etree._Element, int] = field(default_factory=dict)
    link: dict[etree._Element, int] = field(default_factory=dict)
    para: dict[etree._Element, int] = field(default_factory=dict)
    # text directly in the element (not in children)
    own: dict[etree._Element, int] = field(default_factory=dict)
    # prose inside furniture-named blocks (comments...)
    bad: dict[etree._Element, int] = field(default_factory=dict)
    code: set[etree._Element] = field(default_factory=set)  # elements inside <pre>/<code>

    def density(self, el: etree._Element) -> float:
        t = self.text.get(el, 0)
        return self.link.get(el, 0) / t if t else 0.0


def _in_code(root: etree._Element) -> set[etree._Element]:
    """Elements inside ``<pre>``/``<code>``: syntax highlighters name their spans
    "comment", "tag", "keyword"..., which are not furniture there."""
    out: set[etree._Element] = set()
    for block in root.iter("pre", "code"):
        if block not in out:
            out.update(block.iterdescendants())
    return out


def measure(root: etree._Element) -> Stats:
    st = Stats()
    text, link, para, own, bad = st.text, st.link, st.para, st.own, st.bad
    st.code = code = _in_code(root)
    linked_head: dict[etree._Element, bool] = {}
    for el in reversed(list(root.iter(etree.Element))):
        direct = _nonspace(el.text)
        t = 0
        ln = 0
        p = 0
        b = 0
        lh = False
        inline_only = True
        for child in el:
            if not lh and linked_head.get(child):
                lh = True
            if inline_only and child.tag not in _INLINE_ONLY_CHILDREN:
                inline_only = False
            tail = _nonspace(child.tail)
            direct += tail
            t += text.get(child, 0)
            ln += link.get(child, 0)
            p += para.get(child, 0)
            b += bad.get(child, 0)
        t += direct
        if el.tag == "a":
            ln = t
        text[el] = t
        link[el] = ln
        tag = el.tag
        if inline_only and tag in _DIRECT_PARA and t - ln >= 25 and tag != "body":
            direct = t  # a <div> (or <span>, <td>...) used as a paragraph
        own[el] = direct
        if tag in ("p", "pre") or (tag in _DIRECT_PARA and direct >= 25):
            p = max(p, t - ln)
        para[el] = p
        if tag in _HEAD_TAGS and (lh or el.find(".//a") is not None):
            lh = True
        linked_head[el] = lh
        if p and b < p and el not in code:
            words = attr_words(el)
            if words and is_named("STRONG_NEGATIVE", words):
                b = p
            elif lh and tag in ("li", "article") and p < 600:
                b = p  # a teaser card: linked headline plus excerpt
        bad[el] = b
    return st


def _class_weight(el: etree._Element) -> float:
    words = attr_words(el)
    w = 0.0
    if words:
        if is_named("BODY_HINT", words):
            w += 40
        elif is_named("POSITIVE", words):
            w += 15
        if is_named("STRONG_NEGATIVE", words):
            w -= 50
        elif is_named("NEGATIVE", words):
            w -= 25
    tag = el.tag
    if tag == "article" or el.get("itemprop") == "articleBody":
        w += 30
    elif tag == "main" or el.get("role") == "main":
        w += 10
    elif tag in FURNITURE_TAGS or tag == "header":
        w -= 40
    return w


def score_candidates(root: etree._Element, st: Stats) -> dict[etree._Element, float]:
    """Readability-style votes of paragraphs for their ancestors, times a class prior."""
    votes: dict[etree._Element, float] = {}
    own = st.own
    for el in root.iter(
        "p", "pre", "td", "div", "blockquote", "li", "span", "dd", "section", "article", "font", "center"
    ):
        tag = el.tag
        if tag not in ("p", "pre"):
            # only text-bearing blocks count (a <div> used as a paragraph, <br> lines)
            if own.get(el, 0) < 25:
                continue
            parent = el.getparent()
            if parent is not None and parent.tag in ("p", "li", "td", "span"):
                continue  # part of a paragraph that votes itself
        length = st.text.get(el, 0)
        if length < 25:
            continue
        content = text_of(el) if tag in ("p", "pre") or own[el] == length else _own_text(el)
        s = 1 + len(_COMMAS.findall(content)) + min(length / 100, 3)
        if tag not in ("p", "pre"):
            s += min(own[el] / 100, _OWN_CAP)
        s *= 1 - st.density(el)
        if tag == "li":
            s *= 0.5
        node = el if tag not in ("p", "pre", "li") else el.getparent()
        level = 0
        while node is not None and level < 4:
            votes[node] = votes.get(node, 0.0) + s / (1 if level == 0 else (2 if level == 1 else level * 3))
            node = node.getparent()
            level += 1
    scores: dict[etree._Element, float] = {}
    for el, v in votes.items():
        w = max(-50.0, _class_weight(el))
        scores[el] = v * (1 + w / 50) * (1 - st.density(el))
    return scores


def _is_body_container(el: etree._Element) -> bool:
    if el.get("itemprop") == "articleBody":
        return True
    words = attr_words(el)
    return bool(words) and bool(is_named("BODY_HINT", words)) and not is_named("STRONG_NEGATIVE", words)


def _own_text(el: etree._Element) -> str:
    parts = [el.text or ""]
    parts.extend(c.tail or "" for c in el)
    return "".join(parts)


def _inside_furniture(el: etree._Element, st: Stats, total: int) -> bool:
    """Whether a candidate sits in furniture: a block named as furniture, a
    furniture element, or a sidebar it did not reach through a main column."""
    in_main = False
    for anc in el.iterancestors():
        if anc.tag in ("body", "html"):
            return False
        words = attr_words(anc)
        if (words and is_named("STRONG_NEGATIVE", words)) or anc.tag in FURNITURE_TAGS:
            return True
        if anc.tag in ("main", "article") or (words and is_named("MAIN_COLUMN", words)):
            in_main = True  # (a layout wrapper named "sidebar-left" may hold the main column)
        elif not in_main and words and is_named("SIDEBAR", words):
            return True
        if st.para.get(anc, 0) > total * 0.5:
            return False
    return False


def choose(root: etree._Element, st: Stats, scores: dict[etree._Element, float]) -> etree._Element | None:
    """The body container: the best-voted blocks, each climbed to the ancestor
    that best trades prose gained against other text taken in; the climbed node
    with the most net prose wins.

    Climbing brings back page-builder layouts (one widget per paragraph group)
    and bodies split into sibling parts; page-wide wrappers (menus, teasers,
    footers, comment threads: text that is not body prose) do not pay off.
    """
    if not scores:
        return None
    total = st.para.get(root, 0) or 1

    def gain(el: etree._Element) -> float:
        p = st.para.get(el, 0)
        bad = st.bad.get(el, 0)
        return p - bad * (1 + _ALPHA) - _ALPHA * (st.text.get(el, 0) - p) - _BETA * st.link.get(el, 0)

    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    allowed = [c for c in ranked[:8] if not _inside_furniture(c, st, total)] or ranked[:1]
    best_node = _climb_best(allowed[:1], st, gain)
    # A small pick on a page with much more prose elsewhere: let the next
    # candidates compete on net prose, and take a clearly larger body.
    small = st.para.get(best_node, 0)
    if small < _SMALL and total > 3 * small and len(allowed) > 1:
        other = _climb_best(allowed[:5], st, gain)
        if st.para.get(other, 0) >= 2 * small:
            best_node = other
    return best_node


def _climb_best(
    cands: list[etree._Element], st: Stats, gain: Callable[[etree._Element], float]
) -> etree._Element | None:
    best_node, best_gain = None, float("-inf")
    for cand in cands:
        node, g_node = cand, gain(cand)
        for anc in cand.iterancestors():
            if anc.tag == "html":
                break
            g = gain(anc)
            # leaving a container named as the body must pay off clearly
            margin = _HINT_MARGIN * st.para.get(node, 0) if _is_body_container(node) else 0
            if _is_body_container(anc) and not _is_body_container(node):
                # entering a container named as the body: its lists and tables count
                margin -= _ENTER_MARGIN * (st.para.get(anc, 0) - st.para.get(node, 0))
            if g > g_node + margin:
                node, g_node = anc, g
        if g_node > best_gain:
            best_node, best_gain = node, g_node
    return best_node


def join_parts(best: etree._Element, st: Stats) -> etree._Element:
    """A body cut into same-class parts (one "sectionbody" per section, one
    rich-text box per paragraph group): their nearest common container, when
    the other parts hold real prose and the container is not a link farm."""
    cls = best.get("class")
    if not cls:
        return best
    named = _is_body_container(best)  # (other parts need not look like prose)
    parts = [
        el
        for el in best.getroottree().iter(best.tag)
        if el is not best
        and el.get("class") == cls
        and st.para.get(el, 0) >= _JOIN_MIN
        and (named or st.density(el) < 0.3)
    ]
    if not parts:
        return best
    others = sum(st.para.get(el, 0) for el in parts)
    if others < _JOIN_SHARE * st.para.get(best, 0):
        return best
    chain = list(best.iterancestors())
    common = None
    for el in parts:
        anc = set(el.iterancestors())
        for a in chain:
            if a in anc:
                if common is None or chain.index(a) > chain.index(common):
                    common = a
                break
    if (
        common is None
        or common.tag in ("body", "html")
        or st.density(common) > _JOIN_LD
        or st.para.get(common, 0) < 0.8 * (others + st.para.get(best, 0))
    ):
        return best
    return common


def gather(best: etree._Element, st: Stats, scores: dict[etree._Element, float]) -> list[etree._Element]:
    """The best candidate plus siblings that look like more of the same body."""
    parent = best.getparent()
    if parent is None:
        return [best]
    best_score = scores.get(best, 0)
    threshold = max(10.0, best_score * _SIB_SHARE)
    best_class = best.get("class")
    out = []
    for sib in parent:
        if not isinstance(sib.tag, str):
            continue
        if sib is best:
            out.append(sib)
            continue
        words = attr_words(sib)
        if sib.tag in FURNITURE_TAGS or (words and is_named("STRONG_NEGATIVE", words)):
            continue
        bonus = best_score * 0.2 if best_class and sib.get("class") == best_class else 0
        if scores.get(sib, -1e9) + bonus >= threshold:
            out.append(sib)
            continue
        if sib.tag == "p":
            length = st.text.get(sib, 0)
            dens = st.density(sib)
            if length > 80 and dens < 0.25:
                out.append(sib)
            elif 0 < length <= 80 and dens == 0 and re.search(r"[.!?…。]\W*$", text_of(sib) or ""):
                out.append(sib)
    return out
