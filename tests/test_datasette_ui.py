"""The archive pages in Datasette: article page, snapshot view, search, outlet charts, headers.

Every route and status, through Datasette's test client on an archive with
real WARC records (tests/ui_archive.py): a gzip-encoded article with two
versions, a hostile page, a PDF and a revisit.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import ui_archive
from archiver.serve.app import make_datasette
from archiver.serve import RAW_CSP, record_slug
from archiver.serve.site import timestamp14


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("ui-archive")
    return out, ui_archive.build(out)


@pytest.fixture(scope="module")
def ds(archive):
    return make_datasette(archive[0])


def get(ds, path: str, method: str = "get"):
    async def run():
        return await getattr(ds.client, method)(path)

    return asyncio.run(run())


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def snapshot_path(capture, raw: bool = False) -> str:
    return f"/-/capture/{record_slug(capture.record_id)}" + ("/raw" if raw else "")


# -- article page ------------------------------------------------------------


def test_article_page_shows_text_metadata_citation_and_links(ds, archive):
    _, ids = archive
    page = get(ds, f"/archive/articles/{ids['article']}")
    assert page.status_code == 200
    html = soup(page)
    assert html.select_one("h1.archive-title").text == "Border stays open, says Lukashenko"
    assert [a.text for a in html.select(".archive-authors a")] == ui_archive.AUTHORS
    paragraphs = [p.text for p in html.select(".archive-text p")]
    assert paragraphs == ui_archive.ARTICLE_TEXT.split("\n\n")
    assert html.select_one("time[datetime='2026-11-20T08:00:00+01:00']") is not None
    citation = html.select_one("#cite-text").text
    assert "Ana Ivanova, Piotr Nowak" in citation and ui_archive.ARTICLE_URL in citation
    assert "/20261120090500/" + ui_archive.ARTICLE_URL in citation  # the Memento-style archived URL
    row_sha = re.search(r"text sha256:([0-9a-f]{64})", citation).group(1)
    assert row_sha == __import__("hashlib").sha256(ui_archive.ARTICLE_TEXT.encode()).hexdigest()
    assert 'data-versionurl="' in html.select_one("#cite-html").text  # Robust Link
    button = html.select_one("button.archive-copy[data-copy-target='cite-text']")
    assert button is not None
    scripts = [s["src"] for s in html.select("script[src]")]
    assert "/archive-static/archive.js" in scripts and not any(s.startswith("http") for s in scripts)
    assert html.select_one("a.archive-snapshot-link")["href"] == snapshot_path(ids["article_capture"])
    assert html.select_one("a.archive-original-link")["href"] == ui_archive.ARTICLE_URL


def test_article_page_copy_script_is_served_locally(ds):
    script = get(ds, "/archive-static/archive.js")
    assert script.status_code == 200 and "clipboard" in script.text
    assert get(ds, "/archive-static/archive.css").status_code == 200


def test_article_versions_and_word_diff(ds, archive):
    _, ids = archive
    html = soup(get(ds, f"/archive/articles/{ids['article']}"))
    assert len(html.select(".archive-version-table tbody tr")) == 2
    diff = html.select_one(".archive-diff")  # two versions: the latest change is shown
    assert (diff["data-from"], diff["data-to"]) == ("1", "2")
    assert [d.text for d in diff.select("del")][0] == "Sunday"
    assert [i.text for i in diff.select("ins")][0] == "Monday"
    reverse = soup(get(ds, f"/archive/articles/{ids['article']}?from=2&to=1")).select_one(".archive-diff")
    assert reverse.select("del")[0].text == "Monday" and reverse.select("ins")[0].text == "Sunday"
    same = soup(get(ds, f"/archive/articles/{ids['article']}?from=2&to=2"))
    assert same.select(".archive-diff ins, .archive-diff del") == []
    bad = get(ds, f"/archive/articles/{ids['article']}?from=x&to=99")  # clamped, not an error
    assert bad.status_code == 200


def test_single_version_article_has_no_diff(ds, archive):
    _, ids = archive
    html = soup(get(ds, f"/archive/articles/{ids['second']}"))
    assert (
        len(html.select(".archive-version-table tbody tr")) == 1 and html.select_one(".archive-diff") is None
    )


def test_missing_article_is_404_and_other_row_pages_stay_datasettes(ds, archive):
    _, ids = archive
    assert get(ds, "/archive/articles/0000000000000000").status_code == 404
    capture_page = get(ds, "/archive/crawls/c1")
    assert capture_page.status_code == 200 and "archive-article" not in capture_page.text


# -- snapshot view -----------------------------------------------------------


def test_snapshot_page_frames_the_capture_in_a_sandbox(ds, archive):
    _, ids = archive
    page = get(ds, snapshot_path(ids["hostile_capture"]))
    assert page.status_code == 200
    frames = soup(page).select("iframe")
    assert len(frames) == 1
    assert "sandbox" in frames[0].attrs and not frames[0]["sandbox"]  # no allow-scripts/-same-origin, nothing
    assert re.search(r'<iframe class="archive-frame" sandbox=""', page.text)
    hostile = ids["hostile_capture"]  # framed from the replay route, its requisites from the archive
    assert frames[0]["src"] == f"/-/replay/{timestamp14(hostile.fetched_at)}/{hostile.url}"
    assert "parent.document" not in page.text  # the archived HTML is never inlined in our origin
    assert ui_archive.HOSTILE_URL in page.text and "200 OK" in page.text


def test_raw_route_sends_sandbox_csp_and_the_decoded_body(ds, archive):
    _, ids = archive
    raw = get(ds, snapshot_path(ids["article_capture"], raw=True))
    assert raw.status_code == 200
    assert raw.headers["content-security-policy"] == RAW_CSP
    assert raw.headers["content-security-policy"].startswith("sandbox;")
    assert "script-src" not in RAW_CSP and "default-src 'none'" in RAW_CSP and "form-action 'none'" in RAW_CSP
    assert raw.headers["x-content-type-options"] == "nosniff"
    assert raw.headers["content-type"] == "text/html; charset=utf-8"
    assert "content-encoding" not in raw.headers and "set-cookie" not in raw.headers
    assert b"<p>Alexander Lukashenko said on Monday" in raw.content  # gzip undone
    assert "content-disposition" not in raw.headers


def test_non_html_capture_downloads_with_its_content_type(ds, archive):
    _, ids = archive
    raw = get(ds, snapshot_path(ids["pdf_capture"], raw=True))
    assert raw.status_code == 200 and raw.content == ui_archive.PDF_BYTES
    assert raw.headers["content-type"] == "application/pdf"
    assert raw.headers["content-disposition"] == 'attachment; filename="report.pdf"'
    assert raw.headers["content-security-policy"] == RAW_CSP
    page = soup(get(ds, snapshot_path(ids["pdf_capture"])))
    assert page.select("iframe") == [] and "Download (application/pdf)" in page.text


def test_revisit_shows_the_original_payload(ds, archive):
    _, ids = archive
    page = get(ds, snapshot_path(ids["revisit_capture"]))
    assert page.status_code == 200 and "Revisit of" in page.text
    raw = get(ds, snapshot_path(ids["revisit_capture"], raw=True))
    assert b"said on Monday" in raw.content


def test_old_snapshot_route_redirects_to_the_capture_view(ds, archive):
    _, ids = archive
    for raw in (False, True):
        new = snapshot_path(ids["revisit_capture"], raw=raw)
        old = new.replace("/-/capture/", "/-/snapshot/")
        response = get(ds, old)
        assert response.status_code == 301 and response.headers["location"] == new
    assert get(ds, new).status_code == 200


def test_unknown_capture_is_404(ds):
    for path in ("/-/capture/00000000-0000-0000-0000-000000000000", "/-/capture/nope/raw"):
        response = get(ds, path)
        assert response.status_code == 404 and response.headers["x-content-type-options"] == "nosniff"


def test_stale_index_is_a_422_that_says_reindex(archive, tmp_path):
    """A row that points at the wrong record is bad input (issue 11 item 11), not a server fault."""
    out, ids = archive
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    with sqlite3.connect(copy / "archive.db") as conn:  # point the PDF's row at another record
        conn.execute(
            "update captures set offset = ? where record_id = ?",
            [ids["article_capture"].offset, ids["pdf_capture"].record_id],
        )
    conn.close()
    response = get(make_datasette(copy), snapshot_path(ids["pdf_capture"], raw=True))
    assert response.status_code == 422 and "reindex" in response.text


def test_replay_link_only_when_configured(archive):
    out, ids = archive
    plain = make_datasette(out)
    assert "archive-replay-link" not in get(plain, snapshot_path(ids["article_capture"])).text
    configured = make_datasette(out)
    configured.plugin_config = lambda name, **kw: (
        {"replay_url": "http://127.0.0.1:8080/archive/{timestamp}/{url}"} if name == "archiver-ui" else None
    )
    link = soup(get(configured, snapshot_path(ids["article_capture"]))).select_one("a.archive-replay-link")
    assert link["href"] == f"http://127.0.0.1:8080/archive/20261120090500/{ui_archive.ARTICLE_URL}"


# -- headers everywhere ------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/archive",
        "/archive/articles",
        "/-/search",
        "/-/outlets",
        "/archive-static/archive.js",
        "/no/such/page",
        "/-/outlet/nope",
    ],
)
def test_nosniff_on_every_response(ds, path):
    assert get(ds, path).headers["x-content-type-options"] == "nosniff"


def test_no_write_endpoints(ds, archive):
    _, ids = archive
    for path in ("/-/search", snapshot_path(ids["article_capture"], raw=True), "/archive/articles"):
        response = get(ds, path, method="post")
        assert response.status_code == 405 and response.headers["x-content-type-options"] == "nosniff"


# -- search ------------------------------------------------------------------


def search(ds, query: str) -> BeautifulSoup:
    response = get(ds, "/-/search" + query)
    assert response.status_code == 200
    return soup(response)


def titles(page: BeautifulSoup) -> list[str]:
    return [a.text for a in page.select(".archive-result-title")]


def facet(page: BeautifulSoup, name: str) -> dict[str, int]:
    return {
        li.a.text: int(li.select_one(".archive-count").text)
        for li in page.select(f"[data-facet='{name}'] li")
    }


def test_search_finds_article_with_highlighted_snippet(ds):
    page = search(ds, "?q=western")
    assert titles(page) == ["Border stays open, says Lukashenko"]
    assert [m.text.lower() for m in page.select(".archive-snippet mark")] == ["western"]
    stemmed = search(ds, "?q=runner")  # porter stemming: "runner" finds "Runners"
    assert titles(stemmed) == ["Thousands run the Minsk marathon"]


def test_search_escapes_and_tolerates_fts_syntax(ds):
    for q in ("%22unbalanced", "a:b", "-minus", "NEAR(", "*"):
        assert search(ds, f"?q={q}").select(".archive-result") is not None
    echoed = get(ds, "/-/search?q=%3Cscript%3Ealert(1)%3C/script%3E").text
    assert "<script>alert(1)" not in echoed and "&lt;script&gt;alert(1)" in echoed


def test_search_facets_by_outlet_author_section_language_month(ds):
    page = search(ds, "")
    assert facet(page, "outlet") == {"demo": 2, "other": 1}
    assert facet(page, "author") == {"Ana Ivanova": 1, "Piotr Nowak": 1, "Olga K": 1}
    assert facet(page, "section") == {"Politics": 1, "Sport": 1, "Tests": 1}
    assert facet(page, "language") == {"en": 2, "be": 1}
    assert facet(page, "month") == {"2026-11": 2, "2026-10": 1}
    by_author = search(ds, "?author=Olga+K")
    assert titles(by_author) == ["Thousands run the Minsk marathon"]
    assert "Olga K" in by_author.select_one("[data-facet='author'] li.selected").text
    assert titles(search(ds, "?outlet=demo&section=Tests")) == ["Hostile page"]
    assert titles(search(ds, "?month=2026-10")) == ["Thousands run the Minsk marathon"]
    assert titles(search(ds, "?language=en&q=border")) == ["Border stays open, says Lukashenko"]
    assert titles(search(ds, "?language=be&q=border")) == []
    by_date = search(ds, "?q=border&sort=newest&outlet=demo")  # the date-ordered plan, snippets added after
    assert titles(by_date) == ["Border stays open, says Lukashenko"]
    assert [m.text.lower() for m in by_date.select(".archive-snippet mark")] == ["border"]


def test_search_date_range_and_sort(ds):
    assert titles(search(ds, "")) == [
        "Border stays open, says Lukashenko",
        "Hostile page",
        "Thousands run the Minsk marathon",
    ]  # no words: newest first
    assert titles(search(ds, "?sort=oldest"))[0] == "Thousands run the Minsk marathon"
    assert titles(search(ds, "?since=2026-11-01")) == ["Border stays open, says Lukashenko", "Hostile page"]
    assert titles(search(ds, "?until=2026-11-19")) == ["Hostile page", "Thousands run the Minsk marathon"]
    assert titles(search(ds, "?since=2026-11-19&until=2026-11-19")) == ["Hostile page"]
    assert titles(search(ds, "?since=garbage")) != []  # a malformed date is ignored, not an error
    assert titles(search(ds, "?page=50")) == []


# -- outlet page and charts --------------------------------------------------


def test_outlet_page_draws_both_charts(ds):
    page = get(ds, "/-/outlet/demo")
    assert page.status_code == 200 and "<script" not in page.text.split("<footer")[0]
    html = soup(page)
    articles, statuses = html.select("figure svg.archive-chart")
    assert len(articles.select("rect.bar")) == 2  # two publication days, one article each
    bar_titles = sorted(t.text for t in articles.select("rect.bar title"))
    assert bar_titles == ["2026-11-19 articles: 1", "2026-11-20 articles: 1"]
    status_bars = sorted(t.text for t in statuses.select("rect.bar title"))
    assert status_bars == ["2026-11-20 2xx: 4", "2026-11-20 3xx: 1"]  # the revisit was a 304


def test_outlets_list_and_unknown_outlet(ds):
    listing = soup(get(ds, "/-/outlets"))
    assert [a.text for a in listing.select("table a")] == ["demo", "other"]
    assert get(ds, "/-/outlet/nope").status_code == 404


def test_table_page_offers_the_authors_array_facet(ds):
    data = get(ds, "/archive/articles.json?_facet_array=authors").json()
    authors = {v["value"]: v["count"] for v in data["facet_results"]["authors"]["results"]}
    assert authors == {"Ana Ivanova": 1, "Piotr Nowak": 1, "Olga K": 1}


def test_search_plans_for_many_matches_say_how_they_answer(ds, monkeypatch):
    """A word with more than MATCH_LIMIT matches: the newest of its most recently stored matches, said so."""
    import archiver.serve.search as search_module

    queries = ["?q=border", "?q=border&sort=newest", "?q=runners&outlet=other", "?q=static&sort=oldest"]
    before = {q: (titles(search(ds, q)), facet(search(ds, q), "outlet")) for q in queries}
    monkeypatch.setattr(search_module, "MATCH_LIMIT", 1)  # each of these words matches one article
    after = {q: (titles(search(ds, q)), facet(search(ds, q), "outlet")) for q in queries}
    assert after == before and before["?q=border"][0] == ["Border stays open, says Lukashenko"]
    monkeypatch.setattr(search_module, "MATCH_LIMIT", 0)  # now every word has "too many" matches
    page = search(ds, "?q=border")
    assert titles(page) == [] and "most recently archived matches" in page.text
    assert "more than 0 articles" in page.select_one(".archive-result-count").text


def test_article_citation_equals_archiver_cite(ds, archive):
    from archiver.tools.cite import cite

    out, ids = archive
    html = soup(get(ds, f"/archive/articles/{ids['article']}"))
    for element, fmt in (("#cite-text", "text"), ("#cite-bibtex", "bibtex"), ("#cite-html", "html")):
        assert html.select_one(element).text.strip() == cite(
            out, ids["article"], fmt=fmt, base_url="http://localhost"
        )


def test_search_for_a_word_in_most_articles_says_how_it_answers(ds, monkeypatch):
    import archiver.serve.search as search_module

    common = search(ds, "?q=the")  # in two of the three articles
    assert len(titles(common)) == 2 and "2 articles" in common.select_one(".archive-result-count").text
    monkeypatch.setattr(search_module, "MATCH_LIMIT", 1)
    page = search(ds, "?q=the")
    assert "too many to rank by relevance" in page.text
    assert "more than 1 article" in page.select_one(".archive-result-count").text
    # the most recently stored match only
    assert len(titles(page)) == 1 and set(titles(page)) < set(titles(common))
    assert [m.text.lower() for m in page.select(".archive-snippet mark")][:1] == ["the"]


def test_search_facets_are_labelled_when_counted_over_the_first_results(ds, monkeypatch):
    import archiver.serve.search as search_module

    whole = search(ds, "")  # the whole archive: from the summary table, exact
    assert whole.select_one(".archive-facets-note") is None
    monkeypatch.setattr(search_module, "FACET_SAMPLE", 2)
    page = search(ds, "?since=2000-01-01")  # three results: newest first, facets over the first two
    assert "Counted over the first 2 results" in page.select_one(".archive-facets-note").text
    assert sum(facet(page, "outlet").values()) == 2 and len(titles(page)) == 3
    assert "3 articles" in page.select_one(".archive-result-count").text  # counted by the candidates
    monkeypatch.setattr(search_module, "SAMPLE", 2)
    capped = search(ds, "?since=2000-01-01")
    assert "more than 2 articles" in capped.select_one(".archive-result-count").text
    assert "2 articles" in search(ds, "?outlet=demo").select_one(".archive-result-count").text  # a counter
    by_author = search(ds, "?author=Olga+K")  # rowids from the author index, facet columns read after
    assert (
        facet(by_author, "author") == {"Olga K": 1} and by_author.select_one(".archive-facets-note") is None
    )


def test_pages_of_a_real_demo_crawl(demo_crawl):
    """The pipeline's own WARCs and rows: every article page renders and its capture reads back."""
    out, _requests, _proc = demo_crawl
    with sqlite3.connect(f"file:{out / 'archive.db'}?mode=ro&immutable=1", uri=True) as conn:
        articles = conn.execute("select id, title, capture_record_id, outlet from articles").fetchall()
    conn.close()
    assert articles
    crawled = make_datasette(out)
    for ident, title, record_id, outlet in articles[:5]:
        page = get(crawled, f"/archive/articles/{ident}")
        assert page.status_code == 200 and soup(page).select_one("h1.archive-title").text == title
        raw = get(crawled, f"/-/capture/{record_slug(record_id)}/raw")
        assert raw.status_code == 200 and raw.headers["content-security-policy"] == RAW_CSP
        assert "content-encoding" not in raw.headers and b"<html" in raw.content.lower()
    outlet_page = get(crawled, f"/-/outlet/{articles[0][3]}")
    assert outlet_page.status_code == 200 and len(soup(outlet_page).select("svg.archive-chart")) == 4
    # the crawl-health charts (crawl_stats): one crawl, its new articles as one bar
    new_bar = soup(outlet_page).select("#articles-per-crawl rect.bar title")
    assert len(new_bar) == 1 and new_bar[0].text.endswith(f"new: {len(articles)}")


