"""The item a spider hands to the pipelines: one fetched page that may be an article."""

from __future__ import annotations

import dataclasses

from archiver.article import Article
from archiver.capture import Capture


@dataclasses.dataclass(repr=False)
class PageItem:
    """An HTML page, the capture that archived it and what discovery said about it.

    ``url_verdict`` is the outlet's URL rule (True article, None undecided);
    ``listed`` carries a sitemap's or feed's date and title for the page.
    The clean pipeline fills ``article``.
    """

    url: str
    body: bytes
    capture: Capture | None
    url_verdict: bool | None
    listed_published: str | None = None
    listed_title: str | None = None
    article: Article | None = None
    article_id: str | None = None
    #: In browser mode, the records of the rendering (``downloadermiddlewares/render.py``); ``body`` is its DOM.
    render: dict | None = None

    def __repr__(self) -> str:
        # Scrapy logs dropped items; a page's body has no place in a log line.
        return f"<PageItem {self.url} ({len(self.body)} bytes)>"
