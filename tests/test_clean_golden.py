"""Golden pages of the shapes the cleaner must hold on (issue 14, items 3 and 6).

Each page is the reduced shape of a kind of news or web page: prose where no
container looks like an article (item 3), and the news page types beyond the
plain article (item 6), each with the decision the cleaner takes on it.
"""

from __future__ import annotations

import re

import pytest

from archiver.clean import explain, extract

STORY = (
    "Our grandmother made this soup every winter, standing at the stove of the farmhouse while the "
    "snow piled up against the kitchen window and the radio played old songs.",
    "The recipe came with her from the village, written on a card that has since lost a corner, and we "
    "have changed nothing except the amount of pepper, which she used generously.",
    "When you make it, take your time with the onions: they should be soft and golden before the stock "
    "goes in, which takes a good twenty minutes over a low flame.",
)
UPDATES = (
    (
        "09:12",
        "The first ferry left the harbour on time this morning, carrying forty passengers and a van "
        "of post, the harbour master said.",
    ),
    (
        "10:40",
        "Engineers inspecting the sea wall say the repaired section held overnight, although the "
        "older stones near the slipway need watching.",
    ),
    (
        "12:05",
        "The council has called a public meeting for Thursday evening to explain the timetable for "
        "the remaining repairs to residents.",
    ),
)
CAPTIONS = (
    "The old lighthouse at dawn, seen from the northern pier, with the fishing fleet still at anchor in the bay.",
    "Children watching the first ferry leave, on the steps of the harbour office that was flooded last winter.",
    "The repaired section of the sea wall at low tide, where new granite blocks replaced the ones the storm "
    "carried off.",
)
NAV = "<header><nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/about'>About</a></nav></header>"
FOOT = "<footer><a href='/privacy'>Privacy</a> <a href='/contact'>Contact</a> © 2025</footer>"


def _page(body: str, title: str = "Harbour") -> str:
    return f"<html><head><title>{title}</title></head><body>{NAV}{body}{FOOT}</body></html>"


def _has_all(text: str, pieces) -> bool:
    return all(p in text for p in pieces)


# ------------------------------------------------------------ item 3: never empty when a reader sees prose
def test_recipe_page_keeps_its_story_and_its_recipe():
    html = _page(
        "<div class='wprm-recipe-container'><div class='recipe-intro'>"
        + "".join(f"<p>{s}</p>" for s in STORY)
        + "</div><div class='wprm-recipe'><h2>Winter soup</h2><ul class='ingredients'><li>2 onions</li>"
        "<li>1 l stock</li></ul></div></div><aside class='sidebar'><h3>Popular</h3><ul>"
        "<li><a href='/a'>Apple pie</a></li><li><a href='/b'>Banana bread</a></li></ul></aside>"
    )
    art = extract(html, "https://example.test/recipe")
    assert _has_all(art.text, STORY)
    assert "Banana bread" not in art.text


def test_organisation_statement_in_layout_blocks_is_returned():
    html = _page(
        "<div id='page'><div class='hero'><h1>Statement on the river clean-up</h1></div>"
        "<div class='wp-block-group'><div class='wp-block-columns'>"
        + "".join(f"<div class='wp-block-column'><p>{s}</p></div>" for s in STORY[:2])
        + "</div></div></div>"
    )
    assert _has_all(extract(html, "https://example.test/org").text, STORY[:2])


def test_text_in_table_cells_is_returned():
    html = _page(
        "<table width='100%'><tr><td class='nav'><a href='/1'>One</a><br><a href='/2'>Two</a></td>"
        f"<td><font size='2'>{STORY[0]}<br><br>{STORY[1]}<br><br>{STORY[2]}</font></td></tr></table>"
    )
    art = extract(html, "https://example.test/table")
    assert _has_all(art.text, STORY)
    assert "One" not in art.text.split()


