"""Read WARC files record by record, locating damage instead of dying on it.

:func:`iter_records` streams ``.warc.gz`` (one or more records per gzip
member) and plain ``.warc`` files. Every record carries the file, the offset
and length of its gzip member (what ``captures`` rows and CDXJ lines point
at), its WARC headers in order, and its block. Damage (truncated gzip, a
flipped byte, a non-WARC or empty file) becomes a :class:`WarcError` naming
the file, offset and record id as far as they are known; with ``on_error``
the reader reports it and goes on with the next gzip member it can find.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import zlib
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

from archiver.capture import Capture

from ._http import DEFAULT_DECODE_LIMIT, HttpMessage, decode_body, first_header, parse_message
from .writer import PAYLOAD_SHA256_HEADER

GZIP_MAGIC = b"\x1f\x8b\x08"
_CHUNK = 1 << 16
_PEEK = 4096  # compressed bytes read to see whether a member starts a WARC record
#: Largest record (gzip member inflated, or plain record) read: twice Scrapy's DOWNLOAD_MAXSIZE,
#: so everything the crawler can write fits and a 1.4 MB member inflating to 1.5 GB does not.
MAX_RECORD_BYTES = 128 * 1024 * 1024
#: Largest WARC record head (version line and headers) read.
MAX_HEADER_BYTES = 1024 * 1024


class WarcError(Exception):
    """A problem in a WARC file, located as precisely as the damage allows.

    ``resume_at`` is where reading can go on when the end of the bad part is
    known (a gzip member that inflates past the limit).
    """

    def __init__(
        self,
        path: str | Path,
        offset: int | None,
        record_id: str | None,
        message: str,
        resume_at: int | None = None,
    ) -> None:
        self.path = str(path)
        self.offset = offset
        self.record_id = record_id
        self.message = message
        self.resume_at = resume_at
        where = [self.path]
        if offset is not None:
            where.append(f"offset {offset}")
        if record_id:
            where.append(f"record {record_id}")
        super().__init__(", ".join(where) + ": " + message)


@dataclasses.dataclass
class Record:
    """One WARC record: where it is, its headers in order, its block as stored."""

    path: str
    offset: int
    length: int
    headers: list[tuple[str, str]]
    block: bytes
    version: str = "WARC/1.1"
    warcinfo: dict[str, str] = dataclasses.field(default_factory=dict)

    def header(self, name: str) -> str | None:
        """First value of WARC header ``name`` (case-insensitive), or None."""
        return first_header(self.headers, name)

    @property
    def warc_file(self) -> str:
        return Path(self.path).name

    @property
    def rec_type(self) -> str:
        return (self.header("WARC-Type") or "").lower()

    @property
    def record_id(self) -> str | None:
        return self.header("WARC-Record-ID")

    @property
    def date(self) -> str | None:
        return self.header("WARC-Date")

    @property
    def target_uri(self) -> str | None:
        uri = self.header("WARC-Target-URI")
        return uri.strip("<>") if uri else uri

    @property
    def content_type(self) -> str | None:
        return self.header("Content-Type")

    @property
    def is_http(self) -> bool:
        return (self.content_type or "").lower().startswith("application/http")

    @property
    def http(self) -> HttpMessage | None:
        """The parsed HTTP message of a request/response/revisit block."""
        if not self.is_http:
            return None
        if not hasattr(self, "_http"):
            self._http = parse_message(self.block)
        return self._http

    @property
    def status(self) -> int | None:
        return self.http.status if self.http else None

    @property
    def http_headers(self) -> list[tuple[str, str]]:
        return self.http.headers if self.http else []

    @property
    def payload(self) -> bytes:
        """Bytes after the HTTP head (chunked/encoded as sent), or the whole block."""
        return self.http.body if self.http else self.block

    def decoded_body(self, *, limit: int = DEFAULT_DECODE_LIMIT) -> bytes:
        """The entity: chunking removed, gzip/deflate/br undone (HttpParseError if impossible)."""
        return decode_body(self.http, limit=limit) if self.http else self.block


def _parse_record_head(data: bytes, pos: int = 0) -> tuple[str, list[tuple[str, str]], int] | None:
    """Parse ``WARC/x.y`` + headers at ``data[pos:]``: (version, headers, block start relative to pos).

    None when no blank line ends the head within :data:`MAX_HEADER_BYTES`.
    """
    end = data.find(b"\r\n\r\n", pos, pos + MAX_HEADER_BYTES + 4)
    if end == -1:
        return None
    end -= pos
    lines = data[pos : pos + end].decode("utf-8", "replace").split("\r\n")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:
            headers[-1] = (headers[-1][0], headers[-1][1] + " " + line.strip())
        elif ":" in line:
            name, value = line.split(":", 1)
            headers.append((name.strip(), value.strip()))
    return lines[0].strip(), headers, end + 4


def _content_length(value: str | None) -> int | None:
    """A Content-Length that can be trusted: plain decimal digits, at most :data:`MAX_RECORD_BYTES`."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 12:
        return None
    return int(value)


