"""Build the demo outlet: every page, feed and sitemap, as bytes, for one base URL.

``build_site(base_url)`` is pure and deterministic (same bytes on every call),
so tests can compare what a crawler archived with what was served, and the
seed article's page is kept as a golden file under ``tests/fixtures/seed/``:
regenerate it with ``python -m archiver.demo.site --write-fixtures``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import struct
import sys
import zlib
from pathlib import Path

from archiver.demo import face, feeds, live, render
from archiver.demo.content import AUTHORS, SECTIONS, SITE_NAME, ArticleContent, catalogue, slugify
from archiver.demo.model import DemoArticle, DemoSite, Page

__all__ = [
    "FURNITURE_STRINGS",
    "DemoArticle",
    "DemoSite",
    "Page",
    "build_site",
    "render_article",
    "FIXTURE_BASE",
]

HOME_PAGE_SIZE = 10
SECTION_PAGE_SIZE = 4
DISALLOWED = ["/private/"]
PRIVATE_PAGE = "/private/staff-rota/"
#: A withdrawn story the home page still links to: the crawl archives its 404.
DEAD_LINK = "/2024/05/30/withdrawn-story/"
FIXTURE_BASE = "http://127.0.0.1:8000"
STATIC_DATE = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.timezone.utc)
HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"

_HOME_EXTRAS = ("Editor's pick", "Staff area", "Most read", "Corrections", "A story we withdrew")


def _furniture() -> tuple[str, ...]:
    """Every boilerplate string of the site; none may reach a cleaned article text."""
    strings = list(render.STATIC_FURNITURE) + list(_HOME_EXTRAS)
    strings += [a.bio for a in AUTHORS.values()]
    for article in catalogue():
        strings += [article.title, render.teaser_excerpt(article), f"READ MORE: {article.title}"]
    return tuple(dict.fromkeys(strings))


FURNITURE_STRINGS: tuple[str, ...] = _furniture()


def article_path(article: ArticleContent) -> str:
    """/YYYY/MM/DD/slug/ in the article's own time zone, as WordPress permalinks are."""
    return f"/{article.published:%Y/%m/%d}/{article.slug}/"


def render_article(
    base: str, content: ArticleContent, contents: list[ArticleContent], cdn: str | None = None
) -> bytes:
    """The HTML of one article page (also used by the server to re-render an edited one)."""
    urls = {a.slug: base + article_path(a) for a in contents}
    by_slug = {a.slug: a for a in contents}
    post_id = 1000 + [a.slug for a in contents].index(content.slug)
    return render.article_page(base, content, urls[content.slug], urls, by_slug, post_id, cdn).encode("utf-8")


def build_site(base_url: str, cdn_url: str | None = None) -> DemoSite:
    """The whole outlet as served at ``base_url`` (scheme://host:port, no trailing slash).

    ``cdn_url`` is the second origin serving its stylesheets, font and images
    (:mod:`archiver.demo.face`); without it the outlet serves them itself.
    """
    base = base_url.rstrip("/")
    cdn = (cdn_url or base).rstrip("/")
    contents = catalogue()
    newest_first = sorted(contents, key=lambda a: (a.published, a.slug), reverse=True)
    urls = {a.slug: base + article_path(a) for a in contents}
    pages: dict[str, Page] = {}

    for content in contents:
        pages[article_path(content)] = Page(
            HTML, render_article(base, content, contents, cdn), content.modified
        )

    _listing_pages(pages, base, "/", "Latest news", newest_first, HOME_PAGE_SIZE, urls, home=True, cdn=cdn)
    for section in SECTIONS.values():
        in_section = [a for a in newest_first if a.section == section.slug]
        _listing_pages(
            pages,
            base,
            f"/section/{section.slug}/",
            section.name,
            in_section,
            SECTION_PAGE_SIZE,
            urls,
            cdn=cdn,
        )
    for author in AUTHORS.values():
        written = [a for a in newest_first if author.name in a.authors]
        _listing_pages(
            pages,
            base,
            f"/author/{author.slug}/",
            author.name,
            written,
            len(written) or 1,
            urls,
            intro=author.bio,
            cdn=cdn,
        )
    tags = sorted({t for a in contents for t in a.tags})
    for tag in tags:
        tagged = [a for a in newest_first if tag in a.tags]
        _listing_pages(
            pages, base, f"/tag/{slugify(tag)}/", f"Tag: {tag}", tagged, len(tagged), urls, cdn=cdn
        )

    for path, title, paragraphs in _STATIC_PAGES:
        pages[path] = _simple_page(base, path, title, paragraphs, cdn)
    seed = next(a for a in contents if a.is_seed)
    pages[f"/go/{seed.slug}"] = Page(HTML, b"", STATIC_DATE, status=301, location=urls[seed.slug])
    # Yoast SEO's habit: /sitemap.xml is a permanent redirect to the index.
    pages["/sitemap.xml"] = Page(HTML, b"", STATIC_DATE, status=301, location=base + feeds.SITEMAP_INDEX)
    pages[render.STYLE_PATH] = Page("text/css; charset=utf-8", _STYLE.encode("utf-8"), STATIC_DATE)
    pages[render.IMAGE_PATH] = Page("image/png", _png(), STATIC_DATE)
    pages.update(live.live_pages(base, _png()))  # the script-built "Live desk" section
    pages[face.FAVICON_PATH] = face.favicon_page(STATIC_DATE)
    cdn_pages = face.asset_pages(STATIC_DATE)
    if cdn == base:  # one origin: the outlet serves its own assets (its robots.txt stays its own)
        pages.update({path: page for path, page in cdn_pages.items() if path != "/robots.txt"})
        cdn_pages = {}
    _machine_pages(pages, base, newest_first, urls)

    articles = [
        DemoArticle(
            path=article_path(a),
            url=urls[a.slug],
            title=a.title,
            section=a.section,
            authors=list(a.authors),
            published=render.iso(a.published),
            modified=render.iso(a.modified),
            description=a.description,
            paragraphs=list(a.paragraphs),
            tags=list(a.tags),
            is_seed=a.is_seed,
        )
        for a in newest_first
    ]
    not_found = _simple_page(
        base,
        "/404/",
        "Page not found",
        [
            "Sorry, the page you were looking for could not be found.",
            "It may have been moved or deleted. Try the home page or one of our sections.",
        ],
    )
    return DemoSite(
        base_url=base,
        pages=pages,
        articles=articles,
        disallowed_paths=list(DISALLOWED),
        not_found=dataclasses.replace(not_found, status=404),
        sections=list(SECTIONS),
        live_articles=live.live_articles(base),
        cdn_url=cdn,
        cdn_pages=cdn_pages,
    )


