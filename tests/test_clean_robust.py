"""The cleaner returns an Article for every input: it never raises."""

from __future__ import annotations

import pytest

from archiver.clean import extract

PARA = "The committee met on Monday and agreed, after a long debate, to publish the report."


@pytest.mark.parametrize(
    "page",
    [
        b"",
        "",
        b"   \n",
        b"\x00\x00\x00",
        "<html><body>\x00\x01\x02\x1b</body></html>",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
        b"<p" * 50_000,
        '<?xml version="1.0" encoding="utf-8"?><html><body></body></html>',
        None,
        42,
    ],
)
def test_odd_input_gives_an_article_with_a_reason(page):
    art = extract(page, "https://example.test/odd")
    assert art.text == "" and art.reason
    assert art.url == "https://example.test/odd"


@pytest.mark.parametrize(
    "page",
    [
        "<<<>>><div><p></div></span>",
        b"<html><head><meta charset='no-such-charset'></head><body><p>short</p></body></html>",
    ],
)
def test_stub_pages_never_raise(page):
    art = extract(page, "u")
    assert art.text or art.reason


def test_control_characters_and_nul_are_dropped_not_fatal():
    art = extract(f"<html><body><article><p>{PARA}\x00\x07</p></article></body></html>", "u")
    assert art.text == PARA


def test_broken_markup_still_gives_the_text():
    art = extract(f"<html><body><div><p>{PARA}<p>{PARA.upper()}</div></span></body>", "u")
    assert art.text == f"{PARA}\n\n{PARA.upper()}"


def test_control_character_references_do_not_break_the_tree_edits():
    # libxml2 turns "&#14;" into U+000E, which lxml then refuses to write back
    # when a dropped <script> hands its tail to the paragraph
    page = (
        f"<html><body><article><p>The day&#14;<script>x()</script> went on. {PARA}</p>"
        f"<p>{PARA.upper()}</p></article></body></html>"
    )
    art = extract(page, "u")
    assert art.reason is None and "The day went on." in art.text


def test_article_after_an_early_closing_html_tag_is_kept():
    # a plugin printed its own </body></html> before the article: libxml2 starts
    # a second root for the rest, browsers keep it in the body
    page = (
        "<html><head><title>T</title></head><body><nav><a href='/'>Home</a></nav>"
        "</body></html><div class='post'><p>"
        + PARA
        + "</p><p>"
        + PARA.upper()
        + "</p></div><footer>Footer links</footer></body></html>"
    )
    art = extract(page, "u")
    assert art.text == f"{PARA}\n\n{PARA.upper()}"


def test_ten_megabyte_page():
    page = "<html><body><article>" + f"<p>{PARA}</p>" * 120_000 + "</article></body></html>"
    assert len(page) > 10_000_000
    art = extract(page.encode(), "u")
    assert art.text.startswith(PARA) and art.text.count(PARA) == 120_000


@pytest.mark.parametrize(
    "encoding,declare",
    [
        ("cp1252", "windows-1252"),
        ("iso-8859-1", "iso-8859-1"),
        ("utf-8", None),
        ("koi8-r", "koi8-r"),
        ("shift_jis", "shift_jis"),
    ],
)
def test_charsets(encoding, declare):
    text = {
        "iso-8859-1": "Le comité s'est réuni lundi et a accepté, après un long débat, «oui».",
        "koi8-r": "Комитет собрался в понедельник и согласился опубликовать доклад, сказал он.",
        "shift_jis": "委員会は月曜日に会合を開き、長い議論の末、報告書を公表することに合意した。"
        "委員会は月曜日に会合を開いた。",
    }.get(
        encoding, "Le comité s’est réuni lundi et a accepté, après un long débat, de publier le rapport – «€»"
    )
    head = f'<meta charset="{declare}">' if declare else ""
    page = f"<html><head>{head}</head><body><article><p>{text}</p></article></body></html>"
    art = extract(page.encode(encoding), "u")
    assert art.text == text


def test_byte_order_mark_wins_over_a_wrong_declaration():
    page = f'<html><head><meta charset="iso-8859-1"></head><body><p>{PARA} – ok</p></body></html>'
    art = extract(b"\xef\xbb\xbf" + page.encode("utf-8"), "u")
    assert art.text == f"{PARA} – ok"
    art = extract(page.encode("utf-16"), "u")
    assert art.text == f"{PARA} – ok"


def test_mislabelled_utf8_page_is_read_as_utf8():
    page = f'<html><head><meta charset="utf-8"></head><body><p>{PARA} café</p></body></html>'
    art = extract(page.encode("cp1252"), "u")
    assert art.text == f"{PARA} café"


def test_walls_are_flagged_with_evidence():
    paywall = (
        '<html><head><script type="application/ld+json">{"@type":"NewsArticle",'
        '"headline":"Budget","isAccessibleForFree":false}</script></head><body><article>'
        f"<p>{PARA}</p><p>Subscribe to continue reading.</p></article></body></html>"
    )
    art = extract(paywall, "u")
    assert art.wall == "paywall" and art.wall_evidence == "isAccessibleForFree=false"
    captcha = "<html><body><h1>Are you a robot?</h1><p>Please complete the security check.</p></body></html>"
    art = extract(captcha, "u")
    assert art.wall == "captcha" and "robot" in art.wall_evidence.lower()
    denied = "<html><head><title>403 Forbidden</title></head><body><h1>Access Denied</h1></body></html>"
    assert extract(denied, "u").wall == "denied"
    consent = (
        "<html><body><div><h2>Before you continue</h2><p>We use cookies and data to deliver "
        "and maintain our services.</p><button>Accept all</button></div></body></html>"
    )
    assert extract(consent, "u").wall == "consent"
    assert extract(f"<html><body><article><p>{PARA}</p></article></body></html>", "u").wall is None
