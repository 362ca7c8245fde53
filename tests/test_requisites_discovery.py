"""Requisite discovery (archiver.crawl.requisites): one small page per source, the exact URLs found."""

from __future__ import annotations

import pytest

from archiver.crawl.requisites import css_requisites, html_requisites, parse_srcset

PAGE = "https://news.example/2024/06/01/story/"


def found(html: str, url: str = PAGE) -> list[tuple[str, str]]:
    return [(r.url, r.source) for r in html_requisites(html, url)]


CASES = [
    (
        "link rel=stylesheet",
        '<link rel="stylesheet" href="/css/site.css"><link rel="alternate" href="/feed.xml">',
        [("https://news.example/css/site.css", "link[rel=stylesheet]@href")],
    ),
    (
        "@import in a style element",
        '<style>@import url("print.css") print; @import "a.css";</style>',
        [
            ("https://news.example/2024/06/01/story/print.css", "style element @import"),
            ("https://news.example/2024/06/01/story/a.css", "style element @import"),
        ],
    ),
    (
        "preload as style, font, image (with imagesrcset); not as fetch",
        '<link rel="preload" as="style" href="/s.css"><link rel="preload" as="font" href="/f.woff2" crossorigin>'
        '<link rel="preload" as="image" href="/hero.jpg" imagesrcset="/hero-2x.jpg 2x">'
        '<link rel="preload" as="fetch" href="/api.json">',
        [
            ("https://news.example/s.css", "link[rel=preload as=style]@href"),
            ("https://news.example/f.woff2", "link[rel=preload as=font]@href"),
            ("https://news.example/hero.jpg", "link[rel=preload as=image]@href"),
            ("https://news.example/hero-2x.jpg", "link[rel=preload as=image]@imagesrcset"),
        ],
    ),
    (
        "url() in a style attribute",
        "<div style=\"background: #fff url('/img/bg.png') no-repeat\">x</div>",
        [("https://news.example/img/bg.png", "style attribute url()")],
    ),
    (
        "@font-face and background url() in a style element",
        "<style>@font-face{font-family:F;src:url(/f.woff2) format('woff2'),url(\"/f.ttf\")}"
        "h1{background-image:url(/h1.png)}</style>",
        [
            ("https://news.example/f.woff2", "style element @font-face url()"),
            ("https://news.example/f.ttf", "style element @font-face url()"),
            ("https://news.example/h1.png", "style element url()"),
        ],
    ),
    (
        "img src",
        '<img src="photo.jpg" alt="">',
        [("https://news.example/2024/06/01/story/photo.jpg", "img@src")],
    ),
    (
        "every srcset candidate, a comma inside a URL kept",
        '<img src="/a-400.jpg" srcset="/a-400.jpg 400w, /a,800.jpg 800w, /a-1600.jpg 1600w">',
        [
            ("https://news.example/a-400.jpg", "img@src"),
            ("https://news.example/a,800.jpg", "img@srcset"),
            ("https://news.example/a-1600.jpg", "img@srcset"),
        ],
    ),
    (
        "picture/source",
        '<picture><source type="image/webp" srcset="/p.webp 1x, /p@2x.webp 2x"><img src="/p.jpg"></picture>',
        [
            ("https://news.example/p.webp", "source@srcset"),
            ("https://news.example/p@2x.webp", "source@srcset"),
            ("https://news.example/p.jpg", "img@src"),
        ],
    ),
    (
        "lazy-load attributes",
        '<img src="data:image/gif;base64,R0lGOD" data-src="/l1.jpg" data-srcset="/l2.jpg 2x">'
        '<img data-lazy-src="/l3.jpg"><img data-original="/l4.jpg">',
        [
            ("https://news.example/l1.jpg", "img@data-src"),
            ("https://news.example/l2.jpg", "img@data-srcset"),
            ("https://news.example/l3.jpg", "img@data-lazy-src"),
            ("https://news.example/l4.jpg", "img@data-original"),
        ],
    ),
    (
        "noscript copies",
        '<noscript><img src="/ns.jpg"><link rel="stylesheet" href="/ns.css"></noscript>',
        [
            ("https://news.example/ns.jpg", "noscript>img@src"),
            ("https://news.example/ns.css", "noscript>link[rel=stylesheet]@href"),
        ],
    ),
    (
        "icons",
        '<link rel="icon" href="/favicon.ico"><link rel="apple-touch-icon" href="/touch.png">'
        '<link rel="mask-icon" href="/mask.svg" color="#000">',
        [
            ("https://news.example/favicon.ico", "link[rel=icon]@href"),
            ("https://news.example/touch.png", "link[rel=icon]@href"),
            ("https://news.example/mask.svg", "link[rel=icon]@href"),
        ],
    ),
    (
        "video poster (not the video itself)",
        '<video poster="/poster.jpg" src="/clip.mp4"></video>',
        [("https://news.example/poster.jpg", "video@poster")],
    ),
    (
        "SVG use and image (fragment dropped, same-document use ignored)",
        '<svg><use xlink:href="/sprite.svg#logo"></use><use href="#local"></use><image href="/map.png"></image></svg>',
        [
            ("https://news.example/sprite.svg", "use@xlink:href"),
            ("https://news.example/map.png", "image@href"),
        ],
    ),
    (
        "scripts (archived, never run)",
        '<script src="https://cdn.example/app.js"></script><script>var inline = 1;</script>',
        [("https://cdn.example/app.js", "script@src")],
    ),
    (
        "base href, other hosts, links not requisites, non-http schemes dropped",
        '<base href="https://cdn.example/assets/"><img src="i.png"><a href="/next/">next</a>'
        '<img src="javascript:alert(1)"><img src="ftp://x/y.png">',
        [("https://cdn.example/assets/i.png", "img@src")],
    ),
]


