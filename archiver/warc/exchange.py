"""One HTTP exchange on its way into the WARC, as one value.

The capture middleware, the browser renderer's glue, the crawl session and the
writer all hand the same facts along (URL, the two messages, when, from which
address, what went wrong); one frozen object carries them, so a new fact is
added in one place instead of in every signature along the way.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

__all__ = ["HttpExchange"]


@dataclasses.dataclass(frozen=True)
class HttpExchange:
    """A request and what came back, byte for byte, ready for :meth:`WarcWriter.write`.

    ``response_bytes`` is None when no response came (``error`` says why); with
    both, the response was cut off (it is written ``WARC-Truncated``).
    ``reconstructed``: the messages were rebuilt from the crawler's objects,
    not teed off the connection.
    """

    url: str
    request_bytes: bytes
    response_bytes: bytes | None
    fetched_at: datetime
    ip: str | None = None
    error: str | None = None
    reconstructed: bool = False
