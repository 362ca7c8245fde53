"""Onboarding an outlet: probe a site, infer its article URL rule, write ``outlets/<name>.toml``.

``archiver outlets new URL`` calls :func:`probe` (sitemaps, feeds and links found, their
URLs grouped by shape, a few pages of each group judged by their own signals) then
:func:`outlet_file`, which states what was found in comments, with a strict rule: a page
whose URL the rule does not call an article is never stored as one. Every fetch is
bounded (:data:`MAX_BYTES`, :data:`TIMEOUT`) and polite. Framework-free. The steps in
order: "Many outlets" in ``docs/architecture.md``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from archiver import USER_AGENT
from archiver.crawl.discovery import parse_feed, parse_sitemap
from archiver.tools.url_shapes import Shape, infer

__all__ = ["Probe", "ProbeError", "outlet_file", "probe", "suggest_name"]

SITEMAP_PATHS = (
    "/sitemap.xml",
    "/sitemap_index.xml",
    "/news-sitemap.xml",
    "/sitemap-news.xml",
    "/sitemap_news.xml",
    "/wp-sitemap.xml",
)
MAX_BYTES = 20 * 1024 * 1024
TIMEOUT = 20.0
#: Child sitemaps of an index read at most, and URLs kept at most.
MAX_SITEMAPS = 20
MAX_URLS = 20_000
#: Pages fetched per URL shape to check that it is an article.
SAMPLES = 3
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")

Fetch = Callable[[str], tuple[int, bytes]]


class ProbeError(RuntimeError):
    """The site cannot be probed (no home page); the message says what was tried."""


def fetch(url: str) -> tuple[int, bytes]:
    """GET ``url``: (status, body up to MAX_BYTES); status 0 when no answer came."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, response.read(MAX_BYTES)
    except urllib.error.HTTPError as exc:
        return exc.code, b""
    except (urllib.error.URLError, OSError, ValueError):
        return 0, b""


@dataclasses.dataclass
class Group:
    """A URL shape, with its verdict from sample pages."""

    shape: Shape
    samples: list[str]
    articles: int  # samples whose page is an article
    listed_in_feed: bool

    @property
    def is_article(self) -> bool:
        return self.articles * 2 > len(self.samples)


@dataclasses.dataclass
class Probe:
    """What probing a site found."""

    home: str
    robots_sitemaps: list[str]
    sitemaps: list[str]
    news_sitemaps: list[str]
    feeds: list[str]
    listed: list[str]  # page URLs that sitemaps and feeds list
    home_links: list[str]
    groups: list[Group]
    disallowed_everything: bool = False

    @property
    def article_groups(self) -> list[Group]:
        return [g for g in self.groups if g.is_article]

    @property
    def patterns(self) -> list[str]:
        return [g.shape.pattern for g in self.article_groups]

    def is_article_url(self, url: str) -> bool:
        path = urlsplit(url).path
        return any(re.search(p, path) for p in self.patterns)

    def dry_run(self, samples: int = 5) -> list[str]:
        """What a crawl with the inferred rule would call articles, and what it would skip."""
        known = list(dict.fromkeys(self.listed + self.home_links))
        articles = [u for u in known if self.is_article_url(u)]
        skipped = [u for u in known if not self.is_article_url(u)]
        lines = [
            f"sitemaps: {len(self.sitemaps)} ({len(self.news_sitemaps)} news sitemaps); feeds: {len(self.feeds)}",
            f"{len(known)} URLs known from sitemaps, feeds and the home page",
            f"{len(articles)} would be articles, by the rule {' or '.join(self.patterns) or '(none found)'}:",
        ]
        lines += [f"  {u}" for u in articles[:samples]]
        lines.append(f"{len(skipped)} would not be stored (listings, pages of other shapes):")
        for group in self.groups:
            if not group.is_article:
                checked = (
                    f"{group.articles} of {len(group.samples)} samples articles"
                    if group.samples
                    else "no sample"
                )
                lines.append(f"  {len(group.shape.urls):>6} like {group.shape.example()} ({checked})")
        lines += [f"  {u}" for u in skipped[:samples] if not any(u in g.shape.urls for g in self.groups)]
        return lines


