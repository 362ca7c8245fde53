"""One archive database connection per file for all the crawls of one process.

``archiver crawl --all`` runs one crawl per outlet in one process, all in the reactor
thread, all writing ``DIR/archive.db``, each batching about a second of rows into one
open transaction. With a connection per session, one session's write would wait for
another's lock, which only commits once the thread is free: the process would stall for
SQLite's busy timeout. So sessions of one process share one
:class:`~archiver.store.Archive` per database file, and its batch; the last to close
closes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["acquire", "release"]

#: Resolved database path -> [Archive, number of sessions using it].
_OPEN: dict[Path, list[Any]] = {}


def acquire(path: str | Path) -> Any:
    """The process's :class:`~archiver.store.Archive` of ``path`` (opened on first use)."""
    from archiver.store import Archive

    key = Path(path).resolve()
    entry = _OPEN.get(key)
    if entry is None:
        entry = _OPEN[key] = [Archive(key), 0]
    entry[1] += 1
    return entry[0]


def release(archive: Any) -> None:
    """One session is done with ``archive``; the last one commits and closes it."""
    for key, entry in list(_OPEN.items()):
        if entry[0] is archive:
            entry[1] -= 1
            if entry[1] <= 0:
                del _OPEN[key]
                if archive.db.conn.in_transaction:
                    archive.db.conn.commit()
                archive.close()
            return
    archive.close()
