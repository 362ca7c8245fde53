"""Citations of archived articles: what a reader needs to find, and check, the text that was cited.

:func:`load_citation` gathers one :class:`Citation` from the archive database (original
and archived URL, title, authors, dates, payload and text digests, the newest snapshot
holding the capture), of the latest version or, with ``at``, of the version current
then. Each output format is one plain function of a :class:`Citation` (:func:`as_text`,
:func:`as_bibtex`, :func:`as_csl_json`, :func:`as_ris`, :func:`as_html`), side by side so
they stay consistent; :data:`FORMATS` maps their names. The citation's parts and why:
``docs/architecture.md``, "Indexes, snapshots, verification, citation".
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
import sqlite3
from pathlib import Path
from typing import Any, Callable

from archiver.store.columns import json_list
from archiver.timestamps import normalise_time, parse_time, timestamp14, warc_time

__all__ = [
    "DEFAULT_BASE_URL",
    "FORMATS",
    "CitationError",
    "Citation",
    "as_bibtex",
    "as_csl_json",
    "as_html",
    "as_ris",
    "as_text",
    "cite",
    "load_citation",
    "memento_url",
    "parse_moment",
]

#: Where ``archiver serve`` serves the archive (and so the memento routes) by default.
DEFAULT_BASE_URL = "http://127.0.0.1:8001"


class CitationError(Exception):
    """The article cannot be cited; the message says why and what to do."""


@dataclasses.dataclass
class Citation:
    """Everything a citation of one archived article version states."""

    article_id: str
    url: str
    title: str | None
    authors: list[str]
    outlet: str | None
    site_name: str | None
    published: str | None
    captured: str  # WARC-Date of the capture, ISO 8601 UTC
    archived_url: str
    payload_sha256: str | None
    text_sha256: str
    capture_record_id: str
    version: int | None = None
    versions: int | None = None
    snapshot_id: str | None = None
    #: sha256 of the full-page screenshot taken in browser mode (a WARC resource record), if any.
    screenshot_sha256: str | None = None

    @property
    def timestamp14(self) -> str:
        return timestamp14(self.captured)

    @property
    def container(self) -> str | None:
        """The publication's name: the site's own name, else the outlet's."""
        return self.site_name or self.outlet

    @property
    def captured_date(self) -> str:
        return self.captured[:10]

    @property
    def captured_iso(self) -> str:
        """Capture time to the second, ``YYYY-MM-DDThh:mm:ssZ``."""
        return self.captured[:19] + "Z"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# -- loading ----------------------------------------------------------------


def memento_url(base_url: str, timestamp14: str, url: str) -> str:
    """``<base>/<14 digits>/<url>``: the archived copy's address (RFC 7089 URI-M style)."""
    return f"{base_url.rstrip('/')}/{timestamp14}/{url}"


def parse_moment(value: str) -> str:
    """A ``--at`` value (14 digits, a date or an ISO 8601 time) as ISO UTC ``...%S.%fZ``."""
    try:
        return warc_time(parse_time(value))
    except ValueError:
        raise CitationError(
            f"cannot read the time {value!r}: use 14 digits (20240603120000), a date or an ISO 8601 time"
        ) from None


def _connect(db_path: Path) -> sqlite3.Connection:
    if not db_path.is_file():
        raise CitationError(
            f"no archive database at {db_path}: give --archive DIR (or --db FILE) of a crawled archive"
        )
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def _find_article(conn: sqlite3.Connection, ref: str) -> sqlite3.Row:
    from archiver.store import article_id

    ref = ref.strip()
    row = None
    if "://" in ref:
        row = conn.execute(
            "SELECT * FROM articles WHERE url = ? OR id = ?", [ref, article_id(ref)]
        ).fetchone()
    else:
        row = conn.execute("SELECT * FROM articles WHERE id = ?", [ref]).fetchone()
    if row is None:
        raise CitationError(
            f"no article {ref!r} in the archive: give an article id (16 hex digits) or its URL "
            "as stored (search for it in Datasette)"
        )
    return row


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]).fetchone()
        is not None
    )


