"""Short units: no function over 60 lines, no module over 400, unless the reason is written here.

Module docstrings are short too (at most 12 lines: what the module is for; the long story
lives in docs/architecture.md), and every exception listed here is still needed.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FOLDERS = ("archiver", "spiders", "pipelines", "downloadermiddlewares", "handlers", "extensions", "scheduler")
#: Where module docstrings are checked: the code folders and the Datasette plugins.
DOCSTRING_FOLDERS = (*FOLDERS, "datasette/plugins")
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 400
MAX_MODULE_DOCSTRING_LINES = 12

#: Modules allowed over 400 lines, and why.
LONG_MODULES = {
    "archiver/crawl/session.py": "one crawl's archive behind one interface: exchanges, resources, articles, "
    "walls, shells, requisites, batching and the crawl's end; its callers see one object",
    "archiver/outlets.py": "every key of an outlet file validated with a message naming file, key and fix; "
    "the key readers (_Keys) belong with them",
    "archiver/tools/verify.py": "one checker (records, rows, index lines) and the WACZ checks that run it "
    "on a package (names, listed resources, extraction, content), each a short function",
    "archiver/crawl/resume.py": "resume in crawl order, one short section each: the crawl state file, "
    "the last WARC's repair, what is archived already",
    "archiver/cli.py": "one thin click command per verb, each short",
    "archiver/demo/content.py": "the demo site's generated texts: data written as code",
    "archiver/demo/render.py": "the demo site's HTML templates: markup written as code",
    "archiver/warc/writer.py": "one WarcWriter, a short method per record type; splitting it would split the format",
    "archiver/warc/reader.py": "the streaming reader and its damage reports, one format in one place",
    "archiver/tools/snapshot.py": "WACZ packaging (selection, copy, index, datapackage, zip) read top to bottom",
    "archiver/tools/cite.py": "one citation and its five formats side by side, so they stay consistent",
}
#: Functions allowed over 60 lines, and why.
LONG_FUNCTIONS = {
    "archiver/cli.py:crawl": "a click command: its options are its signature; the work is in run_crawl and _crawl_many",
    "archiver/store/__init__.py:add_article": "one transaction: capture, wall, version and the articles row "
    "must change together",
    "archiver/tools/onboard.py:outlet_file": "writes the commented outlet file top to bottom, as the user reads it",
    "archiver/crawl/requisites.py:html_references": "one walk over the page names every reference with "
    "its source, in document order; discovery and the replay rewriter share it, so it stays one walk",
    "archiver/demo/content.py:catalogue": "the demo site's article list: data",
    "archiver/demo/render.py:article_page": "one HTML template",
    "archiver/demo/site.py:build_site": "writes the demo site's files in one readable pass",
}


def _sources(folders: tuple[str, ...] = FOLDERS) -> list[Path]:
    return [path for folder in folders for path in sorted((REPO / folder).rglob("*.py"))]


def _function_lines(path: Path) -> dict[str, int]:
    """``{"path:name": lines}`` of every function in ``path`` (the longest, for a repeated name)."""
    lines: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            unit = f"{path.relative_to(REPO)}:{node.name}"
            lines[unit] = max(lines.get(unit, 0), node.end_lineno - node.lineno + 1)
    return lines


def test_no_module_over_400_lines_without_a_reason() -> None:
    long = {
        str(path.relative_to(REPO)): len(path.read_text(encoding="utf-8").splitlines())
        for path in _sources()
        if len(path.read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES
    }
    assert long, "the scan found nothing long at all: the folders moved?"
    assert {path: n for path, n in long.items() if path not in LONG_MODULES} == {}


def test_no_function_over_60_lines_without_a_reason() -> None:
    long = {
        unit: lines
        for path in _sources()
        for unit, lines in _function_lines(path).items()
        if lines > MAX_FUNCTION_LINES
    }
    assert {unit: n for unit, n in long.items() if unit not in LONG_FUNCTIONS} == {}


def test_every_long_module_exception_is_still_long() -> None:
    """A module that got short loses its exception: the list says what is long today."""
    stale = {}
    for path in LONG_MODULES:
        lines = (
            len((REPO / path).read_text(encoding="utf-8").splitlines()) if (REPO / path).exists() else None
        )
        if lines is None or lines <= MAX_MODULE_LINES:
            stale[path] = lines
    assert stale == {}, "delete these from LONG_MODULES (None: the file is gone)"


def test_every_long_function_exception_is_still_long() -> None:
    """A function that got short (or is gone) loses its exception."""
    stale = {}
    for unit in LONG_FUNCTIONS:
        path = REPO / unit.partition(":")[0]
        lines = _function_lines(path).get(unit) if path.exists() else None
        if lines is None or lines <= MAX_FUNCTION_LINES:
            stale[unit] = lines
    assert stale == {}, "delete these from LONG_FUNCTIONS (None: the function is gone)"


def test_module_docstrings_say_what_the_module_is_for_in_a_few_lines() -> None:
    """At most 12 lines each: the long story lives in docs/architecture.md."""
    long = {}
    for path in _sources(DOCSTRING_FOLDERS):
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if docstring and len(docstring.splitlines()) > MAX_MODULE_DOCSTRING_LINES:
            long[str(path.relative_to(REPO))] = len(docstring.splitlines())
    assert long == {}, "shorten these; move what they explain to docs/architecture.md"
