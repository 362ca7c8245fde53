"""Incremental daily crawls: a re-crawl fetches what is new or changed, not every archived article.

A generated outlet (archiver/demo/dailysite.py) is crawled whole, then gains
new articles and has some edited (their sitemap ``lastmod`` moves on); the
re-crawl (``crawl --all``, incremental by default) must ask at most 3 requests
per new or edited article in all, store every new article and make every
edit a new version. The schedule that thins with age is checked on its own.
"""

from __future__ import annotations

import datetime as dt

import pytest

from archiver.crawl.incremental import RevisitSchedule, Revisits, parse_time
from fleet_sites import crawl_all, query

ARTICLES, NEW, EDITED = 600, 20, (3, 77, 150, 301, 450, 599)


@pytest.fixture(scope="module")
def recrawl(tmp_path_factory):
    from archiver.demo.bigsite import BigSiteServer
    from archiver.demo.dailysite import daily_pages, outlet_toml, with_base

    folder = tmp_path_factory.mktemp("outlets")
    out = tmp_path_factory.mktemp("archive")
    with BigSiteServer(pages=10) as site:
        site.pages.clear()
        site.pages.update(with_base(daily_pages(ARTICLES), site.url))
        (folder / "daily.toml").write_text(outlet_toml(site.url))
        first = crawl_all(folder, out)
        assert first.returncode == 0, first.stdout + first.stderr[-3000:]
        first_hits = sum(site.hits.values())
        site.hits.clear()
        site.pages.update(with_base(daily_pages(ARTICLES, new=NEW, edited=EDITED), site.url))
        second = crawl_all(folder, out)
        assert second.returncode == 0, second.stdout + second.stderr[-3000:]
        yield {"out": out, "hits": dict(site.hits), "first_hits": first_hits, "second": second}


def test_recrawl_needs_at_most_3_requests_per_new_or_edited_article(recrawl):
    hits = recrawl["hits"]
    changed = NEW + len(EDITED)
    assert sum(hits.values()) <= 3 * changed, (sum(hits.values()), sorted(hits))
    assert recrawl["first_hits"] > ARTICLES  # the first crawl fetched everything
    untouched = [f"/news/{i}/" for i in range(ARTICLES) if i not in EDITED]
    assert not [p for p in untouched if p in hits], "an article that cannot have changed was fetched"
    assert hits.get("/sitemap.xml") == 1 and hits.get("/") == 1  # listings and sitemaps always are


def test_every_new_article_is_stored_and_every_edit_is_a_new_version(recrawl):
    out = recrawl["out"]
    urls = {r[0].rsplit("/news/", 1)[1] for r in query(out, "select url from articles")}
    assert len(urls) == ARTICLES + NEW
    assert {f"{i}/" for i in range(ARTICLES, ARTICLES + NEW)} <= urls
    versions = dict(
        (int(url.rstrip("/").rsplit("/", 1)[1]), (n, text))
        for url, n, text in query(out, "select url, versions, text from articles where versions > 1")
    )
    assert set(versions) == set(EDITED)
    assert all("Correction and update" in text for _, text in versions.values())
    (new, changed), *_ = query(
        out, "select articles_new, articles_changed from crawl_stats order by finished_at desc limit 1"
    )
    assert (new, changed) == (NEW, len(EDITED))


def test_schedule_thins_with_age():
    schedule = RevisitSchedule()
    day = dt.timedelta(days=1)
    assert schedule.interval(3 * day) == day
    assert schedule.interval(20 * day) == 7 * day
    assert schedule.interval(400 * day) == 30 * day
    assert RevisitSchedule.from_table(2, 10, 90).interval(50 * day) == 90 * day


def test_decisions_from_lastmod_and_age():
    now = dt.datetime(2026, 3, 1, 6, 0, tzinfo=dt.UTC)
    t = parse_time
    held = {
        "http://x/young/": Revisits.held_entry(last=t("2026-02-28T06:00:00Z"), published=t("2026-02-26")),
        "http://x/month/": Revisits.held_entry(last=t("2026-02-27T06:00:00Z"), published=t("2026-02-10")),
        "http://x/old/": Revisits.held_entry(last=t("2026-02-20T06:00:00Z"), published=t("2025-01-01")),
        "http://x/stale/": Revisits.held_entry(last=t("2026-01-20T06:00:00Z"), published=t("2025-01-01")),
    }
    revisits = Revisits(held, RevisitSchedule(), now=now)
    assert revisits.decide("http://x/new/").reason == "new"
    assert revisits.decide("http://x/young/").reason == "due"  # a day old, checked daily
    assert revisits.decide("http://x/month/").reason == "not_due"  # weekly, last seen 2 days ago
    assert revisits.decide("http://x/old/").reason == "not_due"
    assert revisits.decide("http://x/stale/").reason == "due"  # monthly, last seen 40 days ago
    # a lastmod after the last capture means modified; a same-day bare date too; an older one, unchanged
    assert revisits.decide("http://x/old/", lastmod="2026-02-25T00:00:00Z").reason == "modified"
    assert revisits.decide("http://x/old/", lastmod="2026-02-20").reason == "modified"
    assert revisits.decide("http://x/young/", lastmod="2026-02-26T10:00:00+02:00").fetch is False


def test_a_lastmod_in_the_second_of_the_last_capture_is_a_change():
    """An edit stamped to the second of our fetch may have come after it (the re-crawl test's flake)."""
    t = parse_time
    held = {"http://x/a/": Revisits.held_entry(last=t("2026-02-28T06:00:05.600Z"), published=t("2026-02-26"))}
    revisits = Revisits(held, RevisitSchedule(), now=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    assert revisits.decide("http://x/a/", lastmod="2026-02-28T06:00:05Z").reason == "modified"
    assert revisits.decide("http://x/a/", lastmod="2026-02-28T06:00Z").reason == "modified"  # to the minute
    assert revisits.decide("http://x/a/", lastmod="2026-02-28T06:00:04Z").reason == "unchanged"
    assert revisits.decide("http://x/a/", lastmod="2026-02-28T06:00:05.500Z").reason == "unchanged"
