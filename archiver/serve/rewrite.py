"""Replay rewriting: archived HTML and CSS whose every URL points back into the archive.

To show a captured page as its readers saw it without touching the live web, every URL
in its HTML and CSS becomes ``to_archive(absolute_url)``, the archive's route serving the
capture of that URL nearest in time (``/-/replay/<14 digits>/<url>``, as pywb and the
Wayback Machine do); a URL that is not http(s) is emptied. The places rewritten are the
ones :mod:`archiver.crawl.requisites` discovers, plus the links a reader follows, so the
two never drift apart. Rewriting is for fidelity, not safety: the replay routes' sandbox
CSP blocks anything missed (see "Page requisites and replay" in ``docs/architecture.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
import tinycss2

from archiver.crawl.requisites import base_url, css_references, html_references, parse_html, parse_srcset

__all__ = ["replay_path", "rewrite_css", "rewrite_html"]

ToArchive = Callable[[str], str]
_KEPT_SCHEMES = ("data:", "mailto:", "tel:")


def replay_path(prefix: str, timestamp: str, url: str) -> str:
    """The replay route of ``url`` near ``timestamp``: ``<prefix><14 digits>/<url>``."""
    return f"{prefix}{timestamp}/{url}"


def _rewrite_url(raw: str, base: str, to_archive: ToArchive) -> str:
    """One reference rewritten: fragments kept, ``data:``/``mailto:`` kept, other schemes emptied."""
    text = raw.strip()
    if not text or text.startswith("#"):
        return text
    if text.lower().startswith(_KEPT_SCHEMES):
        return text
    try:
        absolute = urljoin(base, text)
        scheme = urlsplit(absolute).scheme
    except ValueError:
        return ""
    if scheme not in ("http", "https"):
        return ""
    url, fragment = urldefrag(absolute)
    return to_archive(url) + (f"#{fragment}" if fragment else "")


def rewrite_css(css: str, base: str, to_archive: ToArchive, where: str = "stylesheet") -> str:
    """``css`` with every ``url()`` and ``@import`` pointing into the archive."""
    tokens, refs = css_references(css, where)
    if not refs:
        return css
    for ref in refs:
        ref.set(_rewrite_url(ref.raw, base, to_archive))
    return tinycss2.serialize(tokens)


def _rewrite_refresh(content: str, base: str, to_archive: ToArchive) -> str:
    delay, sep, rest = content.partition(";")
    key, eq, target = rest.strip().partition("=")
    if not sep or not eq or key.strip().lower() != "url":
        return content
    target = target.strip().strip("'\"")
    return f"{delay}; url={_rewrite_url(target, base, to_archive)}"


def rewrite_html(html: str | bytes, page_url: str, to_archive: ToArchive) -> str:
    """The page with every URL rewritten by ``to_archive``; ``<base>`` and SRI hashes removed.

    ``integrity`` attributes go because a rewritten stylesheet no longer has
    the captured hash; ``<base>`` goes because every URL is made absolute
    before it is rewritten.
    """
    root = parse_html(html)
    if root is None:
        return ""
    base = base_url(root, page_url)
    for ref in list(html_references(root)):
        if ref.kind == "srcset":
            candidates = [(_rewrite_url(u, base, to_archive), d) for u, d in parse_srcset(ref.raw)]
            ref.set(", ".join(f"{u} {d}".strip() for u, d in candidates if u))
        elif ref.kind == "css":
            where = ref.source.split("@", 1)[0]
            ref.set(rewrite_css(ref.raw, base, to_archive, where))
        else:
            ref.set(_rewrite_url(ref.raw, base, to_archive))
    for element in list(root.iter("base")):
        element.drop_tree()
    for element in root.xpath("//*[@integrity]"):
        del element.attrib["integrity"]
    for meta in root.xpath("//meta[@http-equiv]"):
        if (meta.get("http-equiv") or "").lower() == "refresh" and meta.get("content"):
            meta.set("content", _rewrite_refresh(meta.get("content"), base, to_archive))
    return lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
