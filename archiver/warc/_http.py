"""Parse raw HTTP/1.x messages as stored in WARC blocks, without re-serializing them.

The WARC block is the source of truth, so parsing here only *reads* it: the
head is split off where the first blank line is, header names keep their case
and order, and the body stays as sent (chunked and content-encoded) until
:func:`decode_body` is asked for the entity.
"""

from __future__ import annotations

import dataclasses
import zlib
from typing import Any

#: Upper bound for a decoded body (a gzip bomb must not exhaust memory).
DEFAULT_DECODE_LIMIT = 100 * 1024 * 1024


def first_header(headers: list[tuple[str, str]], name: str) -> str | None:
    """First value of header ``name`` (case-insensitive) in an ordered header list, or None."""
    lname = name.lower()
    for key, value in headers:
        if key.lower() == lname:
            return value
    return None


class HttpParseError(ValueError):
    """Raised when stored HTTP bytes cannot be parsed or decoded."""


@dataclasses.dataclass
class HttpMessage:
    """A raw HTTP message split into its parts (bytes untouched)."""

    head: bytes
    body: bytes
    start_line: str
    headers: list[tuple[str, str]]

    def header(self, name: str) -> str | None:
        """First value of header ``name`` (case-insensitive), or None."""
        return first_header(self.headers, name)

    def header_values(self, name: str) -> list[str]:
        lname = name.lower()
        return [v for k, v in self.headers if k.lower() == lname]

    @property
    def status(self) -> int | None:
        """Status code of a response start line ``HTTP/1.1 200 OK``."""
        parts = self.start_line.split(" ", 2)
        if len(parts) >= 2 and parts[0].upper().startswith("HTTP/") and parts[1].isdigit():
            return int(parts[1])
        return None

    @property
    def reason(self) -> str | None:
        parts = self.start_line.split(" ", 2)
        if self.status is None:
            return None
        return parts[2] if len(parts) == 3 else ""

    @property
    def http_version(self) -> str | None:
        first = self.start_line.split(" ", 1)[0]
        if first.upper().startswith("HTTP/"):
            return first
        last = self.start_line.rsplit(" ", 1)[-1]
        return last if last.upper().startswith("HTTP/") else None


def split_head(raw: bytes) -> tuple[bytes, bytes]:
    """Split ``raw`` after the blank line that ends the head.

    Accepts bare ``\\n\\n`` as some servers send it. Without a blank line the
    whole message is head (a response cut off inside its headers).
    """
    crlf = raw.find(b"\r\n\r\n")
    lf = raw.find(b"\n\n")
    if crlf != -1 and (lf == -1 or crlf < lf):
        return raw[: crlf + 4], raw[crlf + 4 :]
    if lf != -1:
        return raw[: lf + 2], raw[lf + 2 :]
    return raw, b""


def parse_message(raw: bytes) -> HttpMessage:
    """Parse an HTTP request or response; header folding is joined, case kept."""
    head, body = split_head(raw)
    lines = head.decode("iso-8859-1").replace("\r\n", "\n").split("\n")
    start_line = lines[0].strip() if lines else ""
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        if line[0] in " \t" and headers:
            name, value = headers[-1]
            headers[-1] = (name, value + " " + line.strip())
            continue
        if ":" not in line:
            continue  # as browsers and Scrapy do: skip a header line without colon
        name, value = line.split(":", 1)
        headers.append((name.strip(), value.strip()))
    return HttpMessage(head=head, body=body, start_line=start_line, headers=headers)


def dechunk(body: bytes) -> bytes:
    """Remove chunked transfer coding; a truncated last chunk keeps what came."""
    out = bytearray()
    pos = 0
    while pos < len(body):
        eol = body.find(b"\n", pos)
        if eol == -1:
            break
        size_field = body[pos:eol].split(b";", 1)[0].strip()
        try:
            size = int(size_field, 16)
        except ValueError as exc:
            raise HttpParseError(f"bad chunk size {size_field[:20]!r} at body offset {pos}") from exc
        pos = eol + 1
        if size == 0:
            break
        out += body[pos : pos + size]
        pos += size
        if body[pos : pos + 2] == b"\r\n":
            pos += 2
        elif body[pos : pos + 1] == b"\n":
            pos += 1
    return bytes(out)


#: Output produced per step by the streaming decoders: memory grows only as the output does.
_STEP = 1 << 16


def _too_big(what: str, limit: int) -> HttpParseError:
    return HttpParseError(f"{what} body decodes to more than {limit} bytes; refusing (decompression bomb?)")


