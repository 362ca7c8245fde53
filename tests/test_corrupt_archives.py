"""Corrupt archives: reindex, verify and ingest name the damage and process everything else.

A small archive (three WARC files of four pages each, their articles, the
database) is written by the project's own session; each test damages one file
in a copy the way disks and transfers do (truncated gzip, a flipped byte, a
wrong digest, a non-WARC file, an empty file) and runs the real ``archiver``
command. Every run must exit non-zero with a message that names the file, the
offset and (where one is readable) the record, and must still index every
record of the undamaged files.
"""

from __future__ import annotations

import gzip
import re
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from archiver.article import Article
from archiver.outlets import Outlet
from archiver.warc.reader import iter_records
from archiver.warc.exchange import HttpExchange
from support import run_archiver

PAGES_PER_FILE = 4
FILES = 3
WHEN = datetime(2024, 6, 1, 9, 0, tzinfo=timezone.utc)


def _page(n: int) -> bytes:
    body = f"<html><body><article><h1>Story {n}</h1><p>{'Words of story %d. ' % n * 30}</p></article></body></html>"
    data = body.encode()
    return b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s" % (
        len(data),
        data,
    )


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """An archive folder whose WARC files each hold PAGES_PER_FILE exchanges and their articles."""
    from archiver.crawl.session import ArchiveSession

    out = tmp_path_factory.mktemp("pristine") / "archive"
    outlet = Outlet(name="corrupt", home="http://127.0.0.1/", domains=("127.0.0.1",))
    session = ArchiveSession(out, outlet)
    n = 0
    for _ in range(FILES):
        for _ in range(PAGES_PER_FILE):
            n += 1
            url = f"http://127.0.0.1/story/{n}/"
            capture = session.record_exchange(
                HttpExchange(
                    url=url,
                    fetched_at=WHEN,
                    request_bytes=b"GET /story/%d/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % n,
                    response_bytes=_page(n),
                )
            )
            session.record_article(
                Article(url=url, title=f"Story {n}", text=f"Words of story {n}. " * 30), capture
            )
        session.writer.close()  # the next write starts a new file
    session.close({"finish_reason": "finished"})
    assert len(warcs(out)) == FILES
    return out


def warcs(out: Path) -> list[Path]:
    return sorted((out / "warcs").glob("*.warc.gz"))


@pytest.fixture
def archive(pristine, tmp_path) -> Path:
    copy = tmp_path / "archive"
    shutil.copytree(pristine, copy)
    return copy


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"select count(*) from {table}").fetchone()[0]


def response_offsets(path: Path) -> list[tuple[int, str]]:
    return [(r.offset, r.record_id) for r in iter_records(path) if r.rec_type == "response"]


# -- damage ---------------------------------------------------------------------------------


def truncate(path: Path) -> tuple[int, str]:
    """Cut the file in the middle of its last response record's gzip member."""
    offset, record_id = response_offsets(path)[-1]
    data = path.read_bytes()
    path.write_bytes(data[: offset + 60])
    return offset, record_id


def flip_byte(path: Path) -> tuple[int, str]:
    """Flip one byte inside the compressed data of the second response record."""
    offset, record_id = response_offsets(path)[1]
    data = bytearray(path.read_bytes())
    data[offset + 40] ^= 0xFF
    path.write_bytes(bytes(data))
    return offset, record_id


def wrong_digest(path: Path) -> tuple[int, str]:
    """Change one byte of the first response's block and re-gzip it: valid gzip, wrong digest."""
    records = list(iter_records(path))
    target = next(r for r in records if r.rec_type == "response")
    data = path.read_bytes()
    member = gzip.decompress(data[target.offset : target.offset + target.length])
    tampered = member.replace(b"Words of story", b"Words of stony", 1)
    assert tampered != member
    path.write_bytes(
        data[: target.offset] + gzip.compress(tampered, mtime=0) + data[target.offset + target.length :]
    )
    return target.offset, target.record_id


