"""Records of the built demo site: pages as served, articles as a cleaner must see them."""

from __future__ import annotations

import dataclasses
import datetime as dt


@dataclasses.dataclass(frozen=True)
class Page:
    """One served resource. ``status``/``location`` make a redirect; the body is sent as is."""

    content_type: str
    body: bytes
    last_modified: dt.datetime
    status: int = 200
    location: str | None = None


@dataclasses.dataclass(frozen=True)
class DemoArticle:
    """What an article page holds, for tests to compare a cleaner's output with.

    ``expected_text`` is the body paragraphs joined by a blank line: no title,
    no promos, no furniture. ``published``/``modified`` are ISO 8601 with zone.
    """

    path: str
    url: str
    title: str
    section: str
    authors: list[str]
    published: str
    modified: str
    description: str
    paragraphs: list[str]
    tags: list[str]
    is_seed: bool = False

    @property
    def expected_text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclasses.dataclass
class DemoSite:
    """The whole outlet, built for one base URL."""

    base_url: str
    pages: dict[str, Page]
    articles: list[DemoArticle]
    disallowed_paths: list[str]
    not_found: Page
    sections: list[str]
    #: The script-built section's stories (archiver/demo/live.py): only a browser capture stores them.
    live_articles: list[DemoArticle] = dataclasses.field(default_factory=list)
    #: The second origin serving the outlet's stylesheets, font and images, and its files by path.
    cdn_url: str = ""
    cdn_pages: dict[str, Page] = dataclasses.field(default_factory=dict)

    def article(self, path_or_url: str) -> DemoArticle:
        """The article at a path or absolute URL; KeyError names what exists if none."""
        for article in self.articles:
            if path_or_url in (article.path, article.url):
                return article
        raise KeyError(f"no demo article at {path_or_url!r}; try one of site.articles[i].path")

    @property
    def seed_article(self) -> DemoArticle:
        return next(a for a in self.articles if a.is_seed)
