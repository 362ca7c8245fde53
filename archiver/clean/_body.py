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

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import lxml.etree as etree

from ._dom import drop, text_of
from ._patterns import (
    BODY_BOX,
    BODY_HINT,
    CAPTION,
    FURNITURE_HEADING,
    FURNITURE_TAGS,
    HEADINGS,
    LEAD,
    NEGATIVE,
    POSITIVE,
    STRONG_NEGATIVE,
)

_ALPHA = 1.5  # cost of one character of non-prose text taken in when climbing
_BETA = 0.5  # extra cost of linked text
_SENTENCE_HEADS = True  # a long sentence-like <h2> before the body is its lead
_NCAND = 1  # best-voted candidates tried
_SMALL = 1500  # prose (chars) under which other candidates are tried
_NONSPACE = re.compile(r"\S")
_COMMAS = re.compile(r"[,，、،]")
_PARA_TAGS = frozenset({"p", "pre", "td", "blockquote", "dd", "li"})
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
_CONTAINERS = frozenset(
    {"div", "section", "article", "main", "td", "body", "span", "blockquote", "center", "font", "form"}
)
_DIRECT_PARA = frozenset(
    {"div", "span", "td", "font", "center", "section", "article", "dd", "blockquote", "li", "main", "body"}
)
_HEAD_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SUBHEADS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_HEADINGS_PROSE = False
_HINT_MARGIN = 0.6
_ENTER_MARGIN = 1.0  # ...and entering one is worth its lists and tables
_OWN_CAP = 3.0
_LIST_LD = 0.5
_JOIN_MIN, _JOIN_SHARE, _JOIN_LD = 100, 0.3, 0.4  # body parts: prose, share, container links
_NEG_PARA = 200  # prose under which a box named as furniture goes
_SIB_SHARE = 0.2  # a sibling voted this share of the best candidate's score is more body
_UNLINKED_KEEP = 200  # unlinked text that keeps a link-dense section (a sourced paragraph)
_LIST_LD_LISTS = 0.8  # a list in the body may be mostly links (sources, tools, further reading)
_DIV_TEASER = 0  # (div cards: tried, costs more than it gains)
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


def _nonspace(s: str | None) -> int:
    if not s:
        return 0
    return len(s) - s.count(" ") - s.count("\n") - s.count("\t") - s.count("\r")


# The class/id patterns are all lower case: matched case-sensitively against the
# lower-cased words, several times faster than re.I on these long alternations.
_PATTERNS = {
    name: re.compile(p.pattern)
    for name, p in (
        ("STRONG_NEGATIVE", STRONG_NEGATIVE),
        ("BODY_HINT", BODY_HINT),
        ("POSITIVE", POSITIVE),
        ("NEGATIVE", NEGATIVE),
        ("CAPTION", CAPTION),
        ("LEAD", LEAD),
        ("BODY_BOX", BODY_BOX),
    )
}


@functools.lru_cache(maxsize=65536)
def _is(pattern: str, words: str) -> bool:
    """Cached class/id test: pages repeat the same class strings many times."""
    return _PATTERNS[pattern].search(words.lower()) is not None


# Page builders' layout units: Elementor wraps every heading and paragraph group
# in "elementor-widget[-container|-wrap]", the word a WordPress sidebar box uses.
# Only the widget's type ("text-editor", "share-buttons") says what it holds.
_LAYOUT_WORDS = re.compile(r"\belementor-widget(?:-container|-wrap)?\b-?")


def attr_words(el: etree._Element, layout: bool = True) -> str:
    """The element's class and id, the words furniture and body names are read
    from. ``layout=False`` leaves out page builders' layout words (inside a
    chosen body an Elementor "widget" is a paragraph group, not a sidebar box;
    when choosing the body they still mark the page's widget areas)."""
    cls = el.get("class") or ""
    ident = el.get("id") or ""
    if not cls and not ident:
        return ""
    if not layout and "elementor-widget" in cls:
        cls = _LAYOUT_WORDS.sub("", cls)
    return f"{cls} {ident}"


@dataclass
class Stats:
    """Per-element text measures, computed once bottom-up."""

    text: dict[etree._Element, int] = field(default_factory=dict)
    link: dict[etree._Element, int] = field(default_factory=dict)
    para: dict[etree._Element, int] = field(default_factory=dict)
    own: dict[etree._Element, int] = field(
        default_factory=dict
    )  # text directly in the element (not in children)
    bad: dict[etree._Element, int] = field(
        default_factory=dict
    )  # prose inside furniture-named blocks (comments...)
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
    linked_head: dict[etree._Element, int] = {}
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
        if (
            tag in ("p", "pre")
            or (tag in _DIRECT_PARA and direct >= 25)
            or (_HEADINGS_PROSE and tag in _SUBHEADS)
        ):
            p = max(p, t - ln)
        para[el] = p
        if tag in _HEAD_TAGS and (lh or el.find(".//a") is not None):
            lh = True
        linked_head[el] = lh
        if p and b < p and el not in code:
            words = attr_words(el)
            if words and _is("STRONG_NEGATIVE", words):
                b = p
            elif lh and (tag in ("li", "article") and p < 600 or tag == "div" and p < _DIV_TEASER):
                b = p  # a teaser card: linked headline plus excerpt
        bad[el] = b
    return st


def _class_weight(el: etree._Element) -> float:
    words = attr_words(el)
    w = 0.0
    if words:
        if _is("BODY_HINT", words):
            w += 40
        elif _is("POSITIVE", words):
            w += 15
        if _is("STRONG_NEGATIVE", words):
            w -= 50
        elif _is("NEGATIVE", words):
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
    scores = {}
    for el, v in votes.items():
        w = max(-50.0, _class_weight(el))
        scores[el] = v * (1 + w / 50) * (1 - st.density(el))
    return scores


