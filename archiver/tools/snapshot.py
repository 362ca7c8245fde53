"""WACZ 1.1.1 snapshots: one file that is a whole, citable, replayable selection of an archive.

``create_snapshot(DIR, out, outlet=..., since=..., until=...)`` copies the selected WARC
records byte for byte (with what they need to replay), rebuilds the selection's article
database from them by ``reindex``, writes the CDXJ index, the pages list and
``datapackage.json``, and zips it reproducibly: the same selection gives the same bytes
and the same id (``sha256:`` of ``datapackage.json``), logged in ``DIR/snapshots.jsonl``
for ``archiver cite``. The package layout and the selection rule: "Indexes, snapshots,
verification, citation" in ``docs/architecture.md``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from archiver import SOFTWARE
from archiver.timestamps import normalise_time, parse_time, warc_time

__all__ = [
    "SNAPSHOTS_LOG",
    "WACZ_VERSION",
    "SnapshotError",
    "SnapshotResult",
    "create_snapshot",
    "parse_bound",
    "snapshots_for",
]

WACZ_VERSION = "1.1.1"
#: File in an archive folder listing the snapshots made of it (one JSON object a line).
SNAPSHOTS_LOG = "snapshots.jsonl"
DB_RESOURCE = "data/archive.db"
INDEX_RESOURCE = "indexes/index.cdx"
PAGES_RESOURCE = "pages/pages.jsonl"
_CAPTURE_TYPES = ("response", "revisit")
_DATED_TYPES = ("response", "revisit", "request", "metadata", "resource")


class SnapshotError(Exception):
    """The snapshot cannot be made; the message says why and what to do."""


@dataclasses.dataclass
class SnapshotResult:
    """What :func:`create_snapshot` wrote."""

    path: Path
    snapshot_id: str
    created: str
    records: int
    captures: int
    articles: int
    warcs: list[str]
    bytes: int


# -- selection ------------------------------------------------------------


def parse_bound(value: str | None, *, end: bool = False) -> str | None:
    """A ``--since``/``--until`` value as a comparable UTC ``YYYY-MM-DDThh:mm:ss.ffffffZ``.

    A bare date means the start of that day for ``since`` and the end of it for
    ``until`` (``end=True``), so ``--since 2024-06-01 --until 2024-06-01`` is one day.
    """
    if not value:
        return None
    try:
        return warc_time(parse_time(value, end_of_day=end))
    except ValueError:
        raise SnapshotError(
            f"cannot read the date {value!r}: use YYYY-MM-DD or an ISO 8601 time such as 2024-06-01T12:00:00Z"
        ) from None


@dataclasses.dataclass
class _Entry:
    file: Path
    offset: int
    length: int
    rec_type: str
    record_id: str
    date: str
    outlet: str | None
    concurrent_to: str | None
    refers_to: str | None


def _scan(warcs: list[Path]) -> list[_Entry]:
    """Where every record is and how it links to others; damage stops the snapshot."""
    from archiver.warc.reader import WarcError, iter_records

    entries = []
    for path in warcs:
        try:
            for rec in iter_records(path):
                entries.append(
                    _Entry(
                        path,
                        rec.offset,
                        rec.length,
                        rec.rec_type,
                        rec.record_id or "",
                        normalise_time(rec.date),
                        rec.warcinfo.get("outlet"),
                        rec.header("WARC-Concurrent-To"),
                        rec.header("WARC-Refers-To"),
                    )
                )
        except WarcError as exc:
            raise SnapshotError(
                f"{exc}. The archive is damaged: run `archiver verify DIR` to see every problem, "
                "then restore the file or move it out of warcs/ before making a snapshot."
            ) from None
    return entries


def _select(entries: list[_Entry], outlet: str | None, since: str | None, until: str | None) -> list[_Entry]:
    def in_range(e: _Entry) -> bool:
        return (
            (outlet is None or e.outlet == outlet)
            and (since is None or e.date >= since)
            and (until is None or e.date <= until)
        )

    by_id = {e.record_id: e for e in entries}
    chosen = {e.record_id for e in entries if e.rec_type in _DATED_TYPES and in_range(e)}
    # a revisit needs the response whose payload it repeats
    for e in entries:
        if e.record_id in chosen and e.rec_type == "revisit" and e.refers_to in by_id:
            chosen.add(e.refers_to)
    # requests of the chosen captures, then the records that refer to a chosen record
    for e in entries:
        if e.rec_type == "request" and e.concurrent_to in chosen:
            chosen.add(e.record_id)
    for e in entries:
        if e.rec_type in ("conversion", "metadata", "resource") and (
            e.refers_to in chosen or e.concurrent_to in chosen
        ):
            chosen.add(e.record_id)
    files_used = {e.file for e in entries if e.record_id in chosen}
    return [
        e for e in entries if e.record_id in chosen or (e.rec_type == "warcinfo" and e.file in files_used)
    ]


# -- writing --------------------------------------------------------------


def _copy_records(selected: list[_Entry], dest: Path) -> list[Path]:
    """Write each source file's selected gzip members, verbatim and in order, to ``dest``."""
    written: dict[Path, Path] = {}
    handles: dict[Path, Any] = {}
    try:
        for e in selected:
            if e.file not in handles:
                written[e.file] = dest / e.file.name
                handles[e.file] = (open(e.file, "rb"), open(written[e.file], "wb"))
            src, out = handles[e.file]
            src.seek(e.offset)
            out.write(src.read(e.length))
    finally:
        for src, out in handles.values():
            src.close()
            out.close()
    return list(written.values())


