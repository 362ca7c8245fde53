"""Regenerate the demo outlet's web font, ``data/meridian-display.ttf`` (needs fontTools).

The demo site's logo and headlines use a web font, so an archive that loses
fonts shows visibly different pages (tests/test_replay_fidelity.py). The font
is drawn here, not downloaded: each letter is a few rectangles (a stencil
face), enough for a browser to load, shape and render. The generated file is
bundled; run ``python -m archiver.demo.fontgen`` after changing the drawing.
"""

from __future__ import annotations

import sys
from pathlib import Path

FONT_PATH = Path(__file__).with_name("data") / "meridian-display.ttf"
FAMILY = "Meridian Display"
UPM = 1000
ADVANCE = 620


def _rects(char: str) -> list[tuple[int, int, int, int]]:
    """A stencil glyph: a stem, and bars placed by the letter's code (distinct, deterministic)."""
    code = ord(char.upper())
    top = 700 if char.isupper() else 520
    rects = [(60, 0, 160, top)]
    for bit, y in enumerate((0, top // 2 - 50, top - 100)):
        if code >> bit & 1 or bit == 0:
            rects.append((60, y, 540 - 80 * ((code >> (bit + 3)) & 1), y + 100))
    if code & 0b1000000:
        rects.append((440, 0, 540, top))
    return rects


def build() -> bytes:
    from io import BytesIO

    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    chars = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + [chr(c) for c in range(ord("a"), ord("z") + 1)]
    names = [".notdef", "space"] + [f"g{ord(c)}" for c in chars]
    fb = FontBuilder(UPM, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({32: "space", **{ord(c): f"g{ord(c)}" for c in chars}})
    glyphs = {}
    for name in names:
        pen = TTGlyphPen(None)
        char = chr(int(name[1:])) if name.startswith("g") else None
        for x0, y0, x1, y1 in _rects(char) if char else ([(50, 0, 550, 700)] if name == ".notdef" else []):
            pen.moveTo((x0, y0))
            pen.lineTo((x0, y1))
            pen.lineTo((x1, y1))
            pen.lineTo((x1, y0))
            pen.closePath()
        glyphs[name] = pen.glyph()
    fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics({n: (ADVANCE if n != "space" else 300, 0) for n in names})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": FAMILY, "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    fb.setupPost()
    out = BytesIO()
    fb.save(out)
    return out.getvalue()


def main() -> int:
    FONT_PATH.write_bytes(build())
    print(FONT_PATH, FONT_PATH.stat().st_size, "bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
