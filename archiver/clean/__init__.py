"""Article cleaning: main text without furniture, plus metadata, from one HTML page.

Public API::

    extract(html, url, *, keep_selectors=(), remove_selectors=()) -> Article
    explain(html, url, ...) -> (Article, [Decision])   # which rule cut which block
    EXTRACTOR_NAME, EXTRACTOR_VERSION

The tree is built with lxml's HTML parser (speed); the charset is sniffed with
BeautifulSoup's detector; outlet selectors are CSS (lxml.cssselect).
"""

from ._extract import EXTRACTOR_NAME, EXTRACTOR_VERSION, Decision, explain, extract

__all__ = ["EXTRACTOR_NAME", "EXTRACTOR_VERSION", "Decision", "explain", "extract"]
