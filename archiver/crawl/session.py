"""One crawl's archive: the WARC writer and the SQLite store behind one small interface.

The capture middleware and the item pipelines both talk to an
:class:`ArchiveSession`; it writes the WARC record first (the source of truth)
and then the row that indexes it, so the database never points at bytes that
are not on disk. Framework-free: Scrapy glue builds it from its settings.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any, Callable, Mapping

from archiver import SOFTWARE
from archiver.crawl import killpoint
from archiver.article import Article
from archiver.capture import Capture
from archiver.outlets import Outlet
from archiver.timestamps import new_crawl_id, utc_now, warc_time
from archiver.warc.formats import ARTICLE_JSON_TYPE, REQUISITES_JSON_TYPE, WALL_JSON_TYPE
from archiver.warc.exchange import HttpExchange
from archiver.warc.writer import RECONSTRUCTED_HEADER

__all__ = [
    "ArchiveSession",
    "OutputDirError",
    "prepare_out_dir",
    "record_version",
    "settings_digest",
    "ARTICLE_JSON_TYPE",
    "WALL_JSON_TYPE",
    "REQUISITES_JSON_TYPE",
]


class OutputDirError(OSError):
    """The output folder cannot be created or written; the message says which and why."""


def prepare_out_dir(out_dir: str | Path) -> Path:
    """Create ``out_dir`` and ``out_dir/warcs`` and prove they are writable.

    Checking before the first request turns a late, confusing write failure
    into an immediate message that names the folder.
    """
    out = Path(out_dir)
    try:
        (out / "warcs").mkdir(parents=True, exist_ok=True)
        probe = out / "warcs" / f".write-test-{os.getpid()}"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise OutputDirError(
            f"cannot write to output folder {str(out)!r}: {exc.strerror or exc}. "
            "Choose another --out folder or fix its permissions."
        ) from None
    return out


def settings_digest(settings: Mapping[str, Any]) -> str:
    """sha256 of the settings that shape a crawl, so two crawls can be compared."""
    blob = json.dumps(settings, sort_keys=True, default=str).encode()
    return "sha256:" + hashlib.sha256(blob).hexdigest()


class ArchiveSession:
    """WARC writer + store for one crawl of one outlet into ``out_dir``."""

    def __init__(
        self,
        out_dir: str | Path,
        outlet: Outlet,
        *,
        crawl_id: str | None = None,
        settings: Mapping[str, Any] | None = None,
        warc_prefix: str | None = None,
        warc_max_size: int = 1_000_000_000,
        shared_store: bool = False,
    ) -> None:
        from archiver.store import ArchiveDatabase
        from archiver.warc.writer import WarcWriter

        self.out_dir = prepare_out_dir(out_dir)
        self.outlet = outlet
        started = utc_now()
        self.crawl_id = crawl_id or new_crawl_id(outlet.name, started)
        self.settings = {"outlet": outlet.summary(), **dict(settings or {})}
        self.digest = settings_digest(self.settings)
        #: Called after each commit of rows: a distributed worker's ledger lets go of finished requests.
        self.after_commit: list[Callable[[], Any]] = []
        #: Re-crawl counters (``archiver/articles/new_versions``, ``.../unchanged``), added to the crawl's stats.
        self.counters: dict[str, int] = {}
        # Several outlets crawled in one process share one connection: two connections of one
        # thread would wait on each other's open batch (archiver/crawl/shared_store.py).
        self._shared = shared_store
        if shared_store:
            from archiver.crawl.shared_store import acquire

            self.store = acquire(self.out_dir / "archive.db")
        else:
            self.store = ArchiveDatabase(self.out_dir / "archive.db")
        self.store.start_crawl(
            crawl_id=self.crawl_id,
            outlet=outlet.name,
            started_at=started.isoformat(),
            software=SOFTWARE,
            settings_digest=self.digest,
            settings=self.settings,
        )
        self.writer = WarcWriter(
            self.out_dir / "warcs",
            warc_prefix or outlet.name,
            max_size=warc_max_size,
            warcinfo={
                "software": SOFTWARE,
                "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
                "isPartOf": self.crawl_id,
                "outlet": outlet.name,
                "crawl-id": self.crawl_id,
                "settings-digest": self.digest,
            },
        )

    def record_exchange(self, exchange: HttpExchange, *, any_url: bool = False) -> Capture | None:
        """Archive one HTTP exchange and index its response; ``None`` if none came.

        A response that leaves what the archive holds of its URL unchanged (a
        304, or the same payload again) is written as a ``revisit`` record
        (see :mod:`archiver.crawl.conditional`); with ``any_url`` (page requisites), so
        is a payload the archive holds under another URL.
        """
        revisit = self._revisit_of(exchange, any_url)
        capture: Capture | None
        if revisit is not None:
            capture = self.writer.write_revisit(
                url=exchange.url,
                request_bytes=exchange.request_bytes,
                response_head_bytes=revisit.response_head_bytes,
                fetched_at=exchange.fetched_at,
                refers_to_record_id=revisit.refers_to_record_id,
                refers_to_uri=revisit.refers_to_uri,
                refers_to_date=revisit.refers_to_date,
                payload_digest=revisit.payload_digest,
                payload_sha256=revisit.payload_sha256,
                ip=exchange.ip,
                profile=revisit.profile,
                extra_headers={RECONSTRUCTED_HEADER: "true"} if exchange.reconstructed else None,
            )
        else:
            capture = self.writer.write(exchange)
        killpoint.reached("warc_written")
        if capture is None or capture.status is None:
            return capture
        capture.crawl_id = self.crawl_id
        capture.outlet = self.outlet.name
        self._batch()
        self.store.add_capture(capture)
        return capture

    def held(self, url: str) -> Any:
        """What the archive holds of ``url`` (:class:`archiver.crawl.conditional.Held`), or ``None``."""
        from archiver.crawl.conditional import held_response

        return held_response(self.store, self.out_dir / "warcs", url)

    def _revisit_of(self, exchange: HttpExchange, any_url: bool) -> Any:
        """The :class:`archiver.crawl.conditional.Revisit` to write instead of the response, or ``None``."""
        from archiver.crawl.conditional import held_by_digest, revisit_for

        response_bytes = exchange.response_bytes
        if exchange.error or response_bytes is None:
            return None
        revisit = revisit_for(self.held(exchange.url), response_bytes)
        if revisit is None and any_url:
            held = held_by_digest(self.store, self.out_dir / "warcs", response_bytes)
            revisit = revisit_for(held, response_bytes)
        return revisit

    def record_requisites(self, rows: list[dict[str, Any]]) -> None:
        """Note which page needed which resource and what became of it, WARC first, then ``requisites``.

        One record per page and call (content type :data:`REQUISITES_JSON_TYPE`,
        ``WARC-Refers-To`` the page's capture), so ``reindex`` rebuilds the
        table and a snapshot holding the page holds the list.
        """
        from archiver.store.requisites import add_requisites, requisites_payload

        by_page: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_page.setdefault(row["page_record_id"], []).append(row)
        for page_id, page_rows in by_page.items():
            self.writer.write_conversion(
                url=page_rows[0].get("page_url") or "",
                refers_to=page_id,
                fetched_at=utc_now(),
                payload=requisites_payload(page_rows, crawl_id=self.crawl_id),
                content_type=REQUISITES_JSON_TYPE,
            )
        self._batch()
        add_requisites(self.store.db, [{**row, "crawl_id": self.crawl_id} for row in rows])

    def record_article(self, article: Article, capture: Capture) -> str | None:
        """Store a new version of the article when its clean text changed (see :func:`record_version`)."""
        self._batch()
        ident, version = record_version(
            self.writer, self.store, article, capture, outlet=self.outlet.name, crawl_id=self.crawl_id
        )
        if ident is not None:
            if version is None:
                key = "archiver/articles/unchanged"
            else:  # version 1 is an article the archive did not have; later ones are new versions
                key = "archiver/articles/new" if version == 1 else "archiver/articles/new_versions"
            self.counters[key] = self.counters.get(key, 0) + 1
            if (
                version is not None and version > 1
            ):  # the health figures tell a new article from an edited one
                key = "archiver/articles/changed"
                self.counters[key] = self.counters.get(key, 0) + 1
        return ident

    def flag_wall(self, capture: Capture, *, wall: str, evidence: str | None) -> None:
        """Mark a capture as a paywall/consent/captcha/denied page (a paywall's teaser is stored apart).

        The verdict goes into the WARC too (a record referring to the
        response), so a rebuild from the WARCs flags the same captures.
        """
        self._write_verdict(capture, {"wall": wall, "evidence": evidence}, WALL_JSON_TYPE)
        self.store.mark_wall(capture.record_id, wall=wall, evidence=evidence)

    def flag_needs_browser(self, capture: Capture, *, evidence: list[str]) -> None:
        """Mark a capture as a script-built shell; it gets no article row (see :mod:`archiver.crawl.browser`).

        Like a wall, the verdict goes into the WARC (a record referring to the
        response), so ``reindex`` flags the same captures.
        """
        from archiver.crawl.browser.records import NEEDS_BROWSER_JSON_TYPE

        self._write_verdict(capture, {"needs_browser": True, "evidence": evidence}, NEEDS_BROWSER_JSON_TYPE)
        self.store.mark_needs_browser(capture.record_id, evidence="; ".join(evidence))

    def _write_verdict(self, capture: Capture, verdict: dict[str, Any], content_type: str) -> None:
        """A JSON record referring to ``capture`` that says what the crawl judged it (WARC first, rows after)."""
        self.writer.write_conversion(
            url=capture.url,
            refers_to=capture.record_id,
            fetched_at=utc_now(),
            payload=json.dumps(verdict, ensure_ascii=False).encode(),
            content_type=content_type,
        )
        self._batch()

    def record_resource(self, page: Capture, *, url: str, payload: bytes, content_type: str) -> Capture:
        """Write a ``resource`` record concurrent to ``page`` (a rendered DOM, a screenshot) and index it."""
        from archiver.crawl.browser.records import resource_capture

        made = utc_now()
        location = self.writer.write_resource(
            url=url, concurrent_to=page.record_id, fetched_at=made, payload=payload, content_type=content_type
        )
        capture = resource_capture(
            location,
            url=url,
            fetched_at=warc_time(made),
            content_type=content_type,
            payload=payload,
            page=page,
        )
        capture.crawl_id, capture.outlet = self.crawl_id, self.outlet.name
        self._batch()
        self.store.add_capture(capture)
        return capture

    #: Seconds of rows grouped into one SQLite transaction (see :meth:`_batch`).
    COMMIT_INTERVAL = 1.0
    _batch_file: Path | None = None
    _batch_epoch = -1

    def _batch(self) -> None:
        """Group about a second of rows into one transaction (the store's writes nest as savepoints).

        A commit per row made SQLite the crawl's hot spot (bench/crawl.py). The
        WARC is still written before its rows; a kill loses at most the last
        second of rows, and resuming indexes the last WARC file again
        (archiver/crawl/resume.py). A batch never spans two WARC files.
        """
        conn = self.store.db.conn
        now = time.monotonic()
        # The batch's start and number live on the store: sessions sharing it share the batch.
        batch_start = getattr(self.store, "batch_start", 0.0)
        epoch = getattr(self.store, "batch_epoch", 0)
        if conn.in_transaction and (
            now - batch_start >= self.COMMIT_INTERVAL
            or (self._batch_epoch == epoch and self.writer.current_path != self._batch_file)
        ):
            self._commit()
        if not conn.in_transaction:
            conn.execute("BEGIN")
            self.store.batch_start = now
            self.store.batch_epoch = epoch = epoch + 1
        if self._batch_epoch != epoch:  # this session's first row in this batch
            self._batch_epoch = epoch
            self._batch_file = self.writer.current_path

    def flush(self) -> None:
        """Commit the rows of the current batch now (a crawl going idle: readers and writers see them)."""
        if self.store.db.conn.in_transaction:
            self._commit()

    def _commit(self) -> None:
        """Commit the batch, then tell whoever waits for rows to be on disk (:attr:`after_commit`)."""
        self.store.db.conn.commit()
        killpoint.reached("row_written")
        for callback in self.after_commit:
            callback()

    def close(self, stats: Mapping[str, Any] | None = None) -> None:
        """Close the WARC file and record the crawl's end and its counters."""
        from archiver.tools.health import record_crawl_stats

        self.flush()
        self.writer.close()
        finished = utc_now().isoformat()
        all_stats = {**self.counters, **{k: v for k, v in (stats or {}).items()}}
        self.store.finish_crawl(self.crawl_id, finished_at=finished, stats=all_stats)
        record_crawl_stats(self.store, self.crawl_id, self.outlet.name, all_stats, finished_at=finished)
        if self._shared:
            from archiver.crawl.shared_store import release

            release(self.store)
        else:
            self.store.close()
        self.write_index()

    def write_index(self) -> Path | None:
        """Write this crawl's CDXJ index, ``DIR/indexes/<crawl-id>.cdxj`` (derived, rebuildable)."""
        from archiver.warc.cdxj import write_crawl_index

        try:
            return write_crawl_index(self.out_dir, self.crawl_id, self.writer.files)
        except OSError as exc:
            logging.getLogger(__name__).error(
                "could not write the CDXJ index of crawl %s: %s; rebuild it with `archiver index %s`",
                self.crawl_id,
                exc,
                self.out_dir,
            )
            return None


def record_version(
    writer: Any, store: Any, article: Article, capture: Capture, *, outlet: str, crawl_id: str | None
) -> tuple[str | None, int | None]:
    """Write a changed clean text as a ``conversion`` record, then its version and ``articles`` row.

    The same text as the article's latest version writes nothing (a re-crawl
    of an unchanged page). The version number goes into the record, so
    ``reindex`` numbers versions as the crawl did. A paywall's teaser is an
    article marked partial (its wall and evidence are in the record, so
    ``reindex`` restores them). Returns the article id (``None`` for a wall
    that is not stored) and the new version's number (``None``: no new version).
    """
    from archiver.store import article_id

    if article.wall and not article.stored_as_article:  # not an article: the store notes the wall
        return store.add_article(
            article, capture, outlet=outlet, crawl_id=crawl_id, conversion_record_id=None
        ), None
    version = store.next_version(article)
    if version is None:
        return article_id(article.url), None
    converted = utc_now()
    payload = article_payload(article, capture, outlet=outlet, crawl_id=crawl_id, version=version)
    record_id, *_ = writer.write_conversion(
        url=capture.url,
        refers_to=capture.record_id,
        fetched_at=converted,
        payload=payload,
        content_type=ARTICLE_JSON_TYPE,
    )
    ident = store.add_article(
        article,
        capture,
        outlet=outlet,
        crawl_id=crawl_id,
        conversion_record_id=record_id,
        version=version,
        converted_at=warc_time(converted),
    )
    return ident, version


def article_payload(
    article: Article, capture: Capture, *, outlet: str, crawl_id: str | None, version: int | None = None
) -> bytes:
    """The JSON body of an article's ``conversion`` record; reindex reads it back."""
    doc: dict[str, Any] = {
        "article": article.to_dict(),
        "capture_record_id": capture.record_id,
        "outlet": outlet,
        "crawl_id": crawl_id,
    }
    if version is not None:
        doc["version"] = version
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
