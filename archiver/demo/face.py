"""The demo outlet's face: stylesheets, a web font, images and the CDN that serves them.

An archive that keeps only the HTML shows unstyled text with broken image boxes, so the
demo outlet looks like a real one and names its requisites the ways real outlets do, from
a second origin, its "CDN" (the list: "The demo outlet and generated sites" in
``docs/architecture.md``). Everything is generated here (PNG images by zlib, the font
from :mod:`archiver.demo.fontgen`), deterministic, and cached: it does not depend on the
base URLs.
"""

from __future__ import annotations

import functools
import struct
import zlib
from pathlib import Path

from archiver.demo.model import Page
from archiver.demo.render import e

__all__ = [
    "FONT_PATH",
    "STYLESHEET_PATH",
    "asset_pages",
    "cdn_robots_txt",
    "featured_image",
    "head_links",
    "lazy_figure",
    "masthead_style",
]

STYLESHEET_PATH = "/assets/css/face.css"
FONTS_CSS_PATH = "/assets/css/fonts.css"
FONT_PATH = "/assets/fonts/meridian-display.ttf"
MASTHEAD_PATH = "/assets/img/masthead.png"
RULE_PATH = "/assets/img/rule.png"
TOUCH_ICON_PATH = "/assets/img/touch-icon.png"
FAVICON_PATH = "/favicon.png"
PIXEL_PATH = "/private-assets/pixel.png"  # disallowed by the CDN's robots.txt
WIDTHS = (348, 696, 1392)
_PALETTE = {
    "world": ((31, 78, 121), (120, 170, 210)),
    "politics": ((128, 30, 40), (220, 140, 120)),
    "business": ((20, 100, 70), (150, 210, 170)),
    "science": ((90, 50, 130), (190, 160, 220)),
    "map": ((60, 60, 60), (200, 190, 160)),
}
_TRANSPARENT_GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"

FONTS_CSS = """@font-face {
  font-family: "Meridian Display";
  src: url("../fonts/meridian-display.ttf") format("truetype");
  font-weight: normal;
  font-style: normal;
  font-display: block;
}
"""

FACE_CSS = """@import url("fonts.css");
.td-header-wrap { background: #0b2545 url("../img/masthead.png") repeat-x left top; color: #fff; padding: 12px 24px; }
.td-header-wrap a { color: #fff; }
.td-logo-text { font-family: "Meridian Display", Georgia, serif; font-size: 44px; letter-spacing: 2px; }
.td-tagline-text { display: block; font-style: italic; color: #cfd8e3; }
.td-header-menu-wrap ul { list-style: none; padding: 0; margin: 8px 0; }
.td-header-menu-wrap li { display: inline-block; margin-right: 18px; }
.entry-title { font-family: "Meridian Display", Georgia, serif; font-size: 34px; line-height: 1.15; }
.td-post-header { border-bottom: 6px solid transparent; border-image: url("../img/rule.png") 6 repeat; }
.td-post-featured-image img, .meridian-lazy img { max-width: 100%; height: auto; display: block; }
.meridian-lazy { margin: 1em 0; }
.td-main-content { padding: 0 24px; box-sizing: border-box; }
"""


def head_links(base: str, cdn: str) -> str:
    """What every page's ``<head>`` names: the preloaded font, the CDN stylesheet, icons."""
    return (
        f'<link rel="preload" as="font" type="font/ttf" href="{cdn}{FONT_PATH}" crossorigin>\n'
        f'<link rel="stylesheet" id="meridian-face-css" href="{cdn}{STYLESHEET_PATH}" type="text/css" media="all">\n'
        f'<link rel="icon" href="{base}{FAVICON_PATH}" sizes="32x32">\n'
        f'<link rel="apple-touch-icon" href="{cdn}{TOUCH_ICON_PATH}">\n'
    )


def masthead_style(cdn: str) -> str:
    """A ``style`` attribute for the header strip: a background image named inline."""
    return f'style="background-image: url(&quot;{cdn}{MASTHEAD_PATH}&quot;)"'


