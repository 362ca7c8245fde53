"""One metadata value as text: first of a list, a JSON-LD object's name, entities undone."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


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


def words(s: str) -> set[str]:
    """The lower-cased words of ``s``: what two titles, or a title and an element, have in common."""
    return set(_WORD.findall(s.lower()))
