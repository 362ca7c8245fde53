"""``archiver db optimize`` and ``archiver db stats``: what they print, and safety beside a writer."""

from __future__ import annotations

import sqlite3
from contextlib import closing
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archiver.store import Archive, StoreError
from archiver.store.maintenance import optimize, stats
from support import run_archiver
from test_store import make_article, make_capture


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    with Archive(tmp_path) as db, db.transaction():
        for n in range(1, 301):
            url = f"https://news.example/world/story-{n}"
            text = f"Story number {n} about the border and the harbour.\n\nSecond paragraph {n}."
            db.add_article(make_article(url, text), make_capture(n, url=url), outlet="demo", crawl_id=None,
                           conversion_record_id=None)  # fmt: skip
    return tmp_path


def integrity(db: Path) -> str:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("pragma integrity_check").fetchone()[0]


def test_stats_prints_counts_sizes_and_fts_size(archive: Path) -> None:
    proc = run_archiver("db", "stats", str(archive))
    assert proc.returncode == 0, proc.stderr
    lines = {line.split()[0]: line.split() for line in proc.stdout.splitlines() if line.strip()}
    assert lines["articles"][1:3] == ["table", "300"] and lines["captures"][1:3] == ["table", "300"]
    assert float(lines["articles"][3]) > 0  # MB, from dbstat
    assert lines["idx_articles_published_outlet_section_language_authors"][1] == "index"
    assert "full-text index (articles_fts and its tables):" in proc.stdout
    found = stats(archive)
    assert found.dbstat and (found.fts_bytes or 0) > 0
    assert {o.name: o.rows for o in found.objects}["article_versions"] == 300


def test_stats_reads_beside_a_writer_and_writes_nothing(archive: Path) -> None:
    db = archive / "archive.db"
    with Archive(archive) as writer:  # a crawl holding the database open, mid-transaction
        with writer.db.conn:
            writer.db.execute("update articles set title = 'x' where rowid = 1")
            before = db.stat().st_mtime_ns
            found = stats(archive)
        assert {o.name: o.rows for o in found.objects}["articles"] == 300
    assert db.stat().st_mtime_ns >= before and integrity(db) == "ok"


def test_optimize_prints_each_step_with_its_time(archive: Path) -> None:
    proc = run_archiver("db", "optimize", str(archive))
    assert proc.returncode == 0, proc.stderr
    steps = [line.split()[0] for line in proc.stdout.splitlines()]
    assert steps[:2] == ["fts", "analyze"] and "vacuum" in steps and "skipped" in proc.stdout
    with closing(sqlite3.connect(archive / "archive.db")) as conn:
        assert conn.execute("select count(*) from sqlite_stat1").fetchone()[0] > 0
        # one FTS segment after optimize: searches still find the stories
        assert (
            conn.execute("select count(*) from articles_fts where articles_fts match 'harbour'").fetchone()[0]
            == 300
        )


def test_optimize_vacuums_when_much_of_the_file_is_free(archive: Path) -> None:
    db = archive / "archive.db"
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("delete from article_versions")
    size = db.stat().st_size
    lines: list[str] = []
    times = optimize(archive, report=lines.append)
    assert "vacuum" in times and db.stat().st_size < size
    assert any(line.startswith("vacuum") and " s " in line for line in lines)
    assert integrity(db) == "ok"


def test_optimize_refuses_an_archive_being_written(archive: Path) -> None:
    with Archive(archive):  # a crawl has it open
        proc = run_archiver("db", "optimize", str(archive))
        assert proc.returncode == 1
        assert "is being written" in proc.stderr and "--wait" in proc.stderr
        started = time.monotonic()
        with pytest.raises(StoreError, match="being written"):
            optimize(archive, wait=0.5, report=lambda _line: None)
        assert time.monotonic() - started >= 0.5
    assert integrity(archive / "archive.db") == "ok"


def test_optimize_waits_for_the_writer_to_finish(archive: Path) -> None:
    """A writer in another process (a crawl) holds the archive for a while, then closes it."""
    code = (
        "import sys, time; from archiver.store import Archive\n"
        "a = Archive(sys.argv[1]); print('open', flush=True); time.sleep(2); a.close()"
    )
    writer = subprocess.Popen([sys.executable, "-c", code, str(archive)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "open"
        opened = time.monotonic()
        times = optimize(archive, wait=120, report=lambda _line: None)
        assert time.monotonic() - opened >= 1.5  # optimize ran only once the writer had gone
    finally:
        writer.wait(timeout=60)
    assert "analyze" in times and integrity(archive / "archive.db") == "ok"


def test_a_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    proc = run_archiver("db", "stats", str(tmp_path))
    assert proc.returncode == 1 and "no archive database" in proc.stderr
