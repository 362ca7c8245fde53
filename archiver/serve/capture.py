"""An archived response read back from its WARC record, and how to serve it safely.

The archive page never inlines archived HTML: it frames a separate route that
sends the bytes with :data:`RAW_CSP` (``sandbox`` and no scripts, forms,
plugins or requests off the archive), so a hostile page runs nothing, even
when opened directly. Everything that is not HTML is sent as a download.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Callable
from urllib.parse import quote, unquote

from archiver.warc import HttpParseError, WarcError, read_record_at

#: Content-Security-Policy of the capture view's raw route.
RAW_CSP = (
    "sandbox; default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; form-action 'none'; "
    "frame-ancestors 'self'"  # only the archive's capture view frames it (issue 11 item 12)
)
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_UUID_ID = re.compile(r"<urn:uuid:([0-9A-Za-z-]+)>")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_CHARSET = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9._:-]+)", re.I)


class CaptureError(Exception):
    """The capture cannot be shown; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 404) -> None:
        super().__init__(message)
        self.status = status


def record_slug(record_id: str) -> str:
    """The URL path segment naming a capture: the UUID of ``<urn:uuid:...>``, else the quoted id."""
    match = _UUID_ID.fullmatch(record_id)
    return match.group(1) if match else quote(record_id, safe="")


def slug_record_id(slug: str) -> list[str]:
    """The record ids a path segment may name (inverse of :func:`record_slug`)."""
    decoded = unquote(slug)
    return [f"<urn:uuid:{slug}>", decoded] if re.fullmatch(r"[0-9A-Za-z-]+", slug) else [decoded]


@dataclasses.dataclass
class CaptureView:
    """One archived HTTP response: as captured, and its body decoded for display."""

    capture: dict
    status: int | None
    reason: str | None
    headers: list[tuple[str, str]]
    body: bytes
    record_offset: int
    warc_path: str
    revisit_of: dict | None = None

    @property
    def content_type(self) -> str:
        for name, value in self.headers:
            if name.lower() == "content-type":
                return value
        return ""

    @property
    def media_type(self) -> str:
        """The captured media type, lowercase, or ``application/octet-stream`` when absent or malformed."""
        media = self.content_type.split(";", 1)[0].strip().lower()
        return media if _TOKEN.fullmatch(media) else "application/octet-stream"

    @property
    def charset(self) -> str | None:
        match = _CHARSET.search(self.content_type)
        return match.group(1) if match else None

    @property
    def is_html(self) -> bool:
        return self.media_type in HTML_TYPES

    @property
    def served_content_type(self) -> str:
        """A clean Content-Type to send: the captured media type (and charset), nothing else."""
        return f"{self.media_type}; charset={self.charset}" if self.charset else self.media_type

    def filename(self) -> str:
        """A download name from the URL's last path segment (only safe characters)."""
        path = self.capture["url"].split("?", 1)[0].split("#", 1)[0].rstrip("/")
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", path.rsplit("/", 1)[-1])[:100].strip("._")
        return name or "capture"

    def raw_headers(self) -> list[tuple[str, str]]:
        """Headers of the raw route: captured type, the sandbox CSP, and a download for non-HTML."""
        headers = [
            ("content-type", self.served_content_type),
            ("content-security-policy", RAW_CSP),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "no-referrer"),
            ("cache-control", "public, max-age=86400"),
        ]
        if not self.is_html:
            headers.append(("content-disposition", f'attachment; filename="{self.filename()}"'))
        return headers


_REBUILD = (
    "the database is damaged or was handed in hostile: rebuild it from the WARCs with `archiver reindex`"
)


def warc_path(archive_dir: Path, warc_file: object) -> Path:
    """The WARC file a captures row names, refusing names that leave ``archive_dir/warcs``."""
    if (
        not isinstance(warc_file, str)
        or not warc_file
        or Path(warc_file).name != warc_file
        or warc_file.startswith(".")
        or any(ord(ch) < 32 for ch in warc_file)
    ):
        raise CaptureError(f"capture names an unsafe WARC file {warc_file!r}; {_REBUILD}", status=422)
    return archive_dir / "warcs" / warc_file


def row_offset(row: dict) -> int:
    """The WARC offset of a captures row, checked: a whole number of bytes, 0 or more (else 422)."""
    offset = row.get("offset")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise CaptureError(
            f"captures row {row.get('record_id')} has WARC offset {offset}, not a byte position (0 or more); "
            + _REBUILD,
            status=422,
        )
    return offset


def load_capture(
    archive_dir: Path,
    capture: dict,
    *,
    lookup: Callable[[str], dict | None],
    decode_limit: int = 50 * 1024 * 1024,
) -> CaptureView:
    """Read ``capture`` (a captures row) from its WARC record and decode its body.

    A revisit record holds no body: the body (and the headers) come from the
    capture it refers to, found with ``lookup(record_id)``. Raises
    :class:`CaptureError` when the record is missing or unreadable.
    """
    revisit_of = None
    source = capture
    if capture.get("record_type") == "revisit":
        original = lookup(capture["refers_to"]) if capture.get("refers_to") else None
        if original is None:
            raise CaptureError("this revisit's original capture is not in the archive", status=404)
        revisit_of, source = original, original
    path = warc_path(archive_dir, source.get("warc_file"))
    offset = row_offset(source)
    if not path.is_file():
        raise CaptureError(f"the capture's WARC file {path.name} is not in this archive", status=404)
    try:
        record = read_record_at(path, offset)
    except WarcError as exc:
        raise CaptureError(f"cannot read the capture from the WARC: {exc}; {_REBUILD}", status=422) from exc
    if record.record_id != source["record_id"]:
        raise CaptureError(
            f"{path.name} offset {offset} holds {record.record_id}, not {source.get('record_id')}: "
            "the index is stale, run `archiver reindex`",
            status=422,
        )
    try:
        body = record.decoded_body(limit=decode_limit)
    except HttpParseError:
        body = record.payload  # undecodable content-encoding: show what was stored
    return CaptureView(
        capture=capture,
        status=record.status,
        reason=record.http.reason if record.http else None,
        headers=record.http_headers,
        body=body,
        record_offset=record.offset,
        warc_path=str(path),
        revisit_of=revisit_of,
    )


# The names before the capture view was called so ("snapshot" is the WACZ of archiver.tools.snapshot).
Snapshot = CaptureView
SnapshotError = CaptureError
load_snapshot = load_capture
