"""Reader on damaged files: each problem named by file, offset and record; the rest still read."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone
from pathlib import Path

import pytest

from archiver.warc import HttpExchange, WarcError, WarcWriter, iter_records, verify_file

WHEN = datetime(2026, 11, 25, 14, 0, 1, tzinfo=timezone.utc)
REQUEST = b"GET / HTTP/1.1\r\nHost: example.test\r\n\r\n"
BODY = b"<html>" + b"news " * 400 + b"</html>"
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(BODY) + BODY


@pytest.fixture
def warc(tmp_path: Path):
    with WarcWriter(tmp_path, "r", warcinfo={"software": "t"}) as w:
        caps = [w.write(HttpExchange(f"http://example.test/{i}", REQUEST, RESPONSE, WHEN)) for i in range(3)]
        path = w.current_path
    return path, caps


def collect(path):
    errors: list[WarcError] = []
    records = list(iter_records(path, on_error=errors.append))
    return records, errors


def test_intact_file_verifies(warc):
    path, caps = warc
    assert list(verify_file(path)) == []
    records, errors = collect(path)
    assert errors == [] and len(records) == 7
    assert [r.offset for r in records if r.rec_type == "response"] == [c.offset for c in caps]


def test_truncated_gzip_names_offset_and_record_keeps_earlier_records(warc, tmp_path):
    path, caps = warc
    cut = tmp_path / "cut.warc.gz"
    last = caps[-1]
    cut.write_bytes(path.read_bytes()[: last.offset + last.length - 30])
    records, errors = collect(cut)
    assert len(errors) == 1
    assert errors[0].offset == last.offset and errors[0].record_id == last.record_id
    assert "truncated" in str(errors[0]) and str(cut) in str(errors[0])
    assert [r.record_id for r in records if r.rec_type == "response"] == [c.record_id for c in caps[:2]]
    with pytest.raises(WarcError, match="truncated"):
        list(iter_records(cut))


def test_flipped_byte_is_located_and_reading_resumes(warc, tmp_path):
    path, caps = warc
    data = bytearray(path.read_bytes())
    middle = caps[1]
    data[middle.offset + middle.length // 2] ^= 0x55
    bad = tmp_path / "flip.warc.gz"
    bad.write_bytes(bytes(data))
    records, errors = collect(bad)
    assert len(errors) == 1 and errors[0].offset == middle.offset
    ids = [r.record_id for r in records if r.rec_type == "response"]
    assert ids == [caps[0].record_id, caps[2].record_id]
    assert [e.offset for e in verify_file(bad)] == [middle.offset]


def test_wrong_digest_found_by_verify(tmp_path):
    member = gzip.compress(
        b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
        b"WARC-Block-Digest: sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n"
    )
    path = tmp_path / "digest.warc.gz"
    path.write_bytes(member)
    problems = list(verify_file(path))
    assert len(problems) == 1
    assert problems[0].record_id == "<urn:uuid:1>" and problems[0].offset == 0
    assert "WARC-Block-Digest" in problems[0].message


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty file"),
        (b"<html>not a warc</html>", "not a WARC file"),
        (gzip.compress(b"hello"), "not a WARC record"),
    ],
)
def test_empty_and_non_warc_files(tmp_path, content, message):
    path = tmp_path / "x.warc.gz"
    path.write_bytes(content)
    records, errors = collect(path)
    assert records == [] and len(errors) == 1
    assert message in str(errors[0]) and str(path) in str(errors[0])


def test_plain_uncompressed_warc(tmp_path, warc):
    path, caps = warc
    plain = tmp_path / "plain.warc"
    plain.write_bytes(gzip.decompress(path.read_bytes()))
    records = list(iter_records(plain))
    assert [r.record_id for r in records if r.rec_type == "response"] == [c.record_id for c in caps]
    assert records[2].payload == BODY


def test_decoded_body_undoes_chunking_and_codings_and_bounds_bombs(tmp_path):
    import zlib

    from archiver.warc import HttpParseError, decode_body, parse_message

    inner = b"<p>" + b"x" * 5000 + b"</p>"
    gz = gzip.compress(inner, mtime=0)
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (gz[:10], gz[10:])) + b"0\r\n\r\n"
    msg = parse_message(
        b"HTTP/1.1 200 OK\r\nContent-Encoding: GZIP\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
    )
    assert decode_body(msg) == inner
    deflated = zlib.compress(inner)
    assert (
        decode_body(parse_message(b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n\r\n" + deflated))
        == inner
    )
    bomb = gzip.compress(b"\0" * 2_000_000)
    with pytest.raises(HttpParseError, match="more than 1000 bytes"):
        decode_body(parse_message(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + bomb), limit=1000)
    with pytest.raises(HttpParseError, match="unknown Content-Encoding"):
        decode_body(parse_message(b"HTTP/1.1 200 OK\r\nContent-Encoding: zz\r\n\r\nabc"))
