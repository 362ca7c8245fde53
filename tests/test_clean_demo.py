"""The cleaner over every article page of the bundled demo outlet.

The demo site (``archiver.demo``) renders real-looking WordPress pages with all
the furniture of the design and knows each article's expected text; no
furniture string may reach a cleaned text and every text must match.
"""

from __future__ import annotations

import pytest

import archiver.demo as demo
from archiver.clean import extract


SITE = demo.build_site("http://127.0.0.1:8000")


def test_demo_site_has_articles():
    assert len(SITE.articles) >= 30


@pytest.mark.parametrize("article", SITE.articles, ids=lambda a: a.path)
def test_demo_article_is_clean_and_complete(article):
    page = SITE.pages[article.path]
    art = extract(page.body, article.url)
    assert art.text == article.expected_text
    assert art.title == article.title
    for furniture in demo.FURNITURE_STRINGS:
        if furniture == article.title:
            continue  # its own title is metadata, not text; it is not in the text either
        assert furniture not in art.text, furniture
    assert art.authors == article.authors
    assert art.published == article.published
    assert art.is_article_page and art.wall is None
