"""Recognise hostile URLs and pages before they cost a crawl its budget (framework-free).

:class:`TrapGuard` bounds crawler traps (endless calendars, session ids, relative-link
loops) with a budget per URL *shape* and refuses over-repeated path segments and overlong
URLs; :func:`page_problems` names what is wrong with a page served as HTML (a binary body,
a charset the bytes do not decode with, no charset). The ``news`` spider applies both
(``spiders/hostile.py``); see "Hostile web, faults and security" in ``docs/architecture.md``.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple
from urllib.parse import urlsplit

__all__ = ["TrapGuard", "TrapVerdict", "url_shape", "page_problems", "PageProblem", "looks_binary"]

_DIGITS = re.compile(r"\d+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BINARY = re.compile(b"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def url_shape(url: str) -> str:
    """``host/path`` with every run of digits replaced by ``N`` (the query is ignored)."""
    parts = urlsplit(url)
    return (parts.hostname or "") + _DIGITS.sub("N", parts.path or "/")


class TrapVerdict(NamedTuple):
    """Why a URL was refused: a stats key suffix and a message for the log."""

    kind: str
    message: str


class TrapGuard:
    """Budget per URL shape, plus limits on URL length and repeated path segments.

    ``budget`` is how many URLs of one shape may be scheduled (None: no
    limit); ``max_repeats`` how often one path segment may occur in a path;
    ``max_length`` how long a URL may be.
    """

    def __init__(self, *, budget: int | None = 200, max_repeats: int = 3, max_length: int = 2048) -> None:
        self.budget = budget
        self.max_repeats = max_repeats
        self.max_length = max_length
        self.counts: Counter[str] = Counter()

    def check(self, url: str) -> TrapVerdict | None:
        """``None`` if ``url`` may be scheduled (and count it), else why not."""
        if len(url) > self.max_length:
            return TrapVerdict("url_too_long", f"URL longer than {self.max_length} characters")
        segments = [s for s in urlsplit(url).path.split("/") if s]
        if segments:
            segment, times = Counter(segments).most_common(1)[0]
            if times > self.max_repeats:
                return TrapVerdict(
                    "repeated_segment", f"path repeats {segment!r} {times} times (a relative-link loop?)"
                )
        shape = url_shape(url)
        if self.budget is not None and self.counts[shape] >= self.budget:
            return TrapVerdict(
                "shape_budget",
                f"more than {self.budget} URLs shaped {shape} (a crawler trap such as an "
                "endless calendar?); raise ARCHIVER_SHAPE_BUDGET if they are all wanted",
            )
        self.counts[shape] += 1
        return None


class PageProblem(NamedTuple):
    kind: str  # stats key suffix: binary, charset_mismatch, no_charset
    message: str


def looks_binary(head: bytes) -> bool:
    """True for images, archives and other non-text bodies (control bytes > 5 %)."""
    if not head or head.startswith(_BOMS):
        return False
    return len(_BINARY.findall(head)) > len(head) * 0.05


def _header_charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    return None


def page_problems(body: bytes, content_type: str) -> list[PageProblem]:
    """What is wrong with a body served as ``content_type`` (an HTML type); [] if nothing."""
    head = body[:2048]
    if looks_binary(head):
        return [PageProblem("binary", "binary body served as HTML; archived, not cleaned")]
    if body.startswith(_BOMS):
        return []
    match = _META_CHARSET.search(body[:4096])
    declared = _header_charset(content_type) or (match.group(1).decode("ascii").lower() if match else None)
    if declared is None:
        return [PageProblem("no_charset", "no charset declared (header or <meta>); the cleaner guesses")]
    try:
        body.decode(declared)
    except LookupError:
        return [PageProblem("charset_mismatch", f"declared charset {declared!r} is unknown")]
    except UnicodeDecodeError as exc:
        return [
            PageProblem(
                "charset_mismatch",
                f"declared charset {declared!r} does not decode the body (byte {exc.start}); "
                "the cleaner falls back to another",
            )
        ]
    return []
