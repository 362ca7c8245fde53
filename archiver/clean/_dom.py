"""Parsing and the first, page-wide clean-up of the element tree.

lxml's HTML parser (libxml2) builds a plain ``lxml.etree`` tree: it is several
times faster than a BeautifulSoup tree, and plain elements avoid lxml.html's
per-element class lookup; the extractor must keep up with a crawl.
BeautifulSoup's detector picks the charset (see ``_decode``). Everything that cannot be article text
(scripts, forms' widgets, hidden elements) goes before any scoring so that it
cannot weigh in.
"""

from __future__ import annotations

import re

import lxml.etree as etree

from ._decode import scrub
from ._patterns import DROP_TAGS

_PARSER = etree.HTMLParser(
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
    no_network=True,
    huge_tree=True,
    default_doctype=False,
)
_VISIBLE_TEXT = etree.XPath(
    ".//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::template)]"
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def text_of(el: etree._Element) -> str:
    """All text inside ``el`` (not its tail)."""
    return "".join(el.itertext())


def parse(text: str) -> etree._Element | None:
    """Parse HTML text; ``None`` when there is no document at all."""
    data = text.encode("utf-8", errors="replace")
    if not data.strip():
        return None
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except (etree.ParserError, ValueError, etree.XMLSyntaxError):
        return None
    if root is None or not isinstance(root.tag, str):
        return None
    if root.tag != "html":  # a fragment: give it the document shape the rest expects
        html = etree.Element("html")
        body = etree.SubElement(html, "body")
        body.append(root)
        root = html
    _merge_trailing_roots(root)
    return root


def _merge_trailing_roots(root: etree._Element) -> None:
    """Fold content that follows an early ``</html>`` back into the body.

    A template that closes the document twice (a plugin printing its own
    ``</body></html>`` mid-page) makes libxml2 start a second root element for
    the rest of the page, often the article itself; browsers keep it in <body>.
    """
    extra = [el for el in root.itersiblings() if isinstance(el.tag, str)]
    if not extra:
        return
    body = root.find("body")
    if body is None:
        body = etree.SubElement(root, "body")
    for other in extra:
        for child in list(other):
            if child.tag == "body":
                if child.text:
                    last = body[-1] if len(body) else None
                    if last is not None:
                        last.tail = _joined(last.tail, child.text)
                    else:
                        body.text = _joined(body.text, child.text)
                body.extend(list(child))
            elif child.tag != "head":
                body.append(child)


def _joined(*parts: str | None) -> str:
    """Text nodes joined into one that lxml accepts: libxml2 itself may have
    put a control character there, from a character reference such as "&#14;"."""
    return scrub("".join(p for p in parts if p))


def drop(el: etree._Element) -> None:
    """Remove ``el`` and its subtree, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = _joined(prev.tail, tail)
        else:
            parent.text = _joined(parent.text, tail)
    parent.remove(el)


def is_hidden(el: etree._Element) -> bool:
    get = el.get
    if get("hidden") is not None or get("aria-hidden") == "true":
        return True
    style = get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


_HEAD_TAGS = frozenset({"meta", "title", "link", "script", "style", "base", "noscript", "template"})
# Widgets whose end tag browsers infer early; lxml may nest the page inside them.
_WIDGETS = frozenset({"button", "select", "label", "option", "textarea", "object", "map"})


def _mostly_prose(el: etree._Element, limit: int) -> bool:
    """A block holding at least ``limit`` characters, mostly not links."""
    text = text_of(el)
    if len(text) < limit:
        return False
    linked = sum(len(text_of(a)) for a in el.iter("a"))
    return linked < len(text) * 0.5


def _shown_elsewhere(el: etree._Element, body: etree._Element | None) -> bool:
    """Whether a <noscript> block's prose is also on the page (a duplicate)."""
    text = " ".join(text_of(el).split())
    probe = text[len(text) // 2 : len(text) // 2 + 60]
    if body is None or len(probe) < 30:
        return False
    rest = " ".join(
        " ".join(
            t
            for t in _VISIBLE_TEXT(body)
            if not any(a.tag == "noscript" for a in t.getparent().iterancestors())
            and t.getparent().tag != "noscript"
        ).split()
    )
    return probe in rest


def _rescue_body_from_head(root: etree._Element) -> None:
    """Move page content that a stray tag pushed into <head> back into <body>."""
    head = root.find("head")
    if head is None:
        return
    strays = [el for el in head if isinstance(el.tag, str) and el.tag not in _HEAD_TAGS]
    if not strays:
        return
    body = root.find("body")
    if body is None:
        body = etree.SubElement(root, "body")
    for i, el in enumerate(strays):
        body.insert(i, el)


_STREAMED = etree.XPath("//div[@hidden][starts-with(@id, 'S:')]")


def _place_streamed(root: etree._Element) -> None:
    """Put streamed server-rendered segments where the page's script would.

    React's streaming renderer sends the page shell with ``<template id="B:n">``
    (or ``P:n``) placeholders and, later in the document, the content itself in
    ``<div hidden id="S:n">``; a script swaps them in the browser. Without the
    swap the article is hidden, scattered and out of order.
    """
    segments = _STREAMED(root)
    if not segments:
        return
    slots = {el.get("id"): el for el in root.iter("template") if (el.get("id") or "")[:2] in ("B:", "P:")}
    for seg in segments:
        n = seg.get("id")[2:]
        slot = slots.get("B:" + n)
        if slot is None:
            slot = slots.get("P:" + n)
        if slot is None or slot.getparent() is None or any(a is seg for a in slot.iterancestors()):
            continue
        drop(seg)  # detach (its tail stays where it was)
        seg.tail = None
        del seg.attrib["hidden"]
        slot.addprevious(seg)
        drop(slot)


_PANEL = re.compile(
    r"accordion|collaps|tab-?pane|tabpanel|faq|toggle-?(?:content|body)|"
    r"panel-?(?:body|content)|expand",
    re.I,
)
_PANEL_MIN = 100


def _is_collapsed_panel(el: etree._Element) -> bool:
    """An accordion or tab panel: hidden until a reader opens it, but part of
    the page's text (a guide's steps, an FAQ's answers), unlike a hidden menu
    or modal."""
    if el.get("role") in ("region", "tabpanel") and (el.get("aria-labelledby") or el.get("id")):
        return True
    words = f"{el.get('class') or ''} {el.get('id') or ''}"
    return bool(_PANEL.search(words))


def strip_junk(root: etree._Element) -> None:
    """Drop non-text elements, hidden elements and comment/login forms."""
    _rescue_body_from_head(root)
    _place_streamed(root)
    body = root.find("body")
    page_chars = sum(map(len, _VISIBLE_TEXT(body))) if body is not None else 0
    doomed = []
    for el in root.iter(etree.Element):
        tag = el.tag
        if not isinstance(tag, str):
            doomed.append(el)
        elif tag in DROP_TAGS:
            if tag in ("head", "html"):
                continue
            if tag in _WIDGETS and _mostly_prose(el, max(500, page_chars // 4)):
                continue  # mis-nested page content, keep it
            if tag == "noscript" and _mostly_prose(el, 200) and not _shown_elsewhere(el, body):
                continue  # the article as served to readers without JavaScript
            doomed.append(el)
        elif tag == "form":
            # Page-wide wrappers (ASP.NET) carry the article; comment and search
            # forms carry a text area or a few inputs and little prose.
            if el.find(".//textarea") is not None or len(el.findall(".//p")) < 3:
                doomed.append(el)
        elif (
            is_hidden(el)
            and tag not in ("body", "html")
            and not _mostly_prose(el, max(1000, page_chars // 2))
            and not (_is_collapsed_panel(el) and _mostly_prose(el, _PANEL_MIN))
        ):
            # (server-rendered pages sometimes ship the article hidden until
            # scripts run: a hidden block of prose is kept)
            doomed.append(el)
    for el in doomed:
        drop(el)
