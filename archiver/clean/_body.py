"""Find the article body in a cleaned tree and prune the furniture inside it.

Method (generic, no per-site rules):
1. one bottom-up pass gives every element its text length, linked-text length
   and "paragraph text" (text in prose-like blocks);
2. paragraphs vote for their ancestors (readability's scoring: commas, length,
   damped by link density), plus priors from class/id words (body-like names up,
   furniture names down) and from ``<article>``/``<main>``/``itemprop=articleBody``;
3. the best candidate takes in siblings that score like it (a body split by an
   ad or a teaser box comes back whole);
4. inside it, furniture is pruned: furniture class/id names, link lists,
   furniture headings with what follows them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.etree as etree

from ._dom import drop
from ._patterns import (
    BODY_HINT, FURNITURE_HEADING, FURNITURE_TAGS, HEADINGS, NEGATIVE, POSITIVE,
    STRONG_NEGATIVE,
)

_NONSPACE = re.compile(r"\S")
_COMMAS = re.compile(r"[,，、،]")
_PARA_TAGS = frozenset({"p", "pre", "td", "blockquote", "dd", "li"})
_INLINE_ONLY_CHILDREN = frozenset({
    "a", "b", "i", "em", "strong", "span", "br", "sup", "sub", "small", "u", "font",
    "abbr", "cite", "q", "mark", "time", "code", "s", "del", "ins", "img",
})
_CONTAINERS = frozenset({"div", "section", "article", "main", "td", "body", "span",
                          "blockquote", "center", "font", "form"})
_PRUNABLE = frozenset({"div", "section", "ul", "ol", "table", "aside", "figure", "form",
                        "header", "footer", "nav", "p", "span", "dl", "center", "details",
                        "blockquote", "li"})


def _nonspace(s: str | None) -> int:
    if not s:
        return 0
    return len(s) - s.count(" ") - s.count("\n") - s.count("\t") - s.count("\r")


def attr_words(el: etree._Element) -> str:
    cls = el.get("class") or ""
    ident = el.get("id") or ""
    if not cls and not ident:
        return ""
    return f"{cls} {ident}"


@dataclass
class Stats:
    """Per-element text measures, computed once bottom-up."""

    text: dict = field(default_factory=dict)
    link: dict = field(default_factory=dict)
    para: dict = field(default_factory=dict)

    def density(self, el: etree._Element) -> float:
        t = self.text.get(el, 0)
        return self.link.get(el, 0) / t if t else 0.0


def measure(root: etree._Element) -> Stats:
    st = Stats()
    text, link, para = st.text, st.link, st.para
    for el in reversed(list(root.iter(etree.Element))):
        t = _nonspace(el.text)
        ln = 0
        p = 0
        for child in el:
            t += text.get(child, 0) + _nonspace(child.tail)
            ln += link.get(child, 0)
            p += para.get(child, 0)
        if el.tag == "a":
            ln = t
        text[el] = t
        link[el] = ln
        if el.tag in ("p", "pre") or (el.tag in ("div", "span", "td", "font", "center")
                                       and _nonspace(el.text) >= 40):
            p = max(p, t - ln)
        para[el] = p
    return st


def _class_weight(el: etree._Element) -> float:
    words = attr_words(el)
    w = 0.0
    if words:
        if BODY_HINT.search(words):
            w += 40
        elif POSITIVE.search(words):
            w += 15
        if STRONG_NEGATIVE.search(words):
            w -= 50
        elif NEGATIVE.search(words):
            w -= 25
    tag = el.tag
    if tag == "article" or el.get("itemprop") == "articleBody":
        w += 30
    elif tag == "main" or el.get("role") == "main":
        w += 10
    elif tag in FURNITURE_TAGS or tag == "header":
        w -= 40
    return w


def score_candidates(root: etree._Element, st: Stats) -> dict:
    """Readability-style votes of paragraphs for their ancestors."""
    scores: dict = {}
    for el in root.iter("p", "pre", "td", "div", "blockquote", "li", "span", "dd"):
        tag = el.tag
        if tag in ("div", "span", "li", "td", "dd"):
            # only text-bearing leaves count (a <div> used as a paragraph)
            if _nonspace(el.text) < 25 or any(
                isinstance(c.tag, str) and c.tag not in _INLINE_ONLY_CHILDREN for c in el
            ):
                continue
        length = st.text.get(el, 0)
        if length < 25:
            continue
        content = el.text_content()
        s = 1 + len(_COMMAS.findall(content)) + min(length / 100, 3)
        s *= 1 - st.density(el)
        if tag == "li":
            s *= 0.5
        node = el.getparent()
        level = 0
        while node is not None and level < 4:
            if node not in scores:
                scores[node] = _class_weight(node)
            scores[node] += s / (1 if level == 0 else (2 if level == 1 else level * 3))
            node = node.getparent()
            level += 1
    for el in scores:
        scores[el] *= 1 - st.density(el)
    return scores


def choose(root: etree._Element, st: Stats, scores: dict) -> etree._Element | None:
    if not scores:
        return None
    best = max(scores, key=scores.__getitem__)
    # Climb when the parent holds clearly more prose than the best (the best is
    # one of several body parts) and is not a page-wide wrapper.
    total = st.para.get(root, 0) or 1
    node = best
    while True:
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        if st.para.get(parent, 0) >= st.para.get(node, 0) * 1.4 and \
                st.para.get(parent, 0) <= total * 0.85 and st.density(parent) < 0.3 and \
                scores.get(parent, 0) >= scores[best] * 0.5:
            node = parent
            continue
        break
    return node


def gather(best: etree._Element, st: Stats, scores: dict) -> list[etree._Element]:
    """The best candidate plus siblings that look like more of the same body."""
    parent = best.getparent()
    if parent is None:
        return [best]
    best_score = scores.get(best, 0)
    threshold = max(10.0, best_score * 0.2)
    best_class = best.get("class")
    out = []
    for sib in parent:
        if not isinstance(sib.tag, str):
            continue
        if sib is best:
            out.append(sib)
            continue
        words = attr_words(sib)
        if sib.tag in FURNITURE_TAGS or (words and STRONG_NEGATIVE.search(words)):
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
            elif 0 < length <= 80 and dens == 0 and \
                    re.search(r"[.!?…。]\W*$", sib.text_content() or ""):
                out.append(sib)
    return out


def prune(nodes: list[etree._Element], st: Stats) -> None:
    """Drop furniture inside the chosen body parts."""
    total = sum(st.para.get(n, 0) for n in nodes) or 1
    for top in nodes:
        doomed = []
        for el in top.iter(etree.Element):
            if el is top:
                continue
            tag = el.tag
            if tag in HEADINGS:
                if FURNITURE_HEADING.match(el.text_content() or ""):
                    doomed.append(el)
                    after = 0
                    following = []
                    for sib in el.itersiblings():
                        following.append(sib)
                        after += st.para.get(sib, 0)
                    if after < total * 0.3:
                        doomed.extend(following)
                continue
            if tag not in _PRUNABLE:
                continue
            share = st.para.get(el, 0) / total
            words = attr_words(el)
            if (tag in FURNITURE_TAGS or tag == "header") and share < 0.3:
                doomed.append(el)
            elif words and STRONG_NEGATIVE.search(words) and share < 0.5:
                doomed.append(el)
            elif words and NEGATIVE.search(words) and not POSITIVE.search(words) \
                    and share < 0.25:
                doomed.append(el)
            elif tag in ("ul", "ol", "div", "section", "table", "dl", "li") and \
                    st.density(el) > 0.5 and share < 0.25 and st.text.get(el, 0) > 0:
                doomed.append(el)
        for el in doomed:
            if el.getparent() is not None:
                drop(el)


def find_body(root: etree._Element,
              forced: list[etree._Element] | None = None) -> list[etree._Element]:
    """Return the body parts of a cleaned page in document order (may be empty)."""
    body = root.find("body")
    if body is None:
        body = root
    st = measure(body)
    if forced:
        nodes = forced
    else:
        scores = score_candidates(body, st)
        best = choose(body, st, scores)
        # Nothing paragraph-like (a stub page): the whole body, pruned, is the text.
        nodes = gather(best, st, scores) if best is not None else [body]
    prune(nodes, st)
    return nodes
