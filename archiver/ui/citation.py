"""The citation block of an article page: plain text, BibTeX and a Robust Link.

It names what a reader needs to find the same bytes years later: the original
URL, the archived (Memento-style) URL with the capture time, and the sha256 of
the clean text. ``archiver cite`` (issue 4) gives the same facts on the
command line.
"""

from __future__ import annotations

import dataclasses
import json
import re
from html import escape


@dataclasses.dataclass
class Citation:
    """One article's citation in the forms the page offers."""

    text: str
    bibtex: str
    html: str
    archived_url: str


def _authors(row: dict) -> list[str]:
    try:
        value = json.loads(row.get("authors") or "[]")
    except ValueError:
        return []
    return [str(a) for a in value] if isinstance(value, list) else []


def timestamp14(iso: str) -> str:
    """``YYYYMMDDhhmmss`` of an ISO 8601 time (the Memento URL's datetime)."""
    return "".join(ch for ch in iso if ch.isdigit())[:14].ljust(14, "0")


def make_citation(row: dict, *, base_url: str) -> Citation:
    """The citation of an ``articles`` row, its archived URL rooted at ``base_url``."""
    authors = _authors(row)
    title = row.get("title") or row["url"]
    outlet = row.get("site_name") or row.get("outlet") or ""
    published = (row.get("published") or "")[:10]
    fetched = row.get("fetched_at") or ""
    archived = f"{base_url.rstrip('/')}/{timestamp14(fetched)}/{row['url']}"
    who = "; ".join(authors)
    text = " ".join(part for part in [
        f"{who}." if who else "",
        f"“{title}”.",
        f"{outlet}," if outlet else "",
        f"{published}." if published else "",
        f"{row['url']}.",
        f"Archived {fetched[:10]} at {archived}.",
        f"Text sha256 {row.get('text_sha256') or ''}.",
    ] if part)
    key = re.sub(r"\W+", "", (authors[0].split()[-1] if authors else outlet) or "article").lower()
    key += published[:4] + (row.get("id") or "")[:4]
    fields = {
        "title": title,
        "author": " and ".join(authors),
        "journal": outlet,
        "date": published,
        "url": row["url"],
        "urldate": fetched[:10],
        "note": f"Archived at {archived}; text sha256 {row.get('text_sha256') or ''}",
    }
    bib = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items() if v)
    bibtex = f"@online{{{key},\n{bib}\n}}"
    html = (
        f'<a href="{escape(row["url"])}" data-versionurl="{escape(archived)}" '
        f'data-versiondate="{escape(fetched)}">{escape(title)}</a>'
    )
    return Citation(text=text, bibtex=bibtex, html=html, archived_url=archived)