def run(command: str, archive: Path, tmp_path: Path):
    if command == "reindex":
        return run_archiver("reindex", str(archive / "warcs"), "--db", str(tmp_path / "rebuilt.db"))
    if command == "verify":
        return run_archiver("verify", str(archive))
    return run_archiver("ingest", str(archive), "--db", str(tmp_path / "merged.db"))


#: Our own commands: each must exist (a missing one fails these tests, it is not skipped).
COMMANDS = ["reindex", "verify", "ingest"]


def assert_named(output: str, path: Path, offset: int | None, record_id: str | None) -> None:
    lines = [line for line in output.splitlines() if path.name in line]
    assert lines, f"no message names {path.name}:\n{output[-2000:]}"
    if offset is not None:
        assert any(re.search(rf"offset {offset}\b", line) for line in lines), lines
    if record_id is not None:
        assert any(record_id in line for line in lines), lines


def failed_output(command: str, archive: Path, tmp_path: Path, damage: str = "the damage") -> str:
    """Run ``command`` on the damaged archive, which must fail; what it printed."""
    proc = run(command, archive, tmp_path)
    assert proc.returncode != 0, f"{damage} went unnoticed:\n{proc.stdout}{proc.stderr}"
    return proc.stdout + proc.stderr


def assert_rest_indexed(command: str, tmp_path: Path, *, at_least: int) -> None:
    """The undamaged files (and the undamaged records of the damaged one) are all indexed."""
    if command == "verify":
        return  # verify builds nothing
    db = tmp_path / ("rebuilt.db" if command == "reindex" else "merged.db")
    assert count(db, "captures") >= at_least
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)


# -- one test per damage, each run through every command ----------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_truncated_gzip(command, archive, tmp_path):
    damaged = warcs(archive)[1]
    offset, record_id = truncate(damaged)
    output = failed_output(command, archive, tmp_path)
    assert_named(output, damaged, offset, None)
    assert "truncated" in output
    assert_rest_indexed(command, tmp_path, at_least=FILES * PAGES_PER_FILE - 1)


@pytest.mark.parametrize("command", COMMANDS)
def test_flipped_byte(command, archive, tmp_path):
    damaged = warcs(archive)[0]
    offset, _ = flip_byte(damaged)
    assert_named(failed_output(command, archive, tmp_path), damaged, offset, None)
    # the records after the damaged one in the same file are still read
    assert_rest_indexed(command, tmp_path, at_least=FILES * PAGES_PER_FILE - 1)


@pytest.mark.parametrize("command", COMMANDS)
def test_wrong_digest(command, archive, tmp_path):
    damaged = warcs(archive)[2]
    offset, record_id = wrong_digest(damaged)
    output = failed_output(command, archive, tmp_path, "a wrong digest")
    assert_named(output, damaged, offset, record_id)
    assert "Digest" in output or "digest" in output
    assert_rest_indexed(command, tmp_path, at_least=FILES * PAGES_PER_FILE - 1)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("notes-20240601000000-00001.warc.gz", b"these are my notes, not a WARC file\n", "not a WARC"),
        ("empty-20240601000000-00001.warc.gz", b"", "empty"),
    ],
    ids=["non_warc_file", "empty_file"],
)
def test_a_file_that_is_no_warc(command, name, content, said, archive, tmp_path):
    stray = archive / "warcs" / name
    stray.write_bytes(content)
    output = failed_output(command, archive, tmp_path)
    assert_named(output, stray, 0, None)
    assert said in output
    assert_rest_indexed(command, tmp_path, at_least=FILES * PAGES_PER_FILE)


@pytest.mark.parametrize("command", COMMANDS)
def test_undamaged_archive_passes(command, archive, tmp_path):
    """The control: the same commands on the intact copy exit 0 and index everything."""
    proc = run(command, archive, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert_rest_indexed(command, tmp_path, at_least=FILES * PAGES_PER_FILE)
