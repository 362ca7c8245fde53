"""Merge archive folders (the workers of a distributed crawl, or any archives) into one database.

``archiver ingest DIR... --db archive.db``. Each folder is an archive folder
(``warcs/`` + ``archive.db``) or holds some below it (``DIR/workers/*/``).
The WARCs are the source of truth, so merging is :func:`archiver.tools.reindex.reindex`
over every folder's WARC files, plus the ``crawls`` rows (which only the
workers' databases hold: start, end, settings, stats). Every write is
idempotent, so ingesting the same folders twice changes nothing, and a
folder can be ingested again after its worker wrote more.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path
from typing import Iterable

from archiver.tools.reindex import ReindexResult, reindex

__all__ = ["IngestError", "IngestResult", "archive_folders", "ingest"]


class IngestError(ValueError):
    """Nothing to ingest where the user pointed; the message says what was expected."""


@dataclasses.dataclass
class IngestResult:
    folders: list[Path]
    crawls: int
    index: ReindexResult

    def __str__(self) -> str:
        return (
            f"{len(self.folders)} archive folders, {self.index.files} WARC files, {self.crawls} crawls, "
            f"{self.index.captures} captures, {self.index.articles} articles"
        )


def archive_folders(paths: Iterable[str | Path]) -> list[Path]:
    """Archive folders named by ``paths``: each one itself if it has ``warcs/``, else those below it."""
    found: list[Path] = []
    for path in map(Path, paths):
        if not path.is_dir():
            raise IngestError(
                f"{path} is not a folder: give archive folders (with warcs/) or folders holding them"
            )
        if (path / "warcs").is_dir():
            found.append(path)
            continue
        below = sorted(p.parent for p in path.glob("**/warcs") if p.is_dir())
        if not below:
            raise IngestError(
                f"no archive under {path}: expected {path}/warcs/ or {path}/workers/<id>/warcs/"
            )
        found.extend(below)
    return list(dict.fromkeys(p.resolve() for p in found))


def _crawl_rows(folder: Path) -> list[dict]:
    db = folder / "archive.db"
    if not db.is_file():
        return []
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        conn.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in conn.execute("SELECT * FROM crawls ORDER BY id")]
        except sqlite3.OperationalError:
            return []  # a database without the crawls table: the WARCs still carry everything else


def ingest(paths: Iterable[str | Path], db_path: str | Path) -> IngestResult:
    """Merge every archive folder under ``paths`` into ``db_path`` (created if needed)."""
    from archiver.store import ArchiveDatabase

    folders = archive_folders(paths)
    crawls = [row for folder in folders for row in _crawl_rows(folder)]
    with ArchiveDatabase(db_path) as archive, archive.transaction():
        columns = {c.name for c in archive.db.table("crawls").columns}
        for row in crawls:
            row = {k: v for k, v in row.items() if k in columns}
            # A later ingest may bring a worker's end and stats: replace (same values change nothing).
            archive.db.table("crawls").upsert(row, pk="id")
    index = reindex([folder / "warcs" for folder in folders], db_path)
    return IngestResult(folders=folders, crawls=len({row["id"] for row in crawls}), index=index)
