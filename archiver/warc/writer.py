"""Write WARC/1.1 files: one gzip member per record, rotating at a size limit.

Headers are written here rather than through warcio's builder, so the HTTP block is
stored exactly as given (warcio would re-serialize its headers, losing case and order);
digests are the ones ``warcio check`` verifies. Each record is one gzip member handed to
the file in one ``write``, so a killed crawl leaves at most one torn tail, and a failed
write is cut back to the record's start before :class:`WarcWriteError` is raised. The
digests and the failure story: "WARC files" in ``docs/architecture.md``.
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import hashlib
import os
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from archiver.capture import Capture
from archiver.timestamps import new_record_id, timestamp14, utc_now, warc_time

from ._http import HttpMessage, parse_message, split_head
from ._levels import TEXT_LEVEL, level_for
from .exchange import HttpExchange
from .formats import REVISIT_PROFILE as REVISIT_PROFILE

WARC_VERSION = "WARC/1.1"
FORMAT = "WARC File Format 1.1"
#: Header marking a record whose HTTP bytes were rebuilt from Scrapy objects,
#: not teed off the connection (see downloadermiddlewares/capture.py).
RECONSTRUCTED_HEADER = "WARC-Archiver-Reconstructed"
#: Header on revisit records carrying the sha256 of the (unchanged) payload, so
#: that reindex can rebuild the capture row of a revisit.
PAYLOAD_SHA256_HEADER = "WARC-Archiver-Payload-SHA256"


def check_prefix(prefix: str) -> str:
    """``prefix`` if it is a plain file-name part, else ValueError: it must not lead out of a folder."""
    if (
        not prefix
        or any(ch in prefix for ch in "/\\\0")
        or prefix.startswith(".")
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in prefix)
    ):
        raise ValueError(
            f"WARC prefix {prefix!r} must be a plain file-name part "
            "(no '/', '\\', control characters such as a newline, or leading '.')"
        )
    return prefix


class WarcWriteError(OSError):
    """A record could not be written; the file was cut back to its last whole record."""


class RecordLocation(NamedTuple):
    """Where a record lives: unpacks as ``(record_id, warc_file, offset, length)``."""

    record_id: str
    warc_file: str
    offset: int
    length: int


def sha1_digest(data: bytes) -> str:
    """``sha1:BASE32`` as warcio writes WARC-Block-Digest / WARC-Payload-Digest."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


#: The old name of :func:`archiver.timestamps.warc_time` (one function).
warc_date = warc_time


def _clean_value(value: str) -> str:
    """Header values must stay on one line: a URL or error text could carry CR/LF."""
    return str(value).replace("\r", " ").replace("\n", " ").strip()


def _target_uri(url: str) -> str:
    return _clean_value(url).replace(" ", "%20")


def truncation_reason(error: str) -> str:
    """WARC-Truncated reason for a fetch error message (WARC 1.1 section 5.13)."""
    text = error.lower()
    if "timeout" in text or "took longer" in text:
        return "time"
    if "maxsize" in text or "size" in text or "cancel" in text:
        return "length"
    return "disconnect"


def _http_headers(msgtype: str, message: bytes, body: bytes | None = None) -> list[tuple[str, str]]:
    """Content type and digests of a record whose block is an HTTP message (its payload: ``body``,
    split from ``message`` when not given)."""
    return [
        ("Content-Type", f"application/http;msgtype={msgtype}"),
        ("WARC-Payload-Digest", sha1_digest(split_head(message)[1] if body is None else body)),
        ("WARC-Block-Digest", sha1_digest(message)),
    ]


