"""Golden tests of the article cleaner on the project's own fixture pages.

Each fixture page carries one kind of furniture real outlets have (or all of
them, on a WordPress "Newspaper"-theme page with the reference article); the
expected file holds the title, a blank line, then ``Article.text``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import archiver.clean
from archiver.article import Article
from archiver.clean import EXTRACTOR_NAME, EXTRACTOR_VERSION, extract

FIXTURES = Path(__file__).parent / "fixtures" / "clean"
PAGES = sorted(p.stem for p in FIXTURES.glob("*.html"))
FURNITURE = json.loads((FIXTURES / "furniture.json").read_text(encoding="utf-8"))


def _clean(name: str, **kw) -> Article:
    return extract((FIXTURES / f"{name}.html").read_bytes(), f"https://example.test/{name}", **kw)


def test_public_api_is_what_the_docs_say():
    assert sorted(archiver.clean.__all__) == [
        "Decision",
        "EXTRACTOR_NAME",
        "EXTRACTOR_VERSION",
        "explain",
        "extract",
    ]
    assert EXTRACTOR_NAME == "archiver.clean" and EXTRACTOR_VERSION


@pytest.mark.parametrize("name", PAGES)
def test_golden_text(name):
    art = _clean(name)
    expected = (FIXTURES / f"{name}.expected.txt").read_text(encoding="utf-8")
    assert f"{art.title}\n\n{art.text}\n" == expected
    assert art.extractor == EXTRACTOR_NAME and art.extractor_version == EXTRACTOR_VERSION
    assert art.reason is None and art.wall is None


@pytest.mark.parametrize("kind", sorted(FURNITURE))
def test_no_furniture_string_survives(kind):
    art = _clean(f"furniture_{kind}")
    for phrase in FURNITURE[kind]:
        assert phrase not in art.text, phrase
        assert phrase not in art.markdown, phrase


def test_reference_page_drops_every_furniture_string():
    art = _clean("newspaper_theme")
    for phrase in (
        "Please enter your comment!",
        "Please enter your name here",
        "LEAVE A REPLY",
        "Share post:",
        "More like this",
        "READ MORE",
        "Advertisement",
        "cookies",
        "Newsletter",
        "Anna Kowalska covers",
        "TAGS",
        "All rights reserved",
        "New Russian army unit",
        "Prince Harry",
        "Stay Connected",
    ):
        assert phrase.lower() not in art.text.lower(), phrase


def test_split_body_keeps_the_second_half():
    art = _clean("furniture_split_body")
    assert art.text.rstrip().endswith("kept open to the fishing fleet throughout.")
    assert "Engineers hired by the council" in art.text


def test_markdown_keeps_structure():
    art = _clean("furniture_split_body")
    assert art.markdown + "\n" == (FIXTURES / "furniture.expected.md").read_text(encoding="utf-8")


def test_metadata_of_the_reference_page():
    art = _clean("newspaper_theme")
    assert art.title == "Belarus posed for 'covert' military campaign in chilling Ukraine war escalation"
    assert art.authors == ["Anna Kowalska"]
    assert art.published == "2022-06-22T14:05:00+01:00"
    assert art.modified == "2022-06-22T16:30:00+01:00"
    assert art.language == "en-GB"
    assert art.canonical_url == "https://courier.example/world/belarus-covert-mobilisation/"
    assert art.section == "World" and art.tags == ["Belarus", "Ukraine"]
    assert art.site_name == "The Daily Courier"
    assert art.image == "https://courier.example/wp-content/uploads/2022/06/lukashenko.jpg"
    assert art.description.startswith("Belarus is considering")
    assert art.is_article_page is True


def test_outlet_selectors_take_precedence_and_drift_is_reported():
    art = _clean("furniture_author_bio", keep_selectors=["blockquote"])
    assert art.text == "This is the most important decision the town has taken in a generation."
    assert art.unmatched_selectors == []
    art = _clean(
        "furniture_split_body",
        keep_selectors=["div.story-text"],
        remove_selectors=["blockquote", "#no-such-id"],
    )
    assert art.unmatched_selectors == ["#no-such-id", "div.story-text"]
    assert "Engineers hired by the council" in art.text  # generic cleaner took over
    assert "most important decision" not in art.text  # the remove rule still applied
