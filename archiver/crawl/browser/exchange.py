"""What passes between the crawl and the browser: the document in, the exchanges and the render out.

Plain records, no Playwright import, so the Scrapy glue and the tests can
build and read them without starting a browser.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

__all__ = ["Document", "Exchange", "Rendered", "RenderError"]


class RenderError(Exception):
    """A page the browser could not load, scroll or photograph in time; the message locates it."""


@dataclasses.dataclass
class Document:
    """The page document as the crawl downloaded it (decoded body, final URL)."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclasses.dataclass
class Exchange:
    """One request the page made and the answer Playwright got for it."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes | None
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes
    fetched_at: dt.datetime


@dataclasses.dataclass
class Rendered:
    """What the browser made of a page."""

    url: str
    dom: bytes
    screenshot: bytes | None
    requests: int = 0
    refused: int = 0
    failed: list[str] = dataclasses.field(default_factory=list)
    in_flight: int = 0  # requests of this page not answered yet
