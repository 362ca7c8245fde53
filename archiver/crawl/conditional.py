"""Re-crawls: what the archive already holds of a URL, and whether a new response changed it.

So that a second crawl of an outlet stores no bytes twice. Framework-free:
:func:`held_response` reads a URL's latest held response back from the WARC (its
validators become the conditional request headers); :func:`revisit_for` decides whether
a new response is archived as a ``revisit`` (a 304, or an identical payload);
:func:`replay_parts` gives the held response, so the links of an unmodified page are
followed. Glue: :mod:`archiver.downloadermiddlewares.conditional`; the rules:
"Re-crawls, revisits and versions" in ``docs/architecture.md``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

from archiver.capture import Capture
from archiver.warc._http import decode_body, parse_message, split_head
from archiver.warc.formats import NOT_MODIFIED_PROFILE

__all__ = [
    "Held",
    "Revisit",
    "held_by_digest",
    "held_capture",
    "held_response",
    "replay_parts",
    "revisit_for",
    "NOT_MODIFIED_PROFILE",
]

#: Headers of a replayed response that no longer describe its (decoded) body.
_ENTITY_TRANSPORT = {"content-encoding", "transfer-encoding", "content-length"}


@dataclasses.dataclass
class Held:
    """The response record that holds the payload of a URL's latest capture."""

    capture: Capture
    record: Any  # archiver.warc.reader.Record

    @property
    def validators(self) -> dict[str, str]:
        """``If-None-Match`` / ``If-Modified-Since`` for a conditional request (may be empty)."""
        http = self.record.http
        if http is None or self.record.header("WARC-Truncated"):
            return {}  # a truncated payload must be fetched whole again, not confirmed
        out = {}
        if http.header("ETag"):
            out["If-None-Match"] = http.header("ETag")
        if http.header("Last-Modified"):
            out["If-Modified-Since"] = http.header("Last-Modified")
        return out


@dataclasses.dataclass
class Revisit:
    """What :meth:`archiver.warc.writer.WarcWriter.write_revisit` needs besides the request."""

    response_head_bytes: bytes
    refers_to_record_id: str
    refers_to_uri: str
    refers_to_date: str
    payload_digest: str
    payload_sha256: str | None
    profile: str
    not_modified: bool


def _original(store: Any, capture: Capture) -> Capture | None:
    """The response a capture's payload lives in: itself, or what its revisit refers to."""
    seen = set()
    while capture.record_type == "revisit":
        if not capture.refers_to or capture.refers_to in seen:
            return None
        seen.add(capture.record_id)
        capture = store.capture(capture.refers_to)
        if capture is None:
            return None
    return capture


def held_response(store: Any, warcs_dir: str | Path, url: str) -> Held | None:
    """The held response of ``url`` read back from ``warcs_dir``, or ``None``.

    ``None`` when nothing of ``url`` is archived, when its latest capture is
    not a complete HTTP response, or when the record cannot be read (a
    missing or damaged WARC: the page is then simply fetched again in full).
    """
    latest = store.latest_capture(url)
    return held_capture(store, warcs_dir, latest) if latest is not None else None


def held_by_digest(store: Any, warcs_dir: str | Path, response_bytes: bytes) -> Held | None:
    """A complete response of *any* URL whose payload (as sent) equals this response's, read back.

    Page requisites use it: the same logo or font served under two URLs is
    written once, the second time as a revisit by digest
    (``WARC-Refers-To-Target-URI`` names the first URL).
    """
    body = parse_message(response_bytes).body
    if not body:
        return None
    sha = hashlib.sha256(body).hexdigest()
    found = store._captures_where(
        "payload_sha256 = ? AND record_type = 'response' AND status IS NOT NULL",
        [sha],
        order="fetched_at LIMIT 1",
    )
    return held_capture(store, warcs_dir, found[0]) if found else None


def held_capture(store: Any, warcs_dir: str | Path, capture: Capture) -> Held | None:
    """The response holding ``capture``'s payload (itself, or what its revisit refers to), read back."""
    from archiver.warc.reader import WarcError, read_record_at

    original = _original(store, capture)
    if original is None or original.status is None:
        return None
    try:
        record = read_record_at(Path(warcs_dir) / original.warc_file, original.offset)
    except (WarcError, OSError):
        return None
    if record.rec_type != "response" or record.http is None:
        return None
    return Held(original, record)


def revisit_for(held: Held | None, response_bytes: bytes) -> Revisit | None:
    """How to archive ``response_bytes`` as a revisit of ``held``, or ``None`` to archive it in full.

    A 304 is a revisit of the held response. Any other response is one when
    its status and payload (as sent: still chunked/encoded) equal the held
    response's; an empty payload never is (there is nothing to save, and a
    204 or a redirect is clearer written out).
    """
    if held is None:
        return None
    message = parse_message(response_bytes)
    original = held.capture
    common: dict[str, Any] = dict(
        refers_to_record_id=original.record_id,
        refers_to_uri=original.url,
        refers_to_date=original.fetched_at,
        payload_digest=held.record.header("WARC-Payload-Digest") or "",
        payload_sha256=original.payload_sha256,
    )
    if message.status == 304:
        return Revisit(
            response_head_bytes=response_bytes, profile=NOT_MODIFIED_PROFILE, not_modified=True, **common
        )
    if (
        message.body
        and message.status == original.status
        and hashlib.sha256(message.body).hexdigest() == original.payload_sha256
    ):
        from archiver.warc.formats import REVISIT_PROFILE

        return Revisit(
            response_head_bytes=split_head(response_bytes)[0],
            profile=REVISIT_PROFILE,
            not_modified=False,
            **common,
        )
    return None


def replay_parts(held: Held) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and decoded body of the held response, as a client would have seen them.

    Transfer and content codings are undone, so their headers are dropped
    and ``Content-Length`` fits the decoded body.
    """
    http = held.record.http
    body = decode_body(http)
    headers = [(k, v) for k, v in http.headers if k.lower() not in _ENTITY_TRANSPORT]
    headers.append(("Content-Length", str(len(body))))
    return http.status or 200, headers, body