def _listing_pages(
    pages: dict[str, Page],
    base: str,
    prefix: str,
    heading: str,
    items: list[ArticleContent],
    per_page: int,
    urls: dict[str, str],
    *,
    home: bool = False,
    intro: str = "",
    cdn: str | None = None,
) -> None:
    """A paginated list of teasers: prefix, prefix + page/2/, ..."""
    count = max(1, -(-len(items) // per_page))
    for n in range(1, count + 1):
        chunk = items[(n - 1) * per_page : n * per_page]
        path = prefix if n == 1 else f"{prefix}page/{n}/"
        title = f"{heading} | {SITE_NAME}" if n == 1 else f"{heading} - Page {n} of {count} | {SITE_NAME}"
        main = (
            f'<div class="td-category-header"><h1 class="entry-title td-page-title">{render.e(heading)}</h1>'
            + (f'<div class="td-category-description"><p>{render.e(intro)}</p></div>' if intro else "")
            + "</div>\n"
            + "\n".join(render.listing_item(base, a, urls[a.slug]) for a in chunk)
            + "\n"
            + render.pagination(base, prefix, n, count)
        )
        sidebar = _home_sidebar(base, items, urls) if home else render.newsletter_box()
        head = render.website_head(base, title=heading, path=path, description=f"{heading} from {SITE_NAME}")
        html = render.page_shell(
            base,
            title=title,
            head=head,
            main=main,
            sidebar=sidebar,
            body_class="home blog" if home else "archive category",
            cdn=cdn,
        )
        modified = max((a.modified for a in chunk), default=STATIC_DATE)
        pages[path] = Page(HTML, html.encode("utf-8"), modified)


def _home_sidebar(base: str, items: list[ArticleContent], urls: dict[str, str]) -> str:
    """The home page's extras: an editor's pick through /go/, the robots-disallowed staff link,
    and a link to a withdrawn story that answers 404."""
    seed = next(a for a in items if a.is_seed)
    most_read = "".join(f'<li><a href="{urls[a.slug]}">{render.e(a.title)}</a></li>' for a in items[3:8])
    return (
        f'<div class="td_block_wrap editors-pick"><h4 class="td-block-title">Editor\'s pick</h4>'
        f'<a href="{base}/go/{seed.slug}">{render.e(seed.title)}</a></div>'
        f'<div class="td_block_wrap td_block_popular"><h4 class="td-block-title">Most read</h4><ol>{most_read}</ol></div>'
        f'<div class="td_block_wrap staff-links"><a href="{base}{PRIVATE_PAGE}" rel="nofollow">Staff area</a></div>'
        f'<div class="td_block_wrap corrections"><h4 class="td-block-title">Corrections</h4>'
        f'<a href="{base}{DEAD_LINK}">A story we withdrew</a></div>' + render.newsletter_box()
    )


def _simple_page(base: str, path: str, title: str, paragraphs: list[str], cdn: str | None = None) -> Page:
    main = (
        f'<div class="td-page-header"><h1 class="entry-title td-page-title">{render.e(title)}</h1></div>'
        '<div class="td-page-content">' + "".join(f"<p>{render.e(p)}</p>" for p in paragraphs) + "</div>"
    )
    head = render.website_head(base, title=title, path=path, description=paragraphs[0])
    if path.startswith("/private/"):
        head += '<meta name="robots" content="noindex, nofollow">\n'
    html = render.page_shell(
        base, title=f"{title} | {SITE_NAME}", head=head, main=main, body_class="page", cdn=cdn
    )
    return Page(HTML, html.encode("utf-8"), STATIC_DATE)


def _machine_pages(
    pages: dict[str, Page], base: str, newest_first: list[ArticleContent], urls: dict[str, str]
) -> None:
    newest = max(a.modified for a in newest_first)
    entries = [(a, urls[a.slug]) for a in newest_first]
    lastmod = render.iso(newest)
    other = [
        (base + path, render.iso(page.last_modified))
        for path, page in pages.items()
        if page.content_type == HTML
        and page.status == 200
        and not path.startswith("/private/")
        and path not in {article_path(a) for a in newest_first}
    ]
    machine = {
        "/robots.txt": ("text/plain; charset=utf-8", feeds.robots_txt(base, DISALLOWED), STATIC_DATE),
        feeds.SITEMAP_INDEX: (XML, feeds.sitemap_index(base, lastmod), newest),
        feeds.ARTICLE_SITEMAP: (XML, feeds.urlset([(u, render.iso(a.modified)) for a, u in entries]), newest),
        feeds.PAGE_SITEMAP: (XML, feeds.urlset(other), newest),
        feeds.NEWS_SITEMAP: (XML, feeds.news_sitemap(entries), newest),
        feeds.RSS: ("application/rss+xml; charset=utf-8", feeds.rss(base, entries), newest),
        feeds.ATOM: ("application/atom+xml; charset=utf-8", feeds.atom(base, entries), newest),
    }
    for path, (ctype, text, modified) in machine.items():
        pages[path] = Page(ctype, text.encode("utf-8"), modified)


def _png() -> bytes:
    """A 1x1 grey PNG, built here so the package ships no binary file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x99", 9))
        + chunk(b"IEND", b"")
    )


_STYLE = """body{font-family:Georgia,serif;margin:0;color:#111}
.td-container{max-width:1068px;margin:0 auto}.td-pb-span8{width:66%;float:left}.td-pb-span4{width:33%;float:right}
.cn-banner{position:fixed;bottom:0;background:#222;color:#fff;padding:1em}
.td-warning-comment,.td-warning-author,.td-warning-email,.td-warning-email-error{display:none}
.td-footer-wrap{clear:both;background:#111;color:#ccc;padding:2em}
"""

_STATIC_PAGES = (
    (
        "/about/",
        "About us",
        [
            f"{SITE_NAME} is the demonstration outlet of news-archiver, a tool for archiving news sites.",
            "Its four sections, World, Politics, Business and Science, carry invented stories laid out the way a "
            "WordPress news site lays them out, with all the furniture an archive has to see past.",
            "To advertise with us, write to the advertising desk. Corrections are published at the foot of each story.",
        ],
    ),
    (
        "/privacy/",
        "Privacy policy",
        [
            "This demonstration site sets no cookies and keeps no logs beyond what the test suite inspects.",
            "The cookie banner on every page is part of the furniture a cleaner must remove.",
        ],
    ),
    (
        PRIVATE_PAGE,
        "Newsroom staff rota",
        [
            "Internal page: this rota is disallowed in robots.txt and must never be fetched by a polite crawler.",
            "Night desk: A. Pryce, F. Drummond. Weekend desk: H. Liebermann, R. Chu.",
        ],
    ),
)


def write_fixtures(directory: Path) -> list[Path]:
    """Write the seed article's page and expected text (title, blank line, text) as golden files."""
    site = build_site(FIXTURE_BASE)
    seed = site.seed_article
    directory.mkdir(parents=True, exist_ok=True)
    page = directory / "page.html"
    expected = directory / "expected.txt"
    page.write_bytes(site.pages[seed.path].body)
    expected.write_text(f"{seed.title}\n\n{seed.expected_text}\n", encoding="utf-8")
    return [page, expected]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m archiver.demo.site", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--write-fixtures", action="store_true", help="write the seed article's page.html and expected.txt"
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path(__file__).resolve().parents[2] / "tests/fixtures/seed",
        help="where --write-fixtures writes (default: tests/fixtures/seed of this checkout)",
    )
    args = parser.parse_args(argv)
    if not args.write_fixtures:
        site = build_site(FIXTURE_BASE)
        print(f"{len(site.pages)} pages, {len(site.articles)} articles in {len(site.sections)} sections")
        return 0
    for path in write_fixtures(args.dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
