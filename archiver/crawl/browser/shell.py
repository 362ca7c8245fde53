"""Signs that a page is a shell whose article a script fills in later.

An HTTP crawler that archives such a page gets furniture and no article; it
must say so rather than store an empty or wrong text. :func:`shell_evidence`
lists the signs found in the received HTML (language-independent markup
signals, not phrases), and :func:`needs_browser` decides from them and from
what the cleaner kept.
"""

from __future__ import annotations

import json
import re

from lxml import html as lxml_html

__all__ = ["shell_evidence", "needs_browser", "MIN_ARTICLE_WORDS"]

#: Ids of the mount points of the common front-end frameworks.
APP_ROOT_IDS = frozenset({"root", "app", "__next", "__nuxt", "___gatsby", "svelte", "main-app", "app-root"})
#: Attributes that only a front-end framework puts on its root element.
APP_ROOT_ATTRS = ("data-reactroot", "ng-app", "ng-version", "data-v-app", "data-server-rendered")
#: Global names that hold a page's state as JSON in an inline script.
STATE_GLOBALS = re.compile(
    r"window\.(__[A-Z_]*STATE__|__NUXT__|__APOLLO_STATE__|__PRELOADED_STATE__|__DATA__)\s*=",
)
#: An app root holding fewer visible characters than this is empty (a spinner, "Loading…").
EMPTY_ROOT_CHARS = 80
#: A JSON blob in a script element at least this long is page state, not configuration.
STATE_BLOB_CHARS = 1000
#: Fewer words than this kept by the cleaner is no article.
MIN_ARTICLE_WORDS = 50
#: Share of an ``articleBody``'s words the kept text must hold to count as showing it.
ARTICLE_BODY_SHOWN = 0.5


def _visible_chars(element: lxml_html.HtmlElement) -> int:
    return len("".join(element.itertext()).strip())


def _json_ld_bodies(tree: lxml_html.HtmlElement) -> list[str]:
    bodies: list[str] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                body = item.get("articleBody")
                if isinstance(body, str) and body.strip():
                    bodies.append(body)
                stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
    return bodies


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def shell_evidence(html: bytes | str, kept_text: str = "") -> list[str]:
    """The signs of script-built content in ``html``; ``kept_text`` is what the cleaner kept.

    Each sign is a short phrase for the capture's evidence column, e.g.
    ``"empty app root #root"``, ``"JSON state blob (script#__NEXT_DATA__, 4210 chars)"``.
    """
    try:
        tree = lxml_html.fromstring(html if html else b"<html></html>")
    except (ValueError, lxml_html.etree.ParserError):
        return []
    signs: list[str] = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "noscript", "template"):
            continue
        ident = (element.get("id") or "").strip()
        framework = next((a for a in APP_ROOT_ATTRS if element.get(a) is not None), None)
        if (ident in APP_ROOT_IDS or framework) and _visible_chars(element) < EMPTY_ROOT_CHARS:
            signs.append(
                f"empty app root {element.tag}#{ident}" if ident else f"empty app root [{framework}]"
            )
            break
    for script in tree.iter("script"):
        kind = (script.get("type") or "").strip().lower()
        source = script.text or ""
        if kind == "application/json" and len(source) >= STATE_BLOB_CHARS:
            name = f"script#{script.get('id')}" if script.get("id") else "script[type=application/json]"
            signs.append(f"JSON state blob ({name}, {len(source)} chars)")
            break
        found = STATE_GLOBALS.search(source) if kind in ("", "text/javascript", "module") else None
        if found:
            signs.append(f"JSON state blob (window.{found.group(1)})")
            break
    for noscript in tree.iter("noscript"):
        text = " ".join("".join(noscript.itertext()).split())
        if "javascript" in text.lower() and len(text) < 400:
            signs.append(f"noscript notice: {text[:80]!r}")
            break
    kept = set(_words(kept_text))
    for body in _json_ld_bodies(tree):
        words = _words(body)
        if len(words) >= MIN_ARTICLE_WORDS:
            shown = sum(1 for w in words if w in kept) / len(words)
            if shown < ARTICLE_BODY_SHOWN:
                signs.append(f"JSON-LD articleBody of {len(words)} words, {shown:.0%} of them visible")
                break
    return signs


def needs_browser(html: bytes | str, kept_text: str) -> list[str]:
    """The evidence that this article page needs a browser, or ``[]`` when what was kept stands.

    A page with a real article (enough words, and any JSON-LD ``articleBody``
    shown) does not need one whatever framework built it; a page that kept
    too little needs one when it shows any sign of script-built content; a
    JSON-LD ``articleBody`` the kept text does not show is evidence on its own
    (the cleaner kept something else: furniture, a teaser).
    """
    signs = shell_evidence(html, kept_text)
    if any(s.startswith("JSON-LD articleBody") for s in signs):
        return signs
    if len(kept_text.split()) >= MIN_ARTICLE_WORDS:
        return []
    return signs
