"""Check an archive folder or a WACZ snapshot end to end, naming every place that does not hold.

``verify(PATH)`` recomputes every WARC record's digests and checks the ``captures``,
``articles`` and ``article_versions`` rows and the CDXJ lines against the records they
point at; a ``.wacz`` (hostile until checked: :mod:`archiver.tools.zipsafe`) is checked as
a package first, then the same way inside. Each failure is a :class:`Problem` naming the
file, the offset and the record id as far as they can be known, and what differs. Every
check in full: "Indexes, snapshots, verification, citation" in ``docs/architecture.md``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterable

from archiver.warc.files import warcs_in

__all__ = ["Problem", "VerifyError", "VerifyReport", "verify", "verify_archive", "verify_wacz"]


class VerifyError(Exception):
    """The path cannot be verified at all (not an archive folder nor a WACZ)."""


@dataclasses.dataclass
class Problem:
    """One thing that does not hold, located as precisely as possible."""

    file: str
    offset: int | None
    record_id: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.offset is not None:
            where.append(f"offset {self.offset}")
        if self.record_id:
            where.append(f"record {self.record_id}")
        return ", ".join(where) + ": " + self.message


@dataclasses.dataclass
class VerifyReport:
    """What was checked, and every problem found."""

    problems: list[Problem] = dataclasses.field(default_factory=list)
    files: int = 0
    records: int = 0
    captures: int = 0
    articles: int = 0
    index_lines: int = 0
    resources: int = 0
    snapshot_id: str | None = None  # of a WACZ: sha256 of its datapackage.json

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        counts = (
            f"{self.files} WARC files, {self.records} records, {self.captures} capture rows, "
            f"{self.articles} article rows, {self.index_lines} index lines"
        )
        if self.resources:
            counts += f", {self.resources} WACZ resources"
        verdict = "all digests hold" if self.ok else f"{len(self.problems)} problem(s)"
        snapshot = f"\nsnapshot id: {self.snapshot_id}" if self.snapshot_id else ""
        return f"{counts} checked: {verdict}{snapshot}"


@dataclasses.dataclass
class _Seen:
    """What the scan of the WARCs learned about one record."""

    file: str
    offset: int
    length: int
    rec_type: str
    url: str | None
    payload_sha256: str | None
    payload_digest: str | None
    refers_to: str | None
    text_sha256: str | None = None
    article_capture: str | None = None


def _article_of(block: bytes) -> tuple[str | None, str | None]:
    """(sha256 of the clean text, capture record id) held by a conversion record's JSON."""
    try:
        doc = json.loads(block)
        text = doc["article"].get("text") or ""
    except (ValueError, KeyError, TypeError, AttributeError):
        return None, None
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), doc.get("capture_record_id")