def _build_database(warcs: list[Path], source_db: Path, dest: Path, created: str) -> None:
    """The selection's database: ``reindex`` of the filtered WARCs plus the source's crawl rows.

    Migration times are set to the snapshot's ``created`` time: they are the
    only values the clock puts in it, and the file must be reproducible.
    """
    from archiver.tools.reindex import reindex

    result = reindex(warcs, dest)
    if result.errors:
        raise SnapshotError("rebuilding the snapshot database failed: " + "; ".join(result.errors[:5]))
    conn = sqlite3.connect(dest)
    try:
        if source_db.is_file():
            conn.execute("ATTACH DATABASE ? AS src", [str(source_db)])
            crawl_ids = [
                r[0]
                for r in conn.execute("SELECT DISTINCT crawl_id FROM captures WHERE crawl_id IS NOT NULL")
            ]
            columns = ", ".join(f'"{r[1]}"' for r in conn.execute("PRAGMA main.table_info(crawls)"))
            if crawl_ids:
                marks = ",".join("?" * len(crawl_ids))
                conn.execute(
                    f"INSERT OR IGNORE INTO main.crawls ({columns}) "
                    f"SELECT {columns} FROM src.crawls WHERE id IN ({marks})",
                    crawl_ids,
                )
            conn.commit()
            conn.execute("DETACH DATABASE src")
        conn.execute("UPDATE _sqlite_migrations SET applied_at = ?", [created])
        conn.commit()
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("VACUUM")
    finally:
        conn.close()