def _zlib_stream(decomp: Any, data: bytes, limit: int, what: str) -> tuple[bytes, bytes]:
    """Inflate ``data`` step by step, at most ``limit`` bytes out; (output, bytes after the stream)."""
    out = bytearray()
    pending = data
    while pending and not decomp.eof:
        out += decomp.decompress(pending, _STEP)
        if len(out) > limit:
            raise _too_big(what, limit)
        pending = decomp.unconsumed_tail
    out += decomp.flush(_STEP) if not decomp.eof else b""
    if len(out) > limit:
        raise _too_big(what, limit)
    return bytes(out), decomp.unused_data if decomp.eof else b""


def _gunzip(data: bytes, limit: int) -> bytes:
    out = bytearray()
    while data:
        try:
            piece, data = _zlib_stream(
                zlib.decompressobj(16 + zlib.MAX_WBITS), data, limit - len(out), "gzip"
            )
        except zlib.error:
            if out:
                break  # junk after a complete member: ignored, as browsers do
            raise
        out += piece
    return bytes(out)


def _inflate(data: bytes, limit: int) -> bytes:
    try:
        return _zlib_stream(zlib.decompressobj(), data, limit, "deflate")[0]
    except zlib.error:
        return _zlib_stream(zlib.decompressobj(-zlib.MAX_WBITS), data, limit, "deflate")[0]


def _unbrotli(data: bytes, limit: int) -> bytes:
    try:
        import brotli  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        raise HttpParseError("body is brotli-encoded; pip install brotli to decode it") from exc
    decomp = brotli.Decompressor()
    try:
        out = bytearray(decomp.process(data, output_buffer_limit=_STEP))
        while not decomp.is_finished() and len(out) <= limit:
            piece = decomp.process(b"", output_buffer_limit=_STEP)
            if not piece:
                break
            out += piece
    except brotli.error as exc:
        raise HttpParseError(f"cannot decode br body: {exc}") from exc
    if len(out) > limit:
        raise _too_big("br", limit)
    return bytes(out)


def _zstd_module() -> Any:
    try:
        from compression import zstd  # type: ignore[import-not-found,unused-ignore]  # Python 3.14
    except ImportError:
        try:
            from backports import zstd  # type: ignore[import-not-found,no-redef,unused-ignore]
        except ImportError as exc:
            raise HttpParseError("body is zstd-encoded; pip install backports.zstd to decode it") from exc
    return zstd


def _unzstd(data: bytes, limit: int) -> bytes:
    zstd = _zstd_module()
    out = bytearray()
    while data:
        decomp = zstd.ZstdDecompressor()
        try:
            out += decomp.decompress(data, _STEP)
            while not decomp.eof and len(out) <= limit and not decomp.needs_input:
                out += decomp.decompress(b"", _STEP)
        except zstd.ZstdError as exc:
            if out:
                break
            raise HttpParseError(f"cannot decode zstd body: {exc}") from exc
        if len(out) > limit:
            raise _too_big("zstd", limit)
        data = decomp.unused_data if decomp.eof else b""
    return bytes(out)


_DECODERS = {"gzip": _gunzip, "x-gzip": _gunzip, "deflate": _inflate, "br": _unbrotli, "zstd": _unzstd}


def _decode_one(coding: str, data: bytes, limit: int) -> bytes:
    """Undo one content coding, streaming, never producing more than ``limit`` bytes."""
    if coding in ("identity", ""):
        return data
    decoder = _DECODERS.get(coding)
    if decoder is None:
        raise HttpParseError(f"unknown Content-Encoding {coding!r}")
    return decoder(data, limit)


def decode_body(message: HttpMessage, *, limit: int = DEFAULT_DECODE_LIMIT) -> bytes:
    """The entity body: transfer coding removed, content codings undone in reverse order.

    Every decoder (gzip, deflate, br, zstd) streams and stops at ``limit``
    bytes of output: a 1.6 KB brotli bomb costs ``limit``, not gigabytes.
    """
    body = message.body
    te = ",".join(message.header_values("Transfer-Encoding")).lower()
    if "chunked" in te:
        body = dechunk(body)
    codings = [c.strip().lower() for c in ",".join(message.header_values("Content-Encoding")).split(",")]
    for coding in reversed([c for c in codings if c]):
        try:
            body = _decode_one(coding, body, limit)
        except (zlib.error, OSError) as exc:
            raise HttpParseError(f"cannot decode {coding} body: {exc}") from exc
    return body