def test_every_plugin_hook_we_implement_is_loaded_and_tested(ds):
    """The hooks of the archive-page plugins; each has tests above (named in the comments)."""
    from datasette.plugins import pm

    assert "news-archiver" in {p["name"] for p in get(ds, "/-/plugins.json?all=1").json()}
    plugins = {name: {h.name for h in pm.get_hookcallers(plugin)} for name, plugin in pm.list_name_plugin()}
    expected = {  # entry point names (pyproject.toml [project.entry-points.datasette])
        "archiver_article_page": {"extra_template_vars"},  # test_article_page_*, test_article_versions_*
        "archiver_capture": {"register_routes"},  # test_snapshot_page_*, test_raw_route_*, test_non_html_*
        "archiver_search_page": {"register_routes", "startup"},  # test_search_*
        "archiver_outlet_page": {"register_routes"},  # test_outlet_page_*, test_outlets_*
        "archiver_security_headers": {"asgi_wrapper"},  # test_nosniff_on_every_response
        # tests/test_packaging.py: templates and /archive-static/ from an installed wheel
        "archiver_site_files": {"prepare_jinja2_environment", "register_routes"},
    }
    for name, hooks in expected.items():
        assert plugins.get(name) == hooks, name


def test_memento_links_resolve_when_the_memento_plugin_is_there(ds, archive):
    _, ids = archive
    html = soup(get(ds, f"/archive/articles/{ids['article']}"))
    links = {a.text: a["href"] for a in html.select(".archive-links a")}
    if not (Path(__file__).resolve().parent.parent / "datasette" / "plugins" / "memento.py").exists():
        assert "Memento" not in links
        return
    memento = links["Memento"].replace("http://localhost", "")
    assert memento == f"/20261120090500/{ui_archive.ARTICLE_URL}"
    assert get(ds, memento).status_code in (200, 302)
    assert get(ds, links["All captures (TimeMap)"]).status_code == 200


