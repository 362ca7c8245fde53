"""Which URLs may become links: http and https only.

A hostile WARC can name any ``WARC-Target-URI`` (``javascript:...``,
``data:...``, ``vbscript:...``), and an ``href`` holding it runs in the
archive's origin when clicked. Browsers strip leading spaces and control
characters and ignore tabs and newlines inside a scheme, so the test is on
the raw string: it must start with ``http://`` or ``https://`` and hold no
whitespace or control character. Everything that writes a link (the article
and capture pages, ``cite --format html``) and everything that indexes a URL
(``reindex``, ``ingest``) asks here.
"""

from __future__ import annotations

__all__ = ["is_web_url", "web_url"]

_WEB_PREFIXES = ("http://", "https://")


def is_web_url(url: object) -> bool:
    """True when ``url`` is an http(s) URL that a browser reads as exactly that."""
    if not isinstance(url, str) or not url[:8].lower().startswith(_WEB_PREFIXES):
        return False
    return not any(ord(ch) <= 32 or ord(ch) == 127 for ch in url)


def web_url(url: object) -> str | None:
    """``url`` when it may be a link, else None (the caller shows it as text, never as a link)."""
    return url if is_web_url(url) else None  # type: ignore[return-value]
