"""Memento (RFC 7089) routes: archived pages by original URL and time, and the list of captures.

``/<14 digits>/<url>`` serves the memento closest to that time (a 302 to its own URI-M
when its timestamp differs), ``/timegate/<url>`` redirects by ``Accept-Datetime``,
``/timemap/<url>`` lists every capture. Archived HTML must never run in Datasette's
origin: mementos are sandboxed and pass on no archived header but the content type.
Templates get ``cite(article, format="text", at=None)`` (see :mod:`archiver.tools.cite`),
rooted at this Datasette's own origin. Each route's answer in full: "Indexes, snapshots,
verification, citation" in ``docs/architecture.md``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from datasette import hookimpl
from datasette.utils.asgi import Response

from archiver.timestamps import parse_time

#: The policy every memento is served with: sandboxed, no scripts, nothing fetched off the archive.
MEMENTO_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'"
LINK_FORMAT = "application/link-format"


# -- finding captures ---------------------------------------------------------


def _iso_to_datetime(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(dt.timezone.utc)


def _ts14(iso: str) -> str:
    return "".join(ch for ch in iso if ch.isdigit())[:14]


def _http_date(iso: str) -> str:
    return email.utils.format_datetime(_iso_to_datetime(iso).replace(microsecond=0), usegmt=True)


def _ts_to_datetime(ts: str) -> dt.datetime:
    return parse_time(ts)


def _url_variants(url: str) -> list[str]:
    """The URL as asked, then with/without a trailing slash and the other scheme (how captures are keyed)."""
    variants = [url]
    if "?" not in url:
        variants.append(url[:-1] if url.endswith("/") else url + "/")
    for variant in list(variants):
        for a, b in (("http://", "https://"), ("https://", "http://")):
            if variant.startswith(a):
                variants.append(b + variant[len(a) :])
    return list(dict.fromkeys(variants))


async def _archive(datasette: Any) -> Any | None:
    from archiver.serve.site import archive_database

    return await archive_database(datasette)


async def _captures(db: Any, url: str) -> list[dict]:
    """Every replayable capture (response or revisit with a status) of ``url``, oldest first."""
    for candidate in _url_variants(url):
        result = await db.execute(
            "select * from captures where url = ? and status is not null "
            "and record_type in ('response', 'revisit') order by fetched_at, record_id",
            [candidate],
        )
        if result.rows:
            return [dict(r) for r in result.rows]
    return []


def _closest(captures: list[dict], moment: dt.datetime) -> dict:
    """The capture nearest ``moment`` (the earlier one on a tie), as Wayback machines choose."""
    return min(
        captures,
        key=lambda c: (abs((_iso_to_datetime(c["fetched_at"]) - moment).total_seconds()), c["fetched_at"]),
    )


def _target(request: Any, prefix: str) -> str:
    """The archived URL after ``prefix`` in the request path, raw (still percent-encoded), with its query."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.path
    url = path[path.index(prefix) + len(prefix) :] if prefix in path else path.lstrip("/")
    if request.query_string:
        url += "?" + request.query_string
    return url


# -- responses ----------------------------------------------------------------


def _links(datasette: Any, request: Any, url: str, captures: list[dict] | None = None) -> str:
    base = f"{request.scheme}://{request.host}"
    parts = [
        f'<{url}>; rel="original"',
        f'<{base}{datasette.urls.path("/timegate/" + url)}>; rel="timegate"',
        f'<{base}{datasette.urls.path("/timemap/" + url)}>; rel="timemap"; type="{LINK_FORMAT}"',
    ]
    if captures:
        for rel, capture in (("first memento", captures[0]), ("last memento", captures[-1])):
            parts.append(
                f'<{base}{_memento_path(datasette, capture)}>; rel="{rel}"; '
                f'datetime="{_http_date(capture["fetched_at"])}"'
            )
    return ", ".join(parts)


def _memento_path(datasette: Any, capture: dict) -> str:
    return datasette.urls.path(f"/{_ts14(capture['fetched_at'])}/{capture['url']}")


def _not_found(message: str) -> Response:
    return Response.text(message + "\n", status=404, headers={"X-Content-Type-Options": "nosniff"})


async def memento(request: Any, datasette: Any) -> Response:
    """``/<14 digits>/<url>``: the memento of ``url`` closest to that time."""
    ts = request.url_vars["ts"]
    url = _target(request, f"/{ts}/")
    db = await _archive(datasette)
    if db is None:
        return _not_found("This Datasette serves no archive database.")
    captures = await _captures(db, url)
    if not captures:
        return _not_found(f"{url} is not in this archive. Its captures would be listed at /timemap/{url}")
    try:
        moment = _ts_to_datetime(ts)
    except ValueError:
        return Response.text(f"{ts} is not a valid 14-digit UTC timestamp (YYYYMMDDhhmmss)\n", status=400)
    # A capture of that very second is the one asked for (its URI-M names it),
    # even when another capture a fraction of a second earlier is nearer.
    same_second = [c for c in captures if _ts14(c["fetched_at"]) == ts]
    capture = _closest(same_second or captures, moment)
    links = _links(datasette, request, url, captures)
    if _ts14(capture["fetched_at"]) != ts or capture["url"] != url:
        return Response(
            "",
            status=302,
            headers={"Location": _memento_path(datasette, capture), "Link": links, "Vary": "accept-datetime"},
        )
    return await _serve(datasette, db, capture, links)