@pytest.mark.parametrize("name,html,expected", CASES, ids=[c[0] for c in CASES])
def test_each_source_finds_exactly_its_urls(name, html, expected):
    assert found(f"<!doctype html><html><head></head><body>{html}</body></html>") == expected


def test_a_url_named_twice_is_listed_once_with_its_first_source():
    html = '<link rel="preload" as="image" href="/a.png"><img src="/a.png"><div style="background:url(/a.png)"></div>'
    assert found(html) == [("https://news.example/a.png", "link[rel=preload as=image]@href")]


def test_stylesheet_requisites_resolve_against_the_stylesheet():
    css = (
        '@charset "utf-8"; @import url(fonts.css); @font-face { src: url("../fonts/a.woff2") format("woff2") }\n'
        "/* url(commented.png) */ .x { background: image-set('b.png' 1x, url(b2.png) 2x); cursor: url(c.cur), auto }\n"
        '.y::after { content: "url(not-a-url.png)" }'
    )
    got = [(r.url, r.source, r.kind) for r in css_requisites(css, "https://cdn.example/css/site.css")]
    assert got == [
        ("https://cdn.example/css/fonts.css", "stylesheet @import", "style"),
        ("https://cdn.example/fonts/a.woff2", "stylesheet @font-face url()", "font"),
        ("https://cdn.example/css/b.png", "stylesheet image-set()", "image"),
        ("https://cdn.example/css/b2.png", "stylesheet url()", "image"),
        ("https://cdn.example/css/c.cur", "stylesheet url()", "image"),
    ]


def test_srcset_parsing_follows_the_html_standard():
    # A URL runs to whitespace, so "e.png,f.png" is one URL; a trailing comma ends a candidate.
    assert parse_srcset(" a.png 1x,b.png   2x ,c,d.png 100w, e.png,f.png, g.png, h.png (x, y) 3x") == [
        ("a.png", "1x"),
        ("b.png", "2x"),
        ("c,d.png", "100w"),
        ("e.png,f.png", ""),
        ("g.png", ""),
        ("h.png", "(x, y) 3x"),
    ]


def test_broken_markup_and_empty_bodies_give_no_requisites():
    assert html_requisites(b"", PAGE) == []
    assert html_requisites(b"   ", PAGE) == []
    assert found("<img src='/ok.png'><style>a{background:url(") == [
        ("https://news.example/ok.png", "img@src")
    ]