def _version_at(conn: sqlite3.Connection, article: sqlite3.Row, at: str | None) -> sqlite3.Row | None:
    """The version current at ``at`` (or the latest), or None when there is no versions table."""
    if not _has_table(conn, "article_versions"):
        if at is not None:
            first = normalise_time(article["fetched_at"])
            if at < first:
                raise CitationError(
                    f"article {article['id']} was first captured at {article['fetched_at']}, "
                    f"after {at}: nothing to cite at that time"
                )
        return None
    versions = conn.execute(
        "SELECT * FROM article_versions WHERE article_id = ? ORDER BY version", [article["id"]]
    ).fetchall()
    if not versions:
        return None
    if at is None:
        return versions[-1]
    before = [v for v in versions if normalise_time(v["fetched_at"]) <= at]
    if not before:
        raise CitationError(
            f"article {article['id']} was first captured at {versions[0]['fetched_at']}, "
            f"after {at}: nothing to cite at that time"
        )
    return max(before, key=lambda v: (normalise_time(v["fetched_at"]), v["version"]))


def _snapshot_id(db_path: Path, capture_record_id: str) -> str | None:
    from archiver.tools.snapshot import snapshots_for

    found = snapshots_for(db_path.parent, capture_record_id)
    return found[-1]["id"] if found else None