def _record_id_in(data: bytes) -> str | None:
    """Best-effort record id from a (possibly partial) record head."""
    pos = data.find(b"WARC-Record-ID:")
    if pos == -1:
        return None
    line = data[pos + 15 : data.find(b"\r\n", pos) if data.find(b"\r\n", pos) != -1 else pos + 120]
    return line.decode("utf-8", "replace").strip() or None


def _records_in(
    data: bytes, path: str, offset: int, length: int, warcinfo: dict[str, str]
) -> Iterator[Record]:
    """Records inside one decompressed gzip member (usually exactly one)."""
    pos = 0
    while pos < len(data):
        if not data.startswith(b"WARC/", pos):
            if not data[pos:].strip():
                return
            raise WarcError(
                path,
                offset,
                _record_id_in(data[pos : pos + 4096]),
                "not a WARC record (no 'WARC/' version line)",
            )
        parsed = _parse_record_head(data, pos)
        if parsed is None:
            cut = len(data) - pos < MAX_HEADER_BYTES
            raise WarcError(
                path,
                offset,
                _record_id_in(data[pos : pos + 4096]),
                "record headers are cut off"
                if cut
                else f"record header longer than {MAX_HEADER_BYTES} bytes",
            )
        version, headers, start = parsed
        rec = Record(path, offset, length, headers, b"", version, warcinfo)
        raw_size = rec.header("Content-Length")
        size = _content_length(raw_size)
        if size is None:
            raise WarcError(
                path, offset, rec.record_id, f"missing or bad Content-Length ({(raw_size or '')[:40]!r})"
            )
        if size > MAX_RECORD_BYTES:
            raise WarcError(
                path,
                offset,
                rec.record_id,
                f"Content-Length {size} is over the {MAX_RECORD_BYTES}-byte limit",
            )
        block_start = pos + start
        block = data[block_start : block_start + size]
        if len(block) < size:
            raise WarcError(
                path, offset, rec.record_id, f"record block truncated: {len(block)} of {size} bytes"
            )
        rec.block = block
        yield rec
        pos = block_start + size  # size >= 0: always forward
        while data.startswith(b"\r\n", pos):
            pos += 2


def _inflate_member(f: BinaryIO, path: str, pos: int) -> tuple[bytes, int] | None:
    """The inflated bytes and compressed length of the gzip member at ``pos`` (None at end of file).

    Never holds more than :data:`MAX_RECORD_BYTES`: past that the rest of the
    member is inflated and thrown away only to find where it ends, and the
    error says where reading goes on.
    """
    f.seek(pos)
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    fed = 0
    over = False
    pending = b""
    while not d.eof:
        if not pending:
            pending = f.read(_CHUNK)
            if not pending:
                if fed == 0:
                    return None  # clean end of file
                raise WarcError(
                    path,
                    pos,
                    _record_id_in(bytes(out[:4096])),
                    "gzip member truncated (file cut off mid-record)",
                )
            fed += len(pending)
        try:
            room = MAX_RECORD_BYTES + 1 - len(out) if not over else _CHUNK * 16
            piece = d.decompress(pending, room)
        except zlib.error as exc:
            raise WarcError(
                path, pos, _record_id_in(bytes(out[:4096])), f"corrupt gzip data ({exc})"
            ) from None
        pending = d.unconsumed_tail
        if not over:
            out += piece
            if len(out) > MAX_RECORD_BYTES:
                over = True
                head = bytes(out[:4096])
                out = bytearray()
    length = fed - len(d.unused_data)
    if over:
        raise WarcError(
            path,
            pos,
            _record_id_in(head),
            f"gzip member inflates to more than {MAX_RECORD_BYTES} bytes; skipped",
            resume_at=pos + length,
        )
    return bytes(out), length


def _find_after(f: BinaryIO, start: int, needle: bytes) -> int | None:
    """Offset of the first ``needle`` at or after ``start``, read in chunks (a needle across two is found)."""
    f.seek(start)
    carry = b""
    base = start
    while True:
        chunk = f.read(_CHUNK)
        if not chunk:
            return None
        buf = carry + chunk
        hit = buf.find(needle)
        if hit != -1:
            return base + hit
        carry = buf[-(len(needle) - 1) :]
        base += len(buf) - len(carry)


