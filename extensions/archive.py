"""The crawl's archive as a Scrapy extension: one owner for the state the components share.

:class:`ArchiveExtension` opens the crawl's :class:`~archiver.crawl.session.ArchiveSession`
(WARC writer + database) and its resume plan before any request, closes them
when the spider closes, and remembers whether an archive write failed. The
capture, conditional and resume middlewares, the item pipelines, the progress
line and the distributed scheduler reach it with :func:`archive_extension`.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals

from archiver.defaults import DEFAULTS

#: Settings whose values are recorded with the crawl (and digested into warcinfo).
SETTINGS_RECORDED = (
    "USER_AGENT",
    "ROBOTSTXT_OBEY",
    "AUTOTHROTTLE_ENABLED",
    "DOWNLOAD_DELAY",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_MAXSIZE",
    "DOWNLOAD_TIMEOUT",
)


class ArchiveExtension:
    """Owns one crawl's archive session, resume plan and write-failure state.

    The session is opened for a spider that names an ``outlet`` (the ``news``
    spider); a subclass can open another one by overriding :meth:`open_session`.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.resume_plan: Any = None  # archiver.crawl.resume.ResumePlan of a resumable crawl
        self.dupefilter: Any = None  # the resume dupefilter, when DUPEFILTER_CLASS is ours
        self.write_failed = False
        self.session: Any = None
        self.session = self.open_session(crawler)
        if self.session is not None:
            crawler.signals.connect(self._close_session, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ArchiveExtension":
        return cls(crawler)

    def open_session(self, crawler: Any) -> Any:
        """Open the crawl's archive (WARC writer + database) before any request; None: no outlet."""
        outlet = getattr(crawler.spider, "outlet", None)
        if outlet is None:
            return None
        from archiver.crawl.session import ArchiveSession
        from archiver.extensions.resume import open_resume
        from archiver.warc.writer import check_prefix

        settings = crawler.settings
        prefix = settings.get("ARCHIVER_WARC_PREFIX", DEFAULTS["ARCHIVER_WARC_PREFIX"])
        if prefix:  # before any path is built from it (state, WARCs)
            check_prefix(prefix)
        self.resume_plan = open_resume(crawler, outlet.name, prefix)
        return ArchiveSession(
            settings.get("ARCHIVER_OUT_DIR", DEFAULTS["ARCHIVER_OUT_DIR"]),
            outlet,
            crawl_id=self.resume_plan.crawl_id if self.resume_plan is not None else None,
            settings={k: settings.get(k) for k in SETTINGS_RECORDED},
            warc_prefix=prefix,
            warc_max_size=settings.getint("ARCHIVER_WARC_MAX_SIZE", DEFAULTS["ARCHIVER_WARC_MAX_SIZE"]),
            shared_store=settings.getbool("ARCHIVER_SHARED_STORE", DEFAULTS["ARCHIVER_SHARED_STORE"]),
        )

    def _close_session(self, spider: Any, reason: str) -> None:
        stats = dict(self.crawler.stats.get_stats())
        stats["finish_reason"] = reason
        self.session.close(stats)


def archive_extension(crawler: Any) -> ArchiveExtension | None:
    """The crawl's :class:`ArchiveExtension`, or None when it is not enabled.

    ``Crawler.get_extension`` (Scrapy 2.12) where it exists; the same lookup by
    hand on older Scrapy.
    """
    get = getattr(crawler, "get_extension", None)
    if get is not None:
        return get(ArchiveExtension)
    for extension in crawler.extensions.middlewares:
        if isinstance(extension, ArchiveExtension):
            return extension
    return None


def session_or_none(crawler: Any) -> Any:
    """The crawl's open archive session, or None (no archive extension, or a spider without outlet)."""
    extension = archive_extension(crawler)
    return extension.session if extension is not None else None


def get_session(crawler: Any) -> Any:
    """The crawl's archive session, which :class:`ArchiveExtension` opens before any request."""
    session = session_or_none(crawler)
    if session is None:
        raise RuntimeError(
            "WARC capture needs an archive session: run the `news` spider "
            "(scrapy crawl news -a outlet=NAME) with archiver.extensions.archive.ArchiveExtension "
            "in EXTENSIONS, or subclass it and override open_session for your spider"
        )
    return session
