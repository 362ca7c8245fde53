"""CDXJ indexes of WARC files, in pywb's format.

One line per ``response``/``revisit`` record, sorted as plain strings, so pywb (and
anything reading a sorted CDXJ by binary search) can look a URL up; SURT keys come from
the ``surt`` package, pywb's own canonicalizer. A crawl writes
``DIR/indexes/<crawl-id>.cdxj`` when it closes (:func:`write_crawl_index`); ``archiver
index DIR`` rebuilds them from the WARCs alone (:func:`rebuild_indexes`). The line format:
"Indexes, snapshots, verification, citation" in ``docs/architecture.md``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections import defaultdict
from pathlib import Path
from typing import Callable, Iterable, Iterator

from surt import surt as _surt

from archiver.timestamps import timestamp14
from archiver.warc.files import warcs_in
from archiver.warc.reader import Record, WarcError, iter_records

__all__ = [
    "INDEX_DIR",
    "CdxjLine",
    "IndexResult",
    "cdxj_lines",
    "crawl_files",
    "crawl_id_of",
    "index_path",
    "line_for",
    "parse_line",
    "rebuild_indexes",
    "surt",
    "timestamp14",
    "write_cdxj",
    "write_crawl_index",
]

#: Folder of an archive that holds its CDXJ files.
INDEX_DIR = "indexes"
#: Record types that are captures (what a replay tool looks up).
INDEXED_TYPES = ("response", "revisit")


def surt(url: str) -> str:
    """The SURT key of ``url`` as pywb computes it (``com,example)/path?query``)."""
    try:
        return str(_surt(url))
    except Exception:  # surt raises assorted errors on junk URLs; keep the raw URL as the key
        return url


@dataclasses.dataclass(frozen=True)
class CdxjLine:
    """One parsed line: the key, the timestamp and the JSON fields."""

    surt: str
    timestamp: str
    fields: dict[str, str]

    @property
    def filename(self) -> str:
        return str(self.fields["filename"])

    @property
    def offset(self) -> int:
        return int(self.fields["offset"])

    @property
    def length(self) -> int:
        return int(self.fields["length"])

    def __str__(self) -> str:
        return f"{self.surt} {self.timestamp} {json.dumps(self.fields, ensure_ascii=False)}"


def parse_line(line: str) -> CdxjLine:
    """Parse one CDXJ line (raises ValueError on a malformed one)."""
    key, ts, blob = line.rstrip("\n").split(" ", 2)
    fields = json.loads(blob)
    if not isinstance(fields, dict):
        raise ValueError(f"CDXJ line without a JSON object: {line[:120]!r}")
    return CdxjLine(key, ts, fields)


def _mime(record: Record) -> str:
    if record.rec_type == "revisit":
        return "warc/revisit"
    http = record.http
    value = (http.header("Content-Type") if http else record.content_type) or "unk"
    return value.split(";", 1)[0].strip().lower() or "unk"


def line_for(record: Record, filename: str | None = None) -> CdxjLine:
    """The CDXJ line of one response/revisit record."""
    url = record.target_uri or ""
    fields: dict[str, str] = {"url": url, "mime": _mime(record)}
    status = record.status
    if status is not None:
        fields["status"] = str(status)
    digest = record.header("WARC-Payload-Digest")
    if digest:
        fields["digest"] = digest
    fields["length"] = str(record.length)
    fields["offset"] = str(record.offset)
    fields["filename"] = filename or record.warc_file
    return CdxjLine(surt(url), timestamp14(record.date or ""), fields)


def cdxj_lines(
    paths: Iterable[str | Path],
    *,
    on_error: Callable[[WarcError], None] | None = None,
) -> list[str]:
    """Sorted CDXJ lines (without newlines) of every capture in the WARC files ``paths``."""
    lines: list[str] = []
    for path in paths:
        name = Path(path).name
        for record in iter_records(path, on_error=on_error):
            if record.rec_type in INDEXED_TYPES:
                lines.append(str(line_for(record, name)))
    lines.sort()
    return lines


def write_cdxj(lines: Iterable[str], dest: str | Path) -> Path:
    """Write ``lines`` to ``dest`` atomically (a reader never sees half an index)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as out:
        for line in lines:
            out.write(line + "\n")
    os.replace(tmp, dest)
    return dest


