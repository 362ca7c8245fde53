"""archiver cite: every format states the archived URL and digests a reader can check against the WARC."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3

from bs4 import BeautifulSoup

from archiver.tools.cite import Citation, as_bibtex, as_csl_json, as_html, as_ris, as_text, load_citation
from archiver.store import article_id
from archiver.warc.reader import read_record_at
from support import run_archiver


def _citation(**changes) -> Citation:
    base = {
        "article_id": "0123456789abcdef",
        "url": "https://news.example/2024/06/03/a?x=1&y=2",
        "title": 'Rates & "Risks": 50% of _all_ {loans}',
        "authors": ["Ana Núñez", "Bo Li"],
        "outlet": "example",
        "site_name": "The Example Times",
        "published": "2024-06-03T08:47:00+01:00",
        "captured": "2024-06-04T10:11:12.345678Z",
        "archived_url": "http://127.0.0.1:8001/20240604101112/https://news.example/2024/06/03/a?x=1&y=2",
        "payload_sha256": "a" * 64,
        "text_sha256": "b" * 64,
        "capture_record_id": "<urn:uuid:1>",
        "version": 2,
        "versions": 3,
        "snapshot_id": "sha256:" + "c" * 64,
    }
    return Citation(**{**base, **changes})


def test_text_names_everything_a_reader_checks():
    text = as_text(_citation())
    for part in (
        "Ana Núñez, Bo Li",
        "The Example Times",
        "2024-06-03",
        "https://news.example/2024/06/03/a?x=1&y=2",
        "Archived 2024-06-04T10:11:12Z",
        "/20240604101112/https://news.example/",
        "payload sha256:" + "a" * 64,
        "text sha256:" + "b" * 64,
        "snapshot sha256:" + "c" * 64,
        "version 2 of 3",
    ):
        assert part in text


def test_bibtex_escapes_latex_specials_and_keeps_urls_raw():
    bib = as_bibtex(_citation())
    assert bib.startswith("@misc{example2024rates_01234567,\n") and bib.endswith("\n}")
    assert r'title = {{Rates \& "Risks": 50\% of \_all\_ \{loans\}}}' in bib
    assert "author = {{Ana Núñez} and {Bo Li}}" in bib
    assert "url = {https://news.example/2024/06/03/a?x=1&y=2}" in bib
    assert "urldate = {2024-06-04}" in bib
    assert "\\url{http://127.0.0.1:8001/20240604101112/" in bib and "a" * 64 in bib


def test_csl_json_is_one_newspaper_item():
    [item] = json.loads(as_csl_json(_citation()))
    assert item["type"] == "article-newspaper"
    assert item["author"] == [{"literal": "Ana Núñez"}, {"literal": "Bo Li"}]
    assert item["issued"] == {"date-parts": [[2024, 6, 3]]}
    assert item["accessed"] == {"date-parts": [[2024, 6, 4]]}
    assert item["URL"] == "https://news.example/2024/06/03/a?x=1&y=2"
    assert item["archive_location"].startswith("http://127.0.0.1:8001/20240604101112/")
    assert "a" * 64 in item["note"] and "b" * 64 in item["note"]


def test_ris_tags_in_order_with_crlf():
    ris = as_ris(_citation())
    lines = ris.split("\r\n")
    assert lines[0] == "TY  - NEWS" and lines[-2] == "ER  - " and lines[-1] == ""
    assert "AU  - Ana Núñez" in lines and "AU  - Bo Li" in lines and "DA  - 2024/06/03" in lines
    assert "\n" not in ris.replace("\r\n", "")


def test_html_is_a_robust_link_with_escaped_attributes():
    anchor = BeautifulSoup(as_html(_citation()), "html.parser").a
    assert anchor["href"] == anchor["data-originalurl"] == "https://news.example/2024/06/03/a?x=1&y=2"
    assert anchor["data-versionurl"].endswith("/20240604101112/https://news.example/2024/06/03/a?x=1&y=2")
    assert anchor["data-versiondate"] == "2024-06-04T10:11:12Z"
    assert anchor.get_text() == 'Rates & "Risks": 50% of _all_ {loans}'
    assert "<script" not in as_html(_citation(title="<script>alert(1)</script>"))


def _first_article(db_path):
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(
            "select a.*, c.warc_file, c.offset, c.fetched_at as captured from articles a "
            "join captures c on c.record_id = a.capture_record_id order by a.id limit 1"
        ).fetchone()
    finally:
        conn.close()


def test_cite_from_a_crawl_matches_the_warc(demo_crawl):
    archive = demo_crawl[0]
    row = _first_article(archive / "archive.db")
    proc = run_archiver(
        "cite",
        row["id"],
        "--archive",
        str(archive),
        "--format",
        "csl-json",
        "--base-url",
        "http://archive.example/",
    )
    assert proc.returncode == 0, proc.stderr
    [item] = json.loads(proc.stdout)
    ts = "".join(ch for ch in row["captured"] if ch.isdigit())[:14]
    assert item["archive_location"] == f"http://archive.example/{ts}/{row['url']}"
    payload = read_record_at(archive / "warcs" / row["warc_file"], row["offset"]).payload
    assert f"payload sha256:{hashlib.sha256(payload).hexdigest()}" in item["note"]
    assert f"text sha256:{hashlib.sha256(row['text'].encode()).hexdigest()}" in item["note"]
    assert item["title"] == row["title"]
    assert [a["literal"] for a in item["author"]] == json.loads(row["authors"])
    by_url = load_citation(archive, row["url"])
    assert by_url.article_id == row["id"] == article_id(row["url"])
    assert by_url.snapshot_id is None


def test_cite_names_the_snapshot_that_holds_the_capture(demo_crawl, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(demo_crawl[0], archive)
    snap = run_archiver("snapshot", str(archive), "--out", str(tmp_path / "s.wacz"))
    assert snap.returncode == 0, snap.stderr
    snapshot_id = snap.stdout.split("snapshot id: ")[1].strip()
    row = _first_article(archive / "archive.db")
    proc = run_archiver("cite", row["id"], "--db", str(archive / "archive.db"))
    assert proc.returncode == 0, proc.stderr
    assert f"snapshot {snapshot_id}" in proc.stdout


def test_cite_at_a_time_gives_the_version_then_current(demo_recrawl):
    out = demo_recrawl["out"]
    ident = article_id(demo_recrawl["server"].url + demo_recrawl["edited"].path)
    conn = sqlite3.connect(out / "archive.db")
    versions = conn.execute(
        "select version, text_sha256, fetched_at from article_versions where article_id = ? order by version",
        [ident],
    ).fetchall()
    conn.close()
    assert len(versions) == 2
    (v1, sha1, at1), (v2, sha2, at2) = versions
    latest = load_citation(out, ident)
    assert (latest.version, latest.versions, latest.text_sha256) == (2, 2, sha2)
    assert load_citation(out, ident, at=at2).version == 2
    then = load_citation(out, ident, at=at1)
    assert (then.version, then.text_sha256, then.captured) == (1, sha1, at1)
    ts1 = "".join(ch for ch in at1 if ch.isdigit())[:14]
    assert then.archived_url.endswith(f"/{ts1}/{then.url}")
    proc = run_archiver("cite", ident, "--archive", str(out), "--at", "2001-01-01")
    assert proc.returncode == 1 and "first captured" in proc.stderr


def test_unknown_article_is_a_clear_error(demo_crawl):
    proc = run_archiver("cite", "ffffffffffffffff", "--archive", str(demo_crawl[0]))
    assert proc.returncode == 1 and "no article 'ffffffffffffffff'" in proc.stderr
    proc = run_archiver("cite", "x", "--archive", str(demo_crawl[0] / "nowhere"))
    assert proc.returncode == 1 and "no archive database" in proc.stderr
