"""Time formats and time-based ids, the one home for each.

:func:`parse_time` reads the times people type (``--at``, ``--since``, ``--until``).

Accepted: a Memento timestamp or a prefix of one (``20240603120000``,
``2024-06``'s digits ``202406``), a date (``2024-06-03``) or an ISO 8601 time
(``2024-06-03T12:00:00+01:00``; no zone means UTC). The result is written the
way ``WARC-Date`` and the ``captures.fetched_at`` column are, so it compares
as text.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
import uuid

__all__ = [
    "new_crawl_id",
    "new_record_id",
    "normalise_time",
    "parse_time",
    "timestamp14",
    "utc_now",
    "warc_time",
]

_DIGITS = re.compile(r"\d{4}(?:\d{2}){0,5}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_time(value: str, *, end_of_day: bool = False) -> dt.datetime:
    """An aware UTC datetime for ``value``; :class:`ValueError` if it is none of the forms.

    Missing parts of a timestamp prefix are the start of the period. A bare
    date is the start of that day, or its last microsecond with ``end_of_day``
    (so ``--since D --until D`` covers the day).
    """
    text = value.strip()
    if _DIGITS.fullmatch(text):
        digits = text + "0101000000"[len(text) - 4 :]  # month/day default to 01, the time to 00:00:00
        return dt.datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=dt.timezone.utc)
    if _DATE.fullmatch(text):
        moment = dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone.utc)
        return moment + dt.timedelta(days=1, microseconds=-1) if end_of_day else moment
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)


def utc_now() -> dt.datetime:
    """Now, as an aware UTC datetime."""
    return dt.datetime.now(dt.timezone.utc)


def warc_time(moment: dt.datetime) -> str:
    """``YYYY-MM-DDThh:mm:ss.ffffffZ``: how the archive writes every time (WARC-Date; naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def timestamp14(moment: str | dt.datetime) -> str:
    """Memento's ``YYYYMMDDhhmmss`` of a datetime or an ISO 8601 UTC time (WARC-Date, ``fetched_at``)."""
    if isinstance(moment, dt.datetime):
        return timestamp14(warc_time(moment))
    return "".join(ch for ch in moment if ch.isdigit())[:14].ljust(14, "0")


def normalise_time(value: str | None) -> str:
    """``value`` written as :func:`warc_time` writes it, so times compare as text; unreadable: as given."""
    if not value:
        return ""
    try:
        return warc_time(parse_time(value))
    except ValueError:
        return value


def new_crawl_id(outlet: str, started: dt.datetime | None = None) -> str:
    """``<outlet>-<14 digits>-<6 hex>``: a crawl's id, unique and sortable by start."""
    return f"{outlet}-{timestamp14(started or utc_now())}-{secrets.token_hex(3)}"


def new_record_id() -> str:
    """A ``WARC-Record-ID``: ``<urn:uuid:…>`` of a time-ordered UUID (version 7, RFC 9562).

    The first 48 bits are the Unix time in milliseconds, the other 74 free bits
    random: as unique as a version 4 UUID, but the ids of one crawl sort by time,
    so the database indexes of record ids grow at their end instead of touching
    a random page of a million-row index on every write (bench/datasette_pages.py).
    """
    millis = time.time_ns() // 1_000_000 & (1 << 48) - 1
    rand = secrets.randbits(74)
    value = millis << 80 | 0x7 << 76 | (rand >> 62) << 64 | 0b10 << 62 | rand & (1 << 62) - 1
    return f"<urn:uuid:{uuid.UUID(int=value)}>"
