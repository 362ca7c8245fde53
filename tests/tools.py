"""Find the independent checkers the tests run on our output (wacz, pywb, cdxj-indexer, warcio).

They pin packages that clash with the project's, so `make tools` installs them
into their own virtualenv and `make test` points ``ARCHIVER_TOOLS_BIN`` at its
``bin/``; otherwise they are looked up on ``PATH``. A missing tool fails the
test (never skips it): an unchecked archive must not pass for a checked one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def tool(name: str) -> str:
    """Path of the executable ``name`` from ``$ARCHIVER_TOOLS_BIN``, else ``PATH``; fail if absent."""
    tools_bin = os.environ.get("ARCHIVER_TOOLS_BIN")
    if tools_bin and (Path(tools_bin) / name).is_file():
        return str(Path(tools_bin) / name)
    found = shutil.which(name)
    if found:
        return found
    pytest.fail(
        f"{name!r} not found in ARCHIVER_TOOLS_BIN={tools_bin!r} nor on PATH: "
        "run `make tools` (a virtualenv with wacz, pywb, cdxj-indexer and warcio) "
        "or run the tests through `make test`",
        pytrace=False,
    )