def test_text_in_many_small_divs_is_returned():
    words = " ".join(STORY).split()
    lines = [" ".join(words[i : i + 3]) for i in range(0, len(words), 3)]
    html = _page("<div class='statement'>" + "".join(f"<div class='w'>{c}</div>" for c in lines) + "</div>")
    text = " ".join(extract(html, "https://example.test/divs").text.split())
    assert _has_all(text, STORY)


def test_prose_cut_by_every_rule_comes_back_with_the_reason():
    # every part of the page is named like furniture: pruning empties the body, but a
    # reader sees three paragraphs of prose, so they are returned and the reason kept
    html = _page(
        "<div class='content'>"
        + "".join(f"<section class='sidebar-box related'><p>{s}</p></section>" for s in STORY)
        + "</div>"
    )
    art = extract(html, "https://example.test/boxes")
    assert _has_all(art.text, STORY)
    assert art.reason and "prose" in art.reason
    assert "Privacy" not in art.text


def test_a_page_without_prose_stays_empty():
    art = extract(_page("<div class='app'><span>Loading…</span></div>"), "https://example.test/app")
    assert art.text == "" and art.reason == "no main content found"


# ------------------------------------------------------------ item 6: news page types
def test_live_blog_keeps_every_update_with_its_time():
    html = _page(
        "<article><h1>Harbour reopens: live</h1><div class='liveblog'>"
        + "".join(
            f"<div class='live-post'><time datetime='2025-03-04T{t}:00Z'>{t}</time><p>{x}</p>"
            "<div class='share'><a href='#'>Share</a></div></div>"
            for t, x in UPDATES
        )
        + "</div></article>"
    )
    text = extract(html, "https://example.test/live").text
    positions = [text.find(f"{t}\n\n{x}") for t, x in UPDATES]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    assert "Share" not in text


def test_photo_gallery_keeps_its_captions_as_the_text():
    html = _page(
        "<article><h1>In pictures: the harbour reopens</h1><p>The harbour in pictures.</p>"
        + "".join(
            f"<figure><img src='/i{i}.jpg' alt=''><figcaption>{c} <span class='credit'>Photo: A. Smith"
            "</span></figcaption></figure>"
            for i, c in enumerate(CAPTIONS)
        )
        + "</article>"
    )
    art, decisions = explain(html, "https://example.test/gallery")
    assert _has_all(art.text, CAPTIONS)
    assert "A. Smith" not in art.text  # the photo credit is not the caption
    assert {d.rule for d in decisions} >= {"prune:caption-name"}


def test_an_article_with_one_photo_drops_its_caption():
    html = _page(
        "<article><h1>Harbour</h1>"
        + "".join(f"<p>{s}</p>" for s in STORY)
        + f"<figure><img src='/a.jpg'><figcaption>{CAPTIONS[0]}</figcaption></figure></article>"
    )
    assert CAPTIONS[0] not in extract(html, "https://example.test/photo").text


def test_video_page_keeps_description_and_transcript():
    html = _page(
        "<article><h1>Video: the harbour reopens</h1><div class='video-player'><video src='/v.mp4'>"
        f"</video></div><div class='video-description'><p>{UPDATES[0][1]}</p></div>"
        f"<section class='transcript'><h2>Transcript</h2><p>{UPDATES[1][1]}</p><p>{UPDATES[2][1]}</p>"
        "</section></article>"
    )
    assert _has_all(extract(html, "https://example.test/video").text, [x for _, x in UPDATES])


def test_interview_keeps_its_questions():
    questions = ("How long did the repairs take?", "Is the wall safe now?", "What happens next?")
    html = _page(
        "<article><h1>Interview with the harbour master</h1>"
        f"<p><strong>{questions[0]}</strong></p><p>{UPDATES[0][1]}</p>"
        f"<p><b>{questions[1]}</b></p><p>{UPDATES[1][1]}</p>"
        f"<h3>{questions[2]}</h3><p>{UPDATES[2][1]}</p></article>"
    )
    text = extract(html, "https://example.test/qa").text
    order = [text.find(q) for q in questions] + [text.find(UPDATES[2][1])]
    assert all(p >= 0 for p in order) and order == sorted(order)


