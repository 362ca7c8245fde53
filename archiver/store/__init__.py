"""The SQLite store: an index of the WARC files, served by Datasette.

The WARCs are the source of truth; ``archive.db`` is derived from them. So
every value in ``captures`` and ``articles`` comes from a
:class:`~archiver.capture.Capture` or :class:`~archiver.article.Article`
(never from the clock or an autoincrement), and rebuilding the database from
the same WARCs gives the same rows. Writes are idempotent: adding what is
already there changes nothing, so a resumed crawl or a second ``reindex`` of
the same files leaves the database as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlite_utils import Database

from archiver.article import Article
from archiver.capture import Capture
from archiver.store import versions as _versions
from archiver.store.schema import ARTICLE_COLUMNS, CAPTURE_COLUMNS, RENDER_COLUMNS, migrations

__all__ = [
    "DB_NAME",
    "Archive",
    "ArchiveDatabase",
    "StoreError",
    "article_id",
    "database_path",
    "normalize_url",
]

#: File name of the database inside an archive folder.
DB_NAME = "archive.db"
_DB_SUFFIXES = {".db", ".sqlite", ".sqlite3"}
_DEFAULT_PORTS = {"http": 80, "https": 443}


class StoreError(Exception):
    """The archive database cannot be opened or written; the message says why and what to do."""


def normalize_url(url: str) -> str:
    """The URL an article id is computed from.

    Lowercases scheme and host, drops a default port and the fragment, turns an
    empty path into ``/`` and keeps the query as is (on news sites it often
    names the article).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    if parts.hostname is not None:
        host = parts.hostname  # urlsplit lowercases it
        if ":" in host:
            host = f"[{host}]"
        try:
            port = parts.port
        except ValueError:  # a malformed port: keep it, lowercased, rather than fail
            port = None
            host = netloc.rpartition("@")[2].lower()
        if port is not None and port != _DEFAULT_PORTS.get(scheme):
            host = f"{host}:{port}"
        userinfo = netloc.rpartition("@")[0] if "@" in netloc else ""
        netloc = f"{userinfo}@{host}" if userinfo else host
    path = parts.path or ("/" if netloc else "")
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def article_id(url: str) -> str:
    """Stable id of the article at ``url``: 16 hex digits of sha256(normalized URL).

    The same page gets the same id in every archive and every rebuild, so
    citations and links into Datasette stay valid.
    """
    return hashlib.sha256(normalize_url(url).encode("utf-8")).hexdigest()[:16]


#: Prepared upsert statements by (table, columns, primary key).
_UPSERT_SQL: dict[tuple[str, tuple[str, ...], str], str] = {}


