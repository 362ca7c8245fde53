"""The bundled demo outlet: its pages, feeds and sitemaps, and its server over real HTTP."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import lxml.html
import pytest

from archiver.demo import FURNITURE_STRINGS, DemoServer, build_site
from archiver.demo.live import SCRIPT_ONLY_PREFIXES
from archiver.demo.site import DEAD_LINK, FIXTURE_BASE

BASE = "http://127.0.0.1:8000"
SEED_DIR = Path(__file__).parent / "fixtures" / "seed"
ARTICLE_PATH = re.compile(r"^/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/$")
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "atom": "http://www.w3.org/2005/Atom",
}


@pytest.fixture(scope="module")
def site():
    return build_site(BASE)


@pytest.fixture(scope="module")
def server():
    with DemoServer() as running:
        yield running


def html_pages(site):
    return {
        p: pg for p, pg in site.pages.items() if pg.content_type.startswith("text/html") and pg.status == 200
    }


def get(server, path, method="GET", **headers):
    """One request on a fresh connection; returns (status, headers, raw body bytes)."""
    host, port = urlsplit(server.url).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


# -- the site as built ------------------------------------------------------------------------


def test_build_is_byte_identical_every_time(site):
    again = build_site(BASE)
    assert again.pages.keys() == site.pages.keys()
    assert all(again.pages[p] == site.pages[p] for p in site.pages)
    assert [a.expected_text for a in again.articles] == [a.expected_text for a in site.articles]


def test_base_url_changes_links_but_not_texts(site):
    other = build_site("http://127.0.0.1:9999")
    assert b"127.0.0.1:9999" in other.pages["/"].body and b"127.0.0.1:8000" not in other.pages["/"].body
    assert [a.expected_text for a in other.articles] == [a.expected_text for a in site.articles]


def test_counts_sections_and_url_patterns(site):
    assert len(site.articles) >= 36
    sections = {a.section for a in site.articles}
    assert len(sections) >= 3 and sections == set(site.sections)
    assert all(sum(a.section == s for a in site.articles) >= 9 for s in sections)
    article_paths = {a.path for a in site.articles} | {a.path for a in site.live_articles}
    assert all(ARTICLE_PATH.match(p) for p in article_paths)
    assert not [p for p in site.pages if ARTICLE_PATH.match(p) and p not in article_paths]
    assert len({a.expected_text for a in site.articles}) == len(site.articles)
    assert len({a.title for a in site.articles}) == len(site.articles)
    for a in site.articles:
        if not a.is_seed:
            assert 5 <= len(a.paragraphs) <= 12, a.path
            assert len(set(a.paragraphs)) == len(a.paragraphs), a.path
    dates = sorted(a.published for a in site.articles)
    assert (
        dates[0].startswith("2024-06") and dates[-1].startswith("2024-06") and dates[0][:10] != dates[-1][:10]
    )
    assert {a.published[-6:] for a in site.articles} & {"+01:00"}
    assert any(a.published.endswith("Z") for a in site.articles)


def test_listing_pages_paginate(site):
    for section in site.sections:
        first = site.pages[f"/section/{section}/"].body.decode()
        assert f'/section/{section}/page/2/"' in first
        assert f"/section/{section}/page/3/" in site.pages
    assert "/page/2/" in site.pages
    listed = set()
    for path, page in html_pages(site).items():
        if path.startswith("/section/"):
            listed |= {a.url for a in site.articles if f'href="{a.url}"'.encode() in page.body}
    assert listed == {a.url for a in site.articles}


def test_every_link_resolves(site):
    """Every internal href/src on every page names a served page (or the deliberate redirect)."""
    checked = 0
    for path, page in html_pages(site).items():
        doc = lxml.html.fromstring(page.body)
        for element, attribute, link, _ in doc.iterlinks():
            if element.tag == "form" or not link.startswith(BASE):
                assert not link.startswith(("/", "http://127.0.0.1")) or element.tag == "form", (path, link)
                continue
            target = urlsplit(link).path
            assert target in site.pages or target == DEAD_LINK, f"{path} links to missing {link}"
            checked += 1
    assert checked > 3000


def test_polite_crawl_over_http_reaches_every_article_and_no_dead_link(server):
    """Follow links and sitemap entries from / and robots.txt, obeying robots.txt, as a crawler would."""
    server.clear_requests()
    parser = RobotFileParser()
    parser.parse(get(server, "/robots.txt")[2].decode().splitlines())
    queue, seen, statuses = ["/"], {"/"}, {"/robots.txt": 200}
    queue += [
        urlsplit(line.split(" ", 1)[1]).path
        for line in server.site.pages["/robots.txt"].body.decode().splitlines()
        if line.startswith("Sitemap:")
    ]
    while queue:
        path = queue.pop()
        status, headers, body = get(server, path)
        statuses[path] = status
        if status == 301:
            links = [headers["Location"]]
        elif status == 200 and headers["Content-Type"].startswith("text/html"):
            links = [link for _, _, link, _ in lxml.html.fromstring(body).iterlinks()]
        elif "xml" in headers["Content-Type"]:
            links = re.findall(rb"<loc>([^<]+)</loc>", body)
            links = [link.decode() for link in links]
        else:
            links = []
        for link in links:
            target = urlsplit(link).path
            if link.startswith(server.url) and target not in seen and parser.can_fetch("news-archiver", link):
                seen.add(target)
                queue.append(target)
    assert statuses.pop(DEAD_LINK) == 404, "the withdrawn story's link is the one deliberate 404"
    assert set(statuses.values()) <= {200, 301}, {p: s for p, s in statuses.items() if s not in (200, 301)}
    assert {a.path for a in server.site.articles} <= set(statuses)
    unreached = {p for p in set(server.site.pages) - set(statuses) if not p.startswith(SCRIPT_ONLY_PREFIXES)}
    assert unreached == {"/private/staff-rota/"}
    assert not [r for r in server.requests if r[1].startswith("/private/")]


def test_robots_txt_disallows_a_linked_page(site):
    robots = site.pages["/robots.txt"].body.decode()
    assert "User-agent: *\nDisallow: /private/\n" in robots
    assert f"Sitemap: {BASE}/sitemap_index.xml" in robots and f"Sitemap: {BASE}/news-sitemap.xml" in robots
    parser = RobotFileParser()
    parser.parse(robots.splitlines())
    private = [p for p in site.pages if p.startswith("/private/")]
    assert private and site.disallowed_paths == ["/private/"]
    assert f'href="{BASE}{private[0]}"'.encode() in site.pages["/"].body
    assert not parser.can_fetch("news-archiver", BASE + private[0])
    assert all(parser.can_fetch("news-archiver", a.url) for a in site.articles)


def test_sitemaps_and_feeds_list_every_article(site):
    urls = {a.url for a in site.articles}
    index = ET.fromstring(site.pages["/sitemap_index.xml"].body)
    children = [urlsplit(loc.text).path for loc in index.findall("sm:sitemap/sm:loc", NS)]
    assert "/sitemap-articles.xml" in children and "/news-sitemap.xml" in children
    assert all(child in site.pages for child in children)
    articles = ET.fromstring(site.pages["/sitemap-articles.xml"].body)
    assert {loc.text for loc in articles.findall("sm:url/sm:loc", NS)} == urls

    news = ET.fromstring(site.pages["/news-sitemap.xml"].body)
    by_url = {a.url: a for a in site.articles}
    entries = news.findall("sm:url", NS)
    assert {e.findtext("sm:loc", namespaces=NS) for e in entries} == urls
    for entry in entries:
        article = by_url[entry.findtext("sm:loc", namespaces=NS)]
        assert entry.findtext("news:news/news:publication_date", namespaces=NS) == article.published
        assert entry.findtext("news:news/news:title", namespaces=NS) == article.title

    rss = ET.fromstring(site.pages["/feed.xml"].body)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    assert {item.findtext("link") for item in rss.iter("item")} == urls
    atom = ET.fromstring(site.pages["/atom.xml"].body)
    assert {e.find("atom:link", NS).get("href") for e in atom.findall("atom:entry", NS)} == urls


def test_article_pages_carry_metadata_and_furniture(site):
    for article in site.articles:
        body = site.pages[article.path].body.decode()
        doc = lxml.html.fromstring(body)
        assert doc.get("lang") == "en-GB"
        meta = {m.get("property") or m.get("name"): m.get("content") for m in doc.iter("meta")}
        assert (
            meta["og:type"] == "article"
            and meta["og:title"] == article.title
            and meta["og:url"] == article.url
        )
        assert meta["article:published_time"] == article.published
        assert meta["article:modified_time"] == article.modified
        assert meta["author"] == ", ".join(article.authors) and meta["description"] == article.description
        assert doc.xpath("//link[@rel='canonical']/@href") == [article.url]
        ld = json.loads(doc.xpath("//script[@type='application/ld+json']/text()")[0])
        assert ld["@type"] == "NewsArticle" and ld["headline"] == article.title
        assert ld["datePublished"] == article.published and ld["isAccessibleForFree"] is True
        assert [p["name"] for p in ld["author"]] == article.authors
        assert doc.xpath("//time/@datetime")[0] == article.published
        text = doc.text_content()
        for furniture in (
            "Please enter your comment!",
            "Please enter your name here",
            "Share post:",
            "More like this",
            "READ MORE:",
            "Advertisement",
            "Accept all cookies",
        ):
            assert furniture in text, (article.path, furniture)
        promos = doc.xpath("//p/strong[starts-with(normalize-space(.), 'READ MORE:')]/a")
        assert promos and all(urlsplit(a.get("href")).path in site.pages for a in promos)
        paragraphs = [p.text_content() for p in doc.xpath("//h1/following::p")]
        positions = [paragraphs.index(p) for p in article.paragraphs]
        assert positions == sorted(positions), article.path


def test_article_markup_varies_between_sections(site):
    content_classes = set()
    for section in site.sections:
        article = next(a for a in site.articles if a.section == section)
        doc = lxml.html.fromstring(site.pages[article.path].body)
        first = doc.xpath("//p[normalize-space(.)=$t]", t=article.paragraphs[0])[0]
        content_classes.add(first.getparent().get("class"))
    assert len(content_classes) == len(site.sections)


def test_no_furniture_string_inside_any_expected_text(site):
    assert {
        "Please enter your comment!",
        "Please enter your name here",
        "Share post:",
        "More like this",
        "READ MORE:",
    } <= set(FURNITURE_STRINGS)
    for article in site.articles:
        leaked = [f for f in FURNITURE_STRINGS if f in article.expected_text]
        assert not leaked, (article.path, leaked)


# -- the seed article and its golden files ------------------------------------------------------


def test_seed_fixture_matches_the_rendered_page():
    """Regenerate with: python -m archiver.demo.site --write-fixtures"""
    site = build_site(FIXTURE_BASE)
    seed = site.seed_article
    assert (SEED_DIR / "page.html").read_bytes() == site.pages[seed.path].body
    expected = (SEED_DIR / "expected.txt").read_text(encoding="utf-8")
    assert expected == f"{seed.title}\n\n{seed.expected_text}\n"
    assert seed.section == "world" and "Lukashenko" in seed.expected_text


def test_seed_page_reads_like_the_naive_scrape():
    """A naive text dump of the seed page shows its furniture where the real page had it."""
    site = build_site(FIXTURE_BASE)
    seed = site.seed_article
    doc = lxml.html.fromstring(site.pages[seed.path].body)
    main = doc.xpath("//div[contains(@class, 'td-main-content')]")[0]
    text = re.sub(r"\s+", " ", main.text_content())
    order = [
        "But she noted that upcoming events “may change things still”.",
        "READ MORE: PM urged to allow SNP referendum and ‘send the separatists packing’",
        "He claimed in May:",
        "Please enter your comment!",
        "Please enter your name here",
        "Share post:",
        "More like this",
        "New Russian army unit set to flop as Putin fails to attract recruits despite cash offer",
        "The news comes as the Russian invasion of...",
        "Prince Harry 'trying to brand himself as leader in US' as he models himself on idol",
        "The Duke of Sussex's tell-all book is due...",
    ]
    positions = [text.find(s) for s in order]
    assert -1 not in positions and positions == sorted(positions), list(zip(order, positions))


# -- the server over real HTTP ------------------------------------------------------------------


def test_server_serves_gzip_with_length_and_validators(server):
    page = server.site.pages["/"]
    status, headers, body = get(server, "/", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert int(headers["Content-Length"]) == len(body) and gzip.decompress(body) == page.body
    assert headers["ETag"] and headers["Last-Modified"] and headers["Vary"] == "Accept-Encoding"
    status, headers, body = get(server, "/")
    assert status == 200 and "Content-Encoding" not in headers and body == page.body
    assert int(headers["Content-Length"]) == len(page.body)
    _, headers, body = get(server, "/feed.xml", **{"Accept-Encoding": "gzip, deflate"})
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body).startswith(b"<?xml")
    _, headers, body = get(
        server, "/wp-content/uploads/2024/06/meridian-placeholder.png", **{"Accept-Encoding": "gzip"}
    )
    assert "Content-Encoding" not in headers and body.startswith(b"\x89PNG")


def test_server_answers_conditional_requests_with_304(server):
    path = server.site.articles[0].path
    _, headers, _ = get(server, path, **{"Accept-Encoding": "gzip"})
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    status, headers304, body = get(server, path, **{"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert status == 304 and body == b"" and headers304["ETag"] == etag
    assert get(server, path, **{"If-Modified-Since": last_modified})[0] == 304
    assert get(server, path, **{"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})[0] == 200
    assert get(server, path, **{"If-None-Match": '"other"', "If-Modified-Since": last_modified})[0] == 200


def test_server_head_404_and_redirects(server):
    status, headers, body = get(server, "/about/", method="HEAD")
    assert (
        status == 200
        and body == b""
        and int(headers["Content-Length"]) == len(server.site.pages["/about/"].body)
    )
    status, headers, body = get(server, "/no/such/page/")
    assert status == 404 and headers["Content-Type"].startswith("text/html") and b"Page not found" in body
    go = next(p for p in server.site.pages if p.startswith("/go/"))
    status, headers, _ = get(server, go)
    assert status == 301 and headers["Location"] == server.site.seed_article.url
    status, headers, _ = get(server, "/section/world")
    assert status == 301 and headers["Location"] == server.url + "/section/world/"
    status, headers, _ = get(server, "/sitemap.xml")
    assert status == 301 and headers["Location"] == server.url + "/sitemap_index.xml"


def test_server_logs_each_request_with_its_headers(server):
    server.clear_requests()
    get(server, "/robots.txt", **{"User-Agent": "probe/1"})
    get(server, "/robots.txt", method="HEAD")
    log = server.requests_for("/robots.txt")
    assert [(m, p) for m, p, _ in log] == [("GET", "/robots.txt"), ("HEAD", "/robots.txt")]
    assert log[0][2]["User-Agent"] == "probe/1"


def test_edit_article_changes_that_page_only():
    with DemoServer() as server:
        paths = list(server.site.pages)
        before = {p: get(server, p) for p in paths}
        target = server.site.articles[5]
        new_text = "A corrected first paragraph.\n\nAnd a second one, added after publication."
        server.edit_article(target.path, new_text)
        after = {p: get(server, p) for p in paths}
        changed = [p for p in paths if after[p][2] != before[p][2]]
        assert changed == [target.path]
        assert b"<p>A corrected first paragraph.</p>" in after[target.path][2]
        assert after[target.path][1]["ETag"] != before[target.path][1]["ETag"]
        assert server.site.article(target.path).expected_text == new_text
        assert get(server, target.path, **{"If-None-Match": before[target.path][1]["ETag"]})[0] == 200
        untouched = server.site.articles[6].path
        assert get(server, untouched, **{"If-None-Match": before[untouched][1]["ETag"]})[0] == 304


def test_delay_slows_every_response():
    with DemoServer(delay=0.2) as slow:
        started = time.monotonic()
        assert get(slow, "/robots.txt")[0] == 200
        assert time.monotonic() - started >= 0.2


def test_command_line_server_prints_its_url_and_serves():
    proc = subprocess.Popen(
        [sys.executable, "-m", "archiver.demo.server", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        with urllib.request.urlopen(url + "/robots.txt", timeout=10) as response:
            assert b"Disallow: /private/" in response.read()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
