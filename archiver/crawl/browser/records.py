"""The WARC records of a browser capture: the rendered DOM, the screenshot, the shell flag.

A page captured in a browser is its ordinary response record (the document's
bytes as received) plus two ``resource`` records concurrent to it: the DOM
after load and scrolling (``urn:dom:<url>``, ``text/html``) and a full-page
screenshot (``urn:screenshot:<url>``, ``image/png``), the names following
Browsertrix's ``urn:<kind>:<url>`` convention. Each is also a ``captures``
row (``record_type = 'resource'``, ``refers_to`` = the page's response), so
the archive pages can serve it and ``reindex`` rebuilds the same row from
the record alone.
"""

from __future__ import annotations

import hashlib
from typing import Any

from archiver.capture import Capture
from archiver.warc.reader import capture_fields
from archiver.warc.writer import RecordLocation

__all__ = [
    "DOM_PREFIX",
    "SCREENSHOT_PREFIX",
    "NEEDS_BROWSER_JSON_TYPE",
    "resource_url",
    "resource_capture",
    "resource_capture_from_record",
]

DOM_PREFIX = "urn:dom:"
SCREENSHOT_PREFIX = "urn:screenshot:"
#: Content type of the records that flag a capture as a script-built shell.
NEEDS_BROWSER_JSON_TYPE = "application/vnd.news-archiver.needs-browser+json"


def resource_url(prefix: str, page_url: str) -> str:
    """``urn:dom:<url>`` / ``urn:screenshot:<url>`` of a page's resource record."""
    return prefix + page_url


def resource_capture(
    location: RecordLocation, *, url: str, fetched_at: str, content_type: str, payload: bytes, page: Capture
) -> Capture:
    """The ``captures`` row of a resource record just written for ``page``."""
    return Capture(
        **location._asdict(),
        url=url,
        fetched_at=fetched_at,
        record_type="resource",
        content_type=content_type,
        payload_sha256=hashlib.sha256(payload).hexdigest(),
        payload_length=len(payload),
        crawl_id=page.crawl_id,
        outlet=page.outlet,
        refers_to=page.record_id,
    )


def resource_capture_from_record(record: Any, warc_file: str | None = None) -> Capture:
    """The ``captures`` row of a ``resource`` record read back from a WARC (``reindex``)."""
    payload = record.block
    return Capture(
        **capture_fields(record, warc_file),
        record_type="resource",
        content_type=record.content_type,
        payload_sha256=hashlib.sha256(payload).hexdigest(),
        payload_length=len(payload),
        refers_to=record.header("WARC-Concurrent-To"),
    )
