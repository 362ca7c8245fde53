"""A second generated outlet with another URL scheme: articles at ``/news/<slug>-<id>``, no dates in paths.

What onboarding (``archiver outlets new``) must cope with besides the demo outlet: no
sitemap named in robots.txt, listings in the sitemap, a feed advertised only by
``<link rel="alternate">``, tag pages beside the articles (details: "The demo outlet and
generated sites" in ``docs/architecture.md``). Served by
:class:`archiver.demo.bigsite.BigSiteServer` (``server.pages`` replaced by
:func:`build_pages`).
"""

from __future__ import annotations

import random
from xml.sax.saxutils import escape

from archiver.demo.bigsite import _WORDS, _layout, _paragraph

__all__ = ["TOPICS", "article_paths", "build_pages"]

TOPICS = ("politics", "science", "sport", "culture", "business")
TAGS = ("harbour", "election", "budget", "storm")


def _slug(i: int) -> str:
    rng = random.Random(i * 31 + 7)
    return "-".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 6)))


def article_paths(articles: int) -> list[str]:
    return [f"/news/{_slug(i)}-{1000 + i}" for i in range(articles)]


def _article(i: int, paths: list[str], base: str) -> bytes:
    rng = random.Random(i)
    title = " ".join(rng.choice(_WORDS) for _ in range(6)).capitalize()
    date = f"2025-0{1 + i % 9}-{1 + i % 28:02d}T{6 + i % 12:02d}:30:00Z"
    head = (
        f'<meta property="og:type" content="article"><meta property="og:title" content="{escape(title)}">'
        f'<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle", '
        f'"headline": "{escape(title)}", "datePublished": "{date}"}}</script>'
        f'<link rel="alternate" type="application/rss+xml" href="{base}/rss/latest.xml">'
    )
    related = "".join(f'<li><a href="{paths[j % len(paths)]}">More</a></li>' for j in (i + 1, i + 7))
    tag = TAGS[i % len(TAGS)]
    body = (
        f'<article><h1>{escape(title)}</h1><p class="byline">By Desk {i % 5}</p>'
        f'<time datetime="{date}">{date[:10]}</time>'
        + "".join(f"<p>{_paragraph(rng)}</p>" for _ in range(rng.randint(4, 7)))
        + f'</article><p>Tagged: <a href="/news/tag/{tag}">{tag}</a></p>'
        f'<section class="related"><h2>Read next</h2><ul>{related}</ul></section>'
    )
    return _layout(title, head, body)


def build_pages(articles: int, base: str) -> dict[str, bytes]:
    """Path -> bytes of the whole site served at ``base``."""
    paths = article_paths(articles)
    site: dict[str, bytes] = {}
    for i, path in enumerate(paths):
        site[path] = _article(i, paths, base)
    feed_link = (
        f'<link rel="alternate" type="application/rss+xml" title="Latest" href="{base}/rss/latest.xml">'
    )
    topics = "".join(f'<li><a href="/topics/{t}/">{t}</a></li>' for t in TOPICS)
    latest = "".join(f'<li><a href="{p}">Story</a></li>' for p in paths[-15:])
    site["/"] = _layout(
        "The Slug Times", feed_link, f"<h1>The Slug Times</h1><ul>{topics}</ul><ul>{latest}</ul>"
    )
    for n, topic in enumerate(TOPICS):
        items = "".join(f'<li><a href="{p}">Story</a></li>' for p in paths[n :: len(TOPICS)])
        site[f"/topics/{topic}/"] = _layout(topic, feed_link, f"<h1>{topic}</h1><ul>{items}</ul>")
    for n, tag in enumerate(TAGS):
        items = "".join(f'<li><a href="{p}">Story</a></li>' for p in paths[n :: len(TAGS)][:20])
        site[f"/news/tag/{tag}"] = _layout(tag, "", f"<h1>Tag: {tag}</h1><ul>{items}</ul>")
    site["/about/"] = _layout("About", "", "<h1>About</h1><p>A generated outlet with slug URLs.</p>")
    listed = paths + [f"/topics/{t}/" for t in TOPICS] + [f"/news/tag/{t}" for t in TAGS] + ["/about/"]
    site["/sitemap.xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "".join(f"<url><loc>{base}{escape(p)}</loc></url>\n" for p in listed)
        + "</urlset>\n"
    ).encode()
    items = "".join(
        f"<item><title>Story {1000 + i}</title><link>{base}{paths[i]}</link>"
        f"<pubDate>Mon, 0{1 + i % 9} Jun 2025 08:00:00 +0000</pubDate></item>"
        for i in range(max(0, articles - 30), articles)
    )
    site["/rss/latest.xml"] = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>The Slug Times</title>'
        f"<link>{base}/</link>{items}</channel></rss>"
    ).encode()
    site["/robots.txt"] = b"User-agent: *\nDisallow: /search\n"
    return site
