"""The archive database's schema, as an ordered list of migrations.

Each migration is a function of the database registered on :data:`migrations`
(sqlite-utils' ``Migrations``, which records what ran in ``_sqlite_migrations``).
A migration, once released, is never edited: a later change is a new function
further down this file, so every archive ever written upgrades the same way.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("archiver")

#: Columns of ``captures`` that come straight from :class:`archiver.capture.Capture`.
CAPTURE_COLUMNS: dict[str, type] = {
    "record_id": str,
    "url": str,
    "fetched_at": str,
    "status": int,
    "reason": str,
    "content_type": str,
    "payload_sha256": str,
    "payload_length": int,
    "warc_file": str,
    "offset": int,
    "length": int,
    "record_type": str,
    "request_record_id": str,
    "refers_to": str,
    "crawl_id": str,
    "outlet": str,
}

ARTICLE_COLUMNS: dict[str, type] = {
    "id": str,
    "url": str,
    "canonical_url": str,
    "outlet": str,
    "title": str,
    "authors": str,  # JSON array
    "published": str,
    "modified": str,
    "language": str,
    "description": str,
    "section": str,
    "tags": str,  # JSON array
    "image": str,
    "site_name": str,
    "text": str,
    "markdown": str,
    "text_sha256": str,
    "word_count": int,
    "capture_record_id": str,
    "fetched_at": str,
    "extractor": str,
    "extractor_version": str,
    "conversion_record_id": str,
    "crawl_id": str,
}


@migrations(name="0001_initial")
def initial(db: Database) -> None:
    """crawls, captures, articles, their indexes and the FTS5 index of articles."""
    db.table("crawls").create(
        {
            "id": str,
            "outlet": str,
            "started_at": str,
            "finished_at": str,
            "software": str,
            "settings_digest": str,
            "settings": str,  # JSON object
            "stats": str,  # JSON object
        },
        pk="id",
        not_null={"outlet", "started_at"},
    )
    db.table("captures").create(
        {**CAPTURE_COLUMNS, "wall": str, "wall_evidence": str},
        pk="record_id",
        not_null={"url", "fetched_at", "warc_file", "offset", "length", "record_type"},
        foreign_keys=[
            ("crawl_id", "crawls", "id"),
            ("refers_to", "captures", "record_id"),
        ],
    )
    captures = db.table("captures")
    captures.create_index(["url"])
    captures.create_index(["fetched_at"])

    articles = db.table("articles")
    articles.create(
        ARTICLE_COLUMNS,
        pk="id",
        not_null={"url", "text", "text_sha256", "capture_record_id", "fetched_at"},
        foreign_keys=[
            ("capture_record_id", "captures", "record_id"),
            ("crawl_id", "crawls", "id"),
        ],
    )
    articles.create_index(["url"], unique=True)
    articles.create_index(["outlet", "published"])
    articles.create_index(["published"])  # Datasette's default sort of the articles table
    articles.enable_fts(["title", "text"], create_triggers=True, tokenize="porter")