@dataclasses.dataclass
class _Record:
    rec_type: str
    headers: list[tuple[str, str]]
    block: bytes
    record_id: str = dataclasses.field(default_factory=new_record_id)
    level: int = TEXT_LEVEL  # gzip level (archiver/warc/_levels.py)

    def serialize(self) -> bytes:
        lines = [WARC_VERSION, f"WARC-Type: {self.rec_type}", f"WARC-Record-ID: {self.record_id}"]
        lines += [f"{name}: {_clean_value(value)}" for name, value in self.headers if value is not None]
        lines.append(f"Content-Length: {len(self.block)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
        return head + self.block + b"\r\n\r\n"


class WarcWriter:
    """Append records to ``{prefix}-{YYYYMMDDhhmmss}-{serial:05d}.warc.gz`` files.

    Every file starts with a ``warcinfo`` record built from ``warcinfo`` (as
    ``application/warc-fields``, ``format`` added when missing). A new file is
    started before the next write once the current one has reached
    ``max_size`` bytes; an exchange (request + response) never straddles two
    files. The keys ``crawl-id`` and ``outlet`` of ``warcinfo``, when present,
    are copied into every returned :class:`Capture`.
    """

    def __init__(
        self,
        directory: Path | str,
        prefix: str,
        *,
        max_size: int = 1_000_000_000,
        warcinfo: dict[str, str] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.prefix = check_prefix(prefix)
        self.max_size = max_size
        self.warcinfo = dict(warcinfo or {})
        self.warcinfo.setdefault("format", FORMAT)
        self._serial = 0
        self._fd: int | None = None
        self._path: Path | None = None
        self._size = 0
        self._warcinfo_id: str | None = None
        self.bytes_written = 0
        self.files: list[Path] = []
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarcWriteError(
                exc.errno,
                f"cannot create WARC folder {self.directory}: {exc.strerror}; choose a writable --out folder",
            ) from exc
        self._open()

    # -- files -------------------------------------------------------------

    @property
    def current_path(self) -> Path | None:
        """The file being written (None after close or between rotations)."""
        return self._path

    def _open(self) -> None:
        stamp = timestamp14(utc_now())
        while True:
            self._serial += 1
            path = self.directory / f"{self.prefix}-{stamp}-{self._serial:05d}.warc.gz"
            try:
                self._fd = os.open(
                    path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644
                )
                break
            except FileExistsError:
                continue
            except OSError as exc:
                raise WarcWriteError(
                    exc.errno,
                    f"cannot create {path}: {exc.strerror}; "
                    "check the output folder is writable and has space",
                ) from exc
        self._path = path
        self._size = 0
        self.files.append(path)
        fields = "".join(f"{_clean_value(k)}: {_clean_value(v)}\r\n" for k, v in self.warcinfo.items())
        info = _Record(
            "warcinfo",
            [
                ("WARC-Date", warc_time(utc_now())),
                ("WARC-Filename", path.name),
                ("Content-Type", "application/warc-fields"),
                ("WARC-Block-Digest", sha1_digest(fields.encode("utf-8"))),
            ],
            fields.encode("utf-8"),
        )
        self._warcinfo_id = info.record_id
        self._append(info)

    def _ensure_open(self) -> None:
        if self._fd is not None and self._size >= self.max_size:
            self._close_file()
        if self._fd is None:
            self._open()

    def _append(self, record: _Record) -> RecordLocation:
        return self._append_all(record)[0]

    def _append_all(self, *records: _Record) -> list[RecordLocation]:
        """Write ``records`` (an exchange's pair) as one unit: all of them or none.

        On a failed write (a full disk) the file is cut back to where the unit
        began *and* the descriptor is moved back there, so a later write (the
        disk had room again) continues the file instead of leaving a hole that
        no reader can cross.
        """
        assert self._fd is not None and self._path is not None
        members = [
            gzip.compress(record.serialize(), compresslevel=record.level, mtime=0) for record in records
        ]
        offset = self._size
        view = memoryview(b"".join(members))
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        except OSError as exc:
            try:
                os.ftruncate(self._fd, offset)
                os.lseek(self._fd, offset, os.SEEK_SET)
            except OSError:
                pass
            raise WarcWriteError(
                exc.errno,
                f"writing a {records[-1].rec_type} record to {self._path} failed "
                f"({exc.strerror}); the file was cut back to its last whole record at "
                f"offset {offset}. Free space or choose another output folder.",
            ) from exc
        locations = []
        for record, member in zip(records, members):
            locations.append(RecordLocation(record.record_id, self._path.name, self._size, len(member)))
            self._size += len(member)
            self.bytes_written += len(member)
        return locations

    def _close_file(self) -> None:
        if self._fd is not None:
            try:
                os.fsync(self._fd)
            except OSError:
                pass
            os.close(self._fd)
        self._fd = None
        self._path = None

    def close(self) -> None:
        """Flush to disk and close the current file (idempotent)."""
        self._close_file()

    def __enter__(self) -> "WarcWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- records -----------------------------------------------------------

    def _common(self, url: str, fetched_at: datetime, ip: str | None = None) -> list[tuple[str, str]]:
        headers = [("WARC-Date", warc_time(fetched_at)), ("WARC-Target-URI", _target_uri(url))]
        if ip:
            headers.append(("WARC-IP-Address", ip))
        headers.append(("WARC-Warcinfo-ID", self._warcinfo_id or ""))
        return headers

    def _capture(
        self,
        loc: RecordLocation,
        url: str,
        fetched_at: datetime,
        record_type: str,
        head_and_payload: bytes,
        request_id: str | None,
        refers_to: str | None = None,
        payload_sha256: str | None = None,
        message: HttpMessage | None = None,
    ) -> Capture:
        message = message or parse_message(head_and_payload)
        payload = message.body
        return Capture(
            record_id=loc.record_id,
            url=url,
            fetched_at=warc_time(fetched_at),
            warc_file=loc.warc_file,
            offset=loc.offset,
            length=loc.length,
            record_type=record_type,
            status=message.status,
            reason=message.reason,
            content_type=message.header("Content-Type"),
            payload_sha256=payload_sha256
            if payload_sha256 is not None
            else hashlib.sha256(payload).hexdigest(),
            payload_length=len(payload) if record_type == "response" else None,
            request_record_id=request_id,
            crawl_id=self.warcinfo.get("crawl-id"),
            outlet=self.warcinfo.get("outlet"),
            refers_to=refers_to,
        )

    def _request_record(
        self,
        url: str,
        request_bytes: bytes,
        fetched_at: datetime,
        ip: str | None,
        extra: list[tuple[str, str]],
    ) -> _Record:
        return _Record(
            "request",
            self._common(url, fetched_at, ip) + _http_headers("request", request_bytes) + extra,
            request_bytes,
        )

    @staticmethod
    def _extra(extra_headers: dict[str, str] | None, reconstructed: bool) -> list[tuple[str, str]]:
        extra = [(str(k), str(v)) for k, v in (extra_headers or {}).items()]
        if reconstructed and not any(k.lower() == RECONSTRUCTED_HEADER.lower() for k, _ in extra):
            extra.append((RECONSTRUCTED_HEADER, "true"))
        return extra

    def write(self, exchange: HttpExchange, *, extra_headers: dict[str, str] | None = None) -> Capture | None:
        """Write a ``request`` and a ``response`` record; return the response's Capture.

        The messages become the record blocks byte for byte. With no response
        (connection refused, timeout, reset before a response), a ``request``
        record and a ``metadata`` record (``WARC-Concurrent-To`` the request,
        field ``fetch-error``) are written and None is returned: there is no
        capture. A response with an ``error`` (cut off by a timeout, a reset or
        the size limit) is written with ``WARC-Truncated`` (``time``, ``length``
        or ``disconnect``). ``extra_headers`` go on both records, and
        ``WARC-Archiver-Reconstructed: true`` when the exchange was rebuilt.
        """
        self._ensure_open()
        url, fetched_at, ip = exchange.url, exchange.fetched_at, exchange.ip
        extra = self._extra(extra_headers, exchange.reconstructed)
        request = self._request_record(url, exchange.request_bytes, fetched_at, ip, extra)
        response_bytes = exchange.response_bytes
        if response_bytes is None:
            self._write_fetch_error(request, url, fetched_at, ip, extra, exchange.error)
            return None
        if exchange.error:
            extra = extra + [("WARC-Truncated", truncation_reason(exchange.error))]
        message = parse_message(response_bytes)
        headers = [("WARC-Concurrent-To", request.record_id)] + _http_headers(
            "response", response_bytes, message.body
        )
        response = _Record(
            "response",
            self._common(url, fetched_at, ip) + headers + extra,
            response_bytes,
            level=level_for(message.header("Content-Type"), message.header("Content-Encoding")),
        )
        request.headers.insert(3, ("WARC-Concurrent-To", response.record_id))
        loc = self._append_all(request, response)[1]
        return self._capture(
            loc, url, fetched_at, "response", response_bytes, request.record_id, message=message
        )

    def _write_fetch_error(
        self,
        request: _Record,
        url: str,
        fetched_at: datetime,
        ip: str | None,
        extra: list[tuple[str, str]],
        error: str | None,
    ) -> None:
        """The request, then a ``metadata`` record naming why no response came."""
        fields = f"fetch-error: {_clean_value(error or 'no response')}\r\n".encode("utf-8")
        meta = _Record(
            "metadata",
            self._common(url, fetched_at, ip)
            + [
                ("WARC-Concurrent-To", request.record_id),
                ("Content-Type", "application/warc-fields"),
                ("WARC-Block-Digest", sha1_digest(fields)),
            ]
            + extra,
            fields,
        )
        self._append_all(request, meta)

    def write_revisit(
        self,
        *,
        url: str,
        request_bytes: bytes,
        response_head_bytes: bytes,
        fetched_at: datetime,
        refers_to_record_id: str,
        refers_to_uri: str,
        refers_to_date: str,
        payload_digest: str,
        payload_sha256: str | None = None,
        ip: str | None = None,
        extra_headers: dict[str, str] | None = None,
        profile: str = REVISIT_PROFILE,
    ) -> Capture:
        """Write ``request`` + ``revisit`` (identical-payload-digest) records.

        ``response_head_bytes`` is the status line and headers as received (a
        304's whole message, or a 200's head whose body matched); the body is
        not stored again. ``payload_digest`` is the ``sha1:`` digest of the
        original record; ``payload_sha256``, when given, is kept in a
        ``WARC-Archiver-Payload-SHA256`` header and in the Capture.
        ``profile`` is another ``WARC-Profile`` (``.../revisit/server-not-modified``
        for a 304, see :mod:`archiver.crawl.conditional`).
        """
        self._ensure_open()
        extra = self._extra(extra_headers, False)
        request = self._request_record(url, request_bytes, fetched_at, ip, extra)
        headers = self._common(url, fetched_at, ip) + [
            ("WARC-Concurrent-To", request.record_id),
            ("WARC-Profile", profile),
            ("WARC-Refers-To", refers_to_record_id),
            ("WARC-Refers-To-Target-URI", _target_uri(refers_to_uri)),
            ("WARC-Refers-To-Date", refers_to_date),
            ("Content-Type", "application/http;msgtype=response"),
            ("WARC-Payload-Digest", payload_digest),
            ("WARC-Block-Digest", sha1_digest(response_head_bytes)),
        ]
        if payload_sha256:
            headers.append((PAYLOAD_SHA256_HEADER, payload_sha256))
        revisit = _Record("revisit", headers + extra, response_head_bytes)
        request.headers.insert(3, ("WARC-Concurrent-To", revisit.record_id))
        loc = self._append_all(request, revisit)[1]
        return self._capture(
            loc,
            url,
            fetched_at,
            "revisit",
            response_head_bytes,
            request.record_id,
            refers_to=refers_to_record_id,
            payload_sha256=payload_sha256,
        )

    def write_conversion(
        self,
        *,
        url: str,
        refers_to: str,
        fetched_at: datetime,
        payload: bytes,
        content_type: str = "application/json",
    ) -> RecordLocation:
        """Write a ``conversion`` record (e.g. an article's clean text as JSON) for ``refers_to``."""
        return self._write_payload(
            "conversion", ("WARC-Refers-To", refers_to), url, fetched_at, payload, content_type
        )

    def write_resource(
        self,
        *,
        url: str,
        concurrent_to: str,
        fetched_at: datetime,
        payload: bytes,
        content_type: str,
    ) -> RecordLocation:
        """Write a ``resource`` record (a rendered DOM, a screenshot) made at the time of ``concurrent_to``.

        ``WARC-Concurrent-To`` names the page's response record, as WARC 1.1
        section 5.7 allows for records made in the same capture event.
        """
        return self._write_payload(
            "resource", ("WARC-Concurrent-To", concurrent_to), url, fetched_at, payload, content_type
        )

    def _write_payload(
        self,
        rec_type: str,
        link: tuple[str, str],
        url: str,
        fetched_at: datetime,
        payload: bytes,
        content_type: str,
    ) -> RecordLocation:
        """A record whose block is ``payload`` as is, tied to another record by ``link`` (a header, its value)."""
        self._ensure_open()
        digest = sha1_digest(payload)
        headers = [
            link,
            ("Content-Type", content_type),
            ("WARC-Payload-Digest", digest),
            ("WARC-Block-Digest", digest),
        ]
        record = _Record(
            rec_type, self._common(url, fetched_at) + headers, payload, level=level_for(content_type)
        )
        return self._append(record)
