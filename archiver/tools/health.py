"""Crawl health: every crawl's figures in the archive, and what looks wrong the morning after.

An archivist who crawls many outlets from cron wants to know which one broke without
reading logs. :func:`record_crawl_stats` writes one ``crawl_stats`` row per crawl;
:func:`outlet_health` reads an outlet's history back and adds what only history shows.
``archiver status`` prints it, ``archiver crawl --all --check`` exits non-zero on it
(:data:`EXIT_CODES`) and the outlet page charts it. The row, its migration set and the
problems: "Many outlets" in ``docs/architecture.md``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import statistics
from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

__all__ = [
    "EXIT_CODES",
    "OutletHealth",
    "Problem",
    "crawl_problems",
    "health_report",
    "outlet_health",
    "record_crawl_stats",
    "stats_row",
]

migrations = Migrations("archiver_health")

#: Problem kinds, most severe first, and the exit status of ``crawl --check`` for each.
EXIT_CODES = {"failed": 3, "drift": 4, "no_new": 5}
#: Previous crawls looked at to decide what an outlet "usually" does.
HISTORY = 7
#: An outlet "usually" brings new articles when at least this many previous crawls exist ...
MIN_HISTORY = 3
#: ... and at least this share of them found new articles.
USUALLY = 0.5


@migrations(name="0001_crawl_stats")
def _crawl_stats(db: Database) -> None:
    """One row per crawl: the figures ``archiver status`` and the outlet pages show."""
    db.table("crawl_stats").create(
        {
            "crawl_id": str,
            "outlet": str,
            "finished_at": str,
            "seconds": float,
            "finish_reason": str,
            "pages": int,
            "articles_new": int,
            "articles_changed": int,
            "articles_stored": int,
            "errors": int,
            "errors_by_kind": str,  # JSON object: fetch failure kind -> count
            "walls": int,
            "drift_alarms": int,
            "problems": str,  # JSON list of {"kind", "message"}
        },
        pk="crawl_id",
        not_null={"outlet"},
    )
    db.table("crawl_stats").create_index(["outlet", "finished_at"])


@dataclasses.dataclass(frozen=True)
class Problem:
    """Something an operator should look at: ``kind`` is a key of :data:`EXIT_CODES`."""

    kind: str
    message: str


def _prefixed(stats: Mapping[str, Any], prefix: str) -> dict[str, int]:
    return {
        k[len(prefix) :]: int(v)
        for k, v in stats.items()
        if k.startswith(prefix) and "/" not in k[len(prefix) :]
    }


def crawl_problems(stats: Mapping[str, Any]) -> list[Problem]:
    """What one crawl's own stats show is wrong (history is :func:`outlet_health`'s business)."""
    problems = []
    reason = stats.get("finish_reason")
    pages = int(stats.get("response_received_count", 0)) - int(stats.get("robotstxt/response_count", 0))
    failures = _prefixed(stats, "archiver/fetch/failed/")
    if stats.get("archiver/archive/write_error"):
        problems.append(
            Problem("failed", f"could not write the archive: {stats['archiver/archive/write_error']}")
        )
    elif reason and reason != "finished":
        problems.append(Problem("failed", f"the crawl ended early ({reason})"))
    if pages <= 0 and not problems:
        if stats.get("robotstxt/forbidden") or failures.get("robots_forbidden"):
            why = "robots.txt forbids every URL it asked for"
        elif failures:
            kind, count = max(failures.items(), key=lambda kv: kv[1])
            why = f"no page came: {count} fetch failures ({kind})"
        else:
            why = "no page came (nothing to fetch?)"
        problems.append(Problem("failed", why))
    drift = sum(v for k, v in stats.items() if k.startswith("archiver/drift/"))
    if drift:
        problems.append(
            Problem(
                "drift", f"{drift} article pages where an outlet selector matched nothing (site redesign?)"
            )
        )
    return problems


def _duration(stats: Mapping[str, Any], finished_at: str) -> float:
    """Seconds of this run: Scrapy's elapsed time, else from its start time (set before it closes)."""
    if stats.get("elapsed_time_seconds"):
        return round(float(stats["elapsed_time_seconds"]), 3)
    start = stats.get("start_time")
    if isinstance(start, str):
        start = dt.datetime.fromisoformat(start)
    if not isinstance(start, dt.datetime):
        return 0.0
    return round((dt.datetime.fromisoformat(finished_at) - start).total_seconds(), 3)


def stats_row(crawl_id: str, outlet: str, stats: Mapping[str, Any], *, finished_at: str) -> dict[str, Any]:
    """The ``crawl_stats`` row of a crawl's Scrapy stats (and the session's counters)."""
    failures = _prefixed(stats, "archiver/fetch/failed/")
    walls = _prefixed(stats, "archiver/walls/")
    return {
        "crawl_id": crawl_id,
        "outlet": outlet,
        "finished_at": finished_at,
        "seconds": _duration(stats, finished_at),
        "finish_reason": stats.get("finish_reason"),
        "pages": int(stats.get("response_received_count", 0)),
        "articles_new": int(stats.get("archiver/articles/new", 0)),
        "articles_changed": int(stats.get("archiver/articles/changed", 0)),
        "articles_stored": int(stats.get("archiver/articles/stored", 0)),
        "errors": sum(failures.values()),
        "errors_by_kind": json.dumps(failures, sort_keys=True),
        "walls": sum(walls.values()),
        "drift_alarms": sum(int(v) for k, v in stats.items() if k.startswith("archiver/drift/")),
        "problems": json.dumps([dataclasses.asdict(p) for p in crawl_problems(stats)]),
    }


