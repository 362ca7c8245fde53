"""Zip members are hostile: names that lead out of a folder, links, and sizes are checked here.

Every reader of a zip (``verify`` of a ``.wacz``, and any future reader)
passes member names through :func:`contained` before it writes or trusts
them: no ``..`` segment, no absolute path or drive, no backslash, no control
character, no symbolic link. :func:`copy_member` streams one member to a file
and stops at a byte budget, so a member that inflates to gigabytes costs the
budget, not the disk.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path
from typing import IO

__all__ = ["UnsafeMember", "contained", "copy_member", "is_link", "read_member", "unsafe_reason"]

_CHUNK = 1 << 20


class UnsafeMember(ValueError):
    """A zip member that cannot be written or read safely; the message names it and why."""


def is_link(info: zipfile.ZipInfo) -> bool:
    """True when the member is a symbolic link (Unix mode in the high bits of external_attr)."""
    return stat.S_ISLNK(info.external_attr >> 16)


def unsafe_reason(name: str) -> str | None:
    """Why member ``name`` could lead out of the folder it is extracted to, or None when it cannot."""
    if not name or name.endswith("/"):
        return "not a file name"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return "control character in the name"
    if "\\" in name:
        return "backslash in the name"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    segments = name.split("/")
    if any(segment in ("..", ".") for segment in segments):
        return "'..' or '.' segment"
    if "" in segments:
        return "empty path segment"
    return None


def contained(root: Path, name: str) -> Path:
    """``root / name`` when ``name`` is a plain relative member name that stays inside ``root``.

    The one folder check of every zip reader: raises :class:`UnsafeMember`
    naming the member otherwise.
    """
    reason = unsafe_reason(name)
    if reason:
        raise UnsafeMember(f"member {name!r}: {reason}; not extracted")
    dest = (root / name).resolve()
    if not dest.is_relative_to(root.resolve()):
        raise UnsafeMember(f"member {name!r} leads out of the folder; not extracted")
    return dest


def _stream(src: IO[bytes], out: IO[bytes], budget: int, name: str) -> int:
    written = 0
    while True:
        chunk = src.read(min(_CHUNK, budget - written + 1))
        if not chunk:
            return written
        written += len(chunk)
        if written > budget:
            raise UnsafeMember(f"member {name!r} holds more than the {budget} bytes allowed; stopped there")
        out.write(chunk)


def copy_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, root: Path, budget: int) -> int:
    """Stream member ``info`` to ``root/<its name>``, at most ``budget`` bytes; the bytes written.

    Raises :class:`UnsafeMember` for a hostile name, a link or a member over
    budget (the partial file is removed), and the zip's own errors (bad CRC)
    as they come.
    """
    if is_link(info):
        raise UnsafeMember(f"member {info.filename!r} is a symbolic link; not extracted")
    dest = contained(root, info.filename)
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        with zf.open(info) as src, open(dest, "wb") as out:
            return _stream(src, out, budget, info.filename)
    except UnsafeMember:
        dest.unlink(missing_ok=True)
        raise


def read_member(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """The bytes of a small member (a JSON file), refusing more than ``limit`` of them."""
    with zf.open(name) as src:
        data = src.read(limit + 1)
    if len(data) > limit:
        raise UnsafeMember(f"member {name!r} is larger than {limit} bytes")
    return data
