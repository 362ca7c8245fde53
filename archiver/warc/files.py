"""Which files of a folder are WARCs: the one listing every tool uses."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

#: What a WARC file's name ends with (gzip members per record, or plain).
WARC_SUFFIXES = (".warc.gz", ".warc")


def warcs_in(folder: Path) -> list[Path]:
    """The WARC files directly in ``folder``, sorted by name; [] when it is not a folder."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.endswith(WARC_SUFFIXES))


def warc_files(paths: Iterable[str | Path]) -> list[Path]:
    """WARC files named by ``paths`` (a folder stands for the WARCs in it), in that order."""
    found: list[Path] = []
    for path in map(Path, paths):
        found.extend(warcs_in(path) if path.is_dir() else [path])
    return found
