"""The :class:`Article` record: what the cleaner gives and the store keeps."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

#: Walls that leave the reader part of the article (a teaser above a paywall or
#: registration wall): the teaser is stored as an article row marked partial.
#: Consent, CAPTCHA and denied pages hold nothing of the article: no row.
PARTIAL_WALLS = frozenset({"paywall"})


@dataclasses.dataclass
class Article:
    """Main text and metadata of one page.

    ``text`` is plain text, paragraphs separated by one blank line;
    ``markdown`` is the same content with headings, lists and quotes marked up.
    Dates are ISO 8601 strings (with the page's time zone where it gives one).
    ``wall`` names a paywall/consent/captcha/denied page and ``wall_evidence``
    says what matched. A paywall's teaser text is stored as a partial article
    (:attr:`partial`, see :data:`PARTIAL_WALLS`); other walls are not stored.
    ``reason`` explains an empty ``text`` (for example "no main content found").
    ``unmatched_selectors`` lists outlet CSS selectors that matched nothing on
    this page (a drift alarm: the outlet was redesigned; the generic cleaner ran).
    In browser mode (:mod:`archiver.crawl.browser`) the text comes from the rendered
    DOM, and the DOM's and the screenshot's WARC records are named here.
    """

    url: str
    text: str = ""
    markdown: str = ""
    title: str | None = None
    authors: list[str] = dataclasses.field(default_factory=list)
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    canonical_url: str | None = None
    description: str | None = None
    section: str | None = None
    tags: list[str] = dataclasses.field(default_factory=list)
    image: str | None = None
    site_name: str | None = None
    is_article_page: bool = False
    wall: str | None = None
    wall_evidence: str | None = None
    reason: str | None = None
    extractor: str = "archiver.clean"
    extractor_version: str = ""
    unmatched_selectors: list[str] = dataclasses.field(default_factory=list)
    #: Which document the text was read from: ``http`` (the response) or ``dom`` (a browser's render).
    text_source: str = "http"
    dom_record_id: str | None = None
    screenshot_record_id: str | None = None
    screenshot_sha256: str | None = None

    @property
    def text_sha256(self) -> str:
        """sha256 of the UTF-8 text: what a citation of the clean text checks."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def partial(self) -> bool:
        """Whether the text is what a wall left the reader (a teaser), not the whole article."""
        return self.wall in PARTIAL_WALLS

    @property
    def stored_as_article(self) -> bool:
        """Whether this page becomes an article row: text, and no wall or a wall that leaves a teaser."""
        return bool(self.text) and (not self.wall or self.partial)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Article":
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
