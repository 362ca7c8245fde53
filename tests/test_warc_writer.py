"""WarcWriter: byte-exact blocks, warcio-compatible digests, rotation, kill/disk-full safety."""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.warc import (
    RECONSTRUCTED_HEADER,
    REVISIT_PROFILE,
    HttpExchange,
    WarcError,
    WarcWriteError,
    WarcWriter,
    capture_from_record,
    iter_records,
    read_record_at,
    sha1_digest,
    verify_record,
)
from archiver.warc import writer as writer_module

WHEN = datetime(2026, 11, 25, 14, 0, 1, 123456, tzinfo=timezone.utc)
REQUEST = (
    b"GET /news/a?x=1 HTTP/1.1\r\nHost: example.test\r\nuser-AGENT: tester\r\nAccept-Encoding: gzip\r\n\r\n"
)
BODY = gzip.compress(b"<html><p>Hello</p></html>", mtime=0)
RESPONSE = (
    b"HTTP/1.1 200 Very OK\r\n"
    b"content-TYPE: text/html; charset=utf-8\r\n"
    b"Set-Cookie: a=1\r\n"
    b"set-cookie: b=2\r\n"
    b"Content-Encoding: gzip\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % len(BODY) + BODY + b"\r\n0\r\n\r\n"
)
INFO = {"software": "news-archiver/test", "crawl-id": "crawl-1", "outlet": "demo", "settings-digest": "abc"}


def warcio_check(path: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("warcio")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "warcio.cli"]
    return subprocess.run(cmd + ["check", "-v", str(path)], capture_output=True, text=True, timeout=60)


def write_one(folder: Path, prefix: str, **exchange):
    """One exchange (``REQUEST`` at ``WHEN`` unless given) in a new WARC file: the file and the capture."""
    with WarcWriter(folder, prefix, warcinfo=INFO) as w:
        capture = w.write(HttpExchange(**{"request_bytes": REQUEST, "fetched_at": WHEN, **exchange}))
        return w.current_path, capture


@pytest.fixture
def written(tmp_path: Path):
    return write_one(
        tmp_path, "demo", url="http://example.test/news/a?x=1", response_bytes=RESPONSE, ip="127.0.0.1"
    )


def test_file_name_and_warcinfo_first(written):
    path, _ = written
    assert path.name.startswith("demo-") and path.name.endswith("-00001.warc.gz")
    assert len(path.name.split("-")[1]) == 14
    records = list(iter_records(path))
    assert records[0].rec_type == "warcinfo"
    assert b"crawl-id: crawl-1\r\n" in records[0].block
    assert b"format: WARC File Format 1.1\r\n" in records[0].block
    assert all(r.version == "WARC/1.1" for r in records)


def test_one_gzip_member_per_record(written):
    path, capture = written
    data = path.read_bytes()
    member = data[capture.offset : capture.offset + capture.length]
    text = gzip.decompress(member)
    assert text.startswith(b"WARC/1.1\r\nWARC-Type: response\r\n")
    assert text.endswith(RESPONSE + b"\r\n\r\n")


