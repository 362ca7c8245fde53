"""Snapshot view: an archived response, read from its WARC record, shown safely.

``/-/snapshot/<capture>`` is a page of ours describing the capture and
framing it in ``<iframe sandbox>`` (no scripts, no same-origin);
``/-/snapshot/<capture>/raw`` sends the archived body (content-encoding
undone) with ``Content-Security-Policy: sandbox; default-src 'none'; ...`` so
it runs nothing even when opened directly, and non-HTML as a download with
the captured content type. ``<capture>`` is the UUID of the capture's WARC
record id (see :func:`archiver.ui.snapshot.record_slug`).
"""

from __future__ import annotations

import asyncio

from datasette import hookimpl
from datasette.utils.asgi import Response

from archiver.ui.site import archive_database, archive_dir, has_plugin, not_found, replay_link, timestamp14
from archiver.ui.replay import requisites_context
from archiver.ui.snapshot import SnapshotError, load_snapshot, record_slug, slug_record_id


async def _capture(db, record_ids: list[str]) -> dict | None:
    marks = ", ".join("?" for _ in record_ids)
    rows = (await db.execute(f"select * from captures where record_id in ({marks}) limit 1", record_ids)).rows
    return dict(rows[0]) if rows else None


async def _snapshot(datasette, slug: str):
    db = await archive_database(datasette)
    if db is None:
        raise SnapshotError("This Datasette serves no archive database (no articles table).")
    capture = await _capture(db, slug_record_id(slug))
    if capture is None:
        raise SnapshotError(f"No capture {slug} in this archive.")
    originals: dict[str, dict | None] = {}
    if capture.get("record_type") == "revisit" and capture.get("refers_to"):
        originals[capture["refers_to"]] = await _capture(db, [capture["refers_to"]])
    directory = archive_dir(db)

    def read():
        return load_snapshot(directory, capture, lookup=originals.get)

    return db, await asyncio.to_thread(read)  # file reads and decompression off the event loop


async def snapshot_raw(datasette, request):
    """The archived body, sandboxed by CSP; a download for anything but HTML."""
    try:
        _db, snap = await _snapshot(datasette, request.url_vars["slug"])
    except SnapshotError as exc:
        return Response.text(str(exc), status=exc.status)
    return Response(
        snap.body, status=200, headers=dict(snap.raw_headers()), content_type=snap.served_content_type
    )


async def snapshot_page(datasette, request):
    """Our page about one capture: facts, captured headers, links, and the framed snapshot."""
    slug = request.url_vars["slug"]
    try:
        db, snap = await _snapshot(datasette, slug)
    except SnapshotError as exc:
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
        "raw_url": f"{base}-/snapshot/{record_slug(capture['record_id'])}/raw",
        "article": dict(article) if article else None,
        "article_url": datasette.urls.row(db.name, "articles", article["id"]) if article else None,
        "replay_url": replay_link(datasette, url=capture["url"], timestamp=stamp),
        "memento_url": f"{base}{stamp}/{capture['url']}" if has_plugin("memento.py") else None,
        "original_url": capture["url"],
        "database": db.name,
        **await requisites_context(db, capture["record_id"]),
        "frame_url": f"{base}-/replay/{stamp}/{capture['url']}" if has_plugin("replay.py") else None,
    }
    return Response.html(await datasette.render_template("snapshot.html", context, request=request))


@hookimpl
def register_routes():
    return [
        (r"^/-/snapshot/(?P<slug>[^/]+)/raw$", snapshot_raw),
        (r"^/-/snapshot/(?P<slug>[^/]+)$", snapshot_page),
    ]
