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
