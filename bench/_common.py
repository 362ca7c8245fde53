"""What the benchmark scripts share: the checkout, a child's environment, a site served by a child, --json.

A script run as ``python bench/X.py`` has ``bench/`` on its path, not the
checkout: it puts the checkout first, then imports this module as
``bench._common`` (the name its crawl children, which have the checkout on
``PYTHONPATH``, import it by too).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def child_env() -> dict[str, str]:
    """This environment with the checkout first on ``PYTHONPATH``: a child imports ``archiver`` and ``bench.*`` from it."""
    return dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def start_site(args: list[str], sites: int = 1) -> tuple[subprocess.Popen, list[str]]:
    """Run ``python ARGS`` in the checkout: a server that prints ``URL <base>`` per site, then serves.

    The process (kill it when done) and the ``sites`` base URLs; exits if a line is not a URL.
    """
    proc = subprocess.Popen(
        [sys.executable, *args], cwd=REPO, env=child_env(), stdout=subprocess.PIPE, text=True
    )
    urls = []
    for _ in range(sites):
        line = proc.stdout.readline()
        if not line.startswith("URL "):
            proc.kill()
            raise SystemExit(f"the site server did not start: {line!r}")
        urls.append(line.split()[1])
    return proc, urls


def save_json(path: Path | None, figures: Any) -> None:
    """Write the figures to ``--json``'s file, when one was given."""
    if path:
        path.write_text(json.dumps(figures, indent=2))
