"""The writer's bio at the foot of the text ("Jane Doe is a freelance writer...").

Themes print it as a plain paragraph after the article, with no class that
names it: it is told by its place (among the last blocks), its length and its
opening (the byline's name, or a name followed by a bio's verb and noun).
"""

from __future__ import annotations

import re
from typing import Sequence

from ._patterns import HEADINGS
from ._render import Block

# A name as bylines print it ("Dr. Jane Q. Doe, MD")
_NAME = r"(?:Dr\.? )?[A-Z][\w'’-]+(?: [A-Z]\.)?(?: [A-Z][\w'’-]+){1,2},?(?: (?:MD|PhD|Jr\.|Sr\.),?)?"
_NOT_NAMES = frozenset(
    {
        "The",
        "This",
        "That",
        "These",
        "It",
        "Our",
        "We",
        "Your",
        "You",
        "A",
        "An",
        "In",
        "For",
        "If",
        "When",
        "Why",
        "How",
        "What",
        "Every",
        "Each",
    }
)
_BIO_VERB = r"(?:is|was|has been|has written|has worked|holds|started|joined|writes|covers|founded|lives)"
_BIO = re.compile(
    rf"^({_NAME}) {_BIO_VERB}\b.{{0,120}}\b(?:writer|editor|journalist|reporter|author|"
    r"contributor|correspondent|columnist|content creator|freelance|blogger|founder|co-founder|"
    r"owner|attorney|physician|specialist|consultant)",
    re.S,
)
_OPENER = re.compile(rf"^({_NAME}|[A-Z][\w'’-]+) {_BIO_VERB}\b")
_BIO_TAIL = 4  # the bio is among the last blocks
_BIO_MAX = 700  # and short


def _person_names(authors: Sequence[str]) -> set[str]:
    """First and last names of the bylines that look like people (two or more
    capitalised words), so that "Acme Official is..." is not taken for a bio."""
    names: set[str] = set()
    for author in authors or ():
        parts = [p for p in re.split(r"[^\w'’-]+", author) if p]
        if len(parts) >= 2 and all(p[0].isupper() for p in parts[:2]):
            names.update(p for p in parts if len(p) > 2 and p[0].isupper() and not p.isupper())
    return names


def drop_trailing_bio(blocks: list[Block], authors: Sequence[str]) -> list[Block]:
    """Cut the writer's bio off the end of the text: a short paragraph near the
    end that opens with the byline's name (or reads like a bio), what follows
    it, and a lone name or job-title line just before it."""
    names = _person_names(authors)
    start = max(0, len(blocks) - _BIO_TAIL)
    for i in range(start, len(blocks)):
        text = blocks[i].text.lstrip("*( \u00a0")
        if len(text) > _BIO_MAX or blocks[i].kind in HEADINGS:
            continue
        bio = _BIO.match(text)
        opener = _OPENER.match(text)
        found = bio or opener
        subject = found.group(1) if found else ""
        if not subject or subject.split()[0] in _NOT_NAMES:
            continue
        if not (bio or names & set(re.findall(r"[\w'’-]+", subject))):
            continue
        if any(len(bl.text) > _BIO_MAX for bl in blocks[i + 1 :]):
            return blocks
        if (
            i > 0
            and len(blocks[i - 1].text) <= 40
            and not blocks[i - 1].text.rstrip().endswith((".", "!", "?", ":", "…"))
        ):
            i -= 1  # the name or job title over the bio
        return blocks[:i]
    return blocks