def record_crawl_stats(
    store: Any, crawl_id: str, outlet: str, stats: Mapping[str, Any], *, finished_at: str
) -> None:
    """Write (or, for a resumed crawl, replace) the crawl's ``crawl_stats`` row."""
    db = store.db
    migrations.apply(db)
    row = stats_row(crawl_id, outlet, stats, finished_at=finished_at)
    with db.atomic():
        db.table("crawl_stats").insert(row, replace=True)


@dataclasses.dataclass
class OutletHealth:
    """An outlet's last crawl, its recent history, and the problems found."""

    outlet: str
    last: dict[str, Any] | None
    previous: list[dict[str, Any]]
    problems: list[Problem]

    @property
    def usual_new(self) -> float | None:
        """Median new articles of the previous crawls (None without enough history)."""
        if len(self.previous) < MIN_HISTORY:
            return None
        return statistics.median(r["articles_new"] for r in self.previous)

    def trend(self) -> str:
        """New articles of the last crawl against the usual: '12 (usual 10) up'."""
        if self.last is None:
            return "-"
        new = self.last["articles_new"]
        usual = self.usual_new
        if usual is None:
            return f"{new} (no history yet)"
        arrow = "up" if new > usual * 1.2 else "down" if new < usual * 0.8 else "steady"
        return f"{new} (usual {usual:g}) {arrow}"

    def line(self) -> str:
        """One line of ``archiver status``."""
        if self.last is None:
            return f"{self.outlet:<16} never crawled"
        last = self.last
        problems = "; ".join(f"{p.kind}: {p.message}" for p in self.problems) or "ok"
        return (
            f"{self.outlet:<16} {last['finished_at'][:19].replace('T', ' ')}  pages {last['pages']:>6}  "
            f"new {last['articles_new']:>5}  changed {last['articles_changed']:>4}  "
            f"trend {self.trend():<24}  {problems}"
        )


def _rows(db: Database, outlet: str) -> list[dict[str, Any]]:
    if "crawl_stats" not in db.table_names():
        return []
    cursor = db.execute(
        "SELECT * FROM crawl_stats WHERE outlet = ? ORDER BY finished_at DESC LIMIT ?", [outlet, HISTORY + 1]
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _unfinished(db: Database, outlet: str) -> list[Problem]:
    """A problem when the outlet's newest crawl has not finished (still running, or killed)."""
    row = db.execute(
        "SELECT id, started_at, finished_at FROM crawls WHERE outlet = ? ORDER BY started_at DESC LIMIT 1",
        [outlet],
    ).fetchone()
    if row is None or row[2]:
        return []
    return [
        Problem(
            "failed",
            f"crawl {row[0]} started {row[1][:19]} has not finished (running, or killed: "
            "the same crawl command resumes it)",
        )
    ]


def outlet_health(db: Database, outlet: str) -> OutletHealth:
    """The health of ``outlet`` from its last crawls (newest first)."""
    rows = _rows(db, outlet)
    unfinished = _unfinished(db, outlet)
    if not rows:
        return OutletHealth(outlet, None, [], unfinished)
    last, previous = rows[0], rows[1:]
    problems = [Problem(**p) for p in json.loads(last["problems"] or "[]")] + unfinished
    health = OutletHealth(outlet, last, previous, problems)
    usual = [r["articles_new"] for r in previous]
    failed = any(p.kind == "failed" for p in problems)
    if (
        not failed
        and last["articles_new"] == 0
        and len(usual) >= MIN_HISTORY
        and sum(1 for n in usual if n > 0) >= USUALLY * len(usual)
    ):
        problems.append(
            Problem(
                "no_new",
                f"no new article, though {sum(1 for n in usual if n > 0)} of the last {len(usual)} "
                f"crawls found some (median {statistics.median(usual):g})",
            )
        )
    return health


def health_report(db: Database, outlets: list[str] | None = None) -> list[OutletHealth]:
    """Health of the given outlets, or of every outlet with a crawl in the archive."""
    if outlets is None:
        outlets = [r[0] for r in db.execute("SELECT DISTINCT outlet FROM crawls ORDER BY outlet")]
    return [outlet_health(db, name) for name in outlets]


def exit_code(problems: list[Problem]) -> int:
    """The exit status of ``crawl --check`` for these problems (0: none; the most severe kind wins)."""
    for kind, code in EXIT_CODES.items():
        if any(p.kind == kind for p in problems):
            return code
    return 0