def test_a_closed_read_only_reader_does_not_make_the_archive_mutable(archive, tmp_path):
    out, _ids = archive
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    reader = sqlite3.connect(f"file:{copy / 'archive.db'}?mode=ro", uri=True)  # as archiver cite opens it
    reader.execute("select count(*) from articles").fetchall()
    reader.close()
    assert (copy / "archive.db-wal").exists()  # SQLite leaves it behind for read-only connections
    assert not make_datasette(copy).get_database("archive").is_mutable
    assert not (copy / "archive.db-wal").exists()


def test_index_page_links_to_search_and_outlets(ds):
    links = [a["href"] for a in soup(get(ds, "/")).select("a")]
    assert "/-/search" in links and "/-/outlets" in links


def test_outlet_page_of_an_outlet_without_recorded_crawls(archive, tmp_path):
    """Crawl health recorded for one outlet only: the other's page has no such section, and no error."""
    from archiver.store import Archive
    from archiver.tools.health import record_crawl_stats

    shutil.copytree(archive[0], tmp_path / "copy")
    with Archive(tmp_path / "copy") as db:
        record_crawl_stats(
            db, "crawl-1", "demo", {"response_received_count": 3}, finished_at="2026-11-20T10:00:00Z"
        )
    copied = make_datasette(tmp_path / "copy")
    demo, other = get(copied, "/-/outlet/demo"), get(copied, "/-/outlet/other")
    assert demo.status_code == 200 and soup(demo).select_one("#crawl-health") is not None
    assert other.status_code == 200 and soup(other).select_one("#crawl-health") is None
