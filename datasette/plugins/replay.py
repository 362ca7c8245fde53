"""``/-/replay/<14 digits>/<url>``: an archived page with its archived requisites (archiver.serve.replay).

The capture view frames this route for HTML captures; every URL inside the
page and its stylesheets is rewritten to this route at the page's time, so
the page renders from the archive alone, scripts off (CSP ``sandbox``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

from archiver.serve.replay import (
    REPLAY_PREFIX,
    iso_of_timestamp,
    nearest_capture_sql,
    replay_body,
    replay_headers,
)
from archiver.serve.site import archive_database, archive_dir
from archiver.serve.capture import CaptureError, load_capture


def _target(request: Any, prefix: str) -> str:
    """The archived URL after ``prefix`` in the raw request path, with its query string."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.path
    url = path[path.index(prefix) + len(prefix) :] if prefix in path else ""
    if request.query_string:
        url += "?" + request.query_string
    return url


def _plain(message: str, status: int) -> Response:
    return Response.text(message + "\n", status=status, headers=replay_headers(False))


async def replay(request: Any, datasette: Any) -> Response:
    ts = request.url_vars["ts"]
    url = _target(request, f"/{REPLAY_PREFIX}{ts}/")
    db = await archive_database(datasette)
    if db is None:
        return _plain("This Datasette serves no archive database.", 404)
    rows = (await db.execute(nearest_capture_sql, [url, iso_of_timestamp(ts)])).rows
    if not rows:
        return _plain(f"{url} is not in this archive.", 404)
    capture = dict(rows[0])
    originals: dict[str, dict | None] = {}
    if capture.get("record_type") == "revisit" and capture.get("refers_to"):
        found = (await db.execute("select * from captures where record_id = ?", [capture["refers_to"]])).rows
        originals[capture["refers_to"]] = dict(found[0]) if found else None
    directory = archive_dir(db)

    def build():
        snap = load_capture(directory, capture, lookup=originals.get)
        return replay_body(snap, prefix=datasette.urls.path("/" + REPLAY_PREFIX), timestamp=ts)

    try:
        body = await asyncio.to_thread(build)  # WARC reads, decompression and rewriting off the loop
    except CaptureError as exc:
        return _plain(str(exc), exc.status)
    headers = replay_headers(body.content_type.startswith(("text/html", "application/xhtml+xml")))
    if body.location:
        headers["Location"] = body.location
    return Response(body.body, status=body.status, headers=headers, content_type=body.content_type)


@hookimpl
def register_routes():
    return [(r"^/-/replay/(?P<ts>\d{14})/(?P<url>.+)$", replay)]
