"""Article cleaning: main text without furniture, plus metadata, from one HTML page.

Public API::

    extract(html, url, *, keep_selectors=(), remove_selectors=()) -> Article
    EXTRACTOR_NAME, EXTRACTOR_VERSION

The tree is built with lxml's HTML parser (speed); the charset is sniffed with
BeautifulSoup's detector; outlet selectors are CSS (lxml.cssselect).
"""

from ._extract import EXTRACTOR_NAME, EXTRACTOR_VERSION, extract

__all__ = ["extract", "EXTRACTOR_NAME", "EXTRACTOR_VERSION"]
