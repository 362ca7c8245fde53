"""Incremental re-crawls: which archived articles a daily crawl can leave alone.

A daily crawl of an outlet of 5,000 archived articles should not ask for all of them
again to find the 10 that were edited. :meth:`Revisits.decide` skips a URL the archive
holds an article of when a sitemap ``<lastmod>`` says it has not changed since our last
capture, or when its :class:`RevisitSchedule` (thinning with age) says it is not due;
anything else is fetched, so new articles are found. Framework-free; ``spiders/news.py``
asks before it schedules a page. The rules: "Many outlets" in ``docs/architecture.md``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

__all__ = ["Decision", "RevisitSchedule", "Revisits", "parse_time"]

#: Slack on an interval, so a crawl run by cron at the same hour each day finds yesterday's pages due.
SLACK = dt.timedelta(hours=2)


def parse_time(value: str | None, *, latest: bool = False) -> dt.datetime | None:
    """An aware UTC datetime of an ISO 8601 date or time (``Z`` allowed); ``None`` if unreadable.

    With ``latest`` (for a ``lastmod``), the last moment the value allows: the
    page may have changed any time in the day of a bare date, or in the second
    (minute) of a time written to the second (minute). A crawl that fetched the
    page in that same second cannot tell whether it saw the change, so it fetches again.
    """
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            moment = dt.datetime.combine(day, dt.time.max if latest else dt.time.min)
            return moment.replace(tzinfo=dt.UTC)
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if latest and "." not in text:
        to_the_minute = text[16:17] != ":"  # "2026-02-25T10:00Z": no seconds
        parsed += dt.timedelta(minutes=1 if to_the_minute else 0, seconds=0 if to_the_minute else 1)
        parsed -= dt.timedelta(microseconds=1)
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


@dataclasses.dataclass(frozen=True)
class RevisitSchedule:
    """How often an article of a given age is fetched again: ``(up to age, every)`` steps, in days.

    The last step's age is ``None`` (any older article). Outlet files set it as
    ``[revisit]`` with ``daily_until``, ``weekly_until`` and ``then_every``.
    """

    steps: tuple[tuple[float | None, float], ...] = ((7, 1), (30, 7), (None, 30))

    @classmethod
    def from_table(
        cls, daily_until: float = 7, weekly_until: float = 30, then_every: float = 30
    ) -> RevisitSchedule:
        return cls(((daily_until, 1), (weekly_until, 7), (None, then_every)))

    def interval(self, age: dt.timedelta) -> dt.timedelta:
        days = age.total_seconds() / 86400
        for until, every in self.steps:
            if until is None or days <= until:
                return dt.timedelta(days=every)
        return dt.timedelta(days=self.steps[-1][1])


@dataclasses.dataclass(frozen=True)
class Decision:
    """Fetch or not, and why (a stats key suffix). ``final``: the answer cannot change in this crawl."""

    fetch: bool
    reason: str
    final: bool = True


@dataclasses.dataclass
class Held:
    last_fetched: dt.datetime
    first_fetched: dt.datetime
    published: dt.datetime | None


class Revisits:
    """What the archive held of an outlet's articles before this crawl, and the schedule to apply."""

    def __init__(
        self, held: dict[str, Held], schedule: RevisitSchedule, now: dt.datetime | None = None
    ) -> None:
        self.held = held
        self.schedule = schedule
        self.now = now or dt.datetime.now(dt.UTC)

    @staticmethod
    def held_entry(
        *, last: dt.datetime, published: dt.datetime | None, first: dt.datetime | None = None
    ) -> Held:
        """What the archive holds of one article (for callers that know it without a database)."""
        return Held(last, first or last, published)

    @classmethod
    def load(
        cls, db: Any, outlet: str, *, crawl_id: str, schedule: RevisitSchedule | None = None
    ) -> Revisits:
        """Articles of ``outlet`` with the times of their captures by *earlier* crawls.

        Captures of this crawl are left out, so a resumed crawl decides as its
        first run did (and the resume machinery replays what it fetched).
        """
        rows = db.execute(
            "SELECT a.url, a.published, max(c.fetched_at), min(c.fetched_at) FROM articles a "
            "JOIN captures c ON c.url = a.url "
            "WHERE a.outlet = ? AND c.record_type IN ('response', 'revisit') AND c.status < 400 "
            "AND (c.crawl_id IS NULL OR c.crawl_id != ?) GROUP BY a.url",
            [outlet, crawl_id],
        ).fetchall()
        held = {}
        for url, published, last, first in rows:
            last_t, first_t = parse_time(last), parse_time(first)
            if last_t is not None and first_t is not None:
                held[url] = Held(last_t, first_t, parse_time(published))
        return cls(held, schedule or RevisitSchedule())

    def decide(self, url: str, *, lastmod: str | None = None) -> Decision:
        """Whether to fetch ``url`` now (rules: docs/architecture.md, "Many outlets")."""
        held = self.held.get(url)
        if held is None:
            return Decision(True, "new")
        modified = parse_time(lastmod, latest=True)
        if modified is not None:
            if modified > held.last_fetched:
                return Decision(True, "modified")
            return Decision(False, "unchanged")
        age = self.now - (held.published or held.first_fetched)
        if self.now - held.last_fetched >= self.schedule.interval(age) - SLACK:
            return Decision(True, "due")
        # Not final: a sitemap may yet list the URL with a newer lastmod.
        return Decision(False, "not_due", final=False)
