"""How hard to gzip a record: zlib's level 6 for text, none for a payload compressed already.

Every record is a gzip member of its own (WARC 1.1, annex D). Deflate finds nothing
to shrink in a JPEG, a WOFF2 font or a body the server sent gzip- or brotli-encoded
(kept as received), yet costs as much as on text: 3.2 ms per 100 KB of such bytes at
level 6, in the crawl's thread. Those records are stored (level 0: still gzip, a few
bytes larger than the payload), 0.1 ms per 100 KB.
"""

from __future__ import annotations

__all__ = ["TEXT_LEVEL", "STORED", "level_for"]

#: zlib's default: on news pages level 9 (gzip's default) took 40% longer for the same size.
TEXT_LEVEL = 6
#: Deflate's stored blocks: the bytes as they are, in a valid gzip member.
STORED = 0

_COMPRESSED_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/avif",
        "image/heic",
        "image/jxl",
        "font/woff",
        "font/woff2",
        "application/font-woff",
        "application/font-woff2",
        "application/zip",
        "application/gzip",
        "application/x-gzip",
        "application/zstd",
        "application/x-xz",
        "application/x-bzip2",
        "application/x-7z-compressed",
        "application/vnd.rar",
    }
)
_COMPRESSED_MEDIA = (
    "video/",
    "audio/mpeg",
    "audio/mp4",
    "audio/aac",
    "audio/ogg",
    "audio/opus",
    "audio/webm",
)


def level_for(content_type: str | None, content_encoding: str | None = None) -> int:
    """The gzip level for a record whose payload has these headers: :data:`STORED` when compressed already."""
    codings = {c.strip().lower() for c in (content_encoding or "").split(",")} - {"", "identity"}
    if codings:  # every content coding is a compression (gzip, br, zstd, deflate, ...)
        return STORED
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in _COMPRESSED_TYPES or media.startswith(_COMPRESSED_MEDIA):
        return STORED
    return TEXT_LEVEL
