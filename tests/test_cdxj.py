"""CDXJ index: written per crawl at close, pywb's format, equal to cdxj-indexer's output."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess

from archiver.warc.cdxj import parse_line, surt, timestamp14
from archiver.warc.reader import iter_records
from support import run_archiver
from tools import tool


def _index_files(archive):
    return sorted((archive / "indexes").glob("*.cdxj"))


def test_surt_matches_pywb_canonical_form():
    assert surt("http://www.Example.com/News/?b=2&a=1#frag") == "com,example)/news?a=1&b=2"
    assert surt("http://127.0.0.1:8080/") == "1,0,0,127:8080)/"
    assert timestamp14("2024-06-03T10:11:12.123456Z") == "20240603101112"


def test_crawl_writes_one_sorted_index_per_crawl(demo_crawl):
    archive, _, _ = demo_crawl
    files = _index_files(archive)
    db = sqlite3.connect(archive / "archive.db")
    crawl_ids = [row[0] for row in db.execute("select id from crawls")]
    assert [f.stem for f in files] == crawl_ids
    lines = files[0].read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)
    captures = {
        (url, warc_file, offset, length)
        for url, warc_file, offset, length in db.execute(
            "select url, warc_file, offset, length from captures"
        )
    }
    parsed = [parse_line(line) for line in lines]
    assert {(p.fields["url"], p.filename, p.offset, p.length) for p in parsed} == captures
    assert len(parsed) == len(captures)


def test_every_line_points_at_its_record(demo_crawl):
    archive, _, _ = demo_crawl
    records = {}
    for warc in (archive / "warcs").glob("*.warc.gz"):
        for rec in iter_records(warc):
            records[(warc.name, rec.offset)] = rec
    for line in _index_files(archive)[0].read_text(encoding="utf-8").splitlines():
        entry = parse_line(line)
        rec = records[(entry.filename, entry.offset)]
        assert rec.length == entry.length
        assert rec.target_uri == entry.fields["url"]
        assert timestamp14(rec.date) == entry.timestamp
        assert rec.header("WARC-Payload-Digest") == entry.fields["digest"]
        assert str(rec.status) == entry.fields["status"]


def test_index_equals_cdxj_indexer_output(demo_crawl, tmp_path):
    """pywb's own indexer (cdxj-indexer) on the same WARCs writes the same lines."""
    archive, _, _ = demo_crawl
    warcs = sorted(str(p) for p in (archive / "warcs").glob("*.warc.gz"))
    proc = subprocess.run(
        [tool("cdxj-indexer"), "--sort", *warcs], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    theirs = [
        json.loads(line.split(" ", 2)[2]) | {"key": line.split(" ", 2)[:2]}
        for line in proc.stdout.splitlines()
        if line.strip()
    ]
    ours = [
        json.loads(line.split(" ", 2)[2]) | {"key": line.split(" ", 2)[:2]}
        for line in _index_files(archive)[0].read_text(encoding="utf-8").splitlines()
    ]
    assert ours == theirs


def test_index_command_rebuilds_the_same_file(demo_crawl, tmp_path):
    archive, _, _ = demo_crawl
    copy = tmp_path / "archive"
    shutil.copytree(archive, copy)
    original = _index_files(copy)[0]
    expected = original.read_bytes()
    shutil.rmtree(copy / "indexes")
    proc = run_archiver("index", str(copy))
    assert proc.returncode == 0, proc.stderr
    assert original.read_bytes() == expected
    assert str(expected.count(b"\n")) in proc.stdout


def test_index_command_reports_damage(demo_crawl, tmp_path):
    archive, _, _ = demo_crawl
    copy = tmp_path / "archive"
    shutil.copytree(archive, copy)
    warc = next((copy / "warcs").glob("*.warc.gz"))
    data = warc.read_bytes()
    warc.write_bytes(data[: len(data) // 2])
    proc = run_archiver("index", str(copy))
    assert proc.returncode == 1
    assert warc.name in proc.stderr and "truncated" in proc.stderr
    # the records before the damage are still indexed
    assert 0 < len(_index_files(copy)[0].read_text().splitlines())


def test_resumed_crawl_index_covers_every_run_and_reads_past_a_torn_tail(tmp_path):
    """A resumed crawl keeps its id and writes new files: its index holds the earlier runs' captures too."""
    import datetime as dt

    from archiver.warc.cdxj import write_crawl_index
    from archiver.warc import HttpExchange, WarcWriter

    def run(prefix: str, n: int) -> WarcWriter:
        writer = WarcWriter(tmp_path / "warcs", prefix, warcinfo={"crawl-id": "c-1", "outlet": "x"})
        for i in range(n):
            body = f"page {prefix} {i}".encode()
            writer.write(
                HttpExchange(
                    url=f"http://x.example/{prefix}/{i}",
                    request_bytes=b"GET / HTTP/1.1\r\n\r\n",
                    response_bytes=b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body,
                    fetched_at=dt.datetime(2024, 6, 3, 10, 0, i, tzinfo=dt.timezone.utc),
                )
            )
        writer.close()
        return writer

    first = run("first", 3)
    killed = first.files[0]
    killed.write_bytes(killed.read_bytes()[:-20])  # the first run was killed mid-record
    second = run("second", 2)
    other = WarcWriter(tmp_path / "warcs", "other", warcinfo={"crawl-id": "c-2"})
    other.close()
    index = write_crawl_index(tmp_path, "c-1", second.files)
    urls = [parse_line(line).fields["url"] for line in index.read_text().splitlines()]
    assert sorted(urls) == sorted(
        [f"http://x.example/first/{i}" for i in range(2)] + [f"http://x.example/second/{i}" for i in range(2)]
    )
