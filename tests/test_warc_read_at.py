"""read_record_at: one record read at the offset a captures row holds, without scanning the file."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from archiver.warc import HttpExchange, WarcError, WarcWriter, iter_records, read_record_at

WHEN = datetime(2026, 11, 25, 14, 0, 1, tzinfo=timezone.utc)
REQUEST = b"GET / HTTP/1.1\r\nHost: example.test\r\n\r\n"


def response(n: int) -> bytes:
    body = f"<html>page {n}</html>".encode()
    return b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body) + body


def test_reads_each_capture_at_its_offset(tmp_path: Path):
    with WarcWriter(tmp_path, "r") as w:
        caps = [
            w.write(
                HttpExchange(
                    url=f"http://example.test/{i}",
                    request_bytes=REQUEST,
                    response_bytes=response(i),
                    fetched_at=WHEN,
                )
            )
            for i in range(3)
        ]
        path = w.current_path
    for i, cap in reversed(list(enumerate(caps))):  # any order: no state between reads
        record = read_record_at(path, cap.offset)
        assert record.record_id == cap.record_id and record.length == cap.length
        assert record.decoded_body() == f"<html>page {i}</html>".encode()
    assert [r.record_id for r in iter_records(path) if r.rec_type == "response"] == [
        c.record_id for c in caps
    ]


def test_plain_warc_and_errors(tmp_path: Path):
    with WarcWriter(tmp_path, "r") as w:
        cap = w.write(
            HttpExchange(
                url="http://example.test/", request_bytes=REQUEST, response_bytes=response(7), fetched_at=WHEN
            )
        )
        path = w.current_path
    import gzip

    plain = tmp_path / "plain.warc"
    plain.write_bytes(gzip.decompress(path.read_bytes()))
    data = plain.read_bytes()
    start = data.rfind(b"WARC/1.1\r\n", 0, data.find(f"WARC-Record-ID: {cap.record_id}".encode()))
    assert start > 0
    assert read_record_at(plain, start).record_id == cap.record_id
    with pytest.raises(WarcError, match="offset 3"):
        read_record_at(path, 3)  # the middle of a gzip member
    with pytest.raises(WarcError, match="truncated"):
        cut = tmp_path / "cut.warc.gz"
        cut.write_bytes(path.read_bytes()[: cap.offset + cap.length - 10])
        read_record_at(cut, cap.offset)
    with pytest.raises(WarcError, match="cannot open"):
        read_record_at(tmp_path / "missing.warc.gz", 0)
