"""Maintenance of a big archive database: ``archiver db optimize`` and ``archiver db stats``.

``optimize`` merges the FTS5 index, refreshes the planner's statistics (sampled
``ANALYZE``) and vacuums when a tenth of the file is free, each step one transaction; it
refuses (or, with ``wait``, waits for) a database a crawl is writing. ``stats`` only
reads (safe beside a writing crawl): row counts and the size of every table and index.
Why each step and its limits: "The archive in Datasette" in ``docs/architecture.md``.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from archiver.store import StoreError, database_path

__all__ = ["ObjectSize", "Stats", "optimize", "stats"]

#: VACUUM when at least this share of the file is free pages.
VACUUM_FREE_SHARE = 0.10
#: Rows ANALYZE samples per index (PRAGMA analysis_limit): seconds, not minutes, on millions of rows.
ANALYSIS_LIMIT = 2000
#: Tables counted from the counters of archiver.store.summaries instead of count(*).
COUNTED = ("articles", "captures")


def _being_written(path: Path) -> bool:
    from archiver.serve.app import is_being_written

    return bool(is_being_written(path))


def _wait_until_idle(path: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while _being_written(path):
        if time.monotonic() >= deadline:
            raise StoreError(
                f"{path} is being written (a crawl or another command has it open): optimizing it now "
                "would hold the write lock longer than the crawl waits. Run `archiver db optimize` "
                "when the crawl has finished, or pass --wait SECONDS to wait for it."
            )
        time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))


def _open(path: str | Path, *, read_only: bool, busy_timeout: float) -> tuple[Path, sqlite3.Connection]:
    db = database_path(path)
    if not db.is_file():
        raise StoreError(f"no archive database at {db}: give the archive folder or its archive.db file.")
    try:
        conn = sqlite3.connect(
            f"file:{db}?mode=ro" if read_only else str(db), uri=read_only, timeout=busy_timeout
        )
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {db}: {exc}. Is it an archive database (archive.db)?") from exc
    return db, conn


def _timed(name: str, step: Callable[[], str | None], report: Callable[[str], None]) -> float:
    start = time.perf_counter()
    detail = step()
    took = time.perf_counter() - start
    report(f"{name:<14} {took:8.2f} s" + (f"  {detail}" if detail else ""))
    return took


def optimize(
    path: str | Path,
    *,
    wait: float = 0.0,
    busy_timeout: float = 60.0,
    vacuum: bool | None = None,
    report: Callable[[str], None] = print,
) -> dict[str, float]:
    """Optimize the FTS index, ANALYZE and VACUUM if worth it; return seconds per step.

    ``vacuum=None`` vacuums when free pages are at least :data:`VACUUM_FREE_SHARE`
    of the file; ``True``/``False`` force it on or off. Raises :class:`StoreError`
    when a writer has the database open after ``wait`` seconds.
    """
    db = database_path(path)
    _wait_until_idle(db, wait)
    db, conn = _open(db, read_only=False, busy_timeout=busy_timeout)
    times: dict[str, float] = {}
    try:
        has_fts = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles_fts'").fetchone()

        def fts() -> str:
            with conn:
                conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
            return "articles_fts merged into one segment"

        def analyze() -> str:
            conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
            with conn:
                conn.execute("ANALYZE")
            return f"statistics sampled ({ANALYSIS_LIMIT} rows per index)"

        if has_fts:
            times["fts optimize"] = _timed("fts optimize", fts, report)
        times["analyze"] = _timed("analyze", analyze, report)
        pages, free = (conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "freelist_count"))
        share = free / pages if pages else 0.0
        if vacuum or (vacuum is None and share >= VACUUM_FREE_SHARE):

            def run_vacuum() -> str:
                conn.execute("VACUUM")
                return f"{share:.0%} of the file was free pages"

            times["vacuum"] = _timed("vacuum", run_vacuum, report)
        else:
            report(f"{'vacuum':<14} skipped     only {share:.1%} of the file is free pages")
    except sqlite3.OperationalError as exc:
        raise StoreError(
            f"optimizing {db} stopped: {exc}. Nothing was lost (each step is one transaction); "
            "if another process holds the database, run again when it has finished."
        ) from exc
    finally:
        conn.close()
    return times


@dataclasses.dataclass
class ObjectSize:
    """One table or index: its name, kind, table, rows (tables) and bytes on disk."""

    name: str
    kind: str
    table: str
    rows: int | None
    bytes: int | None


@dataclasses.dataclass
class Stats:
    path: Path
    file_bytes: int
    page_size: int
    free_pages: int
    objects: list[ObjectSize]
    dbstat: bool  #: whether sizes come from dbstat (else unknown)

    @property
    def fts_bytes(self) -> int | None:
        sizes = [o.bytes for o in self.objects if o.table.startswith("articles_fts")]
        return sum(s or 0 for s in sizes) if self.dbstat else None

    def lines(self) -> Iterator[str]:
        yield f"{self.path}: {self.file_bytes / 1e6:,.1f} MB, {self.free_pages:,} free pages of {self.page_size} bytes"
        yield f"{'name':<58} {'kind':<6} {'rows':>12} {'MB':>10}"
        for o in sorted(self.objects, key=lambda o: (-(o.bytes or 0), o.name)):
            rows = f"{o.rows:,}" if o.rows is not None else ""
            size = f"{o.bytes / 1e6:,.1f}" if o.bytes is not None else "?"
            yield f"{o.name:<58} {o.kind:<6} {rows:>12} {size:>10}"
        if self.dbstat:
            yield f"full-text index (articles_fts and its tables): {(self.fts_bytes or 0) / 1e6:,.1f} MB"
        else:
            yield "sizes per table need SQLite's dbstat table, which this SQLite lacks"


def _counters(conn: sqlite3.Connection) -> dict[str, int]:
    try:
        return {name: n for name, n in conn.execute("SELECT name, n FROM archive_counts")}
    except sqlite3.OperationalError:  # an archive from before migration 0004
        return {}


def stats(path: str | Path, *, busy_timeout: float = 30.0) -> Stats:
    """Row counts and sizes of every table and index, read without writing anything."""
    db, conn = _open(path, read_only=True, busy_timeout=busy_timeout)
    try:
        conn.execute("PRAGMA query_only = 1")
        counters = _counters(conn)
        objects = []
        for name, kind, table, sql in conn.execute(
            "SELECT name, type, tbl_name, sql FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name"
        ).fetchall():
            rows = None
            virtual = (sql or "").upper().startswith("CREATE VIRTUAL")  # counting it reads its content table
            if kind == "table" and not virtual:
                rows = counters.get(name) if name in COUNTED and name in counters else None
                if rows is None:
                    rows = conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            objects.append(ObjectSize(name, kind, table, rows, None))
        try:
            sizes = dict(
                conn.execute("SELECT name, sum(pgsize) FROM dbstat WHERE aggregate = 1 GROUP BY name")
            )
            have_dbstat = True
        except sqlite3.OperationalError:
            sizes, have_dbstat = {}, False
        for o in objects:
            o.bytes = sizes.get(o.name) if have_dbstat else None
            if have_dbstat and o.bytes is None:
                o.bytes = 0  # a virtual table has no pages of its own
        for name, size in sizes.items():  # automatic indexes (primary keys, unique constraints)
            if name not in {o.name for o in objects}:
                table = name.removeprefix("sqlite_autoindex_").rsplit("_", 1)[0]
                objects.append(ObjectSize(name, "index", table, None, size))
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read {db}: {exc}") from exc
    finally:
        conn.close()
    return Stats(db, db.stat().st_size, page_size, free, objects, have_dbstat)
