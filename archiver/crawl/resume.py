"""Resume an interrupted crawl: remember its id, repair the WARC it was writing.

:func:`prepare` runs before a crawl's first request: if the outlet's last crawl did not
finish, it repairs the last WARC (cut-off tail quarantined, rows brought in line) and
hands back the crawl id to continue under; :class:`ArchivedPages` then says what is
archived already, so it is never fetched again. Only the WARCs and the database survive
any kill, so resuming rebuilds everything from them (why not Scrapy's JOBDIR: "Crawling
at scale" in ``docs/architecture.md``). Framework-free: the Scrapy glue is
:mod:`archiver.extensions.resume`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import zlib
from pathlib import Path
from typing import Any

from archiver.timestamps import new_crawl_id, utc_now
from archiver.warc import HttpMessage, decode_body, parse_message
from archiver.warc.reader import MAX_RECORD_BYTES

__all__ = [
    "CrawlRunning",
    "ensure_idle",
    "ArchivedPage",
    "ArchivedPages",
    "Repair",
    "ResumePlan",
    "finish",
    "new_crawl_id",
    "prepare",
    "repair_tail",
    "state_file",
]

STATE_DIR = "state"
QUARANTINE_DIR = "quarantine"
#: Statuses worth fetching again on resume (the server may answer now).
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclasses.dataclass
class Repair:
    """A cut-off tail moved out of a WARC file."""

    warc_file: Path
    kept_bytes: int
    tail_bytes: int
    quarantined: Path
    error: str
    record_id: str | None = None
    url: str | None = None

    def __str__(self) -> str:
        what = f"record {self.record_id} ({self.url})" if self.record_id else "a partial record"
        return (
            f"{self.warc_file.name}: {what} was cut off at offset {self.kept_bytes}; "
            f"{self.tail_bytes} bytes moved to {self.quarantined} and the URL will be fetched again"
        )


@dataclasses.dataclass
class ResumePlan:
    """What a crawl starting now continues: its id, and what was repaired."""

    crawl_id: str
    resumed: bool
    state_path: Path
    repairs: list[Repair] = dataclasses.field(default_factory=list)
    damage: list[str] = dataclasses.field(default_factory=list)
    reindexed: int = 0
    lock: Any = dataclasses.field(default=None, repr=False)


def state_file(out_dir: str | Path, prefix: str) -> Path:
    """Where the crawl state of WARC prefix ``prefix`` lives (one per outlet or worker)."""
    return Path(out_dir) / STATE_DIR / prefix / "crawl.json"


def _write_state(path: Path, state: dict[str, Any]) -> None:
    """Replace the state file atomically (a kill never leaves half a JSON file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True))
    os.replace(tmp, path)