def _next_member(f: BinaryIO, start: int) -> int | None:
    """Offset of the next gzip member after ``start`` that begins a WARC record (to resume past damage).

    A gzip header alone is not enough: a record stored uncompressed
    (``archiver/warc/_levels.py``) holds its payload as is, and a body the server
    sent gzip-encoded starts with the same magic bytes.
    """
    while (hit := _find_after(f, start, GZIP_MAGIC)) is not None:
        f.seek(hit)
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(f.read(_PEEK), 16)
        except zlib.error:
            head = b""
        if head.startswith(b"WARC/"):
            return hit
        start = hit + 1
    return None


def _iter_gzip(f: BinaryIO, path: str, on_error: Callable[[WarcError], None] | None) -> Iterator[Record]:
    pos = 0
    warcinfo: dict[str, str] = {}
    while True:
        try:
            member = _inflate_member(f, path, pos)
            if member is None:
                return
            data, length = member
            records = list(_records_in(data, path, pos, length, warcinfo))
        except WarcError as error:
            if on_error is None:
                raise
            on_error(error)
            resume = error.resume_at if error.resume_at is not None else _next_member(f, pos + 1)
            if resume is None:
                return
            pos = resume
            continue
        for rec in records:
            if rec.rec_type == "warcinfo":
                warcinfo = dict(parse_message(b"x\r\n" + rec.block).headers)
                rec.warcinfo = warcinfo
            yield rec
        pos += length


def _read_plain_record(f: BinaryIO, path: str, pos: int) -> tuple[Record, int] | None:
    """The plain (uncompressed) record at ``pos`` and where the next one starts; None at the end."""
    f.seek(pos)
    head = bytearray()
    while True:
        chunk = f.read(_CHUNK)
        head += chunk
        if not chunk or b"\r\n\r\n" in head or len(head) > MAX_HEADER_BYTES + 4:
            break
    if not head.strip():
        return None
    end = head.find(b"\r\n\r\n")
    if end == -1 or end > MAX_HEADER_BYTES:
        end = len(head)  # _records_in names the problem (cut off or too long)
    else:
        end += 4
    rec_head = bytes(head[:end])
    parsed = _parse_record_head(rec_head) if rec_head.startswith(b"WARC/") else None
    size = _content_length(first_header(parsed[1], "Content-Length")) if parsed else None
    if size is None or size > MAX_RECORD_BYTES:
        list(_records_in(rec_head, path, pos, 0, {}))  # raises the located error: not WARC, head, length
        raise WarcError(path, pos, None, "unreadable record")
    f.seek(pos + end)
    block = f.read(size)
    data = rec_head + block
    rec = next(_records_in(data, path, pos, len(data), {}))
    after = pos + len(data)
    f.seek(after)
    while f.read(2) == b"\r\n":
        after += 2
    return rec, after


def _next_plain(f: BinaryIO, start: int) -> int | None:
    """Offset of the next ``WARC/1.`` at the start of a line after ``start`` (to resume past damage)."""
    hit = _find_after(f, start, b"\nWARC/1.")
    return None if hit is None else hit + 1


def _iter_plain(f: BinaryIO, path: str, on_error: Callable[[WarcError], None] | None) -> Iterator[Record]:
    """Records of an uncompressed WARC, read one at a time (never the whole file)."""
    pos = 0
    while True:
        try:
            found = _read_plain_record(f, path, pos)
        except WarcError as error:
            if on_error is None:
                raise
            on_error(error)
            resume = _next_plain(f, pos + 1)
            if resume is None:
                return
            pos = resume
            continue
        if found is None:
            return
        rec, pos = found
        yield rec


def iter_records(
    path: str | Path, *, on_error: Callable[[WarcError], None] | None = None
) -> Iterator[Record]:
    """Yield every record of ``path`` in file order.

    Without ``on_error`` the first problem raises :class:`WarcError`. With it,
    each problem is passed to ``on_error`` and reading resumes at the next
    gzip member after the damage (records before and after are still
    yielded). An empty or non-WARC file is one error.
    """
    path = str(path)
    try:
        f = open(path, "rb")
    except OSError as exc:
        err = WarcError(path, None, None, f"cannot open: {exc.strerror}")
        if on_error is None:
            raise err from exc
        on_error(err)
        return
    with f:
        magic = f.read(5)
        f.seek(0)
        if not magic:
            err = WarcError(path, 0, None, "empty file, not a WARC")
        elif magic.startswith(GZIP_MAGIC[:2]):
            yield from _iter_gzip(f, path, on_error)
            return
        elif magic == b"WARC/":
            yield from _iter_plain(f, path, on_error)
            return
        else:
            err = WarcError(path, 0, None, "not a WARC file (neither gzip nor 'WARC/' at the start)")
        if on_error is None:
            raise err
        on_error(err)


