"""Capture view: an archived response, read from its WARC record, shown safely.

``/-/capture/<capture>`` is a page of ours describing the capture and
framing it in ``<iframe sandbox>`` (no scripts, no same-origin);
``/-/capture/<capture>/raw`` sends the archived body (content-encoding
undone) with ``Content-Security-Policy: sandbox; default-src 'none'; ...`` so
it runs nothing even when opened directly, and non-HTML as a download with
the captured content type. ``<capture>`` is the UUID of the capture's WARC
record id (see :func:`archiver.serve.capture.record_slug`). The old
``/-/snapshot/...`` routes redirect here ("snapshot" names a WACZ package).
"""

from __future__ import annotations

import asyncio

from datasette import hookimpl
from datasette.utils.asgi import Response

from archiver.serve.capture import CaptureError, load_capture, record_slug, slug_record_id
from archiver.serve.replay import requisites_context
from archiver.serve.site import archive_database, archive_dir, has_plugin, not_found, replay_link
from archiver.timestamps import timestamp14


async def _capture(db, record_ids: list[str]) -> dict | None:
    marks = ", ".join("?" for _ in record_ids)
    rows = (await db.execute(f"select * from captures where record_id in ({marks}) limit 1", record_ids)).rows
    return dict(rows[0]) if rows else None


async def _load(datasette, slug: str):
    db = await archive_database(datasette)
    if db is None:
        raise CaptureError("This Datasette serves no archive database (no articles table).")
    capture = await _capture(db, slug_record_id(slug))
    if capture is None:
        raise CaptureError(f"No capture {slug} in this archive.")
    originals: dict[str, dict | None] = {}
    if capture.get("record_type") == "revisit" and capture.get("refers_to"):
        originals[capture["refers_to"]] = await _capture(db, [capture["refers_to"]])
    directory = archive_dir(db)

    def read():
        return load_capture(directory, capture, lookup=originals.get)

    return db, await asyncio.to_thread(read)  # file reads and decompression off the event loop


async def capture_raw(datasette, request):
    """The archived body, sandboxed by CSP; a download for anything but HTML."""
    try:
        _db, snap = await _load(datasette, request.url_vars["slug"])
    except CaptureError as exc:
        return Response.text(str(exc), status=exc.status)
    return Response(
        snap.body, status=200, headers=dict(snap.raw_headers()), content_type=snap.served_content_type
    )


async def capture_page(datasette, request):
    """Our page about one capture: facts, captured headers, links, and the framed archived page."""
    slug = request.url_vars["slug"]
    try:
        db, snap = await _load(datasette, slug)
    except CaptureError as exc:
        return await not_found(datasette, request, f"Cannot show this capture: {exc}", status=exc.status)
    capture = snap.capture
    article = (
        await db.execute(
            "select id, title from articles where capture_record_id = ? limit 1", [capture["record_id"]]
        )
    ).first()
    base = datasette.urls.path("")
    stamp = timestamp14(capture["fetched_at"])
    context = {
        "capture": capture,
        "snap": snap,
        "slug": record_slug(capture["record_id"]),
        "raw_url": f"{base}-/capture/{record_slug(capture['record_id'])}/raw",
        "article": dict(article) if article else None,
        "article_url": datasette.urls.row(db.name, "articles", article["id"]) if article else None,
        "replay_url": replay_link(datasette, url=capture["url"], timestamp=stamp),
        "memento_url": f"{base}{stamp}/{capture['url']}" if has_plugin("memento.py") else None,
        "original_url": capture["url"],
        "database": db.name,
        **await requisites_context(db, capture["record_id"]),
        "frame_url": f"{base}-/replay/{stamp}/{capture['url']}" if has_plugin("replay.py") else None,
    }
    return Response.html(await datasette.render_template("capture.html", context, request=request))


async def old_route(datasette, request):
    """``/-/snapshot/<capture>[/raw]``, the capture view's first name: a permanent redirect."""
    rest = "/raw" if request.path.endswith("/raw") else ""
    return Response.redirect(datasette.urls.path(f"/-/capture/{request.url_vars['slug']}{rest}"), status=301)


@hookimpl
def register_routes():
    return [
        (r"^/-/capture/(?P<slug>[^/]+)/raw\Z", capture_raw),
        (r"^/-/capture/(?P<slug>[^/]+)\Z", capture_page),
        (r"^/-/snapshot/(?P<slug>[^/]+)(?:/raw)?\Z", old_route),
    ]