def _json(value: Any) -> str:
    """Deterministic JSON text for a column (sorted keys, real UTF-8)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def database_path(path: str | Path) -> Path:
    """The database file meant by ``path``: ``DIR`` means ``DIR/archive.db``;
    an existing file, or a path ending in ``.db``/``.sqlite``/``.sqlite3``, is the file itself."""
    path = Path(path)
    if path.is_dir() or (path.suffix.lower() not in _DB_SUFFIXES and not path.is_file()):
        return path / DB_NAME
    return path


class ArchiveDatabase:
    """The archive database at ``DIR/archive.db`` (or at a ``*.db`` path given directly).

    Opening creates the file if needed, switches it to WAL (so Datasette can
    read while a crawl writes) and applies pending schema migrations.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = database_path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30)  # wait for a concurrent writer
            self.db = Database(conn)
            self.db.enable_wal()
            self.db.execute("PRAGMA synchronous = NORMAL")
            migrations.apply(self.db)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"cannot open the archive database {self.path}: {exc}. "
                "Check that the folder exists and is writable, and that the file "
                "is an SQLite database (not a WARC or another file)."
            ) from exc

    # -- lifecycle ---------------------------------------------------------

    def close(self) -> None:
        """Close the connection (SQLite then checkpoints and removes the WAL file)."""
        self.db.close()

    def __enter__(self) -> "ArchiveDatabase":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator["ArchiveDatabase"]:
        """Group many writes into one all-or-nothing transaction (about 1.3x faster in bulk)."""
        with self.db.atomic():
            yield self

    # -- crawls ------------------------------------------------------------

    def start_crawl(
        self,
        *,
        crawl_id: str,
        outlet: str,
        started_at: str,
        software: str,
        settings_digest: str,
        settings: dict[str, Any],
    ) -> None:
        """Record a crawl. Starting the same ``crawl_id`` again (a resumed crawl) keeps the first row."""
        row = {
            "id": crawl_id,
            "outlet": outlet,
            "started_at": started_at,
            "software": software,
            "settings_digest": settings_digest,
            "settings": _json(settings),
        }
        with self.db.atomic():
            self.db.table("crawls").insert(row, ignore=True)

    def finish_crawl(self, crawl_id: str, *, finished_at: str, stats: dict[str, Any]) -> None:
        """Record the end of a crawl and its stats (Scrapy's stats collector, for instance)."""
        with self.db.atomic():
            cursor = self.db.execute(
                "UPDATE crawls SET finished_at = ?, stats = ? WHERE id = ?",
                [finished_at, _json(stats), crawl_id],
            )
            if cursor.rowcount == 0:
                raise StoreError(
                    f"no crawl {crawl_id!r} in {self.path}: call start_crawl() before finish_crawl()"
                )

    # -- captures ----------------------------------------------------------

    def add_capture(self, capture: Capture) -> None:
        """Store one response/revisit record; adding the same record id again changes nothing."""
        row = {name: getattr(capture, name) for name in CAPTURE_COLUMNS}
        with self.db.atomic():
            self._upsert("captures", row, pk="record_id")

    def _upsert(self, table: str, row: dict[str, Any], *, pk: str) -> None:
        """``INSERT ... ON CONFLICT DO UPDATE`` of ``row``: what sqlite-utils' upsert does, in one statement.

        sqlite-utils introspects the table on every call and inserts then
        updates (firing the FTS triggers of ``articles`` three times for a new
        row); this was the crawl's costliest database call (bench/crawl.py).
        """
        names = tuple(row)
        sql = _UPSERT_SQL.get((table, names, pk))
        if sql is None:
            cols = ", ".join(f'"{n}"' for n in names)
            updates = ", ".join(f'"{n}" = excluded."{n}"' for n in names if n != pk)
            sql = (
                f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join("?" * len(names))}) '
                f'ON CONFLICT("{pk}") DO UPDATE SET {updates}'
            )
            _UPSERT_SQL[(table, names, pk)] = sql
        self.db.execute(sql, [_json(v) if isinstance(v, (dict, list, tuple)) else v for v in row.values()])

    def mark_wall(self, record_id: str, *, wall: str, evidence: str | None) -> None:
        """Note on a capture that it is a paywall/consent/captcha/denied page, and why."""
        with self.db.atomic():
            self.db.execute(
                "UPDATE captures SET wall = ?, wall_evidence = ? WHERE record_id = ?",
                [wall, evidence, record_id],
            )

    def mark_needs_browser(self, record_id: str, *, evidence: str) -> None:
        """Note on a capture that it is a script-built shell: no article came from it, and why."""
        with self.db.atomic():
            self.db.execute(
                "UPDATE captures SET needs_browser = ? WHERE record_id = ?", [evidence, record_id]
            )

    def has_capture(self, url: str) -> bool:
        """Whether any response or revisit of exactly ``url`` is archived."""
        return self.db.execute("SELECT 1 FROM captures WHERE url = ? LIMIT 1", [url]).fetchone() is not None

    def capture(self, record_id: str) -> Capture | None:
        """The capture stored under WARC record id ``record_id``, or ``None``."""
        found = self._captures_where("record_id = ?", [record_id])
        return found[0] if found else None

    def captures_for(self, url: str) -> list[Capture]:
        """Every capture of exactly ``url``, oldest first."""
        return self._captures_where("url = ?", [url])

    def _captures_where(
        self, where: str, params: list[Any], *, order: str = "fetched_at, record_id"
    ) -> list[Capture]:
        columns = ", ".join(f'"{name}"' for name in CAPTURE_COLUMNS)
        cursor = self.db.execute(f"SELECT {columns} FROM captures WHERE {where} ORDER BY {order}", params)
        return [Capture(**dict(zip(CAPTURE_COLUMNS, row))) for row in cursor.fetchall()]

    def latest_capture(self, url: str) -> Capture | None:
        """The newest capture of ``url`` (what a re-crawl compares against), or ``None``.

        One row, not the URL's whole history: a re-crawl asks this for every request.
        """
        found = self._captures_where("url = ?", [url], order="fetched_at DESC, record_id DESC LIMIT 1")
        return found[0] if found else None

    # -- articles ----------------------------------------------------------

    def add_article(
        self,
        article: Article,
        capture: Capture,
        *,
        outlet: str,
        crawl_id: str | None,
        conversion_record_id: str | None,
        version: int | None = None,
        converted_at: str | None = None,
    ) -> str | None:
        """Store the clean ``article`` taken from ``capture`` as a version; return its id.

        The capture is stored too (idempotently), so the article's foreign key
        always resolves. ``version`` is the number the conversion record
        carries (see :mod:`archiver.store.versions`); without one, a text equal
        to the latest version's changes nothing and a changed text becomes the
        next version. The ``articles`` row follows the highest version, so
        versions may arrive in any order. A page the cleaner marked as a wall
        is noted as one on its capture; a paywall's teaser is stored as a
        partial article (``wall``, ``wall_evidence``, ``partial = 1``), any
        other wall, or a teaser without text, is not an article: ``None`` is
        returned.
        """
        with self.db.atomic():
            self.add_capture(capture)
            if article.wall:
                self.mark_wall(capture.record_id, wall=article.wall, evidence=article.wall_evidence)
                if not article.stored_as_article:
                    return None
            ident = article_id(article.url)
            if version is None:
                version = _versions.next_version(self.db, ident, article.text_sha256)
                if version is None:
                    return ident
            added = _versions.add_version(
                self.db,
                article,
                capture,
                ident=ident,
                version=version,
                crawl_id=crawl_id,
                conversion_record_id=conversion_record_id,
                converted_at=converted_at,
            )
            if not added:
                return ident
            count = _versions.count_versions(self.db, ident)
            if not _versions.is_latest(self.db, ident, version):  # an older version read late
                self.db.execute("UPDATE articles SET versions = ? WHERE id = ?", [count, ident])
                return ident
            row = self._article_row(
                article,
                capture,
                ident=ident,
                outlet=outlet,
                crawl_id=crawl_id,
                conversion_record_id=conversion_record_id,
            )
            row.update(current_version=version, versions=count)
            self._upsert("articles", row, pk="id")
            return ident

    def next_version(self, article: Article) -> int | None:
        """The version number ``article``'s text would get, or ``None`` if it is the latest text already."""
        return _versions.next_version(self.db, article_id(article.url), article.text_sha256)

    @staticmethod
    def _article_row(
        article: Article,
        capture: Capture,
        *,
        ident: str,
        outlet: str,
        crawl_id: str | None,
        conversion_record_id: str | None,
    ) -> dict[str, Any]:
        fields = {field.name for field in dataclasses.fields(Article)}
        row: dict[str, Any] = {
            name: getattr(article, name) for name in (*ARTICLE_COLUMNS, *RENDER_COLUMNS) if name in fields
        }
        row.update(
            id=ident,
            outlet=outlet,
            authors=_json(list(article.authors)),
            tags=_json(list(article.tags)),
            text_sha256=article.text_sha256,
            word_count=len(article.text.split()),
            capture_record_id=capture.record_id,
            fetched_at=capture.fetched_at,
            conversion_record_id=conversion_record_id,
            crawl_id=crawl_id,
            partial=int(article.partial),
        )
        return row


#: The old name of :class:`ArchiveDatabase` (the database, not the archive: that is the WARCs).
Archive = ArchiveDatabase
