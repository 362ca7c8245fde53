"""Bound what one SQL call can cost, and keep archived pages away from the SQL API.

``SQLITE_LIMIT_LENGTH``: every connection Datasette opens gets a cap on the
length of one string or blob (``Connection.setlimit``, Python 3.11), so
``select length(printf('%.*c', 900000000, 'x'))`` fails at once with "string
or blob too big" instead of building 900 MB (Datasette's time limit only
interrupts between SQLite steps, and this is one step).

Subresource gate: an archived page framed by the capture view or served by
the Memento routes is sandboxed (no scripts, no same-origin), but its
``<img src="/archive.json?sql=...">`` would still make each viewer's browser
run that query. Browsers say what a request is for (``Sec-Fetch-Dest``, or
an ``Accept`` of ``image/...`` or ``text/css`` where they do not send it); a
request for an image, style, script, font, media, frame or similar is
answered only on the archive's resource routes (:data:`RESOURCE_PREFIXES`:
static files, the raw capture route, Mementos) and refused with 403 on every
other path, the SQL API (``?sql=``, ``.json``, ``.csv``, table views) among
them. A navigation (``document``) or a script's ``fetch`` (``empty``) is not
affected. Chosen over a separate origin for snapshots because it needs no
second host name or port from the operator, and over CSP path sources
because CSP cannot list the Memento routes (``/<14 digits>/<url>``) and
ignores paths after a redirect. A route that must be loadable as a
subresource is added to :data:`RESOURCE_PREFIXES`.
"""

from __future__ import annotations

import re
import sqlite3

from datasette import hookimpl

from archiver.serve.site import send_text

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


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def subresource_gate(scope, receive, send):
            if scope["type"] != "http" or not is_refused(scope):
                await app(scope, receive, send)
                return
            await send_text(send, 403, BODY, ((b"cross-origin-resource-policy", b"same-origin"),))

        return subresource_gate

    return wrap
