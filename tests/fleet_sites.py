"""Helpers of the many-outlet tests: outlet files for local servers, the crawl command, the database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from support import LOCAL, REPO, run_archiver

DEMO_TOML = (REPO / "outlets" / "demo.toml").read_text()


def demo_outlet(folder: Path, name: str, url: str) -> Path:
    """The demo outlet's file, served at ``url``, under another name."""
    text = DEMO_TOML.replace("http://127.0.0.1:8000/", url.rstrip("/") + "/").replace(
        'name = "demo"', f'name = "{name}"'
    )
    path = folder / f"{name}.toml"
    path.write_text(text)
    return path


def crawl_args(folder: Path, out: Path, *extra: str) -> list[str]:
    """``crawl --all --outlets-dir FOLDER --out OUT`` with the fast local settings."""
    args = ["crawl", "--all", "--outlets-dir", str(folder), "--out", str(out)]
    for setting in LOCAL:
        args += ["--set", setting]
    return args + list(extra)


def crawl_all(folder: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_archiver(*crawl_args(folder, out, *extra))


def start_crawl_all(folder: Path, out: Path, log: Path, *extra: str) -> subprocess.Popen:
    """The same command as a background process (to kill it)."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    handle = open(log, "wb")
    return subprocess.Popen(
        [sys.executable, "-m", "archiver.cli", *crawl_args(folder, out, *extra)],
        cwd=REPO,
        env=env,
        stdout=handle,
        stderr=handle,
    )


def query(out: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(f"file:{out / 'archive.db'}?mode=ro", uri=True, timeout=10) as db:
        return db.execute(sql, params).fetchall()
