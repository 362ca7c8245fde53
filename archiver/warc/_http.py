"""Parse raw HTTP/1.x messages as stored in WARC blocks, without re-serializing them.

The WARC block is the source of truth, so parsing here only *reads* it: the
head is split off where the first blank line is, header names keep their case
and order, and the body stays as sent (chunked and content-encoded) until
:func:`decode_body` is asked for the entity.
"""

from __future__ import annotations

import dataclasses
import zlib

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


def _bounded(decomp: "zlib._Decompress", data: bytes, limit: int, what: str) -> bytes:
    out = decomp.decompress(data, limit + 1)
    if len(out) > limit:
        raise HttpParseError(f"{what} body decodes to more than {limit} bytes; refusing (gzip bomb?)")
    return out


def _decode_one(coding: str, data: bytes, limit: int) -> bytes:
    if coding in ("gzip", "x-gzip"):
        out = bytearray()
        while data:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                out += _bounded(d, data, limit - len(out), "gzip")
            except zlib.error:
                if out:
                    break  # junk after a complete member: ignored, as browsers do
                raise
            data = d.unused_data if d.eof else b""
        return bytes(out)
    if coding == "deflate":
        try:
            return _bounded(zlib.decompressobj(), data, limit, "deflate")
        except zlib.error:
            return _bounded(zlib.decompressobj(-zlib.MAX_WBITS), data, limit, "deflate")
    if coding == "br":
        try:
            import brotli
        except ImportError as exc:
            raise HttpParseError("body is brotli-encoded; pip install brotli to decode it") from exc
        try:
            plain: bytes = brotli.decompress(data)
        except Exception as exc:  # brotli.error is not a ValueError
            raise HttpParseError(f"cannot decode br body: {exc}") from exc
        if len(plain) > limit:
            raise HttpParseError(f"br body decodes to more than {limit} bytes")
        return plain
    if coding == "zstd":
        try:
            import zstandard
        except ImportError as exc:
            raise HttpParseError("body is zstd-encoded; pip install zstandard to decode it") from exc
        try:
            reader = zstandard.ZstdDecompressor().stream_reader(data)
            plain = bytes(reader.read(limit + 1))
        except zstandard.ZstdError as exc:
            raise HttpParseError(f"cannot decode zstd body: {exc}") from exc
        if len(plain) > limit:
            raise HttpParseError(f"zstd body decodes to more than {limit} bytes")
        return plain
    if coding in ("identity", ""):
        return data
    raise HttpParseError(f"unknown Content-Encoding {coding!r}")


def decode_body(message: HttpMessage, *, limit: int = DEFAULT_DECODE_LIMIT) -> bytes:
    """The entity body: transfer coding removed, content codings undone in reverse order."""
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
