"""Recognise pages that are walls, not articles: paywall, consent, CAPTCHA, denied.

A wall is reported with the evidence that matched (``isAccessibleForFree=false``
or the phrase seen), so the crawl can flag the capture and store a paywall's
teaser as a partial article, and no article row for the other walls. Phrases
only count on pages with little text: a news story *about* captchas is not one.
"""

from __future__ import annotations

import re

_PHRASES = [
    (
        "captcha",
        re.compile(
            r"(?:are you a robot|verify (?:that )?you are (?:a )?human|prove you'?re not a robot|"
            r"complete the (?:security check|captcha)|g-recaptcha|hcaptcha|cf-challenge|"
            r"checking your browser before accessing|just a moment\.\.\.|"
            r"unusual traffic from your computer)",
            re.I,
        ),
    ),
    (
        "denied",
        re.compile(
            r"(?:access denied|403 forbidden|you don'?t have permission to access|"
            r"request blocked|you have been blocked|zugriff verweigert)",
            re.I,
        ),
    ),
    (
        "consent",
        re.compile(
            r"(?:we (?:and our partners )?use cookies|this (?:site|website) uses cookies|"
            r"accept (?:all )?cookies|manage (?:your )?(?:cookie|privacy) (?:settings|preferences)|"
            r"cookie (?:settings|consent)|zustimmung|einwilligung|datenschutzeinstellungen|"
            r"consent to (?:the use of|our use of)|before you continue to)",
            re.I,
        ),
    ),
    (
        "paywall",
        re.compile(
            r"(?:subscribe (?:now )?to (?:continue|read|keep) reading|"
            r"(?:this (?:article|content|story) is (?:only )?(?:available|reserved) (?:to|for) "
            r"(?:subscribers|members))|already a subscriber\?|to continue reading,? (?:please )?"
            r"(?:subscribe|log ?in|sign in)|become a member to read|"
            r"register (?:now )?to (?:continue|read)|"
            r"jetzt (?:weiterlesen|abonnieren)|artikel ist (?:nur )?für abonnenten|"
            r"réservé aux abonnés)",
            re.I,
        ),
    ),
]


_TEASER_CHARS = 1500  # longer extracted text is an article, whatever the page claims


def detect_wall(
    page_text: str, body_text: str, free: bool | None, title: str | None = None
) -> tuple[str | None, str | None]:
    """Return ``(wall kind, evidence)`` or ``(None, None)``."""
    if len(body_text) >= _TEASER_CHARS:
        # the page carries the article (metered or lapsed paywalls serve it whole)
        return None, None
    if free is False:
        return "paywall", "isAccessibleForFree=false"
    probe = f"{title or ''}\n{page_text[:20000]}"
    for kind, rx in _PHRASES:
        if kind == "consent" and len(body_text) >= 300:
            continue
        m = rx.search(probe)
        if m:
            return kind, m.group(0)
    return None, None
