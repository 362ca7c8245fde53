"""Article URL rules from URL shapes: what ``archiver outlets new`` writes as ``article_allow``.

Sitemaps and feeds of a news site list mostly articles, and an outlet's
article URLs share a shape (``/2024/06/26/<slug>/``, ``/news/<slug>-<id>``).
:func:`shape` generalises one path segment by segment (a 4-digit year, a
2-digit month or day, a number, a slug ending in a number, any slug), keeping
a segment literal where all URLs of a group agree (``/news/``); :func:`infer`
groups URLs by that shape and turns each group into a regular expression.
Which groups are articles is decided by the caller (feeds list articles; a
sample page's own signals say so).
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from urllib.parse import urlsplit

__all__ = ["Shape", "infer", "shape_key"]

_KINDS = (
    (re.compile(r"\d{4}"), r"\d{4}"),
    (re.compile(r"\d{1,2}"), r"\d{1,2}"),
    (re.compile(r"\d+"), r"\d+"),
    (re.compile(r".*[a-z].*-\d+(\.html?)?", re.IGNORECASE), r"[^/]*-\d+"),
    (re.compile(r"\d+-[^/]+"), r"\d+-[^/]+"),
)


def _kind(segment: str) -> str:
    """The generalised form of one path segment (``[^/]+`` for a plain slug)."""
    for pattern, kind in _KINDS:
        if pattern.fullmatch(segment):  # the whole segment, no trailing newline
            if kind == r"[^/]*-\d+" and segment.lower().endswith((".html", ".htm")):
                return r"[^/]*-\d+\.html?"
            return kind
    return r"[^/]+"


def _segments(url: str) -> tuple[list[str], bool]:
    path = urlsplit(url).path or "/"
    return [s for s in path.split("/") if s], path.endswith("/")


def shape_key(url: str) -> tuple[tuple[str, ...], bool]:
    """Group key of a URL: the kind of each segment, and whether the path ends with a slash."""
    segments, slash = _segments(url)
    return tuple(_kind(s) for s in segments), slash


@dataclasses.dataclass
class Shape:
    """A group of URLs of one shape, and the regular expression that matches them."""

    key: tuple[tuple[str, ...], bool]
    urls: list[str]

    @property
    def pattern(self) -> str:
        kinds, slash = self.key
        parts = []
        for position, kind in enumerate(kinds):
            values = {_segments(u)[0][position] for u in self.urls}
            if kind == r"[^/]+" and len(values) == 1 and len(self.urls) >= 2:
                parts.append(re.escape(values.pop()))  # a constant segment: /news/, /story/
            else:
                parts.append(kind)
        return "^/" + "/".join(parts) + ("/" if slash and parts else "") + "$"

    def example(self) -> str:
        return urlsplit(self.urls[0]).path

    def matches(self, url: str) -> bool:
        return re.search(self.pattern, urlsplit(url).path) is not None


def infer(urls: list[str]) -> list[Shape]:
    """URLs grouped by shape, the largest group first."""
    groups: dict[tuple[tuple[str, ...], bool], list[str]] = defaultdict(list)
    for url in dict.fromkeys(urls):
        groups[shape_key(url)].append(url)
    shapes = [Shape(key, members) for key, members in groups.items()]
    return sorted(shapes, key=lambda s: (-len(s.urls), s.pattern))