def _read_state(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except ValueError:
        return None  # unreadable: start a new crawl rather than guess


class CrawlRunning(RuntimeError):
    """Another process is crawling the same outlet into the same folder."""


def _lock(path: Path) -> Any:
    """Hold an exclusive lock on the state folder for this process's life (the kernel drops it on any exit)."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path.parent / "lock", "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise CrawlRunning(
            f"another crawl is writing into {path.parent.parent.parent} with the same WARC "
            f"prefix ({path.parent.name}); wait for it to end or choose another --out"
        ) from None
    return handle


def ensure_idle(out_dir: str | Path, prefix: str) -> None:
    """Raise :class:`CrawlRunning` if a crawl of ``prefix`` is running into ``out_dir`` now."""
    _lock(state_file(out_dir, prefix)).close()


def prepare(
    out_dir: str | Path,
    outlet: str,
    *,
    prefix: str | None = None,
    fresh: bool = False,
    crawl_id: str | None = None,
) -> ResumePlan:
    """Decide the crawl id and repair what an interrupted crawl left behind.

    ``prefix`` is the WARC file prefix (the outlet name, or ``outlet-worker``).
    With ``fresh`` an unfinished crawl is repaired but not continued; a given
    ``crawl_id`` (a distributed worker's, decided in Redis) is used as is. The state
    folder stays locked while this process lives, so a second crawl into the
    same folder cannot "repair" the file the first one is writing.
    """
    out = Path(out_dir)
    prefix = prefix or outlet
    path = state_file(out, prefix)
    lock = _lock(path)
    state = _read_state(path)
    unfinished = state is not None and state.get("status") == "running"
    plan = ResumePlan(crawl_id=crawl_id or new_crawl_id(outlet), resumed=False, state_path=path, lock=lock)
    fresh = fresh or crawl_id is not None
    if unfinished:
        assert state is not None
        _repair_last_file(out, prefix, plan)
        if not fresh and state.get("crawl_id"):
            plan.crawl_id = state["crawl_id"]
            plan.resumed = True
    _write_state(
        path,
        {
            "crawl_id": plan.crawl_id,
            "outlet": outlet,
            "prefix": prefix,
            "status": "running",
            "started_at": (state or {}).get("started_at") if plan.resumed else utc_now().isoformat(),
            "resumed_at": utc_now().isoformat() if plan.resumed else None,
        },
    )
    return plan


def finish(plan: ResumePlan, reason: str) -> None:
    """Record how the crawl ended; only ``finished`` means there is nothing to resume."""
    state = _read_state(plan.state_path) or {"crawl_id": plan.crawl_id}
    state.update(
        status="finished" if reason == "finished" else "running",
        finish_reason=reason,
        finished_at=utc_now().isoformat(),
    )
    _write_state(plan.state_path, state)


# -- WARC repair -------------------------------------------------------------


def _last_warc(warc_dir: Path, prefix: str) -> Path | None:
    """The newest file of ``prefix`` (names sort by UTC timestamp, then serial)."""
    files = sorted(
        p for p in warc_dir.glob(f"{prefix}-*.warc.gz") if p.name[len(prefix) + 1 : len(prefix) + 2].isdigit()
    )
    return files[-1] if files else None


def _partial_fields(data: bytes) -> tuple[str | None, str | None]:
    """Record id and target URI from the start of a cut-off gzip member, as far as it inflates."""
    try:
        head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[:65536], 65536)  # bounded
    except zlib.error:
        return None, None
    fields: dict[str, str] = {}
    for line in head.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        name, sep, value = line.partition(b":")
        if sep:
            fields[name.strip().decode("latin-1").lower()] = value.strip().decode("utf-8", "replace")
    return fields.get("warc-record-id"), fields.get("warc-target-uri")


def _scan(path: Path) -> tuple[int, list[Any], set[str]]:
    """(end of the last whole record, problems found, ids of the whole records) of a WARC file."""
    from archiver.warc.reader import iter_records

    errors: list[Any] = []
    ids: set[str] = set()
    good_end = 0
    for record in iter_records(path, on_error=errors.append):
        good_end = max(good_end, record.offset + record.length)
        if record.record_id:
            ids.add(record.record_id)
    return good_end, errors, ids


def repair_tail(path: str | Path, quarantine_dir: str | Path) -> tuple[Repair | None, list[str]]:
    """Cut a WARC file back to its last whole record; save the tail and a note beside it.

    Returns the repair (None when the file ends with a whole record) and any
    damage found *before* the last whole record, which is reported, not cut.
    """
    repair, earlier, _ = _repair(Path(path), Path(quarantine_dir))
    return repair, earlier


def _repair(path: Path, quarantine: Path) -> tuple[Repair | None, list[str], set[str]]:
    good_end, errors, ids = _scan(path)
    size = path.stat().st_size
    earlier = [str(e) for e in errors if e.offset is not None and e.offset < good_end]
    tail_errors = [e for e in errors if e.offset is None or e.offset >= good_end]
    if size <= good_end or not tail_errors:
        return None, earlier, ids
    with open(path, "rb") as f:
        f.seek(good_end)
        tail = f.read()
    record_id, url = _partial_fields(tail)
    quarantine.mkdir(parents=True, exist_ok=True)
    saved = quarantine / f"{path.name}.{good_end}.tail"
    saved.write_bytes(tail)
    repair = Repair(
        warc_file=path,
        kept_bytes=good_end,
        tail_bytes=len(tail),
        quarantined=saved,
        error=str(tail_errors[0]),
        record_id=record_id,
        url=url,
    )
    note = {
        "warc_file": path.name,
        "offset": good_end,
        "bytes": len(tail),
        "error": repair.error,
        "record_id": record_id,
        "url": url,
        "moved_at": utc_now().isoformat(),
        "why": "cut off when the crawl was interrupted; the crawl fetches the URL again on resume",
    }
    saved.with_suffix(".json").write_text(json.dumps(note, indent=2))
    with open(path, "r+b") as f:
        f.truncate(good_end)
        os.fsync(f.fileno())
    return repair, earlier, ids


def _repair_last_file(out: Path, prefix: str, plan: ResumePlan) -> None:
    """Repair the last WARC of ``prefix`` and bring its rows in line with what it holds."""
    from archiver.tools.reindex import reindex

    last = _last_warc(out / "warcs", prefix)
    if last is None:
        return
    repair, plan.damage, kept_ids = _repair(last, out / "warcs" / QUARANTINE_DIR)
    if repair is not None:
        plan.repairs.append(repair)
    db = out / "archive.db"
    _forget_lost(db, last.name, last.stat().st_size, kept_ids, repair.record_id if repair else None)
    # Records written just before the kill may have no row yet: index the file (idempotent).
    result = reindex([last], db)
    plan.reindexed = result.captures + result.articles
    plan.damage += result.errors


def _forget_lost(db_path: Path, warc_file: str, size: int, kept_ids: set[str], lost_id: str | None) -> None:
    """Drop rows whose records are no longer in ``warc_file``, so their URLs are fetched again.

    That is captures located past its end, and article versions whose capture
    is in the file but whose conversion record is not (or is the record cut
    off); an article left without versions loses its row, so it is stored again.
    """
    if not db_path.exists():
        return
    from archiver.store import ArchiveDatabase

    with ArchiveDatabase(db_path) as archive, archive.transaction():
        db = archive.db
        gone = {
            r[0]
            for r in db.execute(
                "SELECT record_id FROM captures WHERE warc_file = ? AND offset >= ?", [warc_file, size]
            )
        }
        lost_versions = [
            (vid, aid)
            for vid, aid, conversion, capture in db.execute(
                "SELECT v.id, v.article_id, v.conversion_record_id, v.capture_record_id FROM article_versions v "
                "JOIN captures c ON c.record_id = v.capture_record_id "
                "WHERE c.warc_file = ? OR v.conversion_record_id = ?",
                [warc_file, lost_id],
            )
            if capture in gone or (conversion is not None and conversion not in kept_ids)
        ]
        for vid, aid in lost_versions:
            db.execute("DELETE FROM article_versions WHERE id = ?", [vid])
            if db.execute("SELECT 1 FROM article_versions WHERE article_id = ?", [aid]).fetchone() is None:
                db.execute("DELETE FROM articles WHERE id = ?", [aid])
        for record_id in gone:
            db.execute("DELETE FROM article_versions WHERE capture_record_id = ?", [record_id])
            db.execute("DELETE FROM articles WHERE capture_record_id = ?", [record_id])
            db.execute("DELETE FROM captures WHERE record_id = ?", [record_id])


# -- what is archived already ------------------------------------------------


@dataclasses.dataclass
class ArchivedPage:
    """A response the interrupted crawl archived, ready to be parsed again without a fetch."""

    record_id: str
    url: str
    status: int | None
    message: HttpMessage
    has_article: bool
    wall: str | None

    @property
    def location(self) -> str | None:
        return self.message.header("Location")

    def body(self) -> bytes:
        """The entity (chunking and content coding undone), as the spider saw it."""
        return decode_body(self.message)

    def headers(self) -> list[tuple[str, str]]:
        """Headers describing :meth:`body` (no content coding, no chunking, its real length)."""
        skip = {"content-encoding", "transfer-encoding", "content-length"}
        return [(k, v) for k, v in self.message.headers if k.lower() not in skip]

    @property
    def needs_fetch(self) -> bool:
        """A transient failure is fetched again rather than replayed."""
        return self.status is None or self.status in RETRY_STATUSES


class ArchivedPages:
    """Look up a crawl's archived responses by URL, reading their bytes from the WARCs."""

    def __init__(self, db: Any, warc_dir: str | Path, crawl_id: str) -> None:
        self.db = db  # an sqlite-utils Database (the crawl's own connection)
        self.warc_dir = Path(warc_dir)
        self.crawl_id = crawl_id

    def count(self) -> int:
        return self.db.execute(
            "SELECT count(*) FROM captures WHERE crawl_id = ? AND record_type = 'response'", [self.crawl_id]
        ).fetchone()[0]

    def lookup(self, url: str) -> ArchivedPage | None:
        """The latest capture of ``url`` in this crawl, with the bytes to replay it.

        A revisit (an unchanged page of a re-crawl, or a 304) counts as archived
        too: its status, headers and body are those of the response it repeats.
        """
        row = self.db.execute(
            "SELECT record_id, status, warc_file, offset, length, wall, record_type, refers_to FROM captures "
            "WHERE url = ? AND crawl_id = ? AND record_type IN ('response', 'revisit') "
            "ORDER BY fetched_at DESC LIMIT 1",
            [url, self.crawl_id],
        ).fetchone()
        if row is None:
            return None
        record_id, status, warc_file, offset, length, wall, record_type, refers_to = row
        if record_type == "revisit":
            original = self.db.execute(
                "SELECT status, warc_file, offset, length FROM captures WHERE record_id = ?", [refers_to]
            ).fetchone()
            if original is None:
                return None  # the original is not in this archive: fetch the page again
            status, warc_file, offset, length = original
        block = read_block(self.warc_dir / warc_file, offset, length)
        has_article = (
            self.db.execute(
                "SELECT 1 FROM article_versions WHERE capture_record_id = ? "
                "UNION ALL SELECT 1 FROM articles WHERE capture_record_id = ? LIMIT 1",
                [record_id, record_id],
            ).fetchone()
            is not None
        )
        return ArchivedPage(
            record_id=record_id,
            url=url,
            status=status,
            message=parse_message(block),
            has_article=has_article,
            wall=wall,
        )


def read_block(path: Path, offset: int, length: int) -> bytes:
    """The block of the (single) record in the gzip member at ``offset``."""
    with open(path, "rb") as f:
        f.seek(offset)
        member = f.read(length)
    data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(member, MAX_RECORD_BYTES + 1)  # bounded
    head_end = data.index(b"\r\n\r\n") + 4
    size = 0
    for line in data[:head_end].split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            size = int(value)
    return data[head_end : head_end + size]
