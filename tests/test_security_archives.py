"""Issue 11, the outside audit: hostile WACZ and WARC files handed to the CLI.

Zip slip (item 1), WARC lengths and sizes (item 6), decoders with an output
limit (item 4). Peak memory is measured in a subprocess under ``ulimit -v``
(``VmHWM``, the child's own peak; ``resource.getrusage``'s ``ru_maxrss`` is
inherited across fork and would count pytest's own peak), so a reader that
inflates a bomb whole fails the test.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support import REPO

from archiver.tools import zipsafe
from archiver.tools.verify import verify
from archiver.warc import HttpExchange, WarcWriter, iter_records

WHEN = datetime(2026, 11, 25, 14, 0, 1, tzinfo=UTC)
REQUEST = b"GET / HTTP/1.1\r\nHost: example.test\r\n\r\n"
BODY = b"<html><p>" + b"news " * 200 + b"</p></html>"
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(BODY) + BODY


def good_warc(folder: Path) -> Path:
    with WarcWriter(folder, "t", warcinfo={"software": "t"}) as w:
        for i in range(2):
            w.write(
                HttpExchange(
                    url=f"http://example.test/{i}",
                    request_bytes=REQUEST,
                    response_bytes=RESPONSE,
                    fetched_at=WHEN,
                )
            )
        return w.current_path


def make_wacz(
    path: Path,
    listed: dict[str, bytes],
    unlisted: dict[str, bytes] | None = None,
    links: dict[str, str] | None = None,
) -> Path:
    """A WACZ whose datapackage.json lists ``listed`` (with their true digests and sizes)."""
    resources = [
        {"name": Path(n).name, "path": n, "hash": "sha256:" + hashlib.sha256(b).hexdigest(), "bytes": len(b)}
        for n, b in listed.items()
    ]
    package = json.dumps({"profile": "data-package", "resources": resources}).encode()
    digest = json.dumps({"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(package).hexdigest()})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in {**listed, **(unlisted or {})}.items():
            zf.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16) | 0
            zf.writestr(info, target)
        zf.writestr("datapackage.json", package)
        zf.writestr("datapackage-digest.json", digest)
    return path


# -- item 1: zip slip ----------------------------------------------------------------------------------


def test_hostile_member_names_write_nothing_outside_the_temporary_folder(tmp_path):
    warc = good_warc(tmp_path / "w").read_bytes()
    tmp = tmp_path / "t"
    tmp.mkdir()
    wacz = make_wacz(
        tmp_path / "slip.wacz",
        listed={
            "archive/t.warc.gz": warc,
            "archive/../../ESCAPED-1": b"written outside",
            "archive/../../../ESCAPED-2": b"written outside",
            f"{tmp_path}/ESCAPED-3": b"absolute",
            "archive\\..\\..\\ESCAPED-4": b"backslashes",
            "archive/./ESCAPED-5\n": b"control character",
        },
        links={"archive/link.warc.gz": str(tmp_path / "ESCAPED-6")},
    )
    proc = subprocess.run(  # noqa: PLW1510 (the exit code is asserted)
        [sys.executable, "-m", "archiver.cli", "verify", str(wacz)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(tmp)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    escaped = [p for p in tmp_path.rglob("ESCAPED*")]
    assert escaped == [], f"verify wrote outside its folder: {escaped}"
    assert list(tmp.iterdir()) == [], "the temporary folder is left behind"
    assert proc.stdout.count("hostile") >= 5, proc.stdout
    assert "symbolic link" in proc.stdout


def test_only_listed_resources_are_written_and_the_total_is_capped(tmp_path, monkeypatch):
    warc = good_warc(tmp_path / "w").read_bytes()
    big = b"\0" * (8 * 1024 * 1024)
    wacz = make_wacz(
        tmp_path / "big.wacz",
        listed={"archive/t.warc.gz": warc, "data/huge.bin": big},
        unlisted={"archive/unlisted.warc.gz": big},
    )
    written: list[str] = []
    real = zipsafe.copy_member

    def spy(zf, info, root, budget):
        written.append(info.filename)
        return real(zf, info, root, budget)

    monkeypatch.setattr(zipsafe, "copy_member", spy)
    report = verify(wacz, max_bytes=len(warc) + 1024 * 1024)
    messages = [str(p) for p in report.problems]
    assert "archive/unlisted.warc.gz" not in written, "an unlisted member was written out"
    assert any("unlisted.warc.gz: in the zip but not listed" in m for m in messages), messages
    assert any("huge.bin" in m and "more than the" in m for m in messages), messages
    assert report.records == 5, "the listed WARC is still checked"


@pytest.mark.parametrize(
    "name, reason",
    [
        ("../x", "'..'"),
        ("a/../../x", "'..'"),
        ("/etc/passwd", "absolute"),
        ("C:/x", "absolute"),
        ("a\\b", "backslash"),
        ("a/b\n", "control"),
        ("a//b", "empty"),
        ("a/./b", "'..' or '.'"),
    ],
)
def test_the_one_folder_check_refuses_every_hostile_name(name, reason, tmp_path):
    assert reason in (zipsafe.unsafe_reason(name) or "")
    with pytest.raises(zipsafe.UnsafeMember):
        zipsafe.contained(tmp_path, name)
    assert (
        zipsafe.contained(tmp_path, "archive/data.warc.gz") == (tmp_path / "archive/data.warc.gz").resolve()
    )


#: The start of the child scripts below: their imports and ``peak_rss_kib()``.
PEAK_RSS = textwrap.dedent("""
    import json, resource, sys
    def peak_rss_kib():
        '''This process's own peak RSS: VmHWM (fresh after exec), not ru_maxrss (inherited across fork).'''
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
""")

# -- item 6: WARC lengths, headers and member sizes -------------------------------------------------------

PEAK_RUNNER = PEAK_RSS + textwrap.dedent("""
    from archiver.warc import iter_records
    from archiver.warc.reader import WarcError
    errors = []
    records = [(r.rec_type, r.offset) for r in iter_records(sys.argv[1], on_error=errors.append)]
    peak_kib = peak_rss_kib()
    print(json.dumps({"records": records, "errors": [str(e) for e in errors], "peak_kib": peak_kib}))
