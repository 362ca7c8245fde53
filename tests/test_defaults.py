"""Every ARCHIVER_* setting has one default, written once, in archiver/defaults.py; the README lists them."""

from __future__ import annotations

import re
from pathlib import Path

from archiver import settings
from archiver.defaults import DEFAULTS, SETTINGS, readme_rows

REPO = Path(__file__).resolve().parent.parent
CODE_DIRS = (
    "archiver",
    "spiders",
    "pipelines",
    "downloadermiddlewares",
    "handlers",
    "extensions",
    "scheduler",
)
#: ARCHIVER_* names that are environment variables, not Scrapy settings.
ENVIRONMENT = {"ARCHIVER_DATASETTE_DIR", "ARCHIVER_TOOLS_BIN", "ARCHIVER_TEST_KILL_AT"}
_NAME = re.compile(r"\bARCHIVER_[A-Z0-9_]+\b")
#: A setting read with a literal fallback (``getint("ARCHIVER_X", 8)``): the default retyped.
_RETYPED = re.compile(r"\.get\w*\(\s*\"ARCHIVER_[A-Z0-9_]+\"\s*,(?!\s*DEFAULTS\[)")


def _code() -> dict[Path, str]:
    return {
        path: path.read_text(encoding="utf-8")
        for folder in CODE_DIRS
        for path in sorted((REPO / folder).rglob("*.py"))
    }


def test_every_setting_read_anywhere_is_in_the_defaults() -> None:
    used = {name for text in _code().values() for name in _NAME.findall(text)} - ENVIRONMENT
    assert used, "the scan found no ARCHIVER_* setting at all: the folders moved?"
    assert sorted(used - set(DEFAULTS)) == []


def test_no_default_is_retyped_at_a_call_site() -> None:
    retyped = [
        f"{path.relative_to(REPO)}: {match.group(0)}"
        for path, text in _code().items()
        for match in _RETYPED.finditer(text)
    ]
    assert retyped == []


def test_the_project_settings_carry_every_default() -> None:
    for name, default in DEFAULTS.items():
        assert getattr(settings, name) == default, name
    assert all(s.doc and "\n" not in s.doc for s in SETTINGS), "each setting has a one-line doc"
    assert len({s.name for s in SETTINGS}) == len(SETTINGS), "a setting is listed twice"


def test_readme_settings_table_matches_the_defaults() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = [line for line in readme.splitlines() if line.startswith("| `ARCHIVER_")]
    assert table == readme_rows()