async def _serve(datasette: Any, db: Any, capture: dict, links: str) -> Response:
    from archiver.serve.site import archive_dir
    from archiver.serve.capture import CaptureError, load_capture

    lookup_rows: dict[str, dict | None] = {}
    if capture.get("record_type") == "revisit" and capture.get("refers_to"):
        result = await db.execute("select * from captures where record_id = ?", [capture["refers_to"]])
        lookup_rows[capture["refers_to"]] = dict(result.rows[0]) if result.rows else None
    try:
        snap = await asyncio.to_thread(load_capture, archive_dir(db), capture, lookup=lookup_rows.get)
    except CaptureError as exc:
        return Response.text(f"{exc}\n", status=exc.status, headers={"X-Content-Type-Options": "nosniff"})
    status = snap.status or 200
    if capture.get("record_type") == "revisit" and snap.revisit_of is not None:
        status = snap.revisit_of.get("status") or 200  # a 304 or same-payload revisit replays the original
    headers = {
        "Content-Security-Policy": MEMENTO_CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Memento-Datetime": _http_date(capture["fetched_at"]),
        "Link": links,
    }
    if 300 <= status < 400:
        location = next((v for k, v in snap.headers if k.lower() == "location"), None)
        if location:
            target = urljoin(capture["url"], location)
            headers["Location"] = datasette.urls.path(f"/{_ts14(capture['fetched_at'])}/{target}")
    return Response(snap.body, status=status, headers=headers, content_type=snap.served_content_type)


async def _captures_of(datasette: Any, url: str) -> list[dict[str, Any]]:
    """Every capture of ``url`` in the served archive, oldest first ([] without an archive)."""
    db = await _archive(datasette)
    return await _captures(db, url) if db is not None else []


async def timegate(request: Any, datasette: Any) -> Response:
    """``/timegate/<url>``: redirect to the memento closest to ``Accept-Datetime`` (latest without it)."""
    url = _target(request, "/timegate/")
    captures = await _captures_of(datasette, url)
    if not captures:
        return _not_found(f"{url} is not in this archive.")
    wanted = request.headers.get("accept-datetime")
    if wanted:
        try:
            moment = email.utils.parsedate_to_datetime(wanted).astimezone(dt.timezone.utc)
        except (TypeError, ValueError):
            return Response.text(
                "Accept-Datetime must be an HTTP date, e.g. Tue, 04 Jun 2024 10:00:00 GMT\n", status=400
            )
        capture = _closest(captures, moment)
    else:
        capture = captures[-1]
    return Response(
        "",
        status=302,
        headers={
            "Location": _memento_path(datasette, capture),
            "Vary": "accept-datetime",
            "Link": _links(datasette, request, url, captures),
        },
    )


async def timemap(request: Any, datasette: Any) -> Response:
    """``/timemap/<url>``: every capture of ``url`` in link format (RFC 7089 section 5)."""
    url = _target(request, "/timemap/")
    captures = await _captures_of(datasette, url)
    if not captures:
        return _not_found(f"{url} is not in this archive.")
    base = f"{request.scheme}://{request.host}"
    lines = [
        f'<{url}>; rel="original"',
        f'<{base}{datasette.urls.path("/timegate/" + url)}>; rel="timegate"',
        f'<{base}{datasette.urls.path("/timemap/" + url)}>; rel="self"; type="{LINK_FORMAT}"; '
        f'from="{_http_date(captures[0]["fetched_at"])}"; until="{_http_date(captures[-1]["fetched_at"])}"',
    ]
    for n, capture in enumerate(captures):
        rel = "memento"
        if n == 0:
            rel = "first memento"
        if n == len(captures) - 1:
            rel = "last memento" if n else "first last memento"
        lines.append(
            f'<{base}{_memento_path(datasette, capture)}>; rel="{rel}"; '
            f'datetime="{_http_date(capture["fetched_at"])}"'
        )
    return Response(
        ",\n".join(lines) + "\n",
        status=200,
        headers={"X-Content-Type-Options": "nosniff"},
        content_type=LINK_FORMAT,
    )


@hookimpl
def register_routes():
    return [
        (r"^/(?P<ts>\d{14})/(?P<url>.+)\Z", memento),
        (r"^/timegate/(?P<url>.+)\Z", timegate),
        (r"^/timemap/(?P<url>.+)\Z", timemap),
    ]


# -- citation in templates ------------------------------------------------------


@hookimpl
def extra_template_vars(datasette, database, request):
    async def cite(article: str, format: str = "text", at: str | None = None) -> str:  # noqa: A002 (template name)
        """The citation of ``article`` (id or URL) in ``format``; '' when it cannot be made.

        Async, through Datasette's read connection (``execute_fn``), so a page that cites does not
        block the event loop; Jinja awaits it in templates.
        """
        from archiver.serve.site import archive_database
        from archiver.tools.cite import FORMATS, CitationError, citation_from

        db = await archive_database(datasette, prefer=database)
        if db is None or not db.path or format not in FORMATS:
            return ""
        base = f"{request.scheme}://{request.host}" if request is not None else "http://127.0.0.1:8001"
        try:
            citation = await db.execute_fn(
                lambda conn: citation_from(conn, Path(db.path), article, at=at, base_url=base)
            )
        except CitationError:
            return ""
        return FORMATS[format](citation)

    return {"cite": cite}