def test_listicle_keeps_its_numbered_headings():
    items = ("The lighthouse", "The ferry steps", "The sea wall")
    html = _page(
        f"<article><h1>Three things to see at the harbour</h1><p>{STORY[0]}</p>"
        + "".join(f"<h2>{i}. {n}</h2><p>{c}</p>" for i, (n, c) in enumerate(zip(items, CAPTIONS), 1))
        + "</article>"
    )
    md = extract(html, "https://example.test/list").markdown
    for i, n in enumerate(items, 1):
        assert f"## {i}. {n}" in md


@pytest.mark.parametrize(
    "quote",
    [
        "<aside class='pullquote'><blockquote>“{q}”</blockquote></aside>",
        "<figure class='wp-block-pullquote'><blockquote><p>“{q}”</p></blockquote></figure>",
        "<blockquote>{q}</blockquote>",
    ],
)
def test_opinion_pull_quote_is_written_once(quote):
    q = "we have changed nothing except the amount of pepper"
    html = _page(
        f"<article><h1>Keep the recipe as it is</h1><p>{STORY[0]}</p>{quote.format(q=q)}"
        f"<p>{STORY[1]}</p><p>{STORY[2]}</p></article>"
    )
    text = extract(html, "https://example.test/opinion").text
    assert len(re.findall(re.escape(q), text)) == 1
    assert _has_all(text, STORY)


def test_a_quotation_that_is_not_repeated_is_kept():
    said = "The sea does not read the council's timetable, and neither do the storms that come with it."
    html = _page(
        f"<article><h1>Harbour</h1><p>{STORY[0]}</p><blockquote>{said}</blockquote><p>{STORY[1]}</p></article>"
    )
    assert said in extract(html, "https://example.test/quote").text


def test_explain_names_the_rule_that_cut_each_block():
    html = _page(
        f"<article><h1>Harbour</h1><p>{STORY[0]}</p><div class='related-links'><ul>"
        "<li><a href='/x'>Another story about the harbour</a></li><li><a href='/y'>And one more</a></li>"
        f"</ul></div><p>{STORY[1]}</p></article>"
    )
    art, decisions = explain(html, "https://example.test/explain")
    assert art.text == extract(html, "https://example.test/explain").text
    rules = {d.rule for d in decisions}
    assert "body:chosen" in rules
    cut = [d for d in decisions if d.rule.startswith("prune:")]
    assert any("Another story" in d.text for d in cut)


# ------------------------------------------------------------ item 5: authors archivists can cite
@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("Text by Jane Doe", ["Jane Doe"]),
        ("ByJane Doe", ["Jane Doe"]),
        ("Authors: Jane Doe & John Roe", ["Jane Doe", "John Roe"]),
        ("Keith Barry Senior Autos Reporter", ["Keith Barry"]),
        ("Paramita Ghosh", ["Paramita Ghosh"]),  # (not "Par" + "amita")
        ("Luke KimDecember 3, 2025", ["Luke Kim"]),
        ("Name *", []),
    ],
)
def test_bylines_become_separate_names_without_by_or_roles(byline, names):
    html = (
        f"<html><head><meta name='author' content='{byline}'></head><body><article><h1>Harbour</h1>"
        f"<p>{STORY[0]}</p></article></body></html>"
    )
    assert extract(html, "https://example.test/a").authors == names


def test_an_organisation_author_gives_way_to_the_person_in_the_byline():
    html = (
        '<html><head><script type=\'application/ld+json\'>{"@type": "NewsArticle", "headline": "Harbour",'
        ' "author": {"@type": "Organization", "name": "Harbour Gazette"}}</script></head><body>'
        "<article><h1>Harbour</h1><div class='byline'>By Jane Doe</div>"
        f"<p>{STORY[0]}</p></article></body></html>"
    )
    assert extract(html, "https://example.test/a").authors == ["Jane Doe"]
