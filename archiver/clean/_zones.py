"""Time zones: the page's own spelling of a moment its metadata gives in UTC.

A content system often writes ``article:published_time`` in UTC and the ``<time>``
it shows in the site's own zone. Evening posts then fall on the next day in UTC,
while the reader (and the URL) sees the local day. The same moment written with the
page's offset keeps both the instant and the local day.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import lxml.etree as etree

from ._datetext import normalise_date

#: Two spellings this close (seconds) are one moment (an editor's clock, a re-save).
_SAME_MOMENT = 600


def _instant(iso: str) -> datetime | None:
    """The aware datetime of an ISO stamp with a time and a zone, else ``None``."""
    if len(iso) <= 10:
        return None
    try:
        dt = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo is not None else None


def local_spelling(found: str, root: etree._Element, url_day: str | None) -> str | None:
    """``found`` as the page writes it in its own zone, when ``found`` is in UTC and a
    ``<time datetime>`` gives the same moment with a non-zero offset on the day of the
    URL (``url_day``): two sources agree on the local day. Without that agreement the
    UTC day is kept (what the metadata says), as a page's zone may be a server's."""
    at = _instant(found)
    if at is None or not url_day or at.utcoffset() != timedelta(0):
        return None
    for t in root.iter("time"):
        d = normalise_date(t.get("datetime"))
        other = _instant(d) if d else None
        if (
            d is not None
            and other is not None
            and other.utcoffset() != timedelta(0)
            and abs((other - at).total_seconds()) <= _SAME_MOMENT
            and d[:10] == url_day != found[:10]
        ):
            return d
    return None


def possible_days(stamp: str) -> set[str]:
    """The days a zoned stamp falls on somewhere on Earth (UTC-12 to UTC+14): a date
    shown on one of them may be the same moment in the reader's zone. A stamp without a
    zone falls on its own day only."""
    at = _instant(stamp)
    if at is None:
        return {stamp[:10]}
    utc = at.replace(tzinfo=None) - (at.utcoffset() or timedelta(0))
    try:
        return {(utc + timedelta(hours=h)).strftime("%Y-%m-%d") for h in range(-12, 15)}
    except OverflowError:  # a placeholder stamp at the edge of the calendar (0001-01-01T00:00Z)
        return {stamp[:10]}