def load_citation(
    archive: str | Path,
    article: str,
    *,
    at: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> Citation:
    """The citation of ``article`` (an id or a URL) in the archive at ``archive`` (a folder or a .db)."""
    from archiver.store import database_path

    db_path = database_path(archive)
    conn = _connect(db_path)
    try:
        return citation_from(conn, db_path, article, at=at, base_url=base_url)
    finally:
        conn.close()


def citation_from(
    conn: sqlite3.Connection,
    db_path: Path,
    article: str,
    *,
    at: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> Citation:
    """:func:`load_citation` over an open connection (Datasette's, through ``db.execute_fn``)."""
    moment = parse_moment(at) if at else None
    row_factory = conn.row_factory
    conn.row_factory = sqlite3.Row
    try:
        row = _find_article(conn, article)
        version = _version_at(conn, row, moment)
        meta: dict[str, Any] = {}
        if version is not None:
            try:
                meta = json.loads(version["metadata"] or "{}")
            except ValueError:
                meta = {}
            source = version
        else:
            keys = ("authors", "published", "site_name", "screenshot_sha256")
            meta = {k: row[k] for k in keys if k in row.keys()}
            source = row
        capture = conn.execute(
            "SELECT * FROM captures WHERE record_id = ?", [source["capture_record_id"]]
        ).fetchone()
    finally:
        conn.row_factory = row_factory
    captured = source["fetched_at"]
    citation = Citation(
        article_id=row["id"],
        url=source["url"] or row["url"],
        title=source["title"],
        authors=json_list(meta.get("authors")),
        outlet=row["outlet"],
        site_name=meta.get("site_name"),
        published=meta.get("published"),
        captured=captured,
        archived_url="",
        payload_sha256=capture["payload_sha256"] if capture is not None else None,
        text_sha256=source["text_sha256"],
        capture_record_id=source["capture_record_id"],
        version=version["version"] if version is not None else None,
        versions=row["versions"] if "versions" in row.keys() else None,
        snapshot_id=_snapshot_id(db_path, source["capture_record_id"]),
        screenshot_sha256=meta.get("screenshot_sha256"),
    )
    citation.archived_url = memento_url(base_url, citation.timestamp14, citation.url)
    return citation


# -- formats ----------------------------------------------------------------


def _fixity(c: Citation) -> str:
    parts = []
    if c.payload_sha256:
        parts.append(f"payload sha256:{c.payload_sha256}")
    parts.append(f"text sha256:{c.text_sha256}")
    if c.screenshot_sha256:
        parts.append(f"screenshot sha256:{c.screenshot_sha256}")
    if c.snapshot_id:
        parts.append(f"snapshot {c.snapshot_id}")
    return "; ".join(parts)


def _version_note(c: Citation) -> str:
    return (
        f"version {c.version} of {c.versions}"
        if c.version and c.versions
        else (f"version {c.version}" if c.version else "")
    )


def as_text(c: Citation) -> str:
    """A plain reference, then the fixity line a reader checks the archive against."""
    who = ", ".join(c.authors) + ". " if c.authors else ""
    title = f"\u201c{c.title}.\u201d " if c.title else ""
    where = f"{c.container}, " if c.container else ""
    when = f"{c.published[:10]}. " if c.published else ""
    version = f" ({_version_note(c)})" if c.version else ""
    return (
        f"{who}{title}{where}{when}{c.url}. Archived {c.captured_iso}{version}: {c.archived_url}.\n"
        f"Fixity: {_fixity(c)}."
    )


_BIBTEX_SPECIAL = re.compile(r"([&%$#_{}])")


def _bib(value: str) -> str:
    value = value.replace("\\", r"\textbackslash{}").replace("~", r"\textasciitilde{}").replace("^", r"\^{}")
    return _BIBTEX_SPECIAL.sub(r"\\\1", value)


def _bibtex_key(c: Citation) -> str:
    first = re.sub(r"[^a-z0-9]", "", (c.title or "article").split()[0].lower()) if c.title else "article"
    year = (c.published or c.captured)[:4]
    outlet = re.sub(r"[^a-z0-9]", "", (c.outlet or "news").lower())
    return f"{outlet}{year}{first}_{c.article_id[:8]}"


def as_bibtex(c: Citation) -> str:
    """A ``@misc`` entry (biblatex reads ``urldate``; the archived copy and digests go in ``note``)."""
    fields: list[tuple[str, str]] = []
    if c.authors:
        fields.append(("author", " and ".join("{" + _bib(a) + "}" for a in c.authors)))
    if c.title:
        fields.append(("title", "{" + _bib(c.title) + "}"))
    if c.container:
        fields.append(("howpublished", _bib(c.container)))
    if c.published:
        fields.append(("year", c.published[:4]))
        fields.append(("date", c.published[:10]))
    fields.append(("url", c.url))
    fields.append(("urldate", c.captured_date))
    note = f"Archived {c.captured_iso} at \\url{{{c.archived_url}}}"
    if c.version:
        note += f", {_version_note(c)}"
    fields.append(("note", f"{note}. {_bib(_fixity(c))}"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{_bibtex_key(c)},\n{body}\n}}"


def _date_parts(iso: str) -> dict[str, Any]:
    parts = [int(p) for p in re.findall(r"\d+", iso[:10])]
    return {"date-parts": [parts]}


def as_csl_json(c: Citation) -> str:
    """A CSL-JSON array of one ``article-newspaper`` item (Zotero, Pandoc, citeproc)."""
    item: dict[str, Any] = {
        "id": c.article_id,
        "type": "article-newspaper",
        "title": c.title,
        "author": [{"literal": a} for a in c.authors],
        "container-title": c.container,
        "URL": c.url,
        "accessed": _date_parts(c.captured),
        "archive": "news-archiver",
        "archive_location": c.archived_url,
        "note": _fixity(c) + (f"; {_version_note(c)}" if c.version else ""),
    }
    if c.published:
        item["issued"] = _date_parts(c.published)
    return json.dumps([{k: v for k, v in item.items() if v not in (None, [])}], ensure_ascii=False, indent=2)


def as_ris(c: Citation) -> str:
    """An RIS record (``TY  - NEWS``), lines ending CRLF as the format asks."""
    lines = [("TY", "NEWS")]
    if c.title:
        lines.append(("TI", c.title))
    lines += [("AU", a) for a in c.authors]
    if c.container:
        lines.append(("T2", c.container))
    if c.published:
        lines.append(("PY", c.published[:4]))
        lines.append(("DA", c.published[:10].replace("-", "/")))
    lines.append(("UR", c.url))
    lines.append(("Y2", c.captured_date.replace("-", "/")))
    lines.append(("L2", c.archived_url))
    lines.append(("N1", f"Archived {c.captured_iso} at {c.archived_url}. {_fixity(c)}"))
    lines.append(("ID", c.article_id))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


def as_html(c: Citation) -> str:
    """A Robust Links anchor: the original URL, with the archived copy and its date as data attributes."""
    from archiver.weburl import web_url

    # Only an http(s) URL is a link: a javascript: URL from a hostile WARC stays an attribute value.
    href = web_url(c.url) or web_url(c.archived_url)
    attrs = {
        **({"href": href} if href else {}),
        "data-originalurl": c.url,
        "data-versionurl": c.archived_url,
        "data-versiondate": c.captured_iso,
    }
    if c.screenshot_sha256:
        attrs["data-screenshot-sha256"] = c.screenshot_sha256
    rendered = " ".join(f'{k}="{html.escape(v, quote=True)}"' for k, v in attrs.items())
    return f"<a {rendered}>{html.escape(c.title or c.url)}</a>"


FORMATS: dict[str, Callable[[Citation], str]] = {
    "text": as_text,
    "bibtex": as_bibtex,
    "csl-json": as_csl_json,
    "ris": as_ris,
    "html": as_html,
}


def cite(
    archive: str | Path,
    article: str,
    *,
    fmt: str = "text",
    at: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> str:
    """The citation of ``article`` in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise CitationError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    return FORMATS[fmt](load_citation(archive, article, at=at, base_url=base_url))
