"""The :class:`Capture` record: one archived HTTP response, located in a WARC file.

A capture is what a ``captures`` row holds. It is derived from the WARC record
alone (headers, payload, file, offset), so ``reindex`` rebuilds the same row.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from archiver.timestamps import timestamp14


@dataclasses.dataclass
class Capture:
    """One ``response`` (or ``revisit``) record of a WARC file.

    ``fetched_at`` is the record's ``WARC-Date`` (ISO 8601, UTC, ``Z`` suffix).
    ``payload_sha256`` is the hex sha256 of the HTTP payload exactly as stored
    (the same bytes that ``WARC-Payload-Digest`` covers). ``warc_file`` is the
    file's name relative to the archive's ``warcs/`` folder; ``offset`` and
    ``length`` locate the record's gzip member in it.
    """

    record_id: str
    url: str
    fetched_at: str
    warc_file: str
    offset: int
    length: int
    record_type: str = "response"
    status: int | None = None
    reason: str | None = None
    content_type: str | None = None
    payload_sha256: str | None = None
    payload_length: int | None = None
    request_record_id: str | None = None
    crawl_id: str | None = None
    outlet: str | None = None
    refers_to: str | None = None

    @property
    def timestamp14(self) -> str:
        """Memento-style ``YYYYMMDDhhmmss`` of the capture time."""
        return timestamp14(self.fetched_at)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
