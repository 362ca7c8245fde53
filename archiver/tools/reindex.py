"""Rebuild the database from WARC files alone: the WARCs are the source of truth.

``response`` and ``revisit`` records become ``captures`` rows; the
``conversion`` records that the crawl wrote with each article's clean text
become ``article_versions`` and ``articles`` rows. Records are read in file
order; a conversion read before its response (``archiver reclean`` writes into
a file of its own) waits until every file has been read. Damaged files are
reported (file, offset, record) and skipped past; everything else is indexed.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Iterable

from archiver.article import Article
from archiver.crawl.browser.records import NEEDS_BROWSER_JSON_TYPE, resource_capture_from_record
from archiver.warc.files import warc_files
from archiver.warc.formats import ARTICLE_JSON_TYPE, REQUISITES_JSON_TYPE, WALL_JSON_TYPE
from archiver.weburl import is_web_url

__all__ = ["reindex", "ReindexResult", "warc_files"]


@dataclasses.dataclass
class ReindexResult:
    files: int = 0
    captures: int = 0
    articles: int = 0
    errors: list[str] = dataclasses.field(default_factory=list)


def reindex(paths: Iterable[str | Path], db_path: str | Path) -> ReindexResult:
    """Index every record of the WARC files under ``paths`` into ``db_path``.

    Idempotent: running it twice over the same files changes nothing. A damaged
    stretch of a file is reported and reading goes on after it.
    """
    from archiver.store import ArchiveDatabase
    from archiver.warc.reader import capture_from_record, iter_records, verify_record

    result = ReindexResult()
    later: list[Any] = []  # conversions read before their response (e.g. a reclean file sorting first)
    with ArchiveDatabase(db_path) as archive, archive.transaction():
        for path in warc_files(paths):
            result.files += 1
            for record in iter_records(path, on_error=lambda err: result.errors.append(str(err))):
                digest_problems = verify_record(record)
                if digest_problems:  # altered bytes: report them, index nothing from them
                    result.errors.extend(f"{_where(record)}: {problem}" for problem in digest_problems)
                    continue
                kind = record.rec_type
                if kind in ("response", "revisit") and not is_web_url(record.target_uri):
                    # A hostile WARC's javascript:/data: target never becomes a row (nor a link).
                    result.errors.append(
                        f"{_where(record)}: WARC-Target-URI {str(record.target_uri)[:80]!r} is not an "
                        "http(s) URL; not indexed"
                    )
                    continue
                if kind in ("response", "revisit"):
                    archive.add_capture(capture_from_record(record, path.name))
                    result.captures += 1
                elif kind == "conversion" and record.content_type == ARTICLE_JSON_TYPE:
                    result.articles += _index_article(archive, record, result, later)
                elif kind in ("metadata", "conversion") and record.content_type == WALL_JSON_TYPE:
                    _index_wall(archive, record, result)
                elif kind == "conversion" and record.content_type == NEEDS_BROWSER_JSON_TYPE:
                    _index_needs_browser(archive, record, result)
                elif kind == "resource":
                    archive.add_capture(resource_capture_from_record(record, path.name))
                elif kind == "conversion" and record.content_type == REQUISITES_JSON_TYPE:
                    _index_requisites(archive, record, result)
        for record in later:
            result.articles += _index_article(archive, record, result)
    return result


def _where(record: Any) -> str:
    return f"{record.path}, offset {record.offset}, record {record.record_id}"


def _index_article(archive: Any, record: Any, result: ReindexResult, later: list[Any] | None = None) -> int:
    """Store the article version a conversion record holds; report it if it cannot be.

    The version number and date come from the record, so versions rebuild
    exactly whatever the file order. A record whose response is not indexed
    yet goes to ``later`` (when given) and is tried again after every file.
    """
    try:
        doc = json.loads(record.block)
        article = Article.from_dict(doc["article"])
    except (ValueError, KeyError, TypeError) as exc:
        result.errors.append(f"{_where(record)}: unreadable article JSON ({exc})")
        return 0
    if not is_web_url(article.url):
        result.errors.append(
            f"{_where(record)}: article URL {article.url[:80]!r} is not an http(s) URL; not indexed"
        )
        return 0
    capture = archive.capture(doc.get("capture_record_id") or record.header("WARC-Refers-To"))
    if capture is None and later is not None:
        later.append(record)
        return 0
    if capture is None:
        result.errors.append(f"{_where(record)}: refers to a response that is not in these WARCs")
        return 0
    archive.add_article(
        article,
        capture,
        outlet=doc.get("outlet"),
        crawl_id=doc.get("crawl_id"),
        conversion_record_id=record.record_id,
        version=doc.get("version"),
        converted_at=record.date,
    )
    return 1


def _index_requisites(archive: Any, record: Any, result: ReindexResult) -> None:
    """The ``requisites`` rows a page's requisites record lists, as the crawl wrote them."""
    from archiver.store.requisites import add_requisites, rows_from_payload

    try:
        add_requisites(archive.db, rows_from_payload(record.block))
    except (ValueError, TypeError) as exc:
        result.errors.append(f"{_where(record)}: unreadable requisites record ({exc})")


def _index_wall(archive: Any, record: Any, result: ReindexResult) -> None:
    """Flag the capture a wall record refers to, as the crawl did."""
    try:
        doc = json.loads(record.block)
        archive.mark_wall(record.header("WARC-Refers-To"), wall=doc["wall"], evidence=doc.get("evidence"))
    except (ValueError, KeyError, TypeError) as exc:
        result.errors.append(f"{_where(record)}: unreadable wall record ({exc})")


def _index_needs_browser(archive: Any, record: Any, result: ReindexResult) -> None:
    """Flag the capture a needs-browser record refers to, as the crawl did."""
    try:
        doc = json.loads(record.block)
        evidence = "; ".join(str(e) for e in doc["evidence"])
        archive.mark_needs_browser(record.header("WARC-Refers-To"), evidence=evidence)
    except (ValueError, KeyError, TypeError) as exc:
        result.errors.append(f"{_where(record)}: unreadable needs-browser record ({exc})")
