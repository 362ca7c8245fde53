"""Test-only kill points: a crawl SIGKILLs itself at a named moment, so tests need no timing.

``ARCHIVER_TEST_KILL_AT=<point>[:<n>]`` makes the process kill itself (SIGKILL, as a
power cut or the OOM killer would) the ``n``-th time (default 1) it reaches ``point``
(one of :data:`POINTS`). Unset (production), :func:`reached` is one comparison; the
Scrapy glue that needs signals (``spiders/killpoints.py``) is not even installed.
"""

from __future__ import annotations

import os
import signal

__all__ = ["ENV", "POINTS", "armed", "parse", "reached"]

ENV = "ARCHIVER_TEST_KILL_AT"
#: The points, in the order a page goes through them:
#: ``taken``         a request has left the queue (Redis: moved onto the worker's ledger);
#: ``downloaded``    its response came back from the server, before anything is written;
#: ``warc_written``  its records are in the WARC, their row not yet in the database;
#: ``row_written``   a batch of rows was committed (the ledger not yet told);
#: ``mid_parse``     a callback has handed on part of its output (a request), not all of it.
POINTS = ("taken", "downloaded", "warc_written", "row_written", "mid_parse")


def parse(spec: str | None) -> tuple[str, int] | None:
    """``"warc_written:3"`` -> ``("warc_written", 3)``; ``None`` or ``""`` -> ``None``."""
    if not spec:
        return None
    point, _, count = spec.partition(":")
    if point not in POINTS or (count and not count.isdigit()) or count == "0":
        raise ValueError(
            f"{ENV}={spec!r}: use <point>[:<n>] with point one of {', '.join(POINTS)} and n >= 1, "
            f"e.g. {ENV}=warc_written:3 (or unset it: it is for tests only)"
        )
    return point, int(count or 1)


_target = parse(os.environ.get(ENV))
_count = 0


def armed(point: str | None = None) -> bool:
    """True when a kill point is set (``point``: set to that point)."""
    return _target is not None and (point is None or _target[0] == point)


def reached(point: str) -> None:
    """Kill this process now if ``point`` is the armed one and this is its ``n``-th time."""
    global _count
    if _target is None or _target[0] != point:
        return
    _count += 1
    if _count >= _target[1]:
        os.kill(os.getpid(), signal.SIGKILL)
