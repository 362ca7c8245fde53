"""Written dates to ISO 8601: what pages write ("7 January 2023", "2023-01-07T10:00+01:00").

``normalise_date`` keeps the time zone a page gives; :mod:`._dates` finds the dates to
read on a page, :mod:`._bylines` cuts them out of bylines.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ._values import clean

_DATE_RES = [
    re.compile(
        r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
        r"\s*(Z|[+-]\d{2}:?\d{2})?)?"
    ),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b"),
    re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})\b"),
    re.compile(r"(?<![\d.])((?:19|20)\d{2})\.(\d{1,2})\.(\d{1,2})(?![\d.])"),  # 2025.12.17
]
MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            "jan ene january januar janvier enero gennaio",
            "feb february februar février febrero febbraio",
            "mar mär march märz mars marzo",
            "apr abr april avril abril aprile",
            "may mai mayo maggio",
            "jun june juni juin junio giugno",
            "jul july juli juillet julio luglio",
            "aug ago august août agosto",
            "sep sept september septembre septiembre settembre",
            "oct okt october oktober octobre octubre ottobre",
            "nov november novembre noviembre",
            "dec dez dic december dezember décembre diciembre dicembre",
        ]
    )
    for m in names.split()
}
_TEXT_DATE = re.compile(
    r"\b(?:(\d{1,2})(?:st|nd|rd|th)?\.?(?:\s+|-)([A-Za-zäéû]{3,9})\.?(?:,?\s+|-)(\d{4})|"
    r"([A-Za-zäéû]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4}))\b"
)


#: "2023 Jan 7": the order of citation_publication_date (PubMed, Highwire).
_YEAR_FIRST_TEXT_DATE = re.compile(r"\b((?:19|20)\d{2})\s+([A-Za-z]{3,9})\.?\s+(\d{1,2})\b")


def ymd(year: str, month: str, day: str) -> str | None:
    """``YYYY-MM-DD`` from a year, a month's name and a day, or ``None`` if no such day."""
    mo = MONTHS.get(month.lower())
    if not mo:
        return None
    try:
        return datetime(int(year), mo, int(day)).strftime("%Y-%m-%d")
    except ValueError:
        return None


def swapped(a: str, b: str) -> bool:
    """Whether two ISO dates are one day written in the other order ("03/10/2023" read month
    first, for the 3rd of October a British page means): the same date, not another one."""
    return a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]


def normalise_date(value: Any) -> str | None:
    """Return an ISO 8601 date or datetime (with tz when given), or ``None``."""
    s = clean(value)
    if not s:
        return None
    m = _DATE_RES[0].search(s)
    if m:
        y, mo, d, hh, mm, ss, tz = m.groups()
        try:
            datetime(int(y), int(mo), int(d))
        except ValueError:
            return None
        if hh is None:
            return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
        out = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}T{int(hh):02d}:{mm}:{ss or '00'}"
        if tz:
            if tz != "Z" and ":" not in tz:
                tz = tz[:3] + ":" + tz[3:]
            out += tz  # "Z" kept as the page wrote it
        return out
    for rx, order in ((_DATE_RES[1], (0, 1, 2)), (_DATE_RES[4], (0, 1, 2)), (_DATE_RES[2], (2, 1, 0))):
        m = rx.search(s)
        if m:
            g = m.groups()
            y, mo, d = (int(g[i]) for i in order)
            try:
                datetime(y, mo, d)
            except ValueError:
                continue
            return f"{y:04d}-{mo:02d}-{d:02d}"
    m = _DATE_RES[3].search(s)
    if m:
        a, b, y = (int(x) for x in m.groups())
        mo, d = (b, a) if a > 12 else (a, b)  # US order unless the first cannot be a month
        try:
            datetime(y, mo, d)
            return f"{y:04d}-{mo:02d}-{d:02d}"
        except ValueError:
            pass
    m = _TEXT_DATE.search(s)
    if m:  # "7 January 2023" or "January 7, 2023"
        d, mon, y = m.group(1, 2, 3) if m.group(1) else m.group(5, 4, 6)
        return ymd(y, mon.rstrip("."), d)
    m = _YEAR_FIRST_TEXT_DATE.search(s)
    return ymd(*m.groups()) if m else None