def read_record_at(path: str | Path, offset: int) -> Record:
    """The record starting at ``offset`` of ``path`` (what a ``captures`` row points at).

    Reads only that gzip member (or, in a plain WARC, that record), so a
    page of the archive can show one capture without scanning the file.
    Raises :class:`WarcError` naming the file and offset when nothing
    readable is there (a stale index: run ``archiver reindex``).
    """
    path = str(path)
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise WarcError(path, None, None, f"offset {offset!r} is not a byte position (0 or more)")
    try:
        f = open(path, "rb")
    except OSError as exc:
        raise WarcError(path, offset, None, f"cannot open: {exc.strerror}") from exc
    with f:
        f.seek(offset)
        magic = f.read(5)
        f.seek(offset)
        if magic.startswith(GZIP_MAGIC[:2]):
            member = _inflate_member(f, path, offset)
            if member is None:
                raise WarcError(path, offset, None, "no WARC record starts here (end of file)")
            data, length = member
            for rec in _records_in(data, path, offset, length, {}):
                return rec
        elif magic == b"WARC/":
            found = _read_plain_record(f, path, offset)
            if found is not None:
                rec = found[0]
                rec.length = len(rec.block)  # approximate: a plain record's head is not counted
                return rec
        else:
            raise WarcError(
                path, offset, None, "no WARC record starts here (stale index? run archiver reindex)"
            )
    raise WarcError(path, offset, None, "no WARC record starts here")


def _digest_matches(expected: str, data: bytes) -> bool | None:
    """Compare a ``algo:value`` WARC digest (base32 or hex) with ``data``; None if unknown algo."""
    algo, _, value = expected.partition(":")
    try:
        digest = hashlib.new(algo.strip().lower().replace("-", ""), data).digest()
    except ValueError:
        return None
    value = value.strip()
    if value.lower() == digest.hex():
        return True
    try:
        padded = value.upper() + "=" * (-len(value) % 8)
        return base64.b32decode(padded) == digest
    except (binascii.Error, ValueError):
        return False


def verify_record(record: Record) -> list[str]:
    """Recompute the block and payload digests; return what differs (empty if all hold)."""
    problems = []
    block_digest = record.header("WARC-Block-Digest")
    if block_digest and _digest_matches(block_digest, record.block) is False:
        problems.append(f"WARC-Block-Digest {block_digest} does not match the block")
    payload_digest = record.header("WARC-Payload-Digest")
    if (
        payload_digest
        and record.rec_type != "revisit"
        and _digest_matches(payload_digest, record.payload) is False
    ):
        problems.append(f"WARC-Payload-Digest {payload_digest} does not match the payload")
    return problems


def verify_file(path: str | Path) -> Iterator[WarcError]:
    """Every problem of a file: unreadable parts and digest mismatches, in order."""
    errors: list[WarcError] = []
    for rec in iter_records(path, on_error=errors.append):
        yield from errors
        errors.clear()
        for problem in verify_record(rec):
            yield WarcError(path, rec.offset, rec.record_id, problem)
    yield from errors


def capture_fields(record: Record, warc_file: str | None = None) -> dict[str, Any]:
    """The ``captures`` columns every record gives: its id, URL, time, place, crawl and outlet."""
    return {
        "record_id": record.record_id or "",
        "url": record.target_uri or "",
        "fetched_at": record.date or "",
        "warc_file": warc_file or record.warc_file,
        "offset": record.offset,
        "length": record.length,
        "crawl_id": record.warcinfo.get("crawl-id"),
        "outlet": record.warcinfo.get("outlet"),
    }


def capture_from_record(record: Record, warc_file: str | None = None) -> Capture:
    """The :class:`Capture` row of a response/revisit record, equal to what the writer returned."""
    if record.rec_type not in ("response", "revisit"):
        raise ValueError(f"{record.path} offset {record.offset}: a {record.rec_type} record is not a capture")
    http = record.http
    payload = http.body if http else record.block
    is_revisit = record.rec_type == "revisit"
    return Capture(
        **capture_fields(record, warc_file),
        record_type=record.rec_type,
        status=http.status if http else None,
        reason=http.reason if http else None,
        content_type=http.header("Content-Type") if http else None,
        payload_sha256=record.header(PAYLOAD_SHA256_HEADER)
        if is_revisit
        else hashlib.sha256(payload).hexdigest(),
        payload_length=None if is_revisit else len(payload),
        request_record_id=record.header("WARC-Concurrent-To"),
        refers_to=record.header("WARC-Refers-To"),
    )
