"""``archiver outlets new URL``: the file it writes, unedited, crawls >= 95% of the articles and stores nothing else.

Two outlets with different URL schemes: the demo outlet (dated paths, sitemaps
named in robots.txt, news sitemap, RSS and Atom) and a generated one
(archiver/demo/slugsite.py: ``/news/<slug>-<id>``, no dates, sitemap only at
the usual path, feed only advertised on the home page, tag pages under /news/).
"""

from __future__ import annotations

import tomllib

import pytest

from fleet_sites import query
from support import LOCAL, run_archiver


def _onboard_and_crawl(url: str, tmp_path, name: str) -> tuple[str, str, set[str]]:
    proc = run_archiver("outlets", "new", url, "--name", name, "--dir", str(tmp_path / "outlets"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (tmp_path / "outlets" / f"{name}.toml").read_text()
    args = ["crawl", str(tmp_path / "outlets" / f"{name}.toml"), "--out", str(tmp_path / "archive")]
    for setting in LOCAL:
        args += ["--set", setting]
    crawl = run_archiver(*args)
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr[-3000:]
    stored = {r[0] for r in query(tmp_path / "archive", "select url from articles")}
    return proc.stdout, text, stored


def test_demo_outlet(demo_server, tmp_path):
    out, text, stored = _onboard_and_crawl(demo_server.url, tmp_path, "herald")
    articles = {demo_server.url + a.path for a in demo_server.site.articles}
    assert len(stored & articles) >= 0.95 * len(articles), (len(stored & articles), len(articles))
    assert stored <= articles, f"non-article pages stored: {sorted(stored - articles)[:5]}"
    outlet = tomllib.loads(text)
    assert outlet["sitemap_urls"] == ["/sitemap_index.xml", "/news-sitemap.xml"]  # robots.txt's Sitemap lines
    assert outlet["feed_urls"] == ["/feed.xml", "/atom.xml"]  # link rel=alternate on the home page
    assert "# Sitemaps (named in robots.txt" in text and "samples articles" in text
    assert "would be articles" in out and "like /section/" in out  # the dry run: articles and skips


def test_slug_outlet_without_dates(tmp_path):
    from archiver.demo.bigsite import BigSiteServer
    from archiver.demo.slugsite import article_paths, build_pages

    with BigSiteServer(pages=10) as site:
        site.pages.clear()
        site.pages.update(build_pages(150, site.url.rstrip("/")))
        out, text, stored = _onboard_and_crawl(site.url, tmp_path, "slugs")
    articles = {site.url.rstrip("/") + p for p in article_paths(150)}
    assert len(stored & articles) >= 0.95 * len(articles), (len(stored & articles), len(articles))
    assert stored <= articles, f"non-article pages stored: {sorted(stored - articles)[:5]}"
    outlet = tomllib.loads(text)
    assert outlet["sitemap_urls"] == ["/sitemap.xml"] and "found at the usual path" in text
    assert outlet["feed_urls"] == ["/rss/latest.xml"]
    assert outlet["article_allow"] == [r"^/news/[^/]*-\d+$"]
    assert "like /news/tag/" in out and "like /topics/" in out  # listings it would skip


def test_dry_run_writes_nothing_and_an_existing_file_is_kept(demo_server, tmp_path):
    folder = tmp_path / "outlets"
    dry = run_archiver("outlets", "new", demo_server.url, "--name", "x", "--dir", str(folder), "--dry-run")
    assert dry.returncode == 0 and "not written: --dry-run" in dry.stdout and "article_allow" in dry.stdout
    assert not folder.exists()
    folder.mkdir()
    (folder / "x.toml").write_text("# mine\n")
    again = run_archiver("outlets", "new", demo_server.url, "--name", "x", "--dir", str(folder))
    assert again.returncode != 0 and "--force" in again.stderr
    assert (folder / "x.toml").read_text() == "# mine\n"


@pytest.mark.parametrize("url", ["ftp://example.com/", "http://127.0.0.1:9/"])
def test_a_site_that_cannot_be_probed_gets_a_clear_message(url, tmp_path):
    proc = run_archiver("outlets", "new", url, "--dir", str(tmp_path))
    assert proc.returncode != 0
    assert "http(s) URL" in proc.stderr or "did not answer" in proc.stderr
    assert list(tmp_path.iterdir()) == []
