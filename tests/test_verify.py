"""archiver verify: passes on a good archive and WACZ, names the record when one byte changes or a file is cut."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
import struct
import zipfile
import zlib

import pytest

from archiver.tools.verify import verify
from support import run_archiver


@pytest.fixture(scope="module")
def pristine(demo_crawl, tmp_path_factory):
    copy = tmp_path_factory.mktemp("verify") / "archive"
    shutil.copytree(demo_crawl[0], copy)
    return copy


@pytest.fixture
def archive(pristine, tmp_path):
    """A fresh copy to corrupt."""
    copy = tmp_path / "archive"
    shutil.copytree(pristine, copy)
    return copy


@pytest.fixture(scope="module")
def wacz(pristine, tmp_path_factory):
    out = tmp_path_factory.mktemp("verify-wacz") / "snap.wacz"
    proc = run_archiver("snapshot", str(pristine), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def _capture(archive, where="record_type = 'response'", pick=20):
    conn = sqlite3.connect(archive / "archive.db")
    try:
        return conn.execute(
            f"select record_id, warc_file, offset, length from captures where {where} order by offset limit 1 offset ?",
            [pick],
        ).fetchone()
    finally:
        conn.close()


def _regzip_same_length(member: bytes, edit) -> bytes:
    """Recompress ``edit(decompressed member)`` into a gzip member of exactly ``len(member)`` bytes.

    The gzip header's FCOMMENT field pads the new member, so no later offset
    moves: the only damage is the edit, and it is a valid gzip member.
    """
    data = edit(gzip.decompress(member))
    trailer = struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
    bodies = []
    for level in range(9, 0, -1):
        for mem_level in (9, 8):
            for strategy in (zlib.Z_DEFAULT_STRATEGY, zlib.Z_FILTERED):
                comp = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, mem_level, strategy)
                bodies.append(comp.compress(data) + comp.flush())
    body = min(bodies, key=len)
    pad = len(member) - (10 + len(body) + len(trailer)) - 1  # minus the comment's NUL
    assert pad >= 0, "could not rebuild the member at the same length"
    header = b"\x1f\x8b\x08\x10" + b"\x00" * 4 + b"\x00\xff"
    return header + b"x" * pad + b"\x00" + body + trailer


def _fails(proc):
    return [line for line in proc.stdout.splitlines() if line.startswith("FAIL ")]


def test_clean_archive_and_wacz_pass(pristine, wacz):
    for target in (pristine, wacz):
        proc = run_archiver("verify", str(target))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "all digests hold" in proc.stdout
    report = verify(pristine)
    assert (
        report.records > report.captures > 0 and report.articles > 0 and report.index_lines == report.captures
    )


def test_one_flipped_byte_names_file_offset_and_record(archive):
    record_id, warc_file, offset, length = _capture(archive)
    path = archive / "warcs" / warc_file
    data = bytearray(path.read_bytes())
    data[offset + length // 2] ^= 0x01
    path.write_bytes(bytes(data))
    proc = run_archiver("verify", str(archive))
    assert proc.returncode == 1
    fails = _fails(proc)
    assert fails, proc.stdout
    assert all(f"offset {offset}" in line for line in fails), fails
    assert any(str(path) in line and f"record {record_id}" in line and "gzip" in line for line in fails), (
        fails
    )


def test_changed_payload_is_a_digest_mismatch_of_that_record(archive):
    record_id, warc_file, offset, length = _capture(
        archive, "record_type = 'response' and status = 200 and payload_length > 1000", pick=5
    )
    path = archive / "warcs" / warc_file
    data = path.read_bytes()

    def blank_the_tail(block: bytes) -> bytes:  # same length, more compressible: room to pad
        end = len(block) - len(b"\r\n\r\n")  # the payload ends where the record's CRLFCRLF begins
        return block[: end - 300] + b" " * 300 + block[end:]

    member = _regzip_same_length(data[offset : offset + length], blank_the_tail)
    path.write_bytes(data[:offset] + member + data[offset + length :])
    report = verify(archive)
    assert not report.ok
    assert {(p.offset, p.record_id) for p in report.problems} == {(offset, record_id)}
    messages = " | ".join(p.message for p in report.problems)
    assert "WARC-Block-Digest" in messages and "WARC-Payload-Digest" in messages
    assert "payload sha256 is" in messages  # the captures row no longer matches


def test_changed_clean_text_is_named_by_its_conversion_record(archive):
    conn = sqlite3.connect(archive / "archive.db")
    article_id, conversion_id = conn.execute(
        "select id, conversion_record_id from articles order by id limit 1"
    ).fetchone()
    conn.close()
    from archiver.warc.reader import iter_records

    path = next((archive / "warcs").glob("*.warc.gz"))
    rec = next(r for r in iter_records(path) if r.record_id == conversion_id)
    data = path.read_bytes()

    def overwrite_the_start(raw: bytes) -> bytes:  # of text and markdown alike: compresses well
        for key in (b'"markdown": "', b'"text": "'):
            at = raw.index(key) + len(key)
            raw = raw[:at] + b"Q" * 300 + raw[at + 300 :]
        return raw

    member = _regzip_same_length(data[rec.offset : rec.offset + rec.length], overwrite_the_start)
    path.write_bytes(data[: rec.offset] + member + data[rec.offset + rec.length :])
    report = verify(archive)
    assert {(p.offset, p.record_id) for p in report.problems} == {(rec.offset, conversion_id)}
    assert any(f"articles row {article_id}: clean text sha256" in p.message for p in report.problems)


def test_truncated_warc_names_the_cut_record_and_the_rows_past_it(archive):
    record_id, warc_file, offset, length = _capture(archive)
    path = archive / "warcs" / warc_file
    data = path.read_bytes()
    path.write_bytes(data[: offset + length // 2])
    proc = run_archiver("verify", str(archive))
    assert proc.returncode == 1
    fails = _fails(proc)
    assert f"offset {offset}, record {record_id}: gzip member truncated" in fails[0]
    conn = sqlite3.connect(archive / "archive.db")
    later = conn.execute(
        "select record_id from captures where warc_file = ? and offset > ?", [warc_file, offset]
    ).fetchall()
    conn.close()
    for (rid,) in later:
        assert any(f"record {rid}" in line and f"only {offset + length // 2} bytes" in line for line in fails)


def test_database_row_that_disagrees_is_named(archive):
    record_id, warc_file, offset, _ = _capture(archive)
    conn = sqlite3.connect(archive / "archive.db")
    conn.execute("update captures set payload_sha256 = ? where record_id = ?", ["0" * 64, record_id])
    conn.commit()
    conn.close()
    report = verify(archive)
    assert [(p.offset, p.record_id) for p in report.problems] == [(offset, record_id)]
    assert "captures row says " + "0" * 64 in report.problems[0].message


def test_wacz_with_one_flipped_byte_names_resource_and_record(wacz, tmp_path, pristine):
    bad = tmp_path / "bad.wacz"
    shutil.copy(wacz, bad)
    record_id, warc_file, offset, length = _capture(pristine)
    with zipfile.ZipFile(bad) as zf:
        info = zf.getinfo(f"archive/{warc_file}")
    with open(bad, "r+b") as f:
        f.seek(info.header_offset + 26)
        name_len, extra_len = struct.unpack("<HH", f.read(4))
        data_start = info.header_offset + 30 + name_len + extra_len
        f.seek(data_start + offset + length // 2)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 0x01]))
    proc = run_archiver("verify", str(bad))
    assert proc.returncode == 1
    fails = _fails(proc)
    assert any(f"archive/{warc_file}: sha256 is" in line for line in fails), fails
    assert any(f"archive/{warc_file}, offset {offset}, record {record_id}" in line for line in fails), fails


def test_truncated_wacz_fails_with_a_message(wacz, tmp_path):
    bad = tmp_path / "cut.wacz"
    data = wacz.read_bytes()
    bad.write_bytes(data[: len(data) // 2])
    proc = run_archiver("verify", str(bad))
    assert proc.returncode == 1
    assert "cut.wacz" in proc.stderr and "not a readable zip" in proc.stderr


def test_recrawled_archive_with_revisits_and_versions_passes(demo_recrawl):
    report = verify(demo_recrawl["out"])
    assert report.ok, [str(p) for p in report.problems]
    conn = sqlite3.connect(demo_recrawl["out"] / "archive.db")
    rows = conn.execute(
        "select (select count(*) from articles) + (select count(*) from article_versions)"
    ).fetchone()
    conn.close()
    assert report.articles == rows[0]


def test_consistent_but_lying_package_is_caught_by_cross_checks(wacz, tmp_path):
    """Rehashing a doctored pages.jsonl fools the hashes, not the check against the database and the WARCs."""
    import hashlib
    import json

    with zipfile.ZipFile(wacz) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    lines = files["pages/pages.jsonl"].decode().splitlines()
    page = json.loads(lines[1])
    page["text_digest"] = "sha256:" + "0" * 64
    lines[1] = json.dumps(page)
    files["pages/pages.jsonl"] = ("\n".join(lines) + "\n").encode()
    package = json.loads(files["datapackage.json"])
    for resource in package["resources"]:
        data = files[resource["path"]]
        resource["hash"], resource["bytes"] = "sha256:" + hashlib.sha256(data).hexdigest(), len(data)
    files["datapackage.json"] = json.dumps(package).encode()
    files["datapackage-digest.json"] = json.dumps(
        {
            "path": "datapackage.json",
            "hash": "sha256:" + hashlib.sha256(files["datapackage.json"]).hexdigest(),
        }
    ).encode()
    forged = tmp_path / "forged.wacz"
    with zipfile.ZipFile(forged, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    report = verify(forged)
    assert [p.message for p in report.problems] == [
        f"line 2: url or text_digest of article {page['id']} differs from the database"
    ]


def test_id_ties_the_package_to_the_cited_snapshot(wacz):
    import hashlib

    with zipfile.ZipFile(wacz) as zf:
        snapshot_id = "sha256:" + hashlib.sha256(zf.read("datapackage.json")).hexdigest()
    good = run_archiver("verify", str(wacz), "--id", snapshot_id)
    assert good.returncode == 0 and f"snapshot id: {snapshot_id}" in good.stdout
    bad = run_archiver("verify", str(wacz), "--id", "sha256:" + "0" * 64)
    assert (
        bad.returncode == 1
        and f"this is snapshot {snapshot_id}, not the cited sha256:{'0' * 64}" in bad.stdout
    )