def _links(html: bytes, base: str) -> tuple[list[str], list[str]]:
    """(feed URLs from ``<link rel=alternate>``, ``<a href>`` URLs) of a page."""
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html[:MAX_BYTES])
    except (ValueError, TypeError, Exception):  # noqa: BLE001 - lxml raises several kinds on junk
        return [], []
    feeds = [
        urljoin(base, el.get("href", ""))
        for el in tree.iter("link")
        if "alternate" in (el.get("rel") or "").lower().split()
        and (el.get("type") or "").lower() in _FEED_TYPES
        and el.get("href")
    ]
    links = [urljoin(base, a.get("href", "")).split("#", 1)[0] for a in tree.iter("a") if a.get("href")]
    return list(dict.fromkeys(feeds)), list(dict.fromkeys(links))


def _robots(home: str, get: Fetch) -> tuple[list[str], bool]:
    """Sitemap URLs robots.txt names, and whether it disallows everything for every agent."""
    status, body = get(urljoin(home, "/robots.txt"))
    if status != 200:
        return [], False
    text = body.decode("utf-8", "replace")
    sitemaps = [
        urljoin(home, line.split(":", 1)[1].strip())
        for line in text.splitlines()
        if line.lower().startswith("sitemap:")
    ]
    blocked = (
        re.search(r"(?ims)^user-agent:\s*\*\s*$(?:\n(?!user-agent).*)*?^disallow:\s*/\s*$", text) is not None
    )
    return sitemaps, blocked


def _same_site(url: str, home: str) -> bool:
    return urlsplit(url).hostname == urlsplit(home).hostname and urlsplit(url).scheme in ("http", "https")


def probe(home: str, *, get: Fetch = fetch, samples: int = SAMPLES) -> Probe:
    """Probe the site at ``home`` (steps: docs/architecture.md, "Many outlets")."""
    if urlsplit(home).scheme not in ("http", "https"):
        raise ProbeError(
            f"{home!r} is not an http(s) URL; give the outlet's home page, e.g. https://www.example.com/"
        )
    home = home if urlsplit(home).path else home + "/"
    robots_sitemaps, blocked = _robots(home, get)
    status, page = get(home)
    if status != 200 or not page:
        raise ProbeError(f"the home page {home} did not answer (HTTP {status or 'no answer'}); check the URL")
    feeds, home_links = _links(page, home)
    home_links = [u for u in home_links if _same_site(u, home)]
    candidates = robots_sitemaps + [urljoin(home, p) for p in SITEMAP_PATHS]
    sitemaps: list[str] = []
    news: list[str] = []
    listed: list[str] = []
    queue = list(dict.fromkeys(candidates))
    read = 0
    while queue and read < MAX_SITEMAPS + len(candidates) and len(listed) < MAX_URLS:
        url = queue.pop(0)
        if url in sitemaps:
            continue
        status, body = get(url)
        read += 1
        links = parse_sitemap(body) if status == 200 else []
        if not links:
            continue
        sitemaps.append(url)
        if any(link.published for link in links):
            news.append(url)
        queue += [link.url for link in links if link.kind == "sitemap" and link.url not in sitemaps]
        listed += [link.url for link in links if link.kind == "page" and _same_site(link.url, home)]
    in_feeds: list[str] = []
    for url in feeds:
        status, body = get(url)
        in_feeds += [urljoin(url, link.url) for link in parse_feed(body)] if status == 200 else []
    in_feeds = [u for u in in_feeds if _same_site(u, home)]
    listed = list(dict.fromkeys(listed + in_feeds))[:MAX_URLS]
    groups = [_judge(shape, get, samples, set(in_feeds)) for shape in infer(listed or home_links)]
    return Probe(
        home=home,
        robots_sitemaps=robots_sitemaps,
        sitemaps=sitemaps,
        news_sitemaps=news,
        feeds=feeds,
        listed=listed,
        home_links=home_links,
        groups=groups,
        disallowed_everything=blocked,
    )


def _judge(shape: Shape, get: Fetch, samples: int, in_feeds: set[str]) -> Group:
    """Fetch a few pages of one shape and count those whose own signals say article."""
    from archiver.clean import extract

    picks = _spread(shape.urls, samples)
    articles = 0
    for url in picks:
        status, body = get(url)
        if status == 200 and body and extract(body, url).is_article_page:
            articles += 1
    return Group(shape, picks, articles, any(u in in_feeds for u in shape.urls))