class _Checker:
    """One verification run: scans WARCs, then checks the database and indexes against the scan."""

    def __init__(self, label: Callable[[str], str]) -> None:
        self.label = label  # how a WARC file name is shown (inside a WACZ: NAME.wacz!archive/x)
        self.report = VerifyReport()
        self.by_id: dict[str, _Seen] = {}
        self.by_place: dict[tuple[str, int], tuple[str, _Seen]] = {}
        self.sizes: dict[str, int] = {}
        self.damage: list[tuple[str, Any]] = []  # (file name, WarcError) found by the scan

    def problem(self, file: str, offset: int | None, record_id: str | None, message: str) -> None:
        self.report.problems.append(Problem(file, offset, record_id, message))

    def package_problem(self, where: str, message: str) -> None:
        """A problem of a package or one of its members (``file.wacz!member``): no record, no offset."""
        self.problem(where, None, None, message)

    # -- WARCs --------------------------------------------------------------

    def scan(self, paths: Iterable[Path]) -> None:
        from archiver.warc.formats import ARTICLE_JSON_TYPE
        from archiver.warc.reader import WarcError, iter_records, verify_record
        from archiver.warc.writer import PAYLOAD_SHA256_HEADER

        for path in paths:
            self.report.files += 1
            self.sizes[path.name] = path.stat().st_size
            damage: list[WarcError] = []
            for rec in iter_records(path, on_error=damage.append):
                self.report.records += 1
                rid = rec.record_id or ""
                for message in verify_record(rec):
                    self.problem(self.label(path.name), rec.offset, rid, message)
                payload_sha = None
                if rec.rec_type == "response":
                    payload_sha = hashlib.sha256(rec.payload).hexdigest()
                elif rec.rec_type == "revisit":
                    payload_sha = rec.header(PAYLOAD_SHA256_HEADER)
                elif (
                    rec.rec_type == "resource"
                ):  # a browser capture's DOM or screenshot: the block is the payload
                    payload_sha = hashlib.sha256(rec.block).hexdigest()
                seen = _Seen(
                    path.name,
                    rec.offset,
                    rec.length,
                    rec.rec_type,
                    rec.target_uri,
                    payload_sha,
                    rec.header("WARC-Payload-Digest"),
                    rec.header("WARC-Refers-To"),
                )
                if rec.rec_type == "conversion" and rec.content_type == ARTICLE_JSON_TYPE:
                    seen.text_sha256, seen.article_capture = _article_of(rec.block)
                self.by_id[rid] = seen
                self.by_place.setdefault((path.name, rec.offset), (rid, seen))
            self.damage += [(path.name, err) for err in damage]

    def report_damage(self, rows_at: dict[tuple[str, int], str]) -> None:
        """Damage found by the scan, named with the record id the database knows for that place."""
        for name, err in self.damage:
            rid = err.record_id or rows_at.get((name, err.offset or -1))
            self.problem(self.label(name), err.offset, rid, err.message)

    # -- database -----------------------------------------------------------

    def check_db(self, db_path: Path, db_label: str) -> None:
        try:
            conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
            conn.row_factory = sqlite3.Row
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.Error as exc:
            self.problem(db_label, None, None, f"cannot read the database ({exc})")
            self.report_damage({})
            return
        try:
            captures = conn.execute("SELECT * FROM captures").fetchall() if "captures" in tables else []
            self.report_damage({(r["warc_file"], r["offset"]): r["record_id"] for r in captures})
            for row in captures:
                self.report.captures += 1
                self._check_capture(row)
            capture_ids = {row["record_id"] for row in captures}
            for table in ("articles", "article_versions"):
                if table in tables:
                    for row in conn.execute(f'SELECT * FROM "{table}"'):
                        self.report.articles += 1
                        self._check_article(table, row, capture_ids)
        except sqlite3.Error as exc:
            self.problem(db_label, None, None, f"cannot read the database ({exc})")
        finally:
            conn.close()

    def _check_capture(self, row: sqlite3.Row) -> None:
        name, offset, rid = row["warc_file"], row["offset"], row["record_id"]
        where = (self.label(name), offset, rid)
        if name not in self.sizes:
            self.problem(*where, f"captures row points at a WARC file that is not there ({name})")
            return
        found = self.by_place.get((name, offset))
        if found is None:
            end = offset + (row["length"] or 0)
            why = (
                f"the file is only {self.sizes[name]} bytes, the row needs {end}"
                if end > self.sizes[name]
                else "no readable record starts at this offset"
            )
            self.problem(*where, f"captures row points at a missing record: {why}")
            return
        found_id, seen = found
        if found_id != rid:
            self.problem(*where, f"captures row says record {rid} but the record there is {found_id}")
            return
        if seen.length != row["length"]:
            self.problem(*where, f"captures row length {row['length']} but the record is {seen.length} bytes")
        if row["payload_sha256"] and seen.payload_sha256 != row["payload_sha256"]:
            self.problem(
                *where,
                f"payload sha256 is {seen.payload_sha256}, the captures row says {row['payload_sha256']}",
            )

    def _check_article(self, table: str, row: sqlite3.Row, capture_ids: set[str]) -> None:
        keys = row.keys()
        ident = row["id"] if "id" in keys else None
        what = f"{table} row {ident}" if ident is not None else f"{table} row"
        capture = row["capture_record_id"] if "capture_record_id" in keys else None
        if capture and capture not in capture_ids:
            self.problem(table, None, capture, f"{what} points at a capture that has no captures row")
        conv_id = row["conversion_record_id"] if "conversion_record_id" in keys else None
        if not conv_id:
            self.problem(
                table, None, capture, f"{what} has no conversion record: its clean text is not in the WARCs"
            )
            return
        seen = self.by_id.get(conv_id)
        if seen is None or seen.rec_type != "conversion":
            self.problem(table, None, conv_id, f"{what}: its conversion record is not in the WARC files")
            return
        where = (self.label(seen.file), seen.offset, conv_id)
        if "text_sha256" in keys and seen.text_sha256 != row["text_sha256"]:
            self.problem(
                *where,
                f"{what}: clean text sha256 in the WARC is {seen.text_sha256}, "
                f"the row says {row['text_sha256']}",
            )
        if capture and capture not in (seen.refers_to, seen.article_capture):
            self.problem(
                *where,
                f"{what}: the conversion record refers to {seen.refers_to}, the row to capture {capture}",
            )
        self._check_screenshot(row, keys, what)

    def _check_screenshot(self, row: Any, keys: Any, what: str) -> None:
        """A browser capture's screenshot sha256 (cited) is the sha256 of its resource record."""
        shot_id = row["screenshot_record_id"] if "screenshot_record_id" in keys else None
        if not shot_id:
            return
        shot = self.by_id.get(shot_id)
        if shot is None or shot.rec_type != "resource":
            self.problem("articles", None, shot_id, f"{what}: its screenshot record is not in the WARC files")
        elif shot.payload_sha256 != row["screenshot_sha256"]:
            self.problem(
                self.label(shot.file),
                shot.offset,
                shot_id,
                f"{what}: screenshot sha256 in the WARC is {shot.payload_sha256}, "
                f"the row says {row['screenshot_sha256']}",
            )

    # -- pages.jsonl ----------------------------------------------------------

    def check_pages(self, pages: Path, db_path: Path, label: str) -> None:
        """Each page line of a WACZ names an article of its database with that text digest."""
        try:
            conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
            try:
                known = {
                    i: (u, f"sha256:{t}")
                    for i, u, t in conn.execute("SELECT id, url, text_sha256 FROM articles")
                }
            finally:
                conn.close()
        except sqlite3.Error:
            return  # check_db has reported the unreadable database
        with open(pages, encoding="utf-8", errors="replace") as lines:  # hostile bytes: bad lines, no crash
            for number, line in enumerate(lines, 1):
                try:
                    page = json.loads(line)
                except ValueError as exc:
                    self.problem(label, None, None, f"line {number}: not JSON ({exc})")
                    continue
                if not isinstance(page, dict) or "format" in page or "id" not in page:
                    continue  # the header line (or not a page at all)
                expected = known.get(page["id"]) if isinstance(page["id"], (str, int)) else None
                if expected is None:
                    self.problem(
                        label, None, None, f"line {number}: article {page['id']} is not in the database"
                    )
                elif (page.get("url"), page.get("text_digest")) != expected:
                    self.problem(
                        label,
                        None,
                        None,
                        f"line {number}: url or text_digest of article {page['id']} "
                        "differs from the database",
                    )

    # -- CDXJ ---------------------------------------------------------------

    def check_index(self, path: Path, label: str) -> None:
        from archiver.warc.cdxj import parse_line

        with open(path, encoding="utf-8", errors="replace") as lines:  # hostile bytes: bad lines, no crash
            for number, line in enumerate(lines, 1):
                if not line.strip() or line.startswith("!"):
                    continue
                self.report.index_lines += 1
                try:
                    entry = parse_line(line)
                    key = (entry.filename, entry.offset)
                except (ValueError, KeyError) as exc:
                    self.problem(label, None, None, f"line {number}: unreadable CDXJ line ({exc})")
                    continue
                found = self.by_place.get(key)
                if found is None:
                    self.problem(
                        label,
                        None,
                        None,
                        f"line {number}: points at {entry.filename} offset "
                        f"{entry.offset}, where no readable record is",
                    )
                    continue
                rid, seen = found
                if seen.url != entry.fields.get("url") or seen.payload_digest != entry.fields.get("digest"):
                    self.problem(
                        label,
                        None,
                        rid,
                        f"line {number}: URL or digest differs from the record at "
                        f"{entry.filename} offset {entry.offset}",
                    )


