"""Bound what one SQL call can cost, and keep archived pages away from the SQL API.

Every connection gets a ``SQLITE_LIMIT_LENGTH`` cap (:data:`MAX_SQL_VALUE_BYTES`), so a
query building a huge string fails at once. The subresource gate refuses (403) a request
for an image, style, script, font, media, frame or the like on every path but the
archive's resource routes (:data:`RESOURCE_PREFIXES`), so an archived
``<img src="/archive.json?sql=...">`` cannot make a viewer's browser run SQL; a route
that must be loadable as a subresource is added there. Why this design and not a second
origin or CSP paths: "The archive in Datasette" in ``docs/architecture.md``.
"""

from __future__ import annotations

import re
import sqlite3

from datasette import hookimpl

from archiver.serve.site import asgi_gate, send_text

#: Longest string or blob one SQL value may be on the server's connections (bytes).
MAX_SQL_VALUE_BYTES = 32 * 1024 * 1024
#: Sec-Fetch-Dest values of requests that are not a page navigation or a script's fetch.
SUBRESOURCE_DESTS = frozenset(
    {
        b"image",
        b"style",
        b"script",
        b"font",
        b"audio",
        b"video",
        b"track",
        b"object",
        b"embed",
        b"iframe",
        b"frame",
        b"manifest",
        b"worker",
        b"sharedworker",
        b"serviceworker",
        b"audioworklet",
        b"paintworklet",
        b"xslt",
        b"report",
    }
)
#: Paths an archived page or one of our pages may load as a subresource.
RESOURCE_PREFIXES = re.compile(
    r"/(-/static/|-/static-plugins/|archive-static/|favicon\.ico\Z|-/snapshot/[^/]+/raw\Z|-/capture/[^/]+/raw\Z|-/replay/\d{14}/|-/screenshot/[0-9a-fA-F-]+\.png\Z|\d{14}/|timemap/|timegate/)"
)
BODY = b"Refused: the archive's data and SQL API cannot be loaded as an image, style, script or frame.\n"


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_SQL_VALUE_BYTES)


def _dest(scope: dict) -> bytes:
    """What the request is for: ``Sec-Fetch-Dest``, or, from a browser that does not send it
    (plain http to a host that is not localhost), what its ``Accept`` header asks for."""
    headers = {name.lower(): value for name, value in scope.get("headers", [])}
    if b"sec-fetch-dest" in headers:
        return headers[b"sec-fetch-dest"].strip().lower()
    accept = headers.get(b"accept", b"").lstrip().lower()
    if accept.startswith(b"image/"):
        return b"image"
    if accept.startswith(b"text/css"):
        return b"style"
    return b""


def is_refused(scope: dict) -> bool:
    """True for a subresource request to a path that is not one of the archive's resource routes."""
    if _dest(scope) not in SUBRESOURCE_DESTS:
        return False
    path = scope.get("path", "")
    root = scope.get("root_path", "") or ""
    if root and path.startswith(root):
        path = path[len(root) :]
    return not RESOURCE_PREFIXES.match(path)


async def _refuse(app, scope, receive, send):
    await send_text(send, 403, BODY, ((b"cross-origin-resource-policy", b"same-origin"),))


@hookimpl
def asgi_wrapper(datasette):
    return asgi_gate(is_refused, _refuse)
