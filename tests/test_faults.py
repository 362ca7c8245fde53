"""Faults of the machine: a full or unwritable output folder stops the crawl cleanly.

The crawls here fetch a local site of incompressible pages (so the archive
grows fast) into

* a 2 MB tmpfs that fills up mid-crawl (when this process may mount one: root
  in a container that allows it; skipped otherwise),
* an ordinary folder where ``os.write`` of the WARC writer fails with ENOSPC
  after a byte budget (injected in the crawl's own process: runs everywhere),
* a read-only tmpfs (refused before any request).

Each must end with a non-zero exit and a message saying what happened and
what to do, leave only whole WARC records (the writer cuts a failed record
back; nothing half-written and unmarked), and a database that passes
``PRAGMA integrity_check`` and whose every capture row points at a record.
"""

from __future__ import annotations

import base64
import http.server
import os
import random
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from archiver.tools.reindex import reindex
from archiver.warc.reader import iter_records, read_record_at
from support import LOCAL, REPO, run_archiver

PAGES = 60
PAGE_BYTES = 60_000  # random base64: barely compresses, so 2 MB holds ~30 pages


class _Site(http.server.BaseHTTPRequestHandler):
    pages: dict[str, bytes] = {}
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.hits.append(self.path)
        body = self.pages.get(self.path)
        if body is None:
            self.send_response(404)
            body = b"not here"
        else:
            self.send_response(200)
        self.send_header(
            "Content-Type", "text/html; charset=utf-8" if self.path != "/robots.txt" else "text/plain"
        )
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _pages() -> dict[str, bytes]:
    rng = random.Random(3)
    pages = {"/robots.txt": b"User-agent: *\nDisallow:\n"}
    links = "".join(f'<a href="/page/{i}/">page {i}</a>' for i in range(PAGES))
    pages["/"] = f"<html><head><meta charset='utf-8'></head><body>{links}</body></html>".encode()
    for i in range(PAGES):
        noise = base64.b64encode(rng.randbytes(PAGE_BYTES * 3 // 4)).decode()
        pages[f"/page/{i}/"] = (
            f"<html><head><meta charset='utf-8'><title>Page {i}</title>"
            "<meta property='og:type' content='article'></head><body><article>"
            f"<h1>Page {i}</h1><p>{'Words of page %d. ' % i * 40}</p><p>{noise}</p>"
            "</article></body></html>"
        ).encode()
    return pages


@pytest.fixture(scope="module")
def site():
    handler = type("Site", (_Site,), {"pages": _pages(), "hits": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler.hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def tmpfs(tmp_path):
    """A mounter: ``tmpfs("2m")`` mounts a fresh tmpfs and returns its folder (skip if not allowed)."""
    mounted: list[Path] = []

    def mount(size: str, *options: str) -> Path:
        target = tmp_path / f"mnt{len(mounted)}"
        target.mkdir()
        opts = ",".join([f"size={size}", *options])
        proc = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(target)], capture_output=True, text=True
        )
        assert proc.returncode == 0, (
            f"cannot mount a tmpfs here ({proc.stderr.strip() or proc.returncode}): these tests need root; "
            "deselect them with -m 'not root_only'"
        )
        mounted.append(target)
        return target

    yield mount
    for target in mounted:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def crawl_args(site_url: str, out: Path, outlet_dir: Path) -> list[str]:
    outlet = outlet_dir / "faulty.toml"
    outlet.write_text(f'name = "faulty"\nhome = "{site_url}/"\n')
    args = ["crawl", str(outlet), "--out", str(out)]
    for setting in [*LOCAL, "CONCURRENT_REQUESTS_PER_DOMAIN=2"]:
        args += ["--set", setting]
    return args


def assert_archive_consistent(out: Path, rebuilt: Path) -> None:
    """Whole records only, a sound database whose rows point at records, nothing lost.

    The session commits rows in batches of about a second, so the rows of the
    last batch may be rolled back with the failed write; the WARC holds them,
    and a rebuild (what resuming does) recovers every response.
    """
    files = sorted((out / "warcs").glob("*.warc.gz"))
    assert files
    responses = 0
    for path in files:
        errors: list = []
        records = list(iter_records(path, on_error=errors.append))
        assert errors == [], f"half-written record left in {path.name}: {errors}"
        assert records and records[0].rec_type == "warcinfo"
        responses += sum(r.rec_type == "response" for r in records)
    assert responses, "the crawl archived nothing before the disk filled"
    with sqlite3.connect(out / "archive.db") as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        rows = conn.execute("select record_id, warc_file, offset from captures").fetchall()
    for record_id, warc_file, offset in rows:
        assert read_record_at(out / "warcs" / warc_file, offset).record_id == record_id
    result = reindex([out / "warcs"], rebuilt)
    assert result.errors == [] and result.captures == responses


def assert_stopped_with_advice(proc: subprocess.CompletedProcess, hits: list[str]) -> None:
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-3000:]
    assert "cannot write the archive" in output
    assert "the crawl stopped early" in output and "free space" in output
    assert output.count("The crawl stops.") == 1, "the failure is logged once"
    assert len([h for h in hits if h.startswith("/page/")]) < PAGES, "the crawl went on fetching"


@pytest.mark.root_only  # mounts a tmpfs
def test_full_tmpfs_stops_the_crawl_cleanly(site, tmpfs, tmp_path):
    site_url, hits = site
    out = tmpfs("2m") / "archive"
    hits.clear()
    proc = run_archiver(*crawl_args(site_url, out, tmp_path), timeout=180)
    assert_stopped_with_advice(proc, hits)
    assert "No space left on device" in proc.stdout + proc.stderr
    assert_archive_consistent(out, tmp_path / "rebuilt.db")


INJECT = """
import errno, os, sys
import archiver.warc.writer as writer
budget = [int(os.environ["ARCHIVER_TEST_WRITE_BUDGET"])]
real_write = os.write

class _OS:
    def __getattr__(self, name):
        return getattr(os, name)

    @staticmethod
    def write(fd, data):
        if len(data) > budget[0]:
            half = real_write(fd, bytes(data)[: budget[0] // 2 + 1])  # a torn write, then the disk is full
            budget[0] = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        budget[0] -= len(data)
        return real_write(fd, data)

writer.os = _OS()
from archiver.cli import cli
sys.argv = ["archiver"] + sys.argv[1:]
cli()
"""


def test_enospc_at_the_write_call_stops_the_crawl_cleanly(site, tmp_path):
    site_url, hits = site
    out = tmp_path / "archive"
    hits.clear()
    env = dict(os.environ, PYTHONPATH=str(REPO), ARCHIVER_TEST_WRITE_BUDGET=str(600_000))
    proc = subprocess.run(
        [sys.executable, "-c", INJECT, *crawl_args(site_url, out, tmp_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert_stopped_with_advice(proc, hits)
    assert "No space left on device" in proc.stderr and "cut back to its last whole record" in proc.stderr
    assert_archive_consistent(out, tmp_path / "rebuilt.db")
    # the stats of the stopped crawl are kept (the database itself had room)
    with sqlite3.connect(out / "archive.db") as conn:
        ((stats,),) = conn.execute("select stats from crawls").fetchall()
    assert '"finish_reason": "archive_write_failed"' in stats


@pytest.mark.root_only  # mounts a tmpfs
def test_read_only_output_folder_is_refused_before_any_request(site, tmpfs, tmp_path):
    site_url, hits = site
    folder = tmpfs("1m", "ro")
    hits.clear()
    proc = run_archiver(*crawl_args(site_url, folder / "archive", tmp_path), timeout=60)
    assert proc.returncode != 0
    assert "cannot write to output folder" in proc.stderr and "Choose another --out folder" in proc.stderr
    assert hits == []
