"""Bytes to text: pick the page's charset the way browsers do, never raise.

Order of trust: a byte-order mark, then the charset the page declares in its
first bytes (``<meta charset>`` / ``http-equiv``; found with BeautifulSoup's
``EncodingDetector``), then UTF-8, then a legacy single-byte charset: cp1252 (what "latin-1" means on
the web) or, for text that is mostly high-byte letters, cp1251.
A declared charset that does not decode cleanly is distrusted: mislabelled pages
are common, and a strict UTF-8 attempt is cheap.
"""

from __future__ import annotations

import codecs
import re

from bs4.dammit import EncodingDetector

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# WHATWG: these labels mean windows-1252 in HTML.
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
}
# Control characters lxml refuses (everything below 0x20 but tab, LF, CR) and
# the non-characters U+FFFE/U+FFFF.
# Characters lxml refuses in a text node (C0 controls, non-characters, lone surrogates).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _normalise(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    try:
        codec = codecs.lookup(_ALIASES.get(name, name)).name
    except (LookupError, ValueError):  # unknown name, or one with a NUL byte in it
        return None
    return "cp1252" if codec in ("latin_1", "ascii") else codec


def decode_html(data: bytes) -> tuple[str, str]:
    """Decode page bytes; return ``(text, charset used)``."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, errors="replace"), name
    declared = _normalise(EncodingDetector.find_declared_encoding(data[:4096], is_html=True))
    tried = []
    # Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the page says: legacy
    # single-byte text almost never forms valid multi-byte sequences.
    for name in ("utf-8", declared or ""):
        if name and name not in tried:
            tried.append(name)
            try:
                return data.decode(name), name
            except (UnicodeDecodeError, LookupError):
                continue
    if mostly_utf8(data):
        # a UTF-8 page with a few stray bytes (pasted from a legacy source)
        return data.decode("utf-8", errors="replace"), "utf-8"
    if declared and declared not in ("utf-8", "utf_8"):
        return data.decode(declared, errors="replace"), declared
    legacy = guess_legacy_charset(data)
    return data.decode(legacy, errors="replace"), legacy


_UTF8_SEQ = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH = re.compile(rb"[\x80-\xff]")


def mostly_utf8(data: bytes) -> bool:
    """Most high bytes form valid UTF-8 sequences (legacy text almost never does)."""
    sequences = _UTF8_SEQ.findall(data)
    if len(sequences) < 5:
        return False
    in_sequences = sum(map(len, sequences))
    return in_sequences >= 0.9 * len(_HIGH.findall(data))


_TAGS = re.compile(rb"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.S | re.I)
_ASCII_LETTERS = re.compile(rb"[A-Za-z]")
_HIGH_LETTERS = re.compile(rb"[\xc0-\xff]")


def guess_legacy_charset(data: bytes) -> str:
    """cp1251 when the text's letters are mostly bytes >= 0xC0, else cp1252.

    Reached only when neither UTF-8 nor the declared charset decodes: a page
    in a legacy single-byte charset, mislabelled. In Western European text
    accented letters are a small minority of the letters; in Cyrillic text
    (the commonest non-Latin legacy charset on the web, windows-1251) nearly
    every letter is such a byte. Markup is left out of the count, since its
    ASCII tag names would drown a short text.
    """
    text = _TAGS.sub(b" ", data[:200_000])
    high = len(_HIGH_LETTERS.findall(text))
    return "cp1251" if high > len(_ASCII_LETTERS.findall(text)) else "cp1252"


def scrub(text: str) -> str:
    """Drop characters no HTML parser (nor XML-based lxml) accepts."""
    return _CONTROL.sub("", text)


_BINARY = re.compile(b"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def looks_binary(head: bytes) -> bool:
    """True for images, PDFs and other non-text bodies (UTF-16 is caught by its BOM)."""
    if not head or any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    return len(_BINARY.findall(head)) > len(head) * 0.05
