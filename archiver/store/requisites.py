"""The ``requisites`` table: which page needed which resource, and whether it was archived.

Rows are keyed by the page's capture and the resource URL, so noting the same
pair twice (a resumed crawl, a replayed page) changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from archiver.store.schema import REQUISITE_COLUMNS

__all__ = ["STATUSES", "add_requisites", "requisite_summary", "requisites_payload", "rows_from_payload"]

STATUSES = ("archived", "skipped", "failed")
_SQL = (
    f"INSERT OR IGNORE INTO requisites ({', '.join(REQUISITE_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(REQUISITE_COLUMNS))})"
)


def add_requisites(db: Database, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (a pair already noted keeps its first source and outcome) (dicts with :data:`REQUISITE_COLUMNS` keys, missing ones null)."""
    if rows:
        db.conn.executemany(_SQL, [[row.get(name) for name in REQUISITE_COLUMNS] for row in rows])


def requisite_summary(rows: list[dict[str, Any]]) -> str:
    """ "37 of 40 resources archived; 3 skipped by robots.txt" for a page's requisite rows."""
    total = len(rows)
    archived = sum(1 for r in rows if r["status"] == "archived")
    text = f"{archived} of {total} resource{'s' if total != 1 else ''} archived"
    reasons: dict[tuple[str, str], int] = {}
    for row in rows:
        if row["status"] != "archived":
            key = (row["status"], row.get("reason") or "unknown")
            reasons[key] = reasons.get(key, 0) + 1
    for (status, reason), count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        text += (
            f"; {count} {status} "
            + ("by " if status == "skipped" and reason == "robots.txt" else "(")
            + (reason if status == "skipped" and reason == "robots.txt" else f"{reason})")
        )
    return text


def requisites_payload(rows: list[dict[str, Any]], *, crawl_id: str | None) -> bytes:
    """The JSON a page's requisites record holds (``reindex`` reads it back with :func:`rows_from_payload`)."""
    fields = [name for name in REQUISITE_COLUMNS if name not in ("page_record_id", "crawl_id")]
    doc = {
        "page_record_id": rows[0]["page_record_id"],
        "crawl_id": crawl_id,
        "requisites": [{name: row.get(name) for name in fields} for row in rows],
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")


def rows_from_payload(payload: bytes) -> list[dict[str, Any]]:
    """``requisites`` rows from a record written by :func:`requisites_payload`; ValueError if malformed."""
    doc = json.loads(payload)
    if not isinstance(doc, dict) or not isinstance(doc.get("requisites"), list):
        raise TypeError("not a requisites record")
    page, crawl = doc.get("page_record_id"), doc.get("crawl_id")
    return [
        {**item, "page_record_id": page, "crawl_id": crawl}
        for item in doc["requisites"]
        if isinstance(item, dict)
    ]