""")


def read_in_subprocess(path: Path, timeout: float = 60) -> dict:
    """Read ``path`` in a child (address space limited to 1 GiB): records, errors and peak RSS."""
    proc = subprocess.run(  # noqa: PLW1510 (the exit code is asserted)
        ["bash", "-c", 'ulimit -v 1048576; exec "$0" -c "$1" "$2"', sys.executable, PEAK_RUNNER, str(path)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def record(headers: str, block: bytes) -> bytes:
    return headers.encode() + b"\r\n" + block + b"\r\n\r\n"


def test_negative_content_length_is_a_located_error_not_a_loop(tmp_path):
    good = good_warc(tmp_path / "w")
    plain = gzip.decompress(good.read_bytes())
    bad = record(
        "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:bad>\r\nContent-Length: -239\r\n", b""
    )
    path = tmp_path / "neg.warc"
    path.write_bytes(bad + plain)
    result = read_in_subprocess(path, timeout=60)
    assert any("offset 0" in e and "Content-Length" in e for e in result["errors"]), result["errors"]
    gz = tmp_path / "neg.warc.gz"
    gz.write_bytes(gzip.compress(bad) + good.read_bytes())
    result = read_in_subprocess(gz)
    assert any("offset 0" in e and "Content-Length" in e for e in result["errors"]), result["errors"]
    assert [t for t, _ in result["records"]].count("response") == 2, "the records after the bad one are read"


def test_a_gzip_member_inflating_to_gigabytes_is_refused_with_a_located_error(tmp_path):
    good = good_warc(tmp_path / "w").read_bytes()
    size = 1536 * 1024 * 1024  # inflated; built in pieces so this process never holds it
    head = f"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: {size}\r\n\r\n".encode()
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (16 * 1024 * 1024)
    bomb = (
        comp.compress(head) + b"".join(comp.compress(zeros) for _ in range(size // len(zeros))) + comp.flush()
    )
    assert len(bomb) < 2 * 1024 * 1024
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(good + bomb + good)
    result = read_in_subprocess(path, timeout=240)
    assert result["peak_kib"] < 400 * 1024, f"peak RSS {result['peak_kib']} KiB"
    assert any(f"offset {len(good)}" in e and "inflates to more than" in e for e in result["errors"]), result[
        "errors"
    ]
    assert [t for t, _ in result["records"]].count("response") == 4, "records before and after are read"


def test_a_huge_record_header_is_refused_with_a_located_error(tmp_path):
    good = good_warc(tmp_path / "w").read_bytes()
    head = b"WARC/1.1\r\nWARC-Type: resource\r\nX-Pad: " + b"a" * (64 * 1024 * 1024)
    path = tmp_path / "head.warc.gz"
    path.write_bytes(good + gzip.compress(head, compresslevel=1) + good)
    result = read_in_subprocess(path, timeout=120)
    assert any(f"offset {len(good)}" in e and "header" in e for e in result["errors"]), result["errors"]
    assert [t for t, _ in result["records"]].count("response") == 4


@pytest.mark.parametrize("command", ["reindex", "verify", "ingest", "snapshot", "index"])
@pytest.mark.parametrize("hostile", ["negative-length", "bomb-member"])
def test_cli_readers_survive_hostile_warcs_with_a_located_error(command, hostile, tmp_path):
    archive = tmp_path / "archive"
    (archive / "warcs").mkdir(parents=True)
    good = good_warc(tmp_path / "w")
    if hostile == "negative-length":
        bad = record("WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: -239\r\n", b"")
        name, data, says = "x.warc", bad + gzip.decompress(good.read_bytes()), "Content-Length"
    else:
        comp = zlib.compressobj(9, zlib.DEFLATED, 31)
        head = b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 268435456\r\n\r\n"
        zeros = b"\0" * (16 * 1024 * 1024)
        bomb = comp.compress(head) + b"".join(comp.compress(zeros) for _ in range(16)) + comp.flush()
        name, data, says = "x.warc.gz", bomb + good.read_bytes(), "inflates to more than"
    (archive / "warcs" / name).write_bytes(data)
    warc = str(archive / "warcs" / name)
    args = {
        "verify": [str(archive)],
        "reindex": [warc, "--db", str(tmp_path / "x.db")],
        "ingest": [str(archive), "--db", str(tmp_path / "x.db")],
        "snapshot": [str(archive), "--out", str(tmp_path / "x.wacz")],
        "index": [str(archive)],
    }[command]
    proc = subprocess.run(  # noqa: PLW1510 (the exit code is asserted)
        ["bash", "-c", 'ulimit -v 2097152; exec "$0" -m archiver.cli "$@"', sys.executable, command, *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=180,
    )
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out and "MemoryError" not in out, out[-3000:]
    assert name in out and "offset 0" in out and says in out, out[-3000:]
    if command in ("verify", "snapshot"):
        assert proc.returncode == 1, out[-2000:]


def test_iter_records_refuses_each_hostile_length(tmp_path):
    for value in ("-1", "-239", "1e9", "0x10", "99999999999999999999", " "):
        path = tmp_path / "x.warc"
        path.write_bytes(record(f"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: {value}\r\n", b"abc"))
        errors: list = []
        assert list(iter_records(path, on_error=errors.append)) == []
        assert len(errors) == 1 and "Content-Length" in errors[0].message, (value, errors)


# -- item 4: every decoder streams with an output limit -----------------------------------------------------

DECODE_RUNNER = PEAK_RSS + textwrap.dedent("""
    from archiver.warc import HttpParseError, decode_body, parse_message
    coding, path = sys.argv[1], sys.argv[2]
    body = open(path, "rb").read()
    message = parse_message(b"HTTP/1.1 200 OK\\r\\nContent-Encoding: " + coding.encode() + b"\\r\\n\\r\\n" + body)
    try:
        decode_body(message)
        outcome = "decoded whole"
    except HttpParseError as exc:
        outcome = str(exc)
    print(json.dumps({"outcome": outcome, "peak_kib": peak_rss_kib()}))
