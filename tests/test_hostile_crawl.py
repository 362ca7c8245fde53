"""A real crawl of the hostile site (tests/hostile_site.py): every case bounded, logged, counted, archived.

One ``archiver crawl`` subprocess (module fixture) crawls the whole site with
the project's settings plus a few limits made small enough for a test. Each
test then checks one case from every side: the stats the crawl stored in the
``crawls`` table at close, its log (one ``fetch failed``/``page problem``
line per case), the WARC records (bytes that came, ``WARC-Truncated`` where
cut), the server's own request log, and the rows in SQLite.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from archiver.warc.reader import Record, iter_records
from hostile_site import (
    BINARY_BODY,
    CHARSET_LIE_TEXT,
    HUGE_SIZE,
    MANY_LINKS,
    METADATA_URL,
    NO_CHARSET_TEXT,
    PRIVATE_URL,
    HostileSite,
)
from support import LOCAL, run_archiver

MAX_SIZE = 16 * 1024 * 1024
LIMITS = [
    'ARCHIVER_ALLOW_PRIVATE_ADDRESSES=["127.0.0.0/8"]',  # the test server, and nothing else private
    f"DOWNLOAD_MAXSIZE={MAX_SIZE}",
    f"DOWNLOAD_WARNSIZE={MAX_SIZE // 2}",
    "DOWNLOAD_TIMEOUT=8",
    "ARCHIVER_RETRY_AFTER_MAX=2",
    "ARCHIVER_MAX_LINKS_PER_PAGE=25",
    "ARCHIVER_SHAPE_BUDGET=10",
]


@dataclass
class Crawl:
    site: HostileSite
    out: Path
    returncode: int
    log: str
    stats: dict
    records: list[Record]

    def url(self, path: str) -> str:
        return self.site.url + path

    def lines(self, needle: str) -> list[str]:
        return [line for line in self.log.splitlines() if needle in line]

    def responses(self, path: str) -> list[Record]:
        return [r for r in self.records if r.rec_type == "response" and r.target_uri == self.url(path)]

    def rows(self, sql: str, *params: object) -> list[tuple]:
        with sqlite3.connect(self.out / "archive.db") as conn:
            return conn.execute(sql, params).fetchall()


def crawl(
    site_url: str, out: Path, domains: list[str], *settings: str
) -> tuple[int, str, dict, list[Record]]:
    outlet = out.parent / f"{out.name}.toml"
    outlet.write_text(f'name = "hostile"\nhome = "{site_url}/"\ndomains = {json.dumps(domains)}\n')
    args = ["crawl", str(outlet), "--out", str(out), "-v"]  # -v: the tests read Scrapy's INFO log
    for setting in [*LOCAL, *settings]:
        args += ["--set", setting]
    proc = run_archiver(*args, timeout=240)
    with sqlite3.connect(out / "archive.db") as conn:
        ((stats,),) = conn.execute("select stats from crawls").fetchall()
    records = [r for path in sorted((out / "warcs").glob("*.warc.gz")) for r in iter_records(path)]
    return proc.returncode, proc.stderr + proc.stdout, json.loads(stats or "{}"), records


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Crawl:
    with HostileSite() as site:
        out = tmp_path_factory.mktemp("hostile") / "archive"
        code, log, stats, records = crawl(
            site.url, out, ["127.0.0.1", "10.0.0.1", "169.254.169.254"], *LIMITS
        )
        yield Crawl(site, out, code, log, stats, records)


# -- the crawl as a whole ------------------------------------------------------------------


def test_crawl_finishes_cleanly_with_a_consistent_database(hostile):
    assert hostile.returncode == 0, hostile.log[-3000:]
    assert hostile.stats["finish_reason"] == "finished"
    assert hostile.rows("pragma integrity_check") == [("ok",)]
    assert hostile.rows("pragma foreign_key_check") == []
    ((finished,),) = hostile.rows("select finished_at from crawls")
    assert finished, "the crawl's end (and its stats) are written at close"


def test_every_case_is_counted_in_the_stored_stats(hostile):
    expected = {
        "archiver/fetch/failed/too_large": 2,  # the gzip bomb and the 20 MB page
        "archiver/fetch/failed/redirect_loop": 2,  # the a<->b loop and the endless chain
        "archiver/fetch/failed/timeout": 1,  # the trickle
        "archiver/fetch/failed/connection_lost": 2,  # reset midway, reset before any byte
        "archiver/fetch/failed/robots_forbidden": 1,
        "archiver/fetch/failed/refused_address": 2,
        "archiver/pages/binary": 1,
        "archiver/pages/charset_mismatch": 1,
        "archiver/pages/no_charset": 1,
        "archiver/links/capped": 1,
        "archiver/retry_after/capped": 1,
    }
    got = {key: hostile.stats.get(key) for key in expected}
    assert got == expected
    assert hostile.stats["archiver/traps/shape_budget"] >= 1
    assert hostile.stats["archiver/retry_after/waits"] == 3


# -- one test per case --------------------------------------------------------------------


def test_malformed_html_is_stored_as_an_article(hostile):
    ((title, text),) = hostile.rows(
        "select title, text from articles where url = ?", hostile.url("/malformed/")
    )
    assert title == "Malformed but readable"
    assert "First paragraph of the malformed page" in text
    assert "Third paragraph inside unclosed containers" in text


def test_charset_lie_is_flagged_and_archived_byte_for_byte(hostile):
    lines = hostile.lines("page problem (charset_mismatch): " + hostile.url("/charset-lie/"))
    assert len(lines) == 1 and "declared charset 'utf-8' does not decode the body" in lines[0]
    (record,) = hostile.responses("/charset-lie/")
    assert CHARSET_LIE_TEXT.encode("cp1251") in record.payload
    assert hostile.rows("select count(*) from articles where url = ?", hostile.url("/charset-lie/")) == [(1,)]


def test_charset_lie_text_is_decoded_as_windows_1251(hostile):
    ((text,),) = hostile.rows("select text from articles where url = ?", hostile.url("/charset-lie/"))
    assert CHARSET_LIE_TEXT in text


def test_page_without_charset_is_decoded_and_noted(hostile):
    assert len(hostile.lines("page problem (no_charset): " + hostile.url("/no-charset/"))) == 1
    ((text,),) = hostile.rows("select text from articles where url = ?", hostile.url("/no-charset/"))
    assert NO_CHARSET_TEXT in text


def test_binary_body_served_as_html_is_archived_not_cleaned(hostile):
    assert len(hostile.lines("page problem (binary): " + hostile.url("/binary/"))) == 1
    (record,) = hostile.responses("/binary/")
    assert record.payload == BINARY_BODY
    ((sha,),) = hostile.rows("select payload_sha256 from captures where url = ?", hostile.url("/binary/"))
    assert sha == hashlib.sha256(BINARY_BODY).hexdigest()
    assert hostile.rows("select count(*) from articles where url = ?", hostile.url("/binary/")) == [(0,)]


def test_gzip_bomb_is_refused_past_the_size_limit_with_its_compressed_bytes_archived(hostile):
    lines = hostile.lines("fetch failed (too_large): " + hostile.url("/bomb/"))
    assert len(lines) == 1 and "gzip bomb" in lines[0]
    (record,) = hostile.responses("/bomb/")
    assert record.header("WARC-Truncated") is None, "the compressed body came whole"
    assert record.payload == hostile.site.bomb
    assert len(record.payload) < 1_000_000 and record.payload[:2] == b"\x1f\x8b"  # small, and gzip
    assert hostile.rows("select count(*) from articles where url = ?", hostile.url("/bomb/")) == [(0,)]


def test_huge_page_is_cut_at_the_size_limit_and_marked_truncated(hostile):
    lines = hostile.lines("fetch failed (too_large): " + hostile.url("/huge/"))
    assert len(lines) == 1 and "DOWNLOAD_MAXSIZE" in lines[0]
    cut = [r for r in hostile.responses("/huge/") if r.header("WARC-Truncated") == "length"]
    assert len(cut) == 1
    assert MAX_SIZE // 2 < len(cut[0].payload) < HUGE_SIZE, "the bytes that came, up to about the limit"


def test_redirect_loop_is_named_once_and_each_hop_archived(hostile):
    lines = hostile.lines("fetch failed (redirect_loop): " + hostile.url("/loop/a/"))
    assert len(lines) == 1 and "/loop/b/" in lines[0]
    assert len(hostile.site.hits("/loop/a/")) == 1 and len(hostile.site.hits("/loop/b/")) == 1
    assert [r.status for r in hostile.responses("/loop/a/") + hostile.responses("/loop/b/")] == [302, 302]


def test_endless_redirect_chain_stops_at_the_redirect_limit(hostile):
    assert len(hostile.lines("fetch failed (redirect_loop): ")) == 2
    assert len(hostile.site.hits("/chain/")) == 21  # the first request + REDIRECT_MAX_TIMES (20)


def test_calendar_trap_is_bounded_by_the_url_shape_budget(hostile):
    assert len(hostile.site.hits("/calendar/")) == 10
    lines = hostile.lines("crawler trap (shape_budget)")
    assert len(lines) == 1 and "/calendar/N/N/" in lines[0]


def test_slow_trickle_is_cut_by_the_timeout_and_its_bytes_kept(hostile):
    assert len(hostile.lines("fetch failed (timeout): " + hostile.url("/slow/"))) == 1
    attempts = hostile.responses("/slow/")
    assert len(attempts) == 3  # the first try and RETRY_TIMES (2) retries, each archived
    for record in attempts:
        assert record.header("WARC-Truncated") == "time"
        assert record.status == 200 and 0 < len(record.payload) < 4000


def test_connection_reset_midway_keeps_the_partial_response(hostile):
    assert len(hostile.lines("fetch failed (connection_lost): " + hostile.url("/reset/"))) == 1
    attempts = hostile.responses("/reset/")
    assert len(attempts) == 3
    assert all(
        r.header("WARC-Truncated") == "disconnect" and b"<title>Reset midway" in r.payload for r in attempts
    )


def test_connection_reset_before_any_byte_is_archived_as_a_fetch_error(hostile):
    assert len(hostile.lines("fetch failed (connection_lost): " + hostile.url("/reset-early/"))) == 1
    assert hostile.responses("/reset-early/") == []
    errors = [
        r
        for r in hostile.records
        if r.rec_type == "metadata" and r.target_uri == hostile.url("/reset-early/")
    ]
    assert len(errors) == 3 and all(b"fetch-error:" in r.block for r in errors)


def test_bursts_of_500_and_503_honour_retry_after(hostile):
    hits = hostile.site.hits("/burst/")
    assert len(hits) == 3
    gaps = [b.at - a.at for a, b in zip(hits, hits[1:])]
    assert all(gap >= 0.95 for gap in gaps), f"Retry-After: 1 not honoured: {gaps}"
    assert [r.status for r in hostile.responses("/burst/")] == [500, 503, 200]
    assert hostile.rows("select title from articles where url = ?", hostile.url("/burst/")) == [
        ("After the burst",)
    ]


def test_retry_after_beyond_the_cap_waits_only_the_cap(hostile):
    first, second = hostile.site.hits("/burst-capped/")
    assert 1.9 <= second.at - first.at < 60
    lines = hostile.lines(hostile.url("/burst-capped/") + " answered 503 with Retry-After 3600s")
    assert len(lines) == 1 and "capped by ARCHIVER_RETRY_AFTER_MAX=2" in lines[0]


def test_page_with_100000_links_follows_only_the_cap(hostile):
    assert len(hostile.site.hits("/many/")) == 25
    assert hostile.stats["archiver/links/dropped"] == MANY_LINKS - 25
    assert len(hostile.lines("page with 100000 links: following the first 25")) == 1


def test_robots_txt_forbidding_our_agent_is_obeyed(hostile):
    assert [h.path for h in hostile.site.requests if h.origin == "robots"] == ["/robots.txt"]
    lines = hostile.lines("fetch failed (robots_forbidden): " + hostile.site.robots_url + "/forbidden/")
    assert len(lines) == 1


def test_private_and_metadata_addresses_are_refused_before_any_connection(hostile):
    for url, kind in ((PRIVATE_URL, "private"), (METADATA_URL, "metadata")):
        lines = hostile.lines(f"refused {url}")
        assert len(lines) == 1 and f"a {kind} address" in lines[0]
        assert hostile.stats[f"archiver/address_guard/refused/{kind}"] == 1
        # nothing was sent: the capture middleware archives even failed connections
        assert not [r for r in hostile.records if (r.target_uri or "").startswith(url.rsplit("/", 2)[0])]


def test_warc_files_read_without_error(hostile):
    errors = []
    for path in sorted((hostile.out / "warcs").glob("*.warc.gz")):
        list(iter_records(path, on_error=errors.append))
    assert errors == []


# -- a crawl that robots.txt stops entirely -------------------------------------------------


def test_crawl_forbidden_by_robots_txt_ends_cleanly_and_says_so(tmp_path):
    with HostileSite() as site:
        code, log, stats, records = crawl(site.robots_url, tmp_path / "archive", ["127.0.0.1"])
        served = [h.path for h in site.requests]
    assert code == 0, log[-3000:]
    assert served == ["/robots.txt"]
    assert stats["finish_reason"] == "finished" and stats["robotstxt/forbidden"] == 1
    assert len(re.findall(r"crawl ended: robots.txt forbids all 1 requested URLs", log)) == 1
    assert [r.target_uri for r in records if r.rec_type == "response"] == [site.robots_url + "/robots.txt"]


# -- the building blocks, without a crawl ---------------------------------------------------------


def test_trap_guard_budget_per_url_shape():
    from archiver.crawl.hostile import TrapGuard, url_shape

    assert (
        url_shape("http://x/calendar/2024/06/?p=1")
        == url_shape("http://x/calendar/1999/12/")
        == "x/calendar/N/N/"
    )
    guard = TrapGuard(budget=3)
    verdicts = [guard.check(f"http://x/calendar/2024/{m:02d}/") for m in range(1, 6)]
    assert verdicts[:3] == [None, None, None]
    assert [v.kind for v in verdicts[3:]] == ["shape_budget", "shape_budget"]
    assert guard.check("http://x/2024/06/01/a-story/") is None, "another shape has its own budget"
    assert guard.check("http://x/a/b/a/b/a/b/a/b/").kind == "repeated_segment"
    assert TrapGuard(max_length=50).check("http://x/" + "y" * 60).kind == "url_too_long"


def test_page_problems_name_binary_bodies_and_charset_lies():
    from archiver.crawl.hostile import page_problems

    assert [p.kind for p in page_problems(BINARY_BODY, "text/html")] == ["binary"]
    lie = ("<meta charset='utf-8'><p>" + CHARSET_LIE_TEXT).encode("cp1251")
    assert [p.kind for p in page_problems(lie, "text/html")] == ["charset_mismatch"]
    assert [p.kind for p in page_problems(NO_CHARSET_TEXT.encode(), "text/html")] == ["no_charset"]
    assert page_problems("<p>fine</p>".encode(), "text/html; charset=utf-8") == []
    assert page_problems(b"\xef\xbb\xbf<p>BOM says UTF-8</p>", "text/html") == []
    assert page_problems(b"<p>x</p>", "text/html; charset=x-nonsense")[0].kind == "charset_mismatch"


def test_retry_after_values():
    from archiver.downloadermiddlewares.retry_after import retry_after_seconds

    assert retry_after_seconds(b"120") == 120.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0  # in the past
    assert retry_after_seconds(None) is None and retry_after_seconds(b"soon") is None


def test_failures_are_classified_by_kind():
    from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest

    from archiver.spiders.hostile import classify

    assert classify(IgnoreRequest("Forbidden by robots.txt"))[0] == "robots_forbidden"
    assert classify(IgnoreRequest("max redirections reached"))[0] == "redirect_loop"
    assert (
        classify(IgnoreRequest("... exceeded DOWNLOAD_MAXSIZE (16 B) during decompression."))[0]
        == "too_large"
    )
    assert classify(DownloadTimeoutError("took longer than 3.0 seconds"))[0] == "timeout"
    assert classify(ValueError("odd"))[0] == "error"