def _spread(urls: list[str], count: int) -> list[str]:
    """``count`` URLs spread over the list (first, middle, last...)."""
    if len(urls) <= count:
        return list(urls)
    step = (len(urls) - 1) / (count - 1) if count > 1 else 0
    return [urls[round(i * step)] for i in range(count)]


def suggest_name(home: str) -> str:
    """A file-name-safe outlet name from the host: www.the-paper.example -> the-paper."""
    host = (urlsplit(home).hostname or "outlet").lower()
    parts = [p for p in host.split(".") if p not in ("www", "m", "amp")]
    if len(parts) > 1 and not host.replace(".", "").isdigit():
        parts = parts[:-1]
    name = re.sub(r"[^a-z0-9_-]+", "-", "-".join(parts)).strip("-")[:64] or "outlet"
    return name if name[0].isalnum() else "o" + name


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(_quote(v) for v in values) + "]"


def _quote(value: str) -> str:
    if "'" not in value and "\n" not in value:
        return f"'{value}'"  # a literal string: regexes keep their backslashes
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def outlet_file(found: Probe, name: str, *, command: str = "archiver outlets new") -> str:
    """The outlet file's text, with comments saying what each line rests on."""
    home = found.home
    origin = f"{urlsplit(home).scheme}://{urlsplit(home).netloc}"

    def rel(url: str) -> str:
        return url[len(origin) :] if url.startswith(origin + "/") else url

    top_sitemaps = [s for s in found.sitemaps if s in found.robots_sitemaps] or found.sitemaps[:1]
    if not top_sitemaps and found.sitemaps:
        top_sitemaps = found.sitemaps[:1]
    today = dt.datetime.now(dt.UTC).date().isoformat()
    lines = [
        f"# Written by `{command} {home}` on {today}: check it, then",
        f"#   archiver crawl {name} --out DIR",
        f'name = "{name}"',
        f"home = {_quote(home)}",
        "start_urls = ['/']",
    ]
    if found.disallowed_everything:
        lines.insert(
            2, "# WARNING: robots.txt disallows everything for every crawler: the crawl will fetch nothing."
        )
    if top_sitemaps:
        origin_note = (
            "named in robots.txt" if top_sitemaps[0] in found.robots_sitemaps else "found at the usual path"
        )
        lines += [
            (
                f"# Sitemaps ({origin_note}; {len(found.sitemaps)} read with their children, "
                f"{len(found.news_sitemaps)} of them news sitemaps, {len(found.listed)} URLs listed)."
            ),
            f"sitemap_urls = {_toml_list([rel(s) for s in top_sitemaps])}",
        ]
    else:
        lines.append("# No sitemap found (robots.txt names none; none at the usual paths).")
    if found.feeds:
        lines += [
            "# Feeds the home page advertises (link rel=alternate).",
            f"feed_urls = {_toml_list([rel(f) for f in found.feeds])}",
        ]
    groups = found.article_groups
    if groups:
        lines.append("# Article URLs, inferred from the shapes of the URLs sitemaps and feeds list;")
        lines.append("# sample pages of each shape were fetched and carried article signals:")
        for group in groups:
            lines.append(
                f"#   {len(group.shape.urls)} like {group.shape.example()} "
                f"({group.articles} of {len(group.samples)} samples articles)"
            )
        lines.append(f"article_allow = {_toml_list(found.patterns)}")
        body = "|".join(p.removeprefix("^") for p in found.patterns)
        lines += [
            "# Strict: a page whose URL is not of an article shape is never stored as an article.",
            f"article_deny = {_toml_list([f'^(?!{body})'])}",
        ]
    else:
        lines.append("# No URL shape was found to hold articles: pages are judged by their own signals.")
    skipped = [g for g in found.groups if not g.is_article]
    if skipped:
        lines.append("# Other shapes (crawled as listings, not stored as articles):")
        lines += [f"#   {len(g.shape.urls)} like {g.shape.example()}" for g in skipped[:10]]
    lines.append("max_pages = 100000")
    return "\n".join(lines) + "\n"
