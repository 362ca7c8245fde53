"""Publication dates: which of the dates a page gives is the one it was published on.

Small pages written for each rule (never copied from a data set): the metadata's
stamps, the ``<time>`` the reader sees, the date in the URL.
"""

from __future__ import annotations

from archiver.clean import extract

PROSE = (
    "The council voted on Tuesday to reopen the harbour, after engineers found that "
    "the old sea wall, repaired twice since the storm, could hold for another decade. "
)


def _page(head: str, body: str) -> str:
    """A page whose <head> carries ``head`` and whose article starts with ``body``."""
    paragraphs = "".join(f"<p>{i}. {PROSE}</p>" for i in range(3))
    return (
        f"<html><head><title>Harbour</title>{head}</head><body><article><h1>Harbour</h1>"
        f"{body}{paragraphs}</article></body></html>"
    )


_UTC_META = "<meta property='article:published_time' content='2025-12-19T03:05:00+00:00'>"
_LOCAL_TIME = "<time datetime='2025-12-18T19:05:00-08:00'>December 18, 2025</time>"


def test_a_utc_stamp_on_the_next_day_gives_way_to_the_pages_own_spelling_of_that_moment():
    # an evening post: UTC says the 19th, the page's <time> and its URL the 18th
    art = extract(_page(_UTC_META, _LOCAL_TIME), "https://example.test/2025/12/18/harbour/")
    assert art.published == "2025-12-18T19:05:00-08:00"


def test_a_utc_stamp_stays_without_a_url_day_agreeing_with_the_local_spelling():
    # no URL date: nothing but the <time> says the local day is the reader's, the metadata stays
    art = extract(_page(_UTC_META, _LOCAL_TIME), "https://example.test/harbour/")
    assert art.published == "2025-12-19T03:05:00+00:00"
    # another moment on the URL's day is not the same publication
    other = "<time datetime='2025-12-18T09:00:00-08:00'>December 18, 2025</time>"
    art = extract(_page(_UTC_META, other), "https://example.test/2025/12/18/harbour/")
    assert art.published == "2025-12-19T03:05:00+00:00"


def _ld(published: str, modified: str) -> str:
    return (
        '<script type="application/ld+json">{"@type": "BlogPosting", "headline": "Harbour",'
        f' "datePublished": "{published}", "dateModified": "{modified}"}}</script>'
    )


_SHOWN = "<div class='byline'>Updated March 5, 2025</div>"


def test_a_stamp_the_page_never_shows_gives_way_to_the_date_by_the_headline():
    # schema.org says January 1st, the reader sees only March 5th under the headline
    art = extract(_page(_ld("2025-01-01T03:00:00", "2025-03-05T13:25:58"), _SHOWN), "https://example.test/h")
    assert art.published == "2025-03-05"
    assert art.modified == "2025-03-05T13:25:58"  # the modification date is still the metadata's


def test_an_opengraph_publication_time_stays_even_when_not_shown():
    og = "<meta property='article:published_time' content='2025-01-01T03:00:00+00:00'>"
    art = extract(
        _page(og + _ld("2025-01-01T03:00:00+00:00", "2025-03-05"), _SHOWN), "https://example.test/h"
    )
    assert art.published == "2025-01-01T03:00:00+00:00"


def test_a_stamp_whose_day_the_page_shows_stays():
    # the stamp's day is printed lower down (a "first published" line): the stamp is the publication
    body = _SHOWN + "<p class='note'>First published January 1, 2025</p>"
    art = extract(_page(_ld("2025-01-01T03:00:00", "2025-03-05"), body), "https://example.test/h")
    assert art.published == "2025-01-01T03:00:00"


def test_a_shown_day_the_stamp_falls_on_in_some_zone_is_that_moment():
    # 02:00 UTC on the 6th is the evening of the 5th west of London: the same moment, it stays
    art = extract(_page(_ld("2025-03-06T02:00:00Z", "2025-03-06"), _SHOWN), "https://example.test/h")
    assert art.published == "2025-03-06T02:00:00Z"


def test_a_placeholder_stamp_at_the_edge_of_the_calendar_does_not_break_the_page():
    # some systems write 0001-01-01T00:00:00Z for "no date": the day's zones overflow the calendar
    art = extract(
        _page(_ld("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"), _SHOWN), "https://example.test/h"
    )
    assert art.reason is None and "harbour" in art.text
    assert art.published == "2025-03-05"  # never shown, it gives way to the date by the headline


def _with_cards(byline: str, after: str, head: str = "") -> str:
    """A page with no metadata date: ``byline`` by the headline, ``after`` below the text
    (a feed of related articles)."""
    paragraphs = "".join(f"<p>{i}. {PROSE}</p>" for i in range(3))
    return (
        f"<html><head><title>Harbour</title>{head}</head><body><article><h1>Harbour</h1>"
        f"<p>{byline}</p>{paragraphs}</article><aside>{after}</aside></body></html>"
    )


_CARD = "<div><h3>The ferry</h3><div class='post-date'>December 2, 2025</div></div>"


def test_a_date_by_the_headline_outranks_a_related_articles_date_element():
    art = extract(_with_cards("Dec 12, 2025 · 4 min read", _CARD), "https://example.test/harbour")
    assert art.published == "2025-12-12"


def test_a_date_by_the_headline_outranks_a_date_in_page_data():
    # the data's date is a related article's, shown on its card below the text
    data = '<script>window.feed = {"publishedDate": "2024-12-17T08:00:00Z"};</script>'
    card = "<div><h3>The ferry</h3><p>J. Doe - 2024-12-17</p></div>"
    art = extract(_with_cards("February 4, 2025", card, data), "https://example.test/harbour")
    assert art.published == "2025-02-04"


def test_page_data_on_the_day_by_the_headline_keeps_its_time():
    data = '<script>window.feed = {"publishedDate": "2025-02-04T08:00:00Z"};</script>'
    art = extract(_with_cards("February 4, 2025", "", data), "https://example.test/harbour")
    assert art.published == "2025-02-04T08:00:00Z"


def test_a_day_month_and_year_joined_by_hyphens_is_read():
    # "04-Aug-2021", and the abbreviated month of a Spanish or Italian page ("ago", agosto)
    from archiver.clean._datetext import normalise_date

    assert normalise_date("17-Dec-2025") == "2025-12-17"
    assert normalise_date("04-ago-2021 5:11:10") == "2021-08-04"
    assert normalise_date("3 days ago 2021") is None
    art = extract(_with_cards("By: Team on 04-ago-2021 5:11:10", ""), "https://example.test/harbour")
    assert art.published == "2021-08-04"
