"""Article versions: every distinct clean text of an article, each with the capture it came from.

An article gets a new version when its clean text changes (an edit between crawls, or
``archiver reclean``); the same text again is only a new capture. The ``articles`` row
holds the latest version. Version numbers are written into each version's conversion
record, so a rebuild from the WARCs numbers them the same in any file order; a record
from before versions existed is numbered on arrival, as its crawl would have numbered it.
See "Re-crawls, revisits and versions" in ``docs/architecture.md``.
"""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from archiver.article import Article
from archiver.capture import Capture

__all__ = [
    "VERSION_OWN_FIELDS",
    "add_version",
    "count_versions",
    "current_version",
    "is_latest",
    "next_version",
    "version_id",
]

#: Article fields that have a column of their own in ``article_versions``; the rest go to ``metadata``.
VERSION_OWN_FIELDS = frozenset({"url", "title", "text", "markdown", "extractor", "extractor_version"})


def version_id(ident: str, version: int) -> str:
    """Primary key of a version row: the article id and the version number."""
    return f"{ident}-v{version}"


def current_version(db: Database, ident: str) -> tuple[int, str] | None:
    """``(version number, text sha256)`` of the article's latest version, or ``None`` if none."""
    row = db.execute(
        "SELECT version, text_sha256 FROM article_versions WHERE article_id = ? ORDER BY version DESC LIMIT 1",
        [ident],
    ).fetchone()
    return (int(row[0]), row[1]) if row else None


def next_version(db: Database, ident: str, text_sha256: str) -> int | None:
    """The number a text would get as a new version, or ``None`` when it equals the latest text."""
    current = current_version(db, ident)
    if current is None:
        return 1
    return None if current[1] == text_sha256 else current[0] + 1


def _metadata(article: Article) -> str:
    data = {k: v for k, v in article.to_dict().items() if k not in VERSION_OWN_FIELDS}
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)


def add_version(
    db: Database,
    article: Article,
    capture: Capture,
    *,
    ident: str,
    version: int,
    crawl_id: str | None,
    conversion_record_id: str | None,
    converted_at: str | None,
) -> bool:
    """Insert version ``version`` of article ``ident``; ``False`` if that version is already there.

    Idempotent, so reindexing the same WARCs twice changes nothing. The
    caller updates the ``articles`` row when this is the latest version
    (:func:`is_latest`).
    """
    row: dict[str, Any] = {
        "id": version_id(ident, version),
        "article_id": ident,
        "version": version,
        "url": article.url,
        "title": article.title,
        "text": article.text,
        "markdown": article.markdown,
        "text_sha256": article.text_sha256,
        "word_count": len(article.text.split()),
        "capture_record_id": capture.record_id,
        "fetched_at": capture.fetched_at,
        "converted_at": converted_at,
        "conversion_record_id": conversion_record_id,
        "crawl_id": crawl_id,
        "extractor": article.extractor,
        "extractor_version": article.extractor_version,
        "metadata": _metadata(article),
    }
    cursor = db.execute(
        "INSERT OR IGNORE INTO article_versions ({}) VALUES ({})".format(
            ", ".join(f'"{name}"' for name in row), ", ".join("?" for _ in row)
        ),
        list(row.values()),
    )
    return cursor.rowcount > 0


def is_latest(db: Database, ident: str, version: int) -> bool:
    """Whether ``version`` is the highest version stored for article ``ident``."""
    current = current_version(db, ident)
    return current is not None and current[0] == version


def count_versions(db: Database, ident: str) -> int:
    """How many versions article ``ident`` has."""
    return int(
        db.execute("SELECT count(*) FROM article_versions WHERE article_id = ?", [ident]).fetchone()[0]
    )
