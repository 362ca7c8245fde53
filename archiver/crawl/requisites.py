"""Page requisites: what a browser needs to render an archived page, found without a browser.

Finds the URLs of a page's stylesheets, fonts, images, icons and scripts in HTML (lxml)
and CSS (tinycss2 tokens, never regexes), each with the place it came from
(``img@srcset``...), so anyone can say why it was fetched. The same walk serves replay
(:func:`html_references`, :func:`css_references`), so :mod:`archiver.serve.rewrite`
rewrites exactly what discovery found. Framework-free: the Scrapy glue is
``downloadermiddlewares/requisites.py``; see "Page requisites and replay" in
``docs/architecture.md``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
import tinycss2
from tinycss2 import ast as css_ast

__all__ = [
    "Reference",
    "Requisite",
    "css_references",
    "css_requisites",
    "html_references",
    "html_requisites",
    "parse_html",
    "parse_srcset",
    "resolve",
]

#: Attributes holding one image URL (``img``/``source``/``input``), lazy-load conventions included.
_IMAGE_ATTRS = ("src", "data-src", "data-lazy-src", "data-original")
#: Attributes holding a ``srcset`` (a list of candidates, each a URL and a descriptor).
_SRCSET_ATTRS = ("srcset", "data-srcset", "data-lazy-srcset")
_ICON_RELS = {"icon", "shortcut", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon"}
_PRELOAD_KINDS = {"style": "style", "font": "font", "image": "image", "script": "script"}
#: Elements whose ``href``/``src``/``action`` a reader follows: rewritten by replay, never fetched as requisites.
_NAVIGATION = {"a": "href", "area": "href", "iframe": "src", "frame": "src", "form": "action"}


@dataclasses.dataclass(frozen=True)
class Requisite:
    """One resource a page needs: its absolute URL, where it was named, and what it should be."""

    url: str
    source: str  # e.g. "img@srcset", "noscript>img@src", "stylesheet @font-face url()"
    kind: str  # style, font, image, icon, script, media


@dataclasses.dataclass
class Reference:
    """One URL-bearing place in a document; ``set`` replaces its raw value (replay rewriting)."""

    raw: str
    source: str
    kind: str  # a requisite kind, or "srcset" (``raw`` is a candidate list), "css" (``raw`` is CSS), "link"
    set: Callable[[str], None]


def resolve(raw: str, base: str) -> str | None:
    """``raw`` made absolute against ``base``, without its fragment; ``None`` unless http(s)."""
    raw = raw.strip()
    if not raw or raw.startswith("#"):
        return None
    try:
        url = urldefrag(urljoin(base, raw))[0]
        scheme = urlsplit(url).scheme
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def parse_srcset(value: str) -> list[tuple[str, str]]:
    """``srcset`` candidates as (url, descriptor) pairs, split the way the HTML standard does.

    A URL runs to the next whitespace (so a comma inside it stays), a trailing
    comma ends a candidate without descriptor, and descriptors run to the next
    comma outside parentheses.
    """
    out: list[tuple[str, str]] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        start = i
        while i < n and not value[i].isspace():
            i += 1
        url = value[start:i]
        if not url:
            break
        if url.endswith(","):
            out.append((url.rstrip(","), ""))
            continue
        start, depth = i, 0
        while i < n and (value[i] != "," or depth):
            depth += {"(": 1, ")": -1}.get(value[i], 0)
            i += 1
        out.append((url, value[start:i].strip()))
        i += 1
    return out


def _join_srcset(candidates: list[tuple[str, str]]) -> str:
    return ", ".join(f"{url} {desc}".strip() for url, desc in candidates)


# -- CSS --------------------------------------------------------------------------------


def _css_walk(nodes: list, where: str, context: str | None) -> Iterator[Reference]:
    """References in a tinycss2 component-value list; tokens are replaced in place by ``set``."""
    at_rule: str | None = None
    import_done = False
    for index, node in enumerate(nodes):
        kind = getattr(node, "type", None)
        if kind == "at-keyword":
            at_rule, import_done = node.lower_value, False
        elif kind == "literal" and node.value == ";":
            at_rule = None
        elif kind == "url":
            yield _css_token_ref(nodes, index, node.value, where, at_rule, context)
            import_done = True
        elif kind == "string" and at_rule == "import" and not import_done:
            import_done = True
            yield _css_token_ref(nodes, index, node.value, where, at_rule, context)
        elif kind == "function":
            name = node.lower_name
            if name in ("url", "src"):
                strings = [a for a in node.arguments if a.type == "string"]
                if strings:
                    import_done = True
                    yield _css_token_ref(
                        node.arguments,
                        node.arguments.index(strings[0]),
                        strings[0].value,
                        where,
                        at_rule,
                        context,
                    )
            elif name in ("image-set", "-webkit-image-set"):
                for arg_index, arg in enumerate(node.arguments):
                    if arg.type == "string":
                        yield _css_token_ref(
                            node.arguments, arg_index, arg.value, where, "image-set", context
                        )
                    elif arg.type in ("url", "function"):
                        yield from _css_walk([arg], where, context)
            else:
                yield from _css_walk(node.arguments, where, context)
        elif kind in ("{} block", "[] block", "() block"):
            inner = "font-face" if at_rule == "font-face" else context
            yield from _css_walk(node.content, where, inner)
            if kind == "{} block":
                at_rule = None


def _css_token_ref(
    container: list, index: int, raw: str, where: str, at_rule: str | None, context: str | None
) -> Reference:
    if at_rule == "import":
        source, kind = f"{where} @import", "style"
    elif context == "font-face":
        source, kind = f"{where} @font-face url()", "font"
    elif at_rule == "image-set":
        source, kind = f"{where} image-set()", "image"
    else:
        source, kind = f"{where} url()", "image"
    old = container[index]

    def set_url(new: str) -> None:
        quoted = '"' + _css_escape(new) + '"'
        line, column = old.source_line, old.source_column
        if old.type == "url":
            container[index] = css_ast.URLToken(line, column, new, f"url({quoted})")
        else:
            container[index] = css_ast.StringToken(line, column, new, quoted)

    return Reference(raw, source, kind, set_url)


def _css_escape(text: str) -> str:
    return "".join(f"\\{ord(c):x} " if c in '"\\\n\r\f' or ord(c) < 0x20 else c for c in text)


def css_references(css: str, where: str = "stylesheet") -> tuple[list, list[Reference]]:
    """The token list of ``css`` and its references; ``tinycss2.serialize(tokens)`` after ``set`` calls."""
    tokens = tinycss2.parse_component_value_list(css)
    return tokens, list(_css_walk(tokens, where, None))


def css_requisites(css: str, base: str, where: str = "stylesheet") -> list[Requisite]:
    """Fonts, images and imported stylesheets a stylesheet (or a ``style`` value) names."""
    _tokens, refs = css_references(css, where)
    return _unique(_requisite(ref, base) for ref in refs)


# -- HTML -------------------------------------------------------------------------------


def parse_html(html: bytes | str) -> lxml.html.HtmlElement | None:
    """The document tree, or ``None`` for an empty or unparseable body."""
    if isinstance(html, bytes) and not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None


def base_url(root: lxml.html.HtmlElement, page_url: str) -> str:
    """The document's base URL: its first ``<base href>`` resolved against the page's URL."""
    for base in root.iter("base"):
        href = base.get("href")
        if href and resolve(href, page_url):
            return resolve(href, page_url) or page_url
    return page_url


def _setter(element: lxml.html.HtmlElement, attr: str) -> Callable[[str], None]:
    return lambda value: element.set(attr, value)


def _style_text_setter(element: lxml.html.HtmlElement) -> Callable[[str], None]:
    def set_text(value: str) -> None:
        element.text = value

    return set_text


def html_references(root: lxml.html.HtmlElement) -> Iterator[Reference]:
    """Every URL-bearing attribute and CSS text of a document, in document order.

    Kinds: a requisite kind for what a browser fetches to render, ``srcset``
    (a candidate list), ``css`` (a ``style`` attribute or element to parse),
    ``link`` (something a reader follows, rewritten for replay only).
    """
    in_noscript = {e for ns in root.iter("noscript") for e in ns.iterdescendants()}  # proxies kept alive
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag:
            continue
        tag = tag.lower().rsplit("}", 1)[-1]
        prefix = "noscript>" if element in in_noscript else ""
        name = prefix + tag

        def ref(
            attr: str, kind: str, label: str = "", element: Any = element, name: str = name
        ) -> Reference | None:
            value = element.get(attr)
            if value is None:
                return None
            return Reference(value, f"{label or name}@{attr}", kind, _setter(element, attr))

        found: list[Reference | None] = []
        if tag == "link":
            rels = set((element.get("rel") or "").lower().split())
            as_ = (element.get("as") or "").lower()
            if "stylesheet" in rels:
                found.append(ref("href", "style", f"{prefix}link[rel=stylesheet]"))
            elif rels & _ICON_RELS:
                found.append(ref("href", "icon", f"{prefix}link[rel=icon]"))
            elif "preload" in rels and as_ in _PRELOAD_KINDS:
                label = f"{prefix}link[rel=preload as={as_}]"
                found.append(ref("href", _PRELOAD_KINDS[as_], label))
                found.append(ref("imagesrcset", "srcset", label))
            elif "modulepreload" in rels:
                found.append(ref("href", "script", f"{prefix}link[rel=modulepreload]"))
        elif tag in ("img", "source", "input"):
            if tag != "input" or (element.get("type") or "").lower() == "image":
                for attr in _IMAGE_ATTRS:
                    found.append(ref(attr, "image"))
                for attr in _SRCSET_ATTRS:
                    found.append(ref(attr, "srcset"))
        elif tag == "video":
            found.append(ref("poster", "image"))
        elif tag == "script":
            found.append(ref("src", "script"))
        elif tag in ("use", "image", "feimage"):
            for attr in ("href", "{http://www.w3.org/1999/xlink}href", "xlink:href"):
                found.append(ref(attr, "image", name))
        elif tag == "style":
            found.append(
                Reference(element.text or "", f"{prefix}style element", "css", _style_text_setter(element))
            )
        elif tag in _NAVIGATION:
            found.append(ref(_NAVIGATION[tag], "link"))
        if tag in ("body", "table", "td", "th") and element.get("background") is not None:
            found.append(ref("background", "image"))
        if element.get("style"):
            found.append(ref("style", "css", f"{prefix}style attribute"))
        for item in found:
            if item is not None:
                yield item


def html_requisites(html: bytes | str, page_url: str) -> list[Requisite]:
    """What a browser fetches to render ``html`` at ``page_url``, each URL once (its first source)."""
    root = parse_html(html)
    if root is None:
        return []
    base = base_url(root, page_url)
    found: list[Requisite | None] = []
    for ref in html_references(root):
        if ref.kind == "link":
            continue
        if ref.kind == "srcset":
            kind = "image"
            found += [
                _requisite(Reference(url, ref.source, kind, ref.set), base)
                for url, _ in parse_srcset(ref.raw)
            ]
        elif ref.kind == "css":
            where = ref.source.split("@", 1)[0]
            found += css_requisites(ref.raw, base, where)
        else:
            found.append(_requisite(ref, base))
    return _unique(found)


def _requisite(ref: Reference, base: str) -> Requisite | None:
    if ref.kind == "image" and ref.raw.strip().lower().startswith("data:"):
        return None
    url = resolve(ref.raw, base)
    return Requisite(url, ref.source, ref.kind) if url else None


def _unique(items: Iterator[Requisite | None] | list[Requisite | None]) -> list[Requisite]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item is not None and item.url not in seen:
            seen.add(item.url)
            out.append(item)
    return out
