"""The demo outlet's script-built section, "Live desk": article pages that are empty shells.

Each page under ``/2024/06/DD/<slug>/`` (an article by the outlet's URL rule)
is served as an app shell: an empty ``<div id="app">``, a ``noscript`` notice
and a script, ``/live/app.js``, that fetches ``/api/live/<slug>.json`` and
writes the story into the page. The story's photo is lazy-loaded: its ``src``
is set from ``data-src`` only when it scrolls into view. An HTTP-only crawl
therefore sees no article (and must flag the page ``needs_browser``); a
browser capture that loads and scrolls the page sees the whole story.
"""

from __future__ import annotations

import datetime as dt
import json

from archiver.demo.model import DemoArticle, Page

__all__ = ["STORIES", "live_pages", "live_articles", "SCRIPT_PATH"]

SCRIPT_PATH = "/live/app.js"
API_PREFIX = "/api/live/"
SECTION_PATH = "/live/"
PHOTO_PREFIX = "/live/photos/"
#: Paths no link reaches: only the section's script asks for them.
SCRIPT_ONLY_PREFIXES = (API_PREFIX, PHOTO_PREFIX)
_DATE = dt.datetime(2024, 6, 4, 7, 30, tzinfo=dt.timezone.utc)

#: (day, slug, title, author, paragraphs)
STORIES: tuple[tuple[int, str, str, str, tuple[str, ...]], ...] = (
    (
        3,
        "harbour-tunnel-vote-live",
        "Harbour tunnel vote: councillors back the eastern route",
        "Mara Lindqvist",
        (
            "Councillors voted by nineteen to eleven on Monday evening to back the eastern route for the "
            "harbour tunnel, ending three years of argument over where the crossing should surface.",
            "The eastern route runs beneath the old grain quays and comes up beside the ferry terminal. "
            "Supporters said it avoids demolishing any homes and keeps lorries away from the market streets.",
            "Opponents warned that the ground under the quays is soft and that the engineering survey "
            "commissioned last spring had not yet been published in full.",
            "The transport committee will now ask the regional authority for the first tranche of funding. "
            "Work on the approach roads could begin in the autumn of next year if the money is granted.",
        ),
    ),
    (
        4,
        "night-ferry-timetable-returns",
        "Night ferry timetable returns after two summers away",
        "Tomas Okafor",
        (
            "The night ferry between the harbour and the northern islands will run again from July, the "
            "operator confirmed, restoring a service that was cut when fuel prices rose two summers ago.",
            "Sailings will leave the harbour at eleven in the evening on Fridays and Saturdays, returning "
            "before dawn. Islanders had campaigned for the service, saying it was the only way to reach "
            "late shifts at the hospital without staying overnight on the mainland.",
            "The operator said bookings would open next week and that cabins would be priced at the same "
            "rate as the daytime crossings for the first month.",
        ),
    ),
    (
        5,
        "library-roof-garden-opens",
        "Central library opens its roof garden to readers",
        "Ines Carvalho",
        (
            "Readers at the central library can now take their books up to a roof garden planted with "
            "herbs, grasses and a small orchard of dwarf apple trees, which opened to the public this week.",
            "The garden was built on the flat roof of the reading room, which engineers strengthened "
            "during the renovation finished last year. Rain collected on the roof waters the beds.",
            "Librarians said the terrace would host storytelling sessions for children on Saturday "
            "mornings and poetry readings on the first Thursday of each month through the summer.",
        ),
    ),
)

_SCRIPT = """(function () {
  var root = document.getElementById("app");
  var slug = root.getAttribute("data-story");
  fetch("/api/live/" + slug + ".json").then(function (r) { return r.json(); }).then(function (s) {
    var html = '<article class="live-story"><h1>' + s.title + '</h1>' +
      '<p class="byline">By <span class="author">' + s.author + '</span> \\u00b7 <time datetime="' +
      s.published + '">' + s.published.slice(0, 10) + '</time></p>';
    s.paragraphs.forEach(function (p) { html += "<p>" + p + "</p>"; });
    html += '<figure class="live-photo" style="margin-top:1600px"><img alt="" width="640" height="360" ' +
      'data-src="' + s.image + '"></figure></article>';
    root.innerHTML = html;
    var img = root.querySelector("img[data-src]");
    new IntersectionObserver(function (entries, observer) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { img.src = img.getAttribute("data-src"); observer.disconnect(); }
      });
    }).observe(img);
  });
})();
"""


def _url(base: str, day: int, slug: str) -> str:
    return f"{base}/2024/06/{day:02d}/{slug}/"


def _shell(base: str, slug: str, title: str) -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title} | Live desk | The Meridian Herald</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{font-family:Georgia,serif;max-width:44em;margin:2em auto;padding:0 1em}"
        ".masthead{font-size:1.6em;border-bottom:3px solid #222;margin-bottom:1em}</style>"
        f'</head><body><div class="masthead"><a href="{base}/">The Meridian Herald</a> · Live desk</div>'
        f'<div id="app" data-story="{slug}"><p class="loading">Loading…</p></div>'
        "<noscript>You need to enable JavaScript to read this story.</noscript>"
        f'<script src="{base}{SCRIPT_PATH}"></script></body></html>'
    ).encode("utf-8")


def _photo_path(slug: str) -> str:
    return f"{PHOTO_PREFIX}{slug}.png"


def live_pages(base: str, photo: bytes) -> dict[str, Page]:
    """The section's pages (shells, index, script, JSON stories, photos) as served at ``base``."""
    pages: dict[str, Page] = {}
    links = []
    for day, slug, title, author, paragraphs in STORIES:
        published = dt.datetime(2024, 6, day, 6, 0, tzinfo=dt.timezone.utc)
        pages[_url("", day, slug)] = Page("text/html; charset=utf-8", _shell(base, slug, title), published)
        story = {
            "title": title,
            "author": author,
            "published": published.isoformat(),
            "paragraphs": list(paragraphs),
            "image": base + _photo_path(slug),
        }
        pages[f"{API_PREFIX}{slug}.json"] = Page(
            "application/json", json.dumps(story).encode("utf-8"), published
        )
        pages[_photo_path(slug)] = Page("image/png", photo, published)
        links.append(f'<li><a href="{_url(base, day, slug)}">{title}</a></li>')
    index = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Live desk | The Meridian '
        f"Herald</title></head><body><h1>Live desk</h1><ul>{''.join(links)}</ul></body></html>"
    )
    pages[SECTION_PATH] = Page("text/html; charset=utf-8", index.encode("utf-8"), _DATE)
    pages[SCRIPT_PATH] = Page("text/javascript; charset=utf-8", _SCRIPT.encode("utf-8"), _DATE)
    return pages


def live_articles(base: str) -> list[DemoArticle]:
    """The section's stories as a browser capture must store them."""
    return [
        DemoArticle(
            path=_url("", day, slug),
            url=_url(base, day, slug),
            title=title,
            section="live",
            authors=[author],
            published=dt.datetime(2024, 6, day, 6, 0, tzinfo=dt.timezone.utc).isoformat(),
            modified=dt.datetime(2024, 6, day, 6, 0, tzinfo=dt.timezone.utc).isoformat(),
            description="",
            paragraphs=list(paragraphs),
            tags=[],
        )
        for day, slug, title, author, paragraphs in STORIES
    ]
