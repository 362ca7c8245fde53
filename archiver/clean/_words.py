"""Class and id words: what an element's names say it is (body, furniture, caption, lead).

The patterns of ``_patterns`` are all lower case and are matched, cached, against
the lower-cased words: several times faster than ``re.I`` on these long alternations.
"""

from __future__ import annotations

import functools
import re

import lxml.etree as etree

from ._patterns import BODY_BOX, BODY_HINT, CAPTION, LEAD, NEGATIVE, POSITIVE, STRONG_NEGATIVE

# The class/id patterns are all lower case: matched case-sensitively against the
# lower-cased words, several times faster than re.I on these long alternations.
PATTERNS = {
    name: re.compile(p.pattern)
    for name, p in (
        ("STRONG_NEGATIVE", STRONG_NEGATIVE),
        ("BODY_HINT", BODY_HINT),
        ("POSITIVE", POSITIVE),
        ("NEGATIVE", NEGATIVE),
        ("CAPTION", CAPTION),
        ("LEAD", LEAD),
        ("BODY_BOX", BODY_BOX),
    )
}


@functools.lru_cache(maxsize=65536)
def is_named(pattern: str, words: str) -> bool:
    """Cached class/id test: pages repeat the same class strings many times."""
    return PATTERNS[pattern].search(words.lower()) is not None


# Page builders' layout units: Elementor wraps every heading and paragraph group
# in "elementor-widget[-container|-wrap]", the word a WordPress sidebar box uses.
# Only the widget's type ("text-editor", "share-buttons") says what it holds.
_LAYOUT_WORDS = re.compile(r"\belementor-widget(?:-container|-wrap)?\b-?")


def attr_words(el: etree._Element, layout: bool = True) -> str:
    """The element's class and id, the words furniture and body names are read
    from. ``layout=False`` leaves out page builders' layout words (inside a
    chosen body an Elementor "widget" is a paragraph group, not a sidebar box;
    when choosing the body they still mark the page's widget areas)."""
    cls = el.get("class") or ""
    ident = el.get("id") or ""
    if not cls and not ident:
        return ""
    if not layout and "elementor-widget" in cls:
        cls = _LAYOUT_WORDS.sub("", cls)
    return f"{cls} {ident}"


PATTERNS["SIDEBAR"] = re.compile(r"sidebar|side-bar|widget-?area|\bsecondary\b")
PATTERNS["MAIN_COLUMN"] = re.compile(r"\bmain\b|\bcontent\b|\bprimary\b")