""")


def _bomb(coding: str, size: int) -> bytes:
    """``size`` zero bytes encoded with ``coding``, built in pieces (this process never holds them)."""
    zeros = b"\0" * (16 * 1024 * 1024)
    pieces = size // len(zeros)
    if coding in ("gzip", "deflate"):
        comp = zlib.compressobj(9, zlib.DEFLATED, 31 if coding == "gzip" else 15)
        return b"".join(comp.compress(zeros) for _ in range(pieces)) + comp.flush()
    if coding == "br":
        import brotli

        comp = brotli.Compressor(quality=5)
        return b"".join(comp.process(zeros) for _ in range(pieces)) + comp.finish()
    from backports import zstd

    comp = zstd.ZstdCompressor()
    return b"".join(comp.compress(zeros) for _ in range(pieces)) + comp.flush()


@pytest.mark.parametrize("coding", ["br", "gzip", "deflate", "zstd"])
def test_decompression_bombs_stop_at_the_limit_with_bounded_memory(coding, tmp_path):
    path = tmp_path / f"bomb.{coding}"
    path.write_bytes(_bomb(coding, 1024 * 1024 * 1024))
    assert path.stat().st_size < 4 * 1024 * 1024
    proc = subprocess.run(  # noqa: PLW1510 (the exit code is asserted)
        [
            "bash",
            "-c",
            'ulimit -v 2097152; exec "$0" -c "$1" "$2" "$3"',
            sys.executable,
            DECODE_RUNNER,
            coding,
            str(path),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    assert "decodes to more than" in result["outcome"], result
    # The default limit is 100 MiB: the decoder holds about that, never the gigabyte.
    assert result["peak_kib"] < 300 * 1024, f"{coding}: peak RSS {result['peak_kib']} KiB"


def test_streaming_decoders_still_decode_real_bodies():
    import brotli
    from backports import zstd

    from archiver.warc import decode_body, parse_message

    text = b"<p>" + b"news " * 50_000 + b"</p>"
    for coding, data in [
        ("br", brotli.compress(text)),
        ("gzip", gzip.compress(text) + gzip.compress(b"<p>second member</p>")),
        ("deflate", zlib.compress(text)),
        ("zstd", zstd.compress(text)),
    ]:
        msg = parse_message(b"HTTP/1.1 200 OK\r\nContent-Encoding: " + coding.encode() + b"\r\n\r\n" + data)
        expected = text + b"<p>second member</p>" if coding == "gzip" else text
        assert decode_body(msg) == expected, coding
