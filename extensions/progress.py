"""Crawl progress for people and for cron: a live line, JSON logs, summary figures.

:class:`ProgressExtension` redraws one line on stderr every second while a crawl runs on a
terminal (pages, articles, size, errors, speed, queue), clearing it before any log record
so the two do not garble each other. With ``ARCHIVER_JSON_LOG`` every log record is one
JSON object per line (:func:`install_json_logging`), which log collectors parse without
regexes. The CLI maps ``--quiet`` and ``--json-log`` to the settings
(:func:`progress_settings`); the settings: "Scrapy components" in ``docs/architecture.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
from typing import Any, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archiver.extensions.archive import session_or_none
from archiver.defaults import DEFAULTS

__all__ = [
    "JsonFormatter",
    "ProgressExtension",
    "Snapshot",
    "format_line",
    "install_json_logging",
    "progress_settings",
    "summary_rows",
]

_CLEAR = "\r\x1b[K"


#: Scrapy's log level for the CLI's ``-v`` count: by default warnings only (the progress line and
#: the summary table say the rest); ``-v`` Scrapy's log with its stats dump; ``-vv`` its debug log.
VERBOSITY_LOG_LEVELS = ("WARNING", "INFO", "DEBUG")


def progress_settings(*, quiet: bool = False, json_log: bool = False, verbose: int = 0) -> dict[str, Any]:
    """Scrapy settings for the CLI's ``-v``, ``--quiet`` (warnings and errors only, no line) and ``--json-log``.

    ``--json-log`` keeps Scrapy's INFO lines (log collectors want them) unless ``--quiet``.
    """
    level = VERBOSITY_LOG_LEVELS[min(verbose, len(VERBOSITY_LOG_LEVELS) - 1)]
    settings: dict[str, Any] = {"LOG_LEVEL": "INFO" if json_log and not verbose else level}
    if quiet:
        settings.update(LOG_LEVEL="WARNING", ARCHIVER_PROGRESS=False)
    if json_log:
        settings.update(ARCHIVER_JSON_LOG=True, ARCHIVER_PROGRESS=False)
    return settings


def summary_rows(stats: dict[str, Any], seconds: float, warc_bytes: int) -> list[tuple[str, Any]]:
    """Rows the final summary adds to the CLI's table: speed, size, resume and worker facts."""
    pages = stats.get("response_received_count", 0)
    rows: list[tuple[str, Any]] = [
        ("pages/s", round(pages / seconds, 1) if seconds else 0.0),
        ("MB archived", round(warc_bytes / 1e6, 2)),
    ]
    if stats.get("archiver/resume/crawl_id"):
        rows += [
            ("resumed crawl", stats["archiver/resume/crawl_id"]),
            ("replayed pages", stats.get("archiver/resume/replayed", 0)),
        ]
    if stats.get("archiver/resume/quarantined"):
        rows.append(("quarantined", stats["archiver/resume/quarantined"]))
    return rows


class Snapshot:
    """The figures of one progress line."""

    def __init__(
        self, pages: int, articles: int, warc_bytes: int, errors: int, rate: float, queue: int | None
    ):
        self.pages, self.articles, self.warc_bytes = pages, articles, warc_bytes
        self.errors, self.rate, self.queue = errors, rate, queue


def format_line(s: Snapshot) -> str:
    queue = "?" if s.queue is None else f"{s.queue:,}"
    return (
        f"pages {s.pages:,} | articles {s.articles:,} | {s.warc_bytes / 1e6:.1f} MB | "
        f"errors {s.errors:,} | {s.rate:.1f} pages/s | queue {queue}"
    )


class JsonFormatter(logging.Formatter):
    """One JSON object per record: easy for cron mail filters and log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        doc = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


def install_json_logging(level: str | int = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Send every log record to ``stream`` (stderr) as one JSON line; call before Scrapy starts logging.

    The runner then tells Scrapy not to install its own root handler
    (``LOG_INSTALL_ROOT_HANDLER = False``), so even Scrapy's first lines are JSON.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    return handler


class _ClearLine(logging.Filter):
    """Wipe the progress line before a log record is printed over it."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream

    def filter(self, record: logging.LogRecord) -> bool:
        self.stream.write(_CLEAR)
        return True


class ProgressExtension:
    """The live progress line on a terminal (see docs/architecture.md, "Scrapy components")."""

    def __init__(self, crawler: Any, *, interval: float, stream: TextIO) -> None:
        self.crawler = crawler
        self.stream = stream
        self.interval = interval
        self._task: Any = None
        self._last = (time.monotonic(), 0)
        self._filters: list[tuple[logging.Handler, logging.Filter]] = []
        crawler.signals.connect(self._opened, signal=signals.spider_opened)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ProgressExtension":
        settings = crawler.settings
        mode = settings.get("ARCHIVER_PROGRESS", DEFAULTS["ARCHIVER_PROGRESS"])
        stream = sys.stderr
        if isinstance(mode, str) and mode.lower() == "auto":
            live = bool(getattr(stream, "isatty", lambda: False)())
        else:
            live = settings.getbool("ARCHIVER_PROGRESS")
        if not live:
            raise NotConfigured  # not a terminal (no message: Scrapy would log a warning)
        return cls(
            crawler,
            interval=settings.getfloat("ARCHIVER_PROGRESS_INTERVAL", DEFAULTS["ARCHIVER_PROGRESS_INTERVAL"]),
            stream=stream,
        )

    # -- the live line -----------------------------------------------------

    def _opened(self, spider: Any) -> None:
        from twisted.internet import task

        for handler in logging.getLogger().handlers:
            flt = _ClearLine(self.stream)
            handler.addFilter(flt)
            self._filters.append((handler, flt))
        self._task = task.LoopingCall(self.draw)
        self._task.start(self.interval, now=False)

    def _closed(self, spider: Any, reason: str) -> None:
        if self._task is not None and self._task.running:
            self._task.stop()
        self.draw()
        self.stream.write("\n")
        self.stream.flush()
        for handler, flt in self._filters:
            handler.removeFilter(flt)

    def snapshot(self) -> Snapshot:
        stats = self.crawler.stats
        pages = stats.get_value("response_received_count", 0)
        now = time.monotonic()
        then, pages_then = self._last
        rate = (pages - pages_then) / (now - then) if now > then else 0.0
        self._last = (now, pages)
        session = session_or_none(self.crawler)
        warc_bytes = session.writer.bytes_written if session is not None else 0
        errors = stats.get_value("log_count/ERROR", 0) + stats.get_value("archiver/warc/errors", 0)
        queue = None
        scheduler = getattr(getattr(self.crawler, "engine", None), "scheduler", None)
        if scheduler is not None:
            try:
                queue = len(scheduler)
            except Exception:  # a scheduler without __len__, or Redis unreachable for a moment
                queue = None
        return Snapshot(
            pages, stats.get_value("archiver/articles/stored", 0), warc_bytes, errors, rate, queue
        )

    def draw(self) -> None:
        self.stream.write(_CLEAR + format_line(self.snapshot()))
        self.stream.flush()