def _pages(db_path: Path) -> tuple[list[str], int]:
    """pages.jsonl lines: the header, then one line per article of the selection."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(
            "SELECT id, url, fetched_at, title, text_sha256 FROM articles ORDER BY fetched_at, id"
        ).fetchall()
    finally:
        conn.close()
    lines = [json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "Articles", "hasText": False})]
    for ident, url, ts, title, text_sha in rows:
        lines.append(
            json.dumps(
                {
                    "id": ident,
                    "url": url,
                    "ts": ts,
                    "title": title or "",
                    "text_digest": f"sha256:{text_sha}",
                },
                ensure_ascii=False,
            )
        )
    return lines, len(rows)


def _resource_name(path: str, taken: set[str]) -> str:
    """A Data Package resource name (lowercase ``[-a-z0-9._]``, unique) for ``path``."""
    base = re.sub(r"[^-a-z0-9._]", "-", Path(path).name.lower()) or "resource"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name


def _file_digest(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return "sha256:" + h.hexdigest(), size


def _datapackage(files: list[tuple[str, Path]], created: str, selection: dict[str, Any]) -> bytes:
    taken: set[str] = set()
    resources = []
    for arcname, path in files:
        digest, size = _file_digest(path)
        resources.append(
            {"name": _resource_name(arcname, taken), "path": arcname, "hash": digest, "bytes": size}
        )
    package = {
        "profile": "data-package",
        "title": "News archive snapshot",
        "description": "Filtered WARCs, their CDXJ index, the article list and the article database "
        "(data/archive.db) of one selection of a news archive.",
        "created": created,
        "wacz_version": WACZ_VERSION,
        "software": SOFTWARE,
        "selection": selection,
        "resources": resources,
    }
    return (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _zip(out: Path, entries: list[tuple[str, Path | bytes]], created: str) -> None:
    """Write the WACZ: WARCs and index stored (seekable in place), the rest deflated."""
    stamp = dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").timetuple()[:6]
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
        for arcname, content in entries:
            info = zipfile.ZipInfo(arcname, date_time=stamp)
            stored = arcname.startswith(("archive/", "indexes/"))
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            if isinstance(content, bytes):
                zf.writestr(info, content)
            else:
                with open(content, "rb") as src, zf.open(info, "w", force_zip64=True) as dst:
                    for chunk in iter(lambda: src.read(1 << 20), b""):
                        dst.write(chunk)
    os.replace(tmp, out)


def _record_log(archive_dir: Path, entry: dict[str, Any]) -> None:
    with open(archive_dir / SNAPSHOTS_LOG, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")


def create_snapshot(
    archive_dir: str | Path,
    out: str | Path,
    *,
    outlet: str | None = None,
    since: str | None = None,
    until: str | None = None,
    record: bool = True,
) -> SnapshotResult:
    """Write the WACZ of the archive at ``archive_dir`` (filtered by outlet and capture time) to ``out``.

    ``since``/``until`` are dates or ISO 8601 times bounding the capture time
    (``WARC-Date``), both inclusive. With ``record`` the snapshot id is
    appended to ``DIR/snapshots.jsonl``.
    """
    from archiver.warc.files import warc_files

    archive_dir = Path(archive_dir)
    out = Path(out)
    low, high = _check_request(archive_dir, out, since, until)
    selected = _select(_scan(warc_files([archive_dir / "warcs"])), outlet, low, high)
    captures = [e for e in selected if e.rec_type in _CAPTURE_TYPES]
    if not captures:
        what = ", ".join(f"{k} {v}" for k, v in (("outlet", outlet), ("since", since), ("until", until)) if v)
        raise SnapshotError(
            f"no capture in {archive_dir} matches {what or 'the selection'}: "
            "check the outlet name and the dates (capture times, UTC)"
        )
    created = max(e.date for e in selected)[:19] + "Z"
    selection = {"outlet": outlet, "since": low, "until": high}
    try:
        snapshot_id, warcs, articles = _write_package(archive_dir, out, selected, created, selection)
    except OSError as exc:
        raise SnapshotError(f"cannot write the snapshot {out}: {exc}; choose a writable --out path") from exc
    result = SnapshotResult(
        out,
        snapshot_id,
        created,
        len(selected),
        len(captures),
        articles,
        [w.name for w in warcs],
        out.stat().st_size,
    )
    if record:
        _record_log(
            archive_dir,
            {
                "id": snapshot_id,
                "file": str(out.resolve()),
                "created": created,
                "selection": selection,
                "captures": sorted(e.record_id for e in captures),
            },
        )
    return result


def _check_request(
    archive_dir: Path, out: Path, since: str | None, until: str | None
) -> tuple[str | None, str | None]:
    """The selection's time bounds, after the folder, the file name and the bounds are checked."""
    if not (archive_dir / "warcs").is_dir():
        raise SnapshotError(
            f"{archive_dir} has no warcs/ folder: give an archive folder made by `archiver crawl --out DIR`"
        )
    if out.suffix.lower() != ".wacz":
        raise SnapshotError(f"{out}: the snapshot file name must end in .wacz")
    low, high = parse_bound(since), parse_bound(until, end=True)
    if low and high and low > high:
        raise SnapshotError(f"--since {since} is after --until {until}: nothing can be selected")
    return low, high


def _write_package(
    archive_dir: Path, out: Path, selected: list[_Entry], created: str, selection: dict[str, Any]
) -> tuple[str, list[Path], int]:
    """Write the WACZ file of ``selected``; (snapshot id, WARCs in the package, articles)."""
    from archiver.store import database_path
    from archiver.warc.cdxj import cdxj_lines

    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="snapshot-", dir=out.parent) as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "archive").mkdir()
        warcs = sorted(_copy_records(selected, tmp / "archive"))
        db = tmp / "archive.db"
        _build_database(warcs, database_path(archive_dir), db, created)
        index = tmp / "index.cdx"
        index.write_text("".join(line + "\n" for line in cdxj_lines(warcs)), encoding="utf-8")
        page_lines, articles = _pages(db)
        pages = tmp / "pages.jsonl"
        pages.write_text("".join(line + "\n" for line in page_lines), encoding="utf-8")
        files = [(PAGES_RESOURCE, pages), (INDEX_RESOURCE, index)]
        files += [(f"archive/{w.name}", w) for w in warcs]
        files.append((DB_RESOURCE, db))
        package = _datapackage(files, created, selection)
        snapshot_id = "sha256:" + hashlib.sha256(package).hexdigest()
        digest = json.dumps({"path": "datapackage.json", "hash": snapshot_id}, indent=2).encode() + b"\n"
        _zip(out, [*files, ("datapackage.json", package), ("datapackage-digest.json", digest)], created)
    return snapshot_id, warcs, articles


def snapshots_for(archive_dir: str | Path, capture_record_id: str) -> list[dict[str, Any]]:
    """Snapshots recorded in ``DIR/snapshots.jsonl`` that hold the capture ``capture_record_id``, oldest first."""
    log = Path(archive_dir) / SNAPSHOTS_LOG
    if not log.is_file():
        return []
    found = []
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if capture_record_id in entry.get("captures", ()):
            found.append(entry)
    return found
