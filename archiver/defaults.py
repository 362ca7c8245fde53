"""Every ``ARCHIVER_*`` setting: its default and what it does, the one place either is written.

``archiver/settings.py`` loads :data:`DEFAULTS` into the project's settings and
each component reads a setting with ``DEFAULTS[name]`` as the fallback, so a
crawl built on other settings (a test, another Scrapy project) behaves the
same. README's settings table lists the same rows (``tests/test_defaults.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One setting: its name, its default and a one-line description."""

    name: str
    default: Any
    doc: str


SETTINGS: tuple[Setting, ...] = (
    Setting("ARCHIVER_OUT_DIR", "archive", "Where the archive goes: DIR/warcs/*.warc.gz and DIR/archive.db."),
    Setting("ARCHIVER_WARC_MAX_SIZE", 1_000_000_000, "Rotate WARC files past this many bytes (compressed)."),
    Setting("ARCHIVER_WARC_PREFIX", None, "WARC file name prefix; None: the outlet name."),
    Setting(
        "ARCHIVER_OUTLET_HOME", None, "Replace the outlet's home origin (the demo outlet on a free port)."
    ),
    Setting("ARCHIVER_CAPTURE_ENABLED", True, "Write every HTTP exchange to WARC (the capture middleware)."),
    Setting(
        "ARCHIVER_CONDITIONAL_ENABLED",
        True,
        "Re-crawls: conditional requests (ETag/Last-Modified of the archived response) for pages held.",
    ),
    Setting(
        "ARCHIVER_RESUME", True, "Continue an unfinished crawl of the same outlet in the folder (DIR/state/)."
    ),
    Setting(
        "ARCHIVER_FRESH",
        False,
        "Start a new crawl even if the last one did not finish (its WARC tail is still repaired).",
    ),
    Setting(
        "ARCHIVER_PROGRESS", "auto", "Progress line on stderr: auto (when stderr is a terminal), on or off."
    ),
    Setting("ARCHIVER_PROGRESS_INTERVAL", 1.0, "Seconds between two redraws of the progress line."),
    Setting("ARCHIVER_JSON_LOG", False, "Log records as JSON lines (archiver crawl --json-log)."),
    Setting(
        "ARCHIVER_REDIS_URL", None, "Distributed crawl: the Redis that holds the shared frontier (--redis)."
    ),
    Setting("ARCHIVER_WORKER_ID", None, "Distributed crawl: this worker's id (--worker-id)."),
    Setting(
        "ARCHIVER_ALLOW_PRIVATE_ADDRESSES",
        False,
        "Fetch non-public addresses? False, True (loopback and private, never link-local or metadata) "
        'or a list of networks such as ["127.0.0.0/8"].',
    ),
    Setting("ARCHIVER_RETRY_AFTER_MAX", 60, "Longest wait, in seconds, a Retry-After header can impose."),
    Setting("ARCHIVER_MAX_LINKS_PER_PAGE", 1000, "Links followed from one page at most."),
    Setting(
        "ARCHIVER_SHAPE_BUDGET", 500, "URLs of one shape (digits as N: /calendar/N/N/) scheduled at most."
    ),
    Setting(
        "ARCHIVER_MAX_SEGMENT_REPEATS", 3, "A path repeating one segment more often is a relative-link loop."
    ),
    Setting(
        "ARCHIVER_RENDER",
        None,
        'Capture pages as received ("http") or as headless Chromium renders them ("browser"); '
        "None: the outlet file's render key.",
    ),
    Setting(
        "ARCHIVER_CHROMIUM", None, "The Chromium to drive; None: $ARCHIVER_CHROMIUM or /usr/bin/chromium."
    ),
    Setting(
        "ARCHIVER_BROWSER_TIMEOUT",
        30.0,
        "Seconds a page may take to load in the browser (scrolling gets a third, the screenshot a half).",
    ),
    Setting("ARCHIVER_BROWSER_PAGES", 2, "Pages the browser renders at once (one Chromium per crawl)."),
    Setting(
        "ARCHIVER_SCREENSHOTS", True, "Browser mode: a full-page PNG of each page as a WARC resource record."
    ),
    Setting(
        "ARCHIVER_SCREENSHOTS_HTTP",
        False,
        "HTTP mode: a screenshot of each page as the archive replays it (scripts off, nothing live).",
    ),
    Setting(
        "ARCHIVER_REQUISITES_ENABLED",
        True,
        "Fetch what each archived page needs to render (stylesheets, fonts, images, icons, scripts).",
    ),
    Setting(
        "ARCHIVER_REQUISITES_PAGE_MAX_COUNT",
        300,
        "Requisites fetched for one page at most (overruns counted).",
    ),
    Setting(
        "ARCHIVER_REQUISITES_PAGE_MAX_BYTES", 50 * 1024 * 1024, "Bytes of requisites for one page at most."
    ),
    Setting("ARCHIVER_REQUISITES_CRAWL_MAX_COUNT", 200_000, "Requisites fetched by one crawl at most."),
    Setting(
        "ARCHIVER_REQUISITES_CRAWL_MAX_BYTES", 20 * 1024**3, "Bytes of requisites one crawl fetches at most."
    ),
    Setting(
        "ARCHIVER_SHARED_STORE",
        False,
        "Several outlets in one process (crawl --all) share one database connection; set by the fleet runner.",
    ),
    Setting(
        "ARCHIVER_INCREMENTAL",
        False,
        "Skip archived articles that cannot have changed (sitemap lastmod, [revisit] schedule); on with --all.",
    ),
    Setting(
        "ARCHIVER_CLEAN_WORKERS",
        "auto",
        'Cleaning in worker processes so downloads go on: "auto" = one per core; 0 = in the crawl\'s thread.',
    ),
    Setting(
        "ARCHIVER_CLEAN_QUEUE", 0, "Pages waiting or being cleaned at most (back-pressure); 0 = 4 per worker."
    ),
)

#: name -> default, what ``archiver/settings.py`` loads and the components fall back to.
DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}


def readme_rows() -> list[str]:
    """The rows of README's settings table, in this module's order."""
    return [f"| `{s.name}` | `{s.default!r}` | {s.doc} |" for s in SETTINGS]
