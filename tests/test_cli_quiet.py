"""The CLI as a user meets it: versions, where outlet files are looked up, a quiet crawl.

The summary's figures on a first crawl and a re-crawl are checked in
``tests/test_recrawl.py::test_crawls_report_new_versions_and_revisits``.
"""

from __future__ import annotations

from pathlib import Path

from archiver.outlets import bundled_outlets_dir
from support import REPO, run_archiver


def _outlet(folder: Path, home: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = (REPO / "outlets" / "demo.toml").read_text(encoding="utf-8")
    path = folder / "demo.toml"
    path.write_text(text.replace('home = "http://127.0.0.1:8000/"', f'home = "{home}"'), encoding="utf-8")
    return path


def test_version_names_the_extractor_and_the_libraries():
    proc = run_archiver("--version")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("archiver ") and lines[1].startswith("extractor archiver.clean ")
    names = {line.split()[0] for line in lines[2:]}
    assert names == {"Scrapy", "warcio", "datasette"}


def test_outlets_dir_then_cwd_outlets_then_bundled(tmp_path):
    assert (bundled_outlets_dir() / "demo.toml").is_file()
    user = tmp_path / "user"
    own = _outlet(user / "outlets", "http://cwd.example/")
    flag = _outlet(tmp_path / "mine", "http://flag.example/")
    proc = run_archiver("outlets", "demo", "--outlets-dir", str(flag.parent), cwd=user)
    assert proc.returncode == 0 and "http://flag.example/" in proc.stdout, proc.stderr
    proc = run_archiver("outlets", "demo", cwd=user)
    assert proc.returncode == 0 and "http://cwd.example/" in proc.stdout and str(own) in proc.stdout
    proc = run_archiver("outlets", "demo", cwd=tmp_path)  # no ./outlets: the bundled one
    assert proc.returncode == 0 and "http://127.0.0.1:8000/" in proc.stdout, proc.stderr


def test_crawl_is_quiet_by_default_and_verbose_with_v(demo_server, tmp_path):
    from support import crawl_demo

    quiet = crawl_demo(demo_server.url, tmp_path / "quiet", "--max-pages", "5")
    assert "[scrapy" not in quiet.stderr and "Dumping Scrapy stats" not in quiet.stderr
    assert "new articles:" in quiet.stdout and "unchanged:" in quiet.stdout
    verbose = crawl_demo(demo_server.url, tmp_path / "verbose", "--max-pages", "5", "-v")
    assert "Dumping Scrapy stats" in verbose.stderr and "DEBUG" not in verbose.stderr
    debug = crawl_demo(demo_server.url, tmp_path / "debug", "--max-pages", "5", "-vv")
    assert "DEBUG: Crawled (200)" in debug.stderr
