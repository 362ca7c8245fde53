"""Parsing and the first, page-wide clean-up of the element tree.

lxml.html builds the tree (it is several times faster than a BeautifulSoup
tree, and the extractor must keep up with a crawl); BeautifulSoup's detector
picks the charset (see ``_decode``). Everything that cannot be article text
(scripts, forms' widgets, hidden elements) goes before any scoring so that it
cannot weigh in.
"""

from __future__ import annotations

import re

import lxml.etree as etree
import lxml.html

from ._patterns import DROP_TAGS

_PARSER = lxml.html.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True,
    huge_tree=True, default_doctype=False,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def parse(text: str) -> lxml.html.HtmlElement | None:
    """Parse HTML text; ``None`` when there is no document at all."""
    data = text.encode("utf-8", errors="replace")
    if not data.strip():
        return None
    try:
        root = lxml.html.document_fromstring(data, parser=_PARSER)
    except (etree.ParserError, ValueError, etree.XMLSyntaxError):
        return None
    return root


def drop(el: etree._Element) -> None:
    """Remove ``el`` and its subtree, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def is_hidden(el: etree._Element) -> bool:
    get = el.get
    if get("hidden") is not None or get("aria-hidden") == "true":
        return True
    style = get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def strip_junk(root: etree._Element) -> None:
    """Drop non-text elements, hidden elements and comment/login forms."""
    doomed = []
    for el in root.iter(etree.Element):
        tag = el.tag
        if not isinstance(tag, str):
            doomed.append(el)
        elif tag in DROP_TAGS:
            if tag not in ("head", "html"):
                doomed.append(el)
        elif tag == "form":
            # Page-wide wrappers (ASP.NET) carry the article; comment and search
            # forms carry a text area or a few inputs and little prose.
            if el.find(".//textarea") is not None or len(el.findall(".//p")) < 3:
                doomed.append(el)
        elif is_hidden(el) and tag not in ("body", "html"):
            doomed.append(el)
    for el in doomed:
        drop(el)
