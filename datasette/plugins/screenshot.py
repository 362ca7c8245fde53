"""Screenshots of browser captures: ``/-/screenshot/<capture>.png``.

A page captured in browser mode has a full-page PNG in a WARC ``resource``
record (see :mod:`archiver.crawl.browser`). This route reads that record, checks
that it is a PNG, and serves it as an image only: ``image/png`` with
``nosniff`` and a CSP that allows nothing, so a hostile record cannot become
a page in the archive's origin. The article page shows it as a thumbnail
that opens full size.
"""

from __future__ import annotations

import asyncio

from datasette import hookimpl
from datasette.utils.asgi import Response

from archiver.serve.site import archive_database, archive_dir
from archiver.serve.capture import CaptureError, slug_record_id, warc_path
from archiver.warc.reader import WarcError, read_record_at

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HEADERS = {
    "content-security-policy": "default-src 'none'; sandbox",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "public, max-age=86400",
}


async def screenshot(datasette, request):
    """The PNG of one screenshot record, or a 404 that says why there is none."""
    db = await archive_database(datasette)
    if db is None:
        return Response.text("This Datasette serves no archive database.", status=404)
    ids = slug_record_id(request.url_vars["slug"])
    marks = ", ".join("?" for _ in ids)
    row = (
        await db.execute(
            f"select record_id, warc_file, offset from captures where record_id in ({marks}) "
            "and record_type = 'resource' and content_type = 'image/png' limit 1",
            ids,
        )
    ).first()
    if row is None:
        return Response.text("No screenshot with this id in the archive.", status=404)
    directory = archive_dir(db)

    def read() -> bytes:
        record = read_record_at(warc_path(directory, row["warc_file"]), int(row["offset"]))
        if record.record_id != row["record_id"]:
            raise CaptureError("the index is stale: run `archiver reindex`", status=500)
        return record.block

    try:
        body = await asyncio.to_thread(read)
    except (WarcError, CaptureError, ValueError, OSError) as exc:
        return Response.text(f"Cannot read this screenshot: {exc}", status=500)
    if not body.startswith(PNG_MAGIC):
        return Response.text("This screenshot record does not hold a PNG image.", status=422)
    return Response(body, status=200, headers=HEADERS, content_type="image/png")


@hookimpl
def register_routes():
    return [(r"^/-/screenshot/(?P<slug>[0-9a-fA-F-]+)\.png$", screenshot)]