def test_warcio_reads_blocks_byte_for_byte_and_check_passes(written):
    path, capture = written
    result = warcio_check(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "digest pass" in result.stdout and "fail" not in result.stdout
    with open(path, "rb") as f:
        records = {
            r.rec_type: (r.rec_headers, r.raw_stream.read()) for r in ArchiveIterator(f, no_record_parse=True)
        }
    headers, block = records["response"]
    assert block == RESPONSE
    assert records["request"][1] == REQUEST
    assert headers.get_header("WARC-Concurrent-To") == records["request"][0].get_header("WARC-Record-ID")
    assert records["request"][0].get_header("WARC-Concurrent-To") == capture.record_id
    assert headers.get_header("WARC-IP-Address") == "127.0.0.1"
    assert headers.get_header("WARC-Date") == "2026-11-25T14:00:01.123456Z"
    assert headers.get_header("WARC-Warcinfo-ID") == records["warcinfo"][0].get_header("WARC-Record-ID")
    assert headers.get_header("Content-Type") == "application/http;msgtype=response"
    assert headers.get_header("WARC-Payload-Digest") == sha1_digest(RESPONSE.split(b"\r\n\r\n", 1)[1])


def test_capture_fields_and_reindex_equality(written):
    path, capture = written
    payload = RESPONSE.split(b"\r\n\r\n", 1)[1]
    assert capture.status == 200 and capture.reason == "Very OK"
    assert capture.content_type == "text/html; charset=utf-8"
    assert capture.payload_sha256 == hashlib.sha256(payload).hexdigest()
    assert capture.payload_length == len(payload)
    assert (capture.crawl_id, capture.outlet) == ("crawl-1", "demo")
    assert capture.timestamp14 == "20261125140001"
    response = [r for r in iter_records(path) if r.rec_type == "response"][0]
    assert capture_from_record(response) == capture
    assert response.decoded_body() == b"<html><p>Hello</p></html>"
    assert [v for k, v in response.http_headers if k.lower() == "set-cookie"] == ["a=1", "b=2"]


def test_error_exchange_writes_request_and_metadata(tmp_path):
    path, result = write_one(
        tmp_path,
        "err",
        url="http://dead.test/",
        response_bytes=None,
        error="ConnectionRefusedError: refused\r\nx",
        reconstructed=True,
    )
    assert result is None
    records = list(iter_records(path))
    assert [r.rec_type for r in records] == ["warcinfo", "request", "metadata"]
    assert records[2].header("WARC-Concurrent-To") == records[1].record_id
    assert records[2].block == b"fetch-error: ConnectionRefusedError: refused  x\r\n"
    assert records[1].header(RECONSTRUCTED_HEADER) == "true"
    assert warcio_check(path).returncode == 0


def test_revisit_and_conversion(tmp_path):
    with WarcWriter(tmp_path, "rv", warcinfo=INFO) as w:
        first = w.write(
            HttpExchange(
                url="http://example.test/a", request_bytes=REQUEST, response_bytes=RESPONSE, fetched_at=WHEN
            )
        )
        digest = sha1_digest(RESPONSE.split(b"\r\n\r\n", 1)[1])
        revisit = w.write_revisit(
            url="http://example.test/a",
            request_bytes=REQUEST,
            response_head_bytes=b'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n',
            fetched_at=WHEN,
            refers_to_record_id=first.record_id,
            refers_to_uri=first.url,
            refers_to_date=first.fetched_at,
            payload_digest=digest,
            payload_sha256=first.payload_sha256,
        )
        loc = w.write_conversion(
            url="http://example.test/a",
            refers_to=first.record_id,
            fetched_at=WHEN,
            payload=b'{"text": "Hello"}',
        )
        path = w.current_path
    record_id, warc_file, offset, length = loc
    assert warc_file == path.name
    by_type = {r.rec_type: r for r in iter_records(path)}
    rv = by_type["revisit"]
    assert rv.header("WARC-Profile") == REVISIT_PROFILE
    assert rv.header("WARC-Refers-To-Target-URI") == "http://example.test/a"
    assert rv.header("WARC-Refers-To-Date") == first.fetched_at
    assert rv.header("WARC-Payload-Digest") == digest
    assert (
        capture_from_record(rv) == revisit and revisit.status == 304 and revisit.refers_to == first.record_id
    )
    conv = by_type["conversion"]
    assert (conv.record_id, conv.offset, conv.length) == (record_id, offset, length)
    assert conv.header("WARC-Refers-To") == first.record_id and conv.block == b'{"text": "Hello"}'
    assert warcio_check(path).returncode == 0


def test_rotation_keeps_exchanges_whole_and_each_file_has_warcinfo(tmp_path):
    with WarcWriter(tmp_path, "rot", max_size=2000, warcinfo=INFO) as w:
        captures = [
            w.write(HttpExchange(f"http://example.test/{i}", REQUEST, RESPONSE, WHEN)) for i in range(6)
        ]
        total = w.bytes_written
    files = sorted(tmp_path.glob("rot-*.warc.gz"))
    assert len(files) >= 3
    assert [f.name[-13:-8] for f in files] == [f"{i:05d}" for i in range(1, len(files) + 1)]
    assert sum(f.stat().st_size for f in files) == total
    for f in files:
        types = [r.rec_type for r in iter_records(f)]
        assert types[0] == "warcinfo" and types.count("warcinfo") == 1
        assert types.count("request") == types.count("response") >= 1
        assert warcio_check(f).returncode == 0
    assert {c.warc_file for c in captures} == {f.name for f in files}


def test_disk_full_cuts_back_to_last_whole_record(tmp_path, monkeypatch):
    w = WarcWriter(tmp_path, "full", warcinfo=INFO)
    w.write(
        HttpExchange(
            url="http://example.test/1", request_bytes=REQUEST, response_bytes=RESPONSE, fetched_at=WHEN
        )
    )
    good_size = w.current_path.stat().st_size
    real_write = os.write

    def half_then_enospc(fd, data):
        if len(data) > 100:
            real_write(fd, bytes(data[:50]))
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(writer_module.os, "write", half_then_enospc)
    with pytest.raises(WarcWriteError, match="No space left.*cut back"):
        w.write(
            HttpExchange(
                url="http://example.test/2", request_bytes=REQUEST, response_bytes=RESPONSE, fetched_at=WHEN
            )
        )
    monkeypatch.undo()
    assert w.files[0].stat().st_size == good_size
    # the disk has room again: the next exchange continues the file where the cut left it
    # (no hole of zeros where the torn write was), at the offset its capture names
    capture = w.write(
        HttpExchange(
            url="http://example.test/3", request_bytes=REQUEST, response_bytes=RESPONSE, fetched_at=WHEN
        )
    )
    w.close()
    assert capture is not None and capture.offset > good_size
    errors: list = []
    records = list(iter_records(w.files[0], on_error=errors.append))
    assert errors == []
    assert [r.rec_type for r in records] == ["warcinfo", "request", "response", "request", "response"]
    assert read_record_at(w.files[0], capture.offset).record_id == capture.record_id


def test_bad_prefix_and_unwritable_folder(tmp_path):
    with pytest.raises(ValueError, match="prefix"):
        WarcWriter(tmp_path, "../escape", warcinfo=INFO)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(WarcWriteError, match="writable"):
        WarcWriter(blocker / "warcs", "x", warcinfo=INFO)


def test_partial_response_with_error_is_marked_truncated(tmp_path):
    partial = RESPONSE[: len(RESPONSE) - 20]
    path, capture = write_one(
        tmp_path,
        "cut",
        url="http://example.test/slow",
        response_bytes=partial,
        error="DownloadTimeoutError: Getting x took longer than 1 seconds.",
    )
    response = [r for r in iter_records(path) if r.rec_type == "response"][0]
    assert response.block == partial and response.header("WARC-Truncated") == "time"
    assert capture.status == 200
    assert warcio_check(path).returncode == 0


def test_killed_writer_leaves_whole_records(tmp_path):
    script = (
        "import sys, datetime\n"
        "from archiver.warc import HttpExchange, WarcWriter\n"
        "w = WarcWriter(sys.argv[1], 'kill', warcinfo={'software': 't'})\n"
        "body = b'HTTP/1.1 200 OK\\r\\nContent-Length: 200000\\r\\n\\r\\n' + bytes(range(256)) * 781 + b'\\0' * 64\n"
        "print('ready', flush=True)\n"
        "while True:\n"
        "    w.write(HttpExchange(url='http://example.test/', request_bytes=b'GET / HTTP/1.1\\r\\n\\r\\n',\n"
        "                         response_bytes=body, fetched_at=datetime.datetime.now(datetime.timezone.utc)))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert proc.stdout.readline().strip() == b"ready"
    time.sleep(0.7)
    proc.kill()
    proc.wait(timeout=10)
    [path] = tmp_path.glob("kill-*.warc.gz")
    errors: list[WarcError] = []
    records = list(iter_records(path, on_error=errors.append))
    assert len(records) > 3
    assert records[-1].offset + records[-1].length == path.stat().st_size or (
        len(errors) == 1 and errors[0].offset == records[-1].offset + records[-1].length
    )
    assert [problem for r in records for problem in verify_record(r)] == []


@pytest.mark.parametrize(
    "headers, stored",
    [
        (b"Content-Type: text/html; charset=utf-8\r\n", False),
        (b"Content-Type: image/svg+xml\r\n", False),  # text: deflate shrinks it
        (b"Content-Type: image/jpeg\r\n", True),
        (b"Content-Type: font/woff2\r\n", True),
        (b"Content-Type: video/mp4\r\n", True),
        (b"Content-Type: text/css\r\nContent-Encoding: br\r\n", True),
        (b"Content-Type: text/html\r\nContent-Encoding: identity\r\n", False),
    ],
)
def test_a_payload_compressed_already_is_stored_not_deflated_again(tmp_path, headers, stored):
    """Deflating a JPEG or a brotli body again costs the crawl's thread and shrinks nothing: such records are stored."""
    body = b"A" * 50_000  # compressible, so the level shows in the member's size
    response = b"HTTP/1.1 200 OK\r\n" + headers + b"Content-Length: 50000\r\n\r\n" + body
    path, capture = write_one(tmp_path, "lv", url="http://example.test/x", response_bytes=response)
    assert (capture.length > len(body)) is stored
    with path.open("rb") as f:
        payloads = [r.raw_stream.read() for r in ArchiveIterator(f) if r.rec_type == "response"]
    assert payloads == [body]  # warcio reads it back byte for byte
    if b"Content-Encoding: br" not in headers:  # warcio's check decodes the body, and this one is not brotli
        assert warcio_check(path).returncode == 0


def test_reading_past_a_damaged_stored_record_skips_the_gzip_body_inside_it(tmp_path):
    """A gzip-encoded body is stored as sent, gzip magic and all: resuming past damage must not start there."""
    page = gzip.compress(b"<html><p>" + b"news " * 4000 + b"</p></html>", mtime=0)
    encoded = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
        + b"Content-Length: %d\r\n\r\n" % len(page)
        + page
    )
    with WarcWriter(tmp_path, "rs", warcinfo=INFO) as w:
        damaged = w.write(HttpExchange("http://example.test/a", REQUEST, encoded, WHEN))
        after = w.write(HttpExchange("http://example.test/b", REQUEST, RESPONSE, WHEN))
        path = w.current_path
    data = bytearray(path.read_bytes())
    data[damaged.offset + 60] ^= 0x01  # the stored record's own WARC head: its CRC no longer holds
    path.write_bytes(bytes(data))
    errors: list = []
    records = [(r.rec_type, r.offset) for r in iter_records(path, on_error=errors.append)]
    assert [e.offset for e in errors] == [damaged.offset]
    assert ("response", after.offset) in records
    assert all(offset >= damaged.offset + damaged.length or offset < damaged.offset for _, offset in records)
