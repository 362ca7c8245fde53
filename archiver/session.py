"""One crawl's archive: the WARC writer and the SQLite store behind one small interface.

The capture middleware and the item pipelines both talk to an
:class:`ArchiveSession`; it writes the WARC record first (the source of truth)
and then the row that indexes it, so the database never points at bytes that
are not on disk. Framework-free: Scrapy glue builds it from its settings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any, Mapping

from archiver import SOFTWARE
from archiver.article import Article
from archiver.capture import Capture
from archiver.outlets import Outlet

__all__ = ["ArchiveSession", "OutputDirError", "prepare_out_dir", "settings_digest", "ARTICLE_JSON_TYPE", "WALL_JSON_TYPE"]

#: Content type of the ``conversion`` records that hold an article's clean text.
ARTICLE_JSON_TYPE = "application/vnd.news-archiver.article+json"
#: Content type of the records that flag a capture as a paywall/consent/captcha page.
WALL_JSON_TYPE = "application/vnd.news-archiver.wall+json"


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


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


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
    ) -> None:
        from archiver.store import Archive
        from archiver.warc.writer import WarcWriter

        self.out_dir = prepare_out_dir(out_dir)
        self.outlet = outlet
        started = _utc_now()
        self.crawl_id = crawl_id or f"{outlet.name}-{started:%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
        self.settings = {"outlet": outlet.summary(), **dict(settings or {})}
        self.digest = settings_digest(self.settings)
        self.store = Archive(self.out_dir / "archive.db")
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

    def record_exchange(
        self,
        *,
        url: str,
        request_bytes: bytes,
        response_bytes: bytes | None,
        fetched_at: dt.datetime,
        ip: str | None = None,
        error: str | None = None,
        reconstructed: bool = False,
    ) -> Capture | None:
        """Archive one HTTP exchange and index its response; ``None`` if none came."""
        capture = self.writer.write_exchange(
            url=url,
            request_bytes=request_bytes,
            response_bytes=response_bytes,
            fetched_at=fetched_at,
            ip=ip,
            error=error,
            reconstructed=reconstructed,
        )
        if capture is None or capture.status is None:
            return capture
        capture.crawl_id = self.crawl_id
        capture.outlet = self.outlet.name
        self.store.add_capture(capture)
        return capture

    def record_article(self, article: Article, capture: Capture) -> str:
        """Write the clean text as a ``conversion`` record, then its ``articles`` row."""
        payload = article_payload(article, capture, outlet=self.outlet.name, crawl_id=self.crawl_id)
        record_id, *_ = self.writer.write_conversion(
            url=capture.url,
            refers_to=capture.record_id,
            fetched_at=_utc_now(),
            payload=payload,
            content_type=ARTICLE_JSON_TYPE,
        )
        return self.store.add_article(
            article,
            capture,
            outlet=self.outlet.name,
            crawl_id=self.crawl_id,
            conversion_record_id=record_id,
        )

    def flag_wall(self, capture: Capture, *, wall: str, evidence: str | None) -> None:
        """Mark a capture as a paywall/consent/captcha/denied page; it gets no article row.

        The verdict goes into the WARC too (a record referring to the
        response), so a rebuild from the WARCs flags the same captures.
        """
        payload = json.dumps({"wall": wall, "evidence": evidence}, ensure_ascii=False).encode()
        self.writer.write_conversion(
            url=capture.url, refers_to=capture.record_id, fetched_at=_utc_now(),
            payload=payload, content_type=WALL_JSON_TYPE,
        )
        self.store.mark_wall(capture.record_id, wall=wall, evidence=evidence)

    def close(self, stats: Mapping[str, Any] | None = None) -> None:
        """Close the WARC file and record the crawl's end and its counters."""
        self.writer.close()
        self.store.finish_crawl(
            self.crawl_id,
            finished_at=_utc_now().isoformat(),
            stats={k: v for k, v in (stats or {}).items()},
        )
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
                self.crawl_id, exc, self.out_dir,
            )
            return None


def article_payload(article: Article, capture: Capture, *, outlet: str, crawl_id: str | None) -> bytes:
    """The JSON body of an article's ``conversion`` record; reindex reads it back."""
    doc = {
        "article": article.to_dict(),
        "capture_record_id": capture.record_id,
        "outlet": outlet,
        "crawl_id": crawl_id,
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