def _safe_name(crawl_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in crawl_id).lstrip(".") or "crawl"


def index_path(archive_dir: str | Path, crawl_id: str) -> Path:
    """Where the index of crawl ``crawl_id`` lives: ``DIR/indexes/<crawl-id>.cdxj``."""
    return Path(archive_dir) / INDEX_DIR / f"{_safe_name(crawl_id)}.cdxj"


def crawl_files(archive_dir: str | Path, crawl_id: str) -> list[Path]:
    """The WARC files in ``DIR/warcs`` whose warcinfo names ``crawl_id``."""
    folder = Path(archive_dir) / "warcs"
    if not folder.is_dir():
        return []
    return [
        p
        for p in sorted(folder.iterdir())
        if p.name.endswith((".warc.gz", ".warc")) and crawl_id_of(p) == crawl_id
    ]


def _log_damage(error: WarcError) -> None:
    logging.getLogger(__name__).warning("CDXJ index: skipped damage: %s", error)


def write_crawl_index(
    archive_dir: str | Path,
    crawl_id: str,
    warc_paths: Iterable[str | Path] = (),
    *,
    on_error: Callable[[WarcError], None] | None = None,
) -> Path:
    """Index every WARC file of crawl ``crawl_id`` into ``DIR/indexes/<crawl-id>.cdxj``.

    The files are ``warc_paths`` plus those in ``DIR/warcs`` whose warcinfo
    names the crawl, so a resumed crawl (same id, new files) indexes what its
    earlier runs wrote too. Damage (a torn tail left by a killed run) is
    passed to ``on_error`` (logged by default) and read past: the index of the
    readable records is still written.
    """
    paths = sorted({Path(p) for p in warc_paths} | set(crawl_files(archive_dir, crawl_id)))
    lines = cdxj_lines(paths, on_error=on_error or _log_damage)
    return write_cdxj(lines, index_path(archive_dir, crawl_id))


def crawl_id_of(path: str | Path) -> str | None:
    """The ``crawl-id`` of a WARC file's first ``warcinfo`` record, if it has one."""
    try:
        for record in iter_records(path):
            if record.rec_type == "warcinfo":
                return record.warcinfo.get("crawl-id")
            return None
    except WarcError:
        return None
    return None


@dataclasses.dataclass
class IndexResult:
    """What :func:`rebuild_indexes` wrote, and the damage it read past."""

    indexes: dict[str, int] = dataclasses.field(default_factory=dict)  # path -> lines
    errors: list[str] = dataclasses.field(default_factory=list)


def _warc_files(archive_dir: Path) -> Iterator[Path]:
    folder = archive_dir / "warcs"
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{archive_dir} has no warcs/ folder: give an archive folder made by `archiver crawl --out DIR`"
        )
    yield from warcs_in(folder)


def rebuild_indexes(archive_dir: str | Path) -> IndexResult:
    """Rebuild ``DIR/indexes/<crawl-id>.cdxj`` for every crawl found in ``DIR/warcs``.

    Files whose warcinfo names no crawl are indexed under their own file name;
    a group without captures (``archiver reclean`` writes only conversion
    records) gets no index. Damaged stretches are reported in ``errors`` and
    read past.
    """
    archive_dir = Path(archive_dir)
    groups: dict[str, list[Path]] = defaultdict(list)
    for path in _warc_files(archive_dir):
        groups[crawl_id_of(path) or path.name.split(".warc")[0]].append(path)
    result = IndexResult()
    for crawl_id, paths in sorted(groups.items()):
        lines = cdxj_lines(paths, on_error=lambda err: result.errors.append(str(err)))
        if not lines:
            continue
        dest = write_cdxj(lines, index_path(archive_dir, crawl_id))
        result.indexes[str(dest)] = len(lines)
    return result
