"""``archiver reclean``: re-derive every article's text with the current cleaner, as new versions.

The cleaner improves; the archived bytes do not change. Recleaning runs today's
:func:`archiver.clean.extract` on each article's latest capture, read back from the WARC,
and writes a new version where the text differs; running it twice changes nothing the
second time. What is written and where: "Re-crawls, revisits and versions" in
``docs/architecture.md``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Callable

from archiver import SOFTWARE
from archiver.article import Article

__all__ = ["RecleanError", "RecleanResult", "reclean", "RECLEAN_PREFIX"]

#: File name prefix of the WARC files reclean writes.
RECLEAN_PREFIX = "reclean"


class RecleanError(Exception):
    """The archive cannot be recleaned at all; the message says why and what to do."""


@dataclasses.dataclass
class RecleanResult:
    """What a reclean did: articles checked, new versions, unchanged, skipped, and problems."""

    checked: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[str] = dataclasses.field(default_factory=list)
    warc_files: list[str] = dataclasses.field(default_factory=list)


class _Outlets:
    """Outlet definitions by name, loaded once; an unknown outlet is remembered as an error."""

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        from archiver.outlets import OutletError, load_outlet

        if name not in self._cache:
            try:
                self._cache[name] = load_outlet(name)
            except OutletError as exc:
                self._cache[name] = exc
        found = self._cache[name]
        if isinstance(found, Exception):
            raise found
        return found


def reclean(
    out_dir: str | Path,
    *,
    outlet: str | None = None,
    extract: Callable[..., Article] | None = None,
) -> RecleanResult:
    """Reclean the articles of the archive folder ``out_dir`` (only ``outlet``'s when given).

    ``extract`` replaces :func:`archiver.clean.extract` (same signature);
    tests use it to stand for a changed cleaner. Per-article problems (a
    capture missing from the WARCs, an outlet file gone) are collected in
    :attr:`RecleanResult.errors`; the other articles are still recleaned.
    """
    from archiver.crawl.session import record_version
    from archiver.store import ArchiveDatabase, database_path

    from archiver.clean import extract as current_extract

    extract = extract or current_extract
    out = Path(out_dir)
    if not database_path(out).is_file():
        raise RecleanError(f"no archive database in {out}: give the folder a crawl wrote (--out DIR)")
    result = RecleanResult()
    outlets = _Outlets()
    writer: Any = None
    with ArchiveDatabase(out) as archive:
        for row in _articles(archive, out, outlet):
            result.checked += 1
            found = _new_text(archive, out, row, outlets, extract, result)
            if found is None:
                continue
            article, capture = found
            writer = writer or _version_writer(out)
            record_version(writer, archive, article, capture, outlet=row[2], crawl_id=capture.crawl_id)
            result.changed += 1
    if writer is not None:
        writer.close()
        result.warc_files = [path.name for path in writer.files]
    return result


def _articles(archive: Any, out: Path, outlet: str | None) -> list[tuple[str, str, str, str]]:
    """(id, url, outlet, capture record id) of the articles to reclean, by id."""
    where, params = ("WHERE outlet = ?", [outlet]) if outlet else ("", [])
    rows = archive.db.execute(
        f"SELECT id, url, outlet, capture_record_id FROM articles {where} ORDER BY id", params
    ).fetchall()
    if outlet and not rows:
        raise RecleanError(
            f"no articles of outlet {outlet!r} in {out}; check the name with `archiver outlets`"
        )
    return rows


def _new_text(
    archive: Any,
    out: Path,
    row: tuple[str, str, str, str],
    outlets: _Outlets,
    extract: Callable[..., Article],
    result: RecleanResult,
) -> tuple[Article, Any] | None:
    """The article re-derived from its capture, with the capture, when its text is a new version.

    None otherwise, counted in ``result``: an error, a wall or empty text, or the same text.
    """
    from archiver.crawl.conditional import held_capture
    from archiver.outlets import OutletError
    from archiver.warc import HttpParseError, decode_body

    ident, url, outlet_name, capture_id = row
    capture = archive.capture(capture_id)
    held = held_capture(archive, out / "warcs", capture) if capture is not None else None
    if held is None:
        result.errors.append(
            f"article {ident} ({url}): its capture {capture_id} cannot be read "
            "from the WARCs; run `archiver verify` on the archive"
        )
        return None
    try:
        definition = outlets.get(outlet_name)
        body = decode_body(held.record.http)
    except (OutletError, HttpParseError) as exc:
        result.errors.append(f"article {ident} ({url}): {exc}")
        return None
    article = extract(
        body, url, keep_selectors=definition.body_selectors, remove_selectors=definition.remove_selectors
    )
    if not article.text or (article.wall and not article.stored_as_article):
        result.skipped += 1  # the old text stays the current version
        return None
    if article.wall:  # a paywall's teaser, evidence as the crawl wrote it
        status = f"HTTP {capture.status}" if capture is not None and capture.status else None
        article.wall_evidence = "; ".join(e for e in (status, article.wall_evidence) if e)
    if archive.next_version(article) is None:
        result.unchanged += 1
        return None
    return article, capture


def _version_writer(out: Path) -> Any:
    """The WARC writer of this run's conversion records (``warcs/reclean-*``), opened on first use."""
    from archiver.clean import EXTRACTOR_NAME, EXTRACTOR_VERSION
    from archiver.warc.writer import WarcWriter

    return WarcWriter(
        out / "warcs",
        RECLEAN_PREFIX,
        warcinfo={
            "software": SOFTWARE,
            "operation": "reclean",
            "extractor": EXTRACTOR_NAME,
            "extractor-version": EXTRACTOR_VERSION,
        },
    )