def _is_body_container(el: etree._Element) -> bool:
    if el.get("itemprop") == "articleBody":
        return True
    words = attr_words(el)
    return bool(words) and bool(_is("BODY_HINT", words)) and not _is("STRONG_NEGATIVE", words)


def _own_text(el: etree._Element) -> str:
    parts = [el.text or ""]
    parts.extend(c.tail or "" for c in el)
    return "".join(parts)


_PATTERNS["SIDEBAR"] = re.compile(r"sidebar|side-bar|widget-?area|\bsecondary\b")
_PATTERNS["MAIN_COLUMN"] = re.compile(r"\bmain\b|\bcontent\b|\bprimary\b")


def _inside_furniture(el: etree._Element, st: Stats, total: int) -> bool:
    """Whether a candidate sits in furniture: a block named as furniture, a
    furniture element, or a sidebar it did not reach through a main column."""
    in_main = False
    for anc in el.iterancestors():
        if anc.tag in ("body", "html"):
            return False
        words = attr_words(anc)
        if (words and _is("STRONG_NEGATIVE", words)) or anc.tag in FURNITURE_TAGS:
            return True
        if anc.tag in ("main", "article") or (words and _is("MAIN_COLUMN", words)):
            in_main = True  # (a layout wrapper named "sidebar-left" may hold the main column)
        elif not in_main and words and _is("SIDEBAR", words):
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
    best_node = _climb_best(allowed[:_NCAND], st, gain)
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


def _join_parts(best: etree._Element, st: Stats) -> etree._Element:
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
        if sib.tag in FURNITURE_TAGS or (words and _is("STRONG_NEGATIVE", words)):
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


def _holds_subheading(el: etree._Element, st: Stats) -> bool:
    """A block that is just one unlinked subheading (page builders wrap every
    heading in a "widget" box: the name says layout, not furniture)."""
    if st.link.get(el, 0) or st.text.get(el, 0) > 200:
        return False
    heads = [h for h in el.iter(*_SUBHEADS)]
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


def prune(nodes: list[etree._Element], st: Stats) -> None:
    """Drop furniture inside the chosen body parts."""
    total = sum(st.para.get(n, 0) for n in nodes) or 1
    for top in nodes:
        doomed = []
        for el in top.iter(etree.Element):
            if el is top or el in st.code:
                continue
            tag = el.tag
            if tag in HEADINGS:
                if FURNITURE_HEADING.match(text_of(el) or ""):
                    doomed.append(el)
                    after = 0
                    following = []
                    for sib in el.itersiblings():
                        following.append(sib)
                        after += st.para.get(sib, 0)
                    if after < total * 0.3:
                        doomed.extend(following)
                continue
            if tag == "figcaption" or (
                tag == "figure" and st.text.get(el, 0) < 400 and not _holds_text_blocks(el)
            ):
                doomed.append(el)
                continue
            words = attr_words(el, layout=False)
            if (
                words
                and _is("CAPTION", words)
                and st.text.get(el, 0) < 400
                and tag not in ("body", "article", "main")
            ):
                doomed.append(el)
                continue
            if tag not in _PRUNABLE:
                continue
            share = st.para.get(el, 0) / total
            if (tag in FURNITURE_TAGS or tag == "header") and share < 0.3:
                doomed.append(el)
            elif words and (_is("STRONG_NEGATIVE", words) or _is("BODY_BOX", words)) and share < 0.5:
                doomed.append(el)
            elif (
                words
                and _is("NEGATIVE", words)
                and not _is("POSITIVE", words)
                and share < 0.25
                and (st.para.get(el, 0) < _NEG_PARA or st.density(el) > 0.3)
                and not _holds_subheading(el, st)
            ):
                doomed.append(el)
            elif (
                tag in ("ul", "ol", "div", "section", "table", "dl", "li")
                and st.density(el)
                > (_LIST_LD_LISTS if tag in ("ul", "ol", "li", "table", "dl") else _LIST_LD)
                and share < 0.25
                and st.text.get(el, 0) > 0
                and not (
                    tag in ("div", "section") and st.text.get(el, 0) - st.link.get(el, 0) >= _UNLINKED_KEEP
                )
            ):
                doomed.append(el)
        for el in doomed:
            if el.getparent() is not None:
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
    desc_key = _squash(description) if description and len(description) >= 40 else None
    for el in scope.iter(etree.Element):
        if el is first:
            break
        words = attr_words(el)
        if words and _is("STRONG_NEGATIVE", words):
            continue
        if (
            not (words and _is("LEAD", words))
            and not (
                desc_key
                and el.tag in _LEAD_TAGS
                and 40 <= st.text.get(el, 0) <= 1000
                and _squash(text_of(el)) == desc_key
            )
            and not (
                _SENTENCE_HEADS
                and el.tag in ("h2", "h3")
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


def _squash(s: str) -> str:
    return re.sub(r"\W+", "", s).lower()


def find_body(
    root: etree._Element, forced: list[etree._Element] | None = None, description: str | None = None
) -> list[etree._Element]:
    """Return the body parts of a cleaned page in document order (may be empty).

    Lead paragraphs found before the body come first (see ``find_lead``).
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
            best = _join_parts(best, st)
        # Nothing paragraph-like (a stub page): the whole body, pruned, is the text.
        nodes = gather(best, st, scores) if best is not None else [body]
    leads = find_lead(body, nodes, st, description) if not forced else []
    prune(nodes, st)
    return leads + nodes