def _image_url(cdn: str, name: str, width: int) -> str:
    return f"{cdn}/assets/img/{name}-{width}.png"


def featured_image(cdn: str, section: str, alt: str) -> str:
    """The article's lead image: ``src`` plus every ``srcset`` width (a reader on another screen sees another)."""
    srcset = ", ".join(f"{_image_url(cdn, section, w)} {w}w" for w in WIDTHS)
    return (
        f'<img width="696" height="464" src="{_image_url(cdn, section, 696)}" srcset="{srcset}" '
        f'sizes="(max-width: 720px) 100vw, 696px" alt="{e(alt)}">'
    )


def lazy_figure(cdn: str) -> str:
    """A lazy-loaded image as WordPress plugins write it, with the ``<noscript>`` copy readers without scripts see."""
    srcset = ", ".join(f"{_image_url(cdn, 'map', w)} {w}w" for w in WIDTHS[:2])
    return (
        '<div class="meridian-lazy">'
        f'<img class="lazyload" src="{_TRANSPARENT_GIF}" data-src="{_image_url(cdn, "map", 348)}" '
        f'data-srcset="{srcset}" width="300" height="200" alt="">'
        f'<noscript><img src="{_image_url(cdn, "map", 348)}" width="300" height="200" alt=""></noscript>'
        f'<img src="{cdn}{PIXEL_PATH}" width="1" height="1" alt="">'
        "</div>"
    )


def cdn_robots_txt() -> bytes:
    return b"User-agent: *\nDisallow: /private-assets/\n"


def asset_pages(date) -> dict[str, Page]:
    """The CDN's files by path (robots.txt included)."""
    css = "text/css; charset=utf-8"
    pages = {
        "/robots.txt": Page("text/plain; charset=utf-8", cdn_robots_txt(), date),
        STYLESHEET_PATH: Page(css, FACE_CSS.encode(), date),
        FONTS_CSS_PATH: Page(css, FONTS_CSS.encode(), date),
        FONT_PATH: Page("font/ttf", _font(), date),
        MASTHEAD_PATH: Page("image/png", _image("world", 8, 120, stripes=False), date),
        RULE_PATH: Page("image/png", _image("politics", 18, 18, stripes=True), date),
        TOUCH_ICON_PATH: Page("image/png", _image("business", 64, 64, stripes=True), date),
        PIXEL_PATH: Page("image/png", _image("map", 1, 1, stripes=False), date),
    }
    for name in _PALETTE:
        for width in WIDTHS:
            pages[f"/assets/img/{name}-{width}.png"] = Page(
                "image/png", _image(name, width, width * 2 // 3, stripes=True), date
            )
    return pages


def favicon_page(date) -> Page:
    """The outlet's own favicon: the CDN's touch icon again, byte for byte (a revisit by digest)."""
    return Page("image/png", _image("business", 64, 64, stripes=True), date)


@functools.lru_cache(maxsize=1)
def _font() -> bytes:
    return (Path(__file__).with_name("data") / "meridian-display.ttf").read_bytes()


@functools.lru_cache(maxsize=64)
def _image(name: str, width: int, height: int, *, stripes: bool) -> bytes:
    """An RGB PNG: a vertical gradient between the palette's two colours, with diagonal stripes."""
    dark, light = _PALETTE[name]
    rows = []
    for y in range(height):
        t = y / max(1, height - 1)
        colour = bytes(round(a + (b - a) * t) for a, b in zip(dark, light))
        if stripes:
            band = max(4, width // 12)
            lighter = bytes(min(255, c + 40) for c in colour)
            unit = lighter * band + colour * band  # pixel x shows unit[(x + y) % (2 * band)]
            line = unit * (width // (2 * band) + 2)
            start = (y % (2 * band)) * 3
            rows.append(b"\x00" + line[start : start + width * 3])
        else:
            rows.append(b"\x00" + colour * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )
