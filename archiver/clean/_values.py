"""One metadata value as text: first of a list, a JSON-LD object's name, entities undone."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_NON_WORD = re.compile(r"\W+")


def clean(s: Any) -> str | None:
    """A field's value as one trimmed string, or ``None`` when it holds no text."""
    if s is None:
        return None
    if isinstance(s, (list, tuple)):
        s = s[0] if s else None
        return clean(s)
    if isinstance(s, dict):
        return clean(s.get("name") or s.get("@value") or s.get("url"))
    s = str(s)
    if "&" in s:
        s = html_lib.unescape(html_lib.unescape(s))  # double-escaped in many CMS outputs
    s = _WS.sub(" ", s).strip()
    return s or None


def word_list(s: str) -> list[str]:
    """The lower-cased words of ``s`` in order: two titles that word the same thing alike."""
    return _WORD.findall(s.lower())


def words(s: str) -> set[str]:
    """The lower-cased words of ``s``: what two titles, or a title and an element, have in common."""
    return set(word_list(s))


def squash(s: str) -> str:
    """A name as a key: its letters and digits, lower-cased ("Ann-Marie O'Neil" = "annmarieoneil")."""
    return _NON_WORD.sub("", s).lower()
