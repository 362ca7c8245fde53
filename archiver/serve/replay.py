"""Replay of an archived page with its archived requisites, from the WARCs alone.

``/-/replay/<14 digits>/<url>`` serves the capture of ``url`` nearest that
time (Memento-style), read from its WARC record with its recorded content
type. HTML and CSS come back rewritten (:mod:`archiver.serve.rewrite`) so that every
URL they name is again a replay route at the *page's* time: a stylesheet,
font or image is the capture nearest the page, never the live web. Headers:
:data:`REPLAY_CSP` (``sandbox`` without scripts, and nothing but the
archive's own origin), ``nosniff``, no referrer. These routes read
``captures`` by URL and WARC records only; they run no SQL of the visitor's.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urljoin

from archiver.serve.rewrite import rewrite_css, rewrite_html

__all__ = [
    "REPLAY_CSP",
    "REPLAY_PREFIX",
    "ReplayBody",
    "nearest_capture_sql",
    "replay_body",
    "replay_headers",
    "requisites_context",
]

REPLAY_PREFIX = "-/replay/"
#: Scripts never run (``sandbox`` without ``allow-scripts``); only the archive's origin is reachable.
REPLAY_CSP = (
    "sandbox; default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; media-src 'self'; form-action 'none'; base-uri 'none'"
)
_CSS_TYPES = {"text/css"}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}

#: The capture of a URL nearest a time (ties: the earlier), responses and revisits with a status.
nearest_capture_sql = (
    "select * from captures where url = ? and status is not null and record_type in ('response', 'revisit') "
    "order by abs(julianday(fetched_at) - julianday(?)), fetched_at limit 1"
)


def iso_of_timestamp(ts: str) -> str:
    """``2024-06-01T09:00:00Z`` of ``20240601090000`` (SQLite's julianday reads it)."""
    return f"{ts[0:4]}-{ts[4:6]}-{ts[6:8]}T{ts[8:10]}:{ts[10:12]}:{ts[12:14]}Z"


@dataclasses.dataclass
class ReplayBody:
    """What the replay route sends: status, body, content type and, for a redirect, its target."""

    status: int
    body: bytes
    content_type: str
    location: str | None = None


def replay_body(snap: Any, *, prefix: str, timestamp: str) -> ReplayBody:
    """The body of a snapshot (:class:`archiver.serve.capture.CaptureView`) as replay sends it.

    HTML and CSS are rewritten so every URL is ``<prefix><timestamp>/<url>``;
    a redirect's ``Location`` is too; anything else is the archived bytes.
    """
    url = snap.capture["url"]

    def to_archive(target: str) -> str:
        return f"{prefix}{timestamp}/{target}"

    status = snap.status or 200
    if snap.revisit_of is not None:
        status = snap.revisit_of.get("status") or 200
    if 300 <= status < 400:
        location = next((v for k, v in snap.headers if k.lower() == "location"), None)
        if location:
            return ReplayBody(status, b"", "text/plain; charset=utf-8", to_archive(urljoin(url, location)))
    media = snap.media_type
    if media in _HTML_TYPES:
        source = snap.body.decode(snap.charset, errors="replace") if _known(snap.charset) else snap.body
        html = rewrite_html(source, url, to_archive)
        return ReplayBody(status, html.encode("utf-8"), f"{media}; charset=utf-8")
    if media in _CSS_TYPES:
        text = snap.body.decode(snap.charset if _known(snap.charset) else "utf-8", errors="replace")
        return ReplayBody(
            status, rewrite_css(text, url, to_archive).encode("utf-8"), "text/css; charset=utf-8"
        )
    return ReplayBody(status, snap.body, snap.served_content_type)


def replay_headers(content_type_is_html: bool) -> dict[str, str]:
    """Headers of every replay answer; resources may be read by the sandboxed (opaque-origin) page."""
    headers = {
        "Content-Security-Policy": REPLAY_CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "public, max-age=86400",
    }
    if not content_type_is_html:
        # A font is fetched in CORS mode, and the framed page's origin is opaque ("null").
        headers["Access-Control-Allow-Origin"] = "*"
    return headers


async def requisites_context(db: Any, page_record_id: str) -> dict[str, Any]:
    """``requisites`` (rows) and ``requisites_summary`` ("37 of 40 resources archived; ...") of a page."""
    from archiver.store.requisites import requisite_summary

    if not await db.table_exists("requisites"):
        return {"requisites": [], "requisites_summary": None}
    result = await db.execute(
        "select url, source, kind, status, reason, capture_record_id from requisites "
        "where page_record_id = ? order by status, url",
        [page_record_id],
    )
    rows = [dict(r) for r in result.rows]
    return {"requisites": rows, "requisites_summary": requisite_summary(rows) if rows else None}


def _known(charset: str | None) -> bool:
    if not charset:
        return False
    try:
        "".encode(charset)
    except LookupError:
        return False
    return True
