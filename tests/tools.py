"""Find the independent checkers the tests run on our output (wacz, pywb, cdxj-indexer, warcio).

They pin packages that clash with the project's, so `make tools` installs them
into their own virtualenv and `make test` points ``ARCHIVER_TOOLS_BIN`` at its
``bin/``; otherwise they are looked up on ``PATH``. A missing tool fails the
test (never skips it): an unchecked archive must not pass for a checked one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest


#: Where ``make tools`` puts the checkers when ``ARCHIVER_TOOLS_BIN`` is not set (pytest run by hand).
DEFAULT_TOOLS_BIN = Path(__file__).resolve().parent.parent / ".venv-tools" / "bin"


def tool(name: str) -> str:
    """Path of ``name`` from ``$ARCHIVER_TOOLS_BIN`` (else the checkout's ``.venv-tools``), else ``PATH``.

    Fails the test when it is nowhere.
    """
    tools_bin = os.environ.get("ARCHIVER_TOOLS_BIN") or str(DEFAULT_TOOLS_BIN)
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


def http_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a GET on loopback; an HTTP error status is an answer, not a raise."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=20) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@contextlib.contextmanager
def pywb_serving(package: Path, root: Path, *, timeout: float = 90) -> Iterator[str]:
    """pywb's ``wayback`` replaying an extracted WACZ as collection ``snap``; yields ``http://…/snap/``.

    The collection is the package's WARCs and its CDXJ index as they are: what pywb
    replays is what the WACZ holds, nothing rebuilt. Waits until pywb answers.
    """
    from support import free_port

    coll = root / "collections" / "snap"
    (coll / "indexes").mkdir(parents=True)
    shutil.copytree(package / "archive", coll / "archive")
    shutil.copy(package / "indexes/index.cdx", coll / "indexes/index.cdxj")
    port = free_port()
    server = subprocess.Popen(
        [tool("wayback"), "-p", str(port), "-b", "127.0.0.1"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                http_get(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError(
                        "pywb did not start: " + server.communicate(timeout=5)[0].decode()[-2000:]
                    ) from None
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/snap/"
    finally:
        server.terminate()
        server.wait(timeout=10)