def verify_archive(archive_dir: str | Path) -> VerifyReport:
    """Verify an archive folder (``warcs/``, ``archive.db``, ``indexes/``)."""
    archive_dir = Path(archive_dir)
    if not (archive_dir / "warcs").is_dir():
        raise VerifyError(f"{archive_dir} has no warcs/ folder: give an archive folder or a .wacz file")
    checker = _Checker(lambda name: str(archive_dir / "warcs" / name))
    checker.scan(warcs_in(archive_dir / "warcs"))
    db = archive_dir / "archive.db"
    if db.is_file():
        checker.check_db(db, str(db))
    else:
        checker.report_damage({})
    for index in sorted((archive_dir / "indexes").glob("*.cdxj")):
        checker.check_index(index, str(index))
    return checker.report


#: Most bytes ``verify`` writes out of one WACZ (its listed WARCs, database and index).
DEFAULT_EXTRACT_LIMIT = 16 * 1024**3
#: Largest ``datapackage.json`` / ``datapackage-digest.json`` read (they list files, they are small).
_PACKAGE_JSON_LIMIT = 64 * 1024**2
#: Folders of a WACZ whose listed files are checked against each other.
_CHECKED_FOLDERS = ("archive/", "data/", "indexes/", "pages/")


def _hash_member(zf: zipfile.ZipFile, name: str) -> tuple[str, int, str | None]:
    """sha256 and size of a zip member; the zip's own complaint (bad CRC) if any."""
    h = hashlib.sha256()
    size = 0
    complaint = None
    try:
        with zf.open(name) as member:
            for chunk in iter(lambda: member.read(1 << 20), b""):
                h.update(chunk)
                size += len(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        complaint = str(exc)
    return "sha256:" + h.hexdigest(), size, complaint


def _check_names(zf: zipfile.ZipFile, path: Path, checker: _Checker) -> dict[str, zipfile.ZipInfo]:
    """The members whose names are safe to use (the shared folder check), hostile ones reported."""
    from archiver.tools.zipsafe import is_link, unsafe_reason

    safe: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        if info.is_dir():
            continue
        reason = unsafe_reason(info.filename) or ("symbolic link" if is_link(info) else None)
        if reason:
            checker.package_problem(f"{path}!{info.filename!r}", f"hostile member name ({reason}); not read")
        else:
            safe[info.filename] = info
    return safe


@dataclasses.dataclass
class _Wacz:
    """The WACZ being checked: its zip, its path (for messages), where problems go, its safe members."""

    zf: zipfile.ZipFile
    path: Path
    checker: _Checker
    members: dict[str, zipfile.ZipInfo]


def _package_checks(wacz: _Wacz, expected_id: str | None) -> list[dict[str, Any]] | None:
    """datapackage.json, its digest file and every listed resource's sha256 and size.

    Returns the listed resources (None when there is no readable package: nothing more to check).
    """
    from archiver.tools.zipsafe import UnsafeMember, read_member

    zf, path, checker = wacz.zf, wacz.path, wacz.checker
    try:
        package_bytes = read_member(zf, "datapackage.json", _PACKAGE_JSON_LIMIT)
        package = json.loads(package_bytes)
        resources = [r for r in package.get("resources", []) if isinstance(r, dict)]
    except (KeyError, ValueError, AttributeError, zipfile.BadZipFile, UnsafeMember) as exc:
        checker.package_problem(f"{path}!datapackage.json", f"missing or unreadable ({exc})")
        return None
    package_hash = "sha256:" + hashlib.sha256(package_bytes).hexdigest()
    checker.report.snapshot_id = package_hash
    if expected_id is not None and expected_id != package_hash:
        checker.package_problem(
            f"{path}!datapackage.json",
            f"this is snapshot {package_hash}, not the cited {expected_id}",
        )
    try:
        stated = json.loads(read_member(zf, "datapackage-digest.json", _PACKAGE_JSON_LIMIT)).get("hash")
    except (KeyError, ValueError, AttributeError, zipfile.BadZipFile, UnsafeMember):
        stated = None
        checker.package_problem(f"{path}!datapackage-digest.json", "missing or unreadable")
    if stated is not None and stated != package_hash:
        checker.package_problem(
            f"{path}!datapackage.json",
            f"sha256 is {package_hash}, datapackage-digest.json says {stated}",
        )
    _check_listed(wacz, resources)
    return resources


def _check_listed(wacz: _Wacz, resources: list[dict[str, Any]]) -> None:
    """Each listed resource's sha256 and size; members the package does not list are named, not read."""
    from archiver.tools.zipsafe import unsafe_reason

    zf, path, checker, members = wacz.zf, wacz.path, wacz.checker, wacz.members
    listed = set()
    for resource in resources:
        name = str(resource.get("path", ""))
        listed.add(name)
        checker.report.resources += 1
        where = f"{path}!{name!r}" if unsafe_reason(name) else f"{path}!{name}"
        if name not in members:
            why = unsafe_reason(name)
            checker.package_problem(
                where,
                f"hostile resource path ({why})" if why else "listed in datapackage.json but not in the zip",
            )
            continue
        digest, size, complaint = _hash_member(zf, name)
        if complaint:
            checker.package_problem(where, f"zip member damaged ({complaint})")
        if digest != resource.get("hash"):
            checker.package_problem(
                where, f"sha256 is {digest}, datapackage.json says {resource.get('hash')}"
            )
        if size != resource.get("bytes"):
            checker.package_problem(where, f"{size} bytes, datapackage.json says {resource.get('bytes')}")
    for name in sorted(set(members) - listed - {"datapackage.json", "datapackage-digest.json"}):
        checker.package_problem(f"{path}!{name}", "in the zip but not listed in datapackage.json; not read")


def _extract_listed(wacz: _Wacz, resources: list[dict[str, Any]], tmp: Path, max_bytes: int) -> list[Path]:
    """Stream the listed resources of the checked folders into ``tmp``, at most ``max_bytes`` in all.

    Only names that passed the folder check and that ``datapackage.json``
    lists are written; an unlisted member is never written. Returns the WARCs written.
    """
    from archiver.tools.zipsafe import UnsafeMember, copy_member

    zf, path, checker, members = wacz.zf, wacz.path, wacz.checker, wacz.members
    warcs: list[Path] = []
    left = max_bytes
    for name in sorted({str(r.get("path", "")) for r in resources}):
        if name not in members or not name.startswith(_CHECKED_FOLDERS):
            continue
        info = members[name]
        try:
            left -= copy_member(zf, info, tmp, left)
        except UnsafeMember as exc:
            checker.package_problem(
                f"{path}!{name}", f"{exc} (verify writes at most {max_bytes} bytes of a package)"
            )
            break
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
            left -= _copy_raw(
                zf, info, tmp / name, left
            )  # keep going: the records will say where the damage is
        if name.startswith("archive/") and name.endswith((".warc.gz", ".warc")):
            warcs.append(tmp / name)
    return warcs


def _content_checks(path: Path, checker: _Checker, warcs: list[Path], tmp: Path) -> None:
    """The archive's own checks on what was extracted: WARCs, database, pages and index."""
    checker.scan(warcs)
    db = tmp / "data" / "archive.db"
    if db.is_file():
        checker.check_db(db, f"{path}!data/archive.db")
    else:
        checker.report_damage({})
    pages = tmp / "pages" / "pages.jsonl"
    if db.is_file() and pages.is_file():
        checker.check_pages(pages, db, f"{path}!pages/pages.jsonl")
    index = tmp / "indexes" / "index.cdx"
    if index.is_file():
        checker.check_index(index, f"{path}!indexes/index.cdx")


def verify_wacz(
    path: str | Path, *, expected_id: str | None = None, max_bytes: int = DEFAULT_EXTRACT_LIMIT
) -> VerifyReport:
    """Verify a WACZ: package digests and resource hashes, then its WARCs, database and index.

    ``expected_id`` is the snapshot id a citation gives: the package must be that snapshot.
    The package is hostile until checked: member names that could lead out of
    the temporary folder are reported and never used, only the resources
    ``datapackage.json`` lists are written, streamed, ``max_bytes`` at most.
    """
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise VerifyError(f"{path} is not a readable zip/WACZ file ({exc}); is it cut off?") from exc
    with zf, tempfile.TemporaryDirectory(prefix="verify-") as tmp_name:
        checker = _Checker(lambda name: f"{path}!archive/{name}")
        wacz = _Wacz(zf, path, checker, _check_names(zf, path, checker))
        resources = _package_checks(wacz, expected_id)
        if resources is None:
            return checker.report
        warcs = _extract_listed(wacz, resources, Path(tmp_name), max_bytes)
        _content_checks(path, checker, warcs, Path(tmp_name))
        return checker.report


def _copy_raw(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, budget: int) -> int:
    """Copy a stored member's bytes without the CRC check (to locate the damage inside it).

    ``dest`` has passed the folder check; at most ``budget`` bytes are copied.
    """
    if info.compress_type != zipfile.ZIP_STORED:
        dest.write_bytes(b"")
        return 0
    with open(zf.filename, "rb") as raw:  # type: ignore[arg-type]
        raw.seek(info.header_offset + 26)
        name_len = int.from_bytes(raw.read(2), "little")
        extra_len = int.from_bytes(raw.read(2), "little")
        raw.seek(info.header_offset + 30 + name_len + extra_len)
        data = raw.read(min(info.compress_size, max(budget, 0)))
    dest.write_bytes(data)
    return len(data)


def verify(
    path: str | Path, *, expected_id: str | None = None, max_bytes: int = DEFAULT_EXTRACT_LIMIT
) -> VerifyReport:
    """Verify ``path``: an archive folder or a ``.wacz`` file (that must be snapshot ``expected_id``).

    ``max_bytes`` bounds what is written out of a ``.wacz`` to check it.
    """
    path = Path(path)
    if path.is_dir():
        if expected_id is not None:
            raise VerifyError("--id names a snapshot: give the .wacz file, not an archive folder")
        return verify_archive(path)
    if path.is_file():
        return verify_wacz(path, expected_id=expected_id, max_bytes=max_bytes)
    raise VerifyError(f"{path} does not exist: give an archive folder or a .wacz file")
