"""The archive database's schema, as an ordered list of migrations.

Each migration is a function of the database registered on :data:`migrations`
(sqlite-utils' ``Migrations``, which records what ran in ``_sqlite_migrations``).
A migration, once released, is never edited: a later change is a new function
further down this file, so every archive ever written upgrades the same way.
So each migration writes out the columns it creates; the ``*_COLUMNS`` dicts
are today's columns, which the store writes (``tests/test_store.py`` checks
that the migrations end at them).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("archiver")

#: The columns migration 0001 created (frozen: a migration never changes, so neither do these;
#: a later column is a new migration, and today's dicts below add it).
#: Every column of ``crawls`` is text; ``settings`` and ``stats`` hold JSON objects.
_CRAWLS_0001: dict[str, type] = dict.fromkeys(
    ("id", "outlet", "started_at", "finished_at", "software", "settings_digest", "settings", "stats"), str
)
_CAPTURES_0001: dict[str, type] = {
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
    "wall": str,
    "wall_evidence": str,
}
_ARTICLES_0001: dict[str, type] = {
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

#: Columns of ``captures`` that come straight from :class:`archiver.capture.Capture`
#: (0001's but the wall's, which a capture's row gets apart from its record).
CAPTURE_COLUMNS: dict[str, type] = {
    name: kind for name, kind in _CAPTURES_0001.items() if name not in ("wall", "wall_evidence")
}

#: Columns of ``articles`` the store writes from an Article: 0001's, then 0009's.
ARTICLE_COLUMNS: dict[str, type] = {**_ARTICLES_0001, "wall": str, "wall_evidence": str, "partial": int}


@migrations(name="0001_initial")
def initial(db: Database) -> None:
    """crawls, captures, articles, their indexes and the FTS5 index of articles."""
    db.table("crawls").create(
        _CRAWLS_0001,
        pk="id",
        not_null={"outlet", "started_at"},
    )
    db.table("captures").create(
        _CAPTURES_0001,
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
        _ARTICLES_0001,
        pk="id",
        not_null={"url", "text", "text_sha256", "capture_record_id", "fetched_at"},
        foreign_keys=[("capture_record_id", "captures", "record_id"), ("crawl_id", "crawls", "id")],
    )
    articles.create_index(["url"], unique=True)
    articles.create_index(["outlet", "published"])
    articles.create_index(["published"])  # Datasette's default sort of the articles table
    articles.enable_fts(["title", "text"], create_triggers=True, tokenize="porter")


#: Columns of ``article_versions`` as migration 0002 created them (frozen, like 0001's above):
#: one row per distinct clean text of an article, with its capture.
_ARTICLE_VERSIONS_0002: dict[str, type] = {
    "id": str,  # "{article_id}-v{version}"
    "article_id": str,
    "version": int,  # 1, 2, ... in the order the texts were derived
    "url": str,
    "title": str,
    "text": str,
    "markdown": str,
    "text_sha256": str,
    "word_count": int,
    "capture_record_id": str,  # the response/revisit the text was derived from
    "fetched_at": str,  # that capture's WARC-Date
    "converted_at": str,  # WARC-Date of the version's conversion record
    "conversion_record_id": str,
    "crawl_id": str,
    "extractor": str,
    "extractor_version": str,
    "metadata": str,  # JSON object: the Article's other fields (authors, dates, tags, ...)
}

#: Columns of ``article_versions`` today: 0002's.
VERSION_COLUMNS: dict[str, type] = dict(_ARTICLE_VERSIONS_0002)


@migrations(name="0002_article_versions")
def article_versions(db: Database) -> None:
    """article_versions (every distinct clean text with its capture); articles point at the latest.

    Existing articles become their own version 1, so an archive written
    before versions existed upgrades without losing its texts.
    """
    versions = db.table("article_versions")
    versions.create(
        _ARTICLE_VERSIONS_0002,
        pk="id",
        not_null={"article_id", "version", "text", "text_sha256", "capture_record_id"},
        foreign_keys=[
            ("article_id", "articles", "id"),
            ("capture_record_id", "captures", "record_id"),
            ("crawl_id", "crawls", "id"),
        ],
    )
    versions.create_index(["article_id", "version"], unique=True)
    versions.create_index(["capture_record_id"])
    articles = db.table("articles")
    articles.add_column("current_version", int)
    articles.add_column("versions", int)
    db.execute(
        """
        INSERT INTO article_versions (id, article_id, version, url, title, text, markdown, text_sha256,
            word_count, capture_record_id, fetched_at, converted_at, conversion_record_id, crawl_id,
            extractor, extractor_version, metadata)
        SELECT id || '-v1', id, 1, url, title, text, markdown, text_sha256, word_count,
            capture_record_id, fetched_at, NULL, conversion_record_id, crawl_id,
            extractor, extractor_version,
            json_object('authors', json(authors), 'canonical_url', canonical_url, 'description', description,
                        'image', image, 'language', language, 'modified', modified, 'published', published,
                        'section', section, 'site_name', site_name, 'tags', json(tags))
        FROM articles
        """
    )
    db.execute("UPDATE articles SET current_version = 1, versions = 1")


@migrations(name="0003_ui_indexes")
def ui_indexes(db: Database) -> None:
    """Indexes the archive pages in Datasette need to answer fast on large archives.

    Facets of the search page (section, language, authors, within a date
    range), Datasette's facets of ``captures`` and the outlet page's charts
    (articles per day, captures per day by status) read these instead of the
    table rows with their texts.
    """
    captures = db.table("captures")
    captures.create_index(["outlet", "fetched_at", "status"], if_not_exists=True)
    captures.create_index(["status"], if_not_exists=True)
    captures.create_index(["record_type"], if_not_exists=True)
    articles = db.table("articles")
    articles.create_index(["outlet", "published", "fetched_at"], if_not_exists=True)
    articles.create_index(["section"], if_not_exists=True)
    articles.create_index(["language"], if_not_exists=True)
    articles.create_index(["authors"], if_not_exists=True)
    # date ranges with facets and filters, answered from the index alone
    articles.create_index(["published", "outlet", "section", "language", "authors"], if_not_exists=True)


@migrations(name="0004_summaries")
def summaries(db: Database) -> None:
    """Counters and summary tables kept by triggers, so no page counts or groups a whole table.

    See :mod:`archiver.store.summaries`. Filled from the rows already there,
    so an existing archive upgrades with the right counts (one pass over each table).
    """
    from archiver.store import summaries as _summaries

    _summaries.create(db.conn)


@migrations(name="0005_article_capture_index")
def article_capture_index(db: Database) -> None:
    """Index of articles by the capture their text came from (the capture view names its article)."""
    db.table("articles").create_index(["capture_record_id"], if_not_exists=True)


@migrations(name="0006_drop_authors_index")
def drop_authors_index(db: Database) -> None:
    """Drop the index of the ``authors`` JSON text: ``article_authors`` (0004) answers the author filter.

    The old author lookup scanned that whole index; every write paid for it.
    """
    db.execute("DROP INDEX IF EXISTS idx_articles_authors")


#: Columns of ``articles`` saying which document the text came from in a browser capture
#: (written out here, not derived, so this migration never changes).
RENDER_COLUMNS: tuple[str, ...] = (
    "text_source",
    "dom_record_id",
    "screenshot_record_id",
    "screenshot_sha256",
)


@migrations(name="0007_browser_capture")
def browser_capture(db: Database) -> None:
    """Script-built outlets: the shell flag on captures, the rendered DOM and screenshot on articles.

    ``captures.needs_browser`` holds the evidence that an HTTP capture saw only
    a shell; ``articles.text_source`` is ``http`` (the response) or ``dom``
    (the browser's rendered DOM, ``dom_record_id``), and the screenshot's
    record and sha256 let a citation be checked against the WARC.
    """
    db.table("captures").add_column("needs_browser", str)
    db.table("captures").create_index(["refers_to"], if_not_exists=True)
    articles = db.table("articles")
    articles.add_column("text_source", str)
    articles.add_column("dom_record_id", str)
    articles.add_column("screenshot_record_id", str)
    articles.add_column("screenshot_sha256", str)


#: Columns of ``requisites``: which page needed which resource, and what became of it.
REQUISITE_COLUMNS: dict[str, type] = {
    "page_record_id": str,  # the page's capture (response or revisit record id)
    "url": str,
    "source": str,  # where the page (or its CSS) named it: "img@srcset", "stylesheet @font-face url()"
    "kind": str,  # style, font, image, icon, script
    "status": str,  # archived, skipped, failed
    "reason": str,  # why skipped or failed: "robots.txt", "page budget (count)", "HTTP 404"
    "capture_record_id": str,  # the requisite's own capture when archived
    "crawl_id": str,
}


@migrations(name="0008_page_requisites")
def page_requisites(db: Database) -> None:
    """``requisites`` (page → resource, status) and the payload-digest index for revisits across URLs."""
    db.table("requisites").create(REQUISITE_COLUMNS, pk=("page_record_id", "url"), not_null={"url", "status"})
    db.table("requisites").create_index(["page_record_id", "status"])
    db.table("captures").create_index(["payload_sha256"], if_not_exists=True)


@migrations(name="0009_partial_articles")
def partial_articles(db: Database) -> None:
    """Paywalled articles keep what the reader got: the wall, its evidence and ``partial`` on ``articles``.

    A teaser above a paywall is stored as an article row with ``wall`` and
    ``wall_evidence`` (as on its capture) and ``partial = 1``; a later full
    text is a new version and clears them. Rows stored before are whole: 0.
    """
    articles = db.table("articles")
    articles.add_column("wall", str)
    articles.add_column("wall_evidence", str)
    articles.add_column("partial", int, not_null_default=0)


@migrations(name="0010_drop_prefix_indexes")
def drop_prefix_indexes(db: Database) -> None:
    """Drop two indexes that are prefixes of wider ones (0003): every article write paid for them.

    ``(published)`` is the start of ``(published, outlet, section, language,
    authors)`` and ``(outlet, published)`` of ``(outlet, published, fetched_at)``;
    SQLite walks the wider index for every sort and filter the narrow one served.
    """
    db.execute("DROP INDEX IF EXISTS idx_articles_published")
    db.execute("DROP INDEX IF EXISTS idx_articles_outlet_published")


@migrations(name="0011_facet_date_indexes")
def facet_date_indexes(db: Database) -> None:
    """A section's or a language's articles in date order, from an index that holds the facet columns.

    Replaces the one-column ``(section)`` and ``(language)`` indexes of 0003 (their
    prefixes serve what they served): the search page walks only the matching
    rows of a date range, newest first, instead of the whole range to find them.
    """
    articles = db.table("articles")
    for facet in ("section", "language"):
        others = [c for c in ("outlet", "section", "language", "authors") if c != facet]
        articles.create_index([facet, "published", *others], if_not_exists=True)
        db.execute(f"DROP INDEX IF EXISTS idx_articles_{facet}")
