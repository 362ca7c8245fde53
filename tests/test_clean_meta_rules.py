"""Small cases of the metadata rules for titles and authors, one page per rule.

Each page is a theme's markup reduced to the part the rule is about (written here,
never copied from a data set).
"""

from __future__ import annotations

from archiver.clean import extract

PROSE = (
    "The council voted on Tuesday to reopen the harbour, after engineers found that "
    "the old sea wall, repaired twice since the storm, could hold for another decade. "
)


def _page(head: str = "", body: str = "", h1: str = "<h1>Harbour reopens after repairs</h1>") -> str:
    """A page whose <head> carries ``head`` and whose article is ``body`` before three paragraphs."""
    paragraphs = "".join(f"<p>{i}. {PROSE}</p>" for i in range(3))
    return (
        f"<html><head><title>Harbour reopens after repairs</title>{head}</head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article>{h1}{body}{paragraphs}</article><footer>© Example News</footer></body></html>"
    )


def test_the_linked_cowriters_beside_the_one_metadata_author_are_authors():
    head = "<meta name='author' content='Ada Brook'>"
    byline = (
        "<div class='credits'><strong>Written by</strong> <a href='/authors/ada-brook'>Ada Brook</a>, "
        "harbour reporter<br><a href='/authors/ben-cole'>Ben Cole</a>, senior editor</div>"
    )
    assert extract(_page(head, byline), "https://example.test/a").authors == ["Ada Brook", "Ben Cole"]


def test_a_link_after_another_credit_or_marked_up_apart_is_no_cowriter():
    head = "<meta name='author' content='Ada Brook'>"
    checked = (
        "<div class='credits'><p>By <a href='/author/ada-brook/'>Ada Brook</a></p>"
        "<p>Fact-checked by <a href='/author/ben-cole/'>Ben Cole</a></p></div>"
    )
    expert = (
        "<div class='meta'><span class='who'><a href='/author/ada-brook/'>Ada Brook</a></span> &amp; "
        "<span class='who expert'><a href='/author/ben-cole/'>Ben Cole</a></span></div>"
    )
    assert extract(_page(head, checked), "https://example.test/b").authors == ["Ada Brook"]
    assert extract(_page(head, expert), "https://example.test/b").authors == ["Ada Brook"]


def test_a_list_of_author_search_links_under_an_author_s_label_names_every_writer():
    byline = (
        "<aside><h6>Author(s)</h6><ul><li><a href='/library/?_author=Ada%20Brook'>Ada Brook</a></li>"
        "<li><a href='/library/?_author=Ben%20C.%20Cole'>Ben C. Cole</a></li></ul></aside>"
    )
    assert extract(_page("", byline), "https://example.test/c").authors == ["Ada Brook", "Ben C. Cole"]


def test_a_headline_cut_short_gives_way_to_the_source_that_writes_it_out():
    head = (
        '<script type="application/ld+json">{"@type": "BlogPosting",'
        ' "headline": "Harbour reopens after repairs (Including the"}</script>'
        "<meta property='og:title' content='Harbour reopens after repairs (Including the Sea Wall)'>"
    )
    page = _page(head, h1="")
    assert (
        extract(page, "https://example.test/d").title
        == "Harbour reopens after repairs (Including the Sea Wall)"
    )


def test_an_h2_showing_the_metadata_title_is_the_headline_over_an_h1_that_does_not():
    # the post's title is an <h2>; the theme's one <h1> is a pull quote in the text
    head = "<meta property='og:title' content='What do harbour towns love about ferries? | Port Blog'>"
    page = _page(head, "<h2>What do harbour towns love about ferries?</h2>", h1="")
    quote = "<h1>But what they love is the sense of freedom that a crossing gives</h1>"
    page = page.replace("<p>0.", quote + "<p>0.", 1)
    assert extract(page, "https://example.test/e").title == "What do harbour towns love about ferries?"


def test_an_h1_formatted_by_hand_that_words_the_page_otherwise_gives_way_to_the_metadata_title():
    # a page builder's text block: the editor made part of the heading bold
    head = "<meta property='og:title' content='How to Reopen a Harbour'>"
    typed = "<h1>Reopen your <strong>harbour</strong> today</h1>"
    themed = "<h1 class='entry-title'>Reopen your harbour today</h1>"
    assert extract(_page(head, h1=typed), "https://example.test/f").title == "How to Reopen a Harbour"
    assert extract(_page(head, h1=themed), "https://example.test/f").title == "Reopen your harbour today"


def test_the_host_name_written_before_the_title_is_not_part_of_it():
    page = _page(h1="").replace(
        "<title>Harbour reopens after repairs</title>", "<title>example.test Harbour reopens</title>"
    )
    assert extract(page, "https://www.example.test/2025/harbour").title == "Harbour reopens"


def test_a_metadata_name_longer_than_the_byline_name_loses_its_role_words():
    head = "<meta name='author' content='Ada Brook Gardener &amp; Astrologer'>"
    byline = "<div class='byline'>By Ada Brook</div>"
    assert extract(_page(head, byline), "https://example.test/g").authors == ["Ada Brook"]
