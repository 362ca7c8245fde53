"""Word-level differences between two versions of an article's text."""

from __future__ import annotations

import difflib
import re

_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``[(op, text), ...]`` turning ``old`` into ``new``, op being ``equal``, ``delete`` or ``insert``.

    Words and the whitespace between them are the units, so a changed word is
    shown as one deletion and one insertion, and joining the ``equal`` and
    ``insert`` parts gives ``new`` back exactly (the ``equal`` and ``delete``
    parts give ``old``).
    """
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    out: list[tuple[str, str]] = []

    def emit(op: str, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            emit("equal", "".join(a[i1:i2]))
        else:
            emit("delete", "".join(a[i1:i2]))
            emit("insert", "".join(b[j1:j2]))
    return out
