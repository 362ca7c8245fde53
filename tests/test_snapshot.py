"""archiver snapshot: a WACZ 1.1.1 that wacz validates, pywb replays and that holds the selection's database."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest

from archiver.warc.cdxj import parse_line
from archiver.warc.reader import read_record_at
from support import run_archiver
from tools import http_get, pywb_serving, tool


@pytest.fixture(scope="module")
def archive(demo_crawl, tmp_path_factory):
    """A private copy of the demo crawl (snapshots are logged into the archive folder)."""
    copy = tmp_path_factory.mktemp("snap") / "archive"
    shutil.copytree(demo_crawl[0], copy)
    return copy


@pytest.fixture(scope="module")
def wacz(archive):
    out = archive.parent / "whole.wacz"
    proc = run_archiver("snapshot", str(archive), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


def _rows(db_path, sql, params=()):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _extract(wacz_path: Path, dest: Path) -> Path:
    with zipfile.ZipFile(wacz_path) as zf:
        zf.extractall(dest)
    return dest


def test_wacz_validator_accepts_it(wacz):
    proc = subprocess.run(
        [tool("wacz"), "validate", "--file", str(wacz[0])], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Validation succeeded" in proc.stdout


def test_layout_hashes_and_snapshot_id(wacz, archive):
    path, stdout = wacz
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        package_bytes = zf.read("datapackage.json")
        package = json.loads(package_bytes)
        digest = json.loads(zf.read("datapackage-digest.json"))
        assert package["profile"] == "data-package"
        assert package["wacz_version"] == "1.1.1"
        listed = {r["path"]: r for r in package["resources"]}
        assert set(listed) == set(names) - {"datapackage.json", "datapackage-digest.json"}
        assert {"pages/pages.jsonl", "indexes/index.cdx", "data/archive.db"} <= set(listed)
        warcs = [n for n in names if n.startswith("archive/")]
        assert warcs and all(n.endswith(".warc.gz") for n in warcs)
        for name in warcs + ["indexes/index.cdx"]:
            assert zf.getinfo(name).compress_type == zipfile.ZIP_STORED
        for name, resource in listed.items():
            data = zf.read(name)
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest(), name
            assert resource["bytes"] == len(data), name
    snapshot_id = "sha256:" + hashlib.sha256(package_bytes).hexdigest()
    assert digest == {"path": "datapackage.json", "hash": snapshot_id}
    assert f"snapshot id: {snapshot_id}" in stdout
    # the log entry of this package (other tests of the module snapshot the same archive, in any order)
    logged = [json.loads(line) for line in (archive / "snapshots.jsonl").read_text().splitlines()]
    mine = [entry for entry in logged if entry["file"] == str(path.resolve())]
    assert len(mine) == 1 and mine[0]["id"] == snapshot_id
    assert len(mine[0]["captures"]) == _rows(archive / "archive.db", "select count(*) from captures")[0][0]


def test_pages_and_database_hold_every_article(wacz, archive, tmp_path):
    out = _extract(wacz[0], tmp_path / "x")
    lines = [json.loads(line) for line in (out / "pages/pages.jsonl").read_text().splitlines()]
    assert lines[0]["format"] == "json-pages-1.0"
    source = _rows(
        archive / "archive.db", "select id, url, fetched_at, title, text_sha256 from articles order by id"
    )
    assert sorted((p["id"], p["url"], p["ts"], p["title"], p["text_digest"]) for p in lines[1:]) == [
        (i, u, ts, t, f"sha256:{sha}") for i, u, ts, t, sha in source
    ]
    packed = _rows(
        out / "data/archive.db", "select id, url, fetched_at, title, text_sha256 from articles order by id"
    )
    assert packed == source
    # the packaged rows point at records inside the package, whose payloads match
    # (a revisit, here a requisite repeating another URL's payload, holds no payload of its own)
    for url, warc_file, offset, sha in _rows(
        out / "data/archive.db",
        "select url, warc_file, offset, payload_sha256 from captures where record_type = 'response'",
    ):
        rec = read_record_at(out / "archive" / warc_file, offset)
        assert rec.target_uri == url
        assert hashlib.sha256(rec.payload).hexdigest() == sha
    assert _rows(out / "data/archive.db", "select count(*) from crawls")[0][0] == 1


def test_same_selection_gives_the_same_bytes(wacz, archive):
    again = archive.parent / "again.wacz"
    proc = run_archiver("snapshot", str(archive), "--out", str(again))
    assert proc.returncode == 0, proc.stderr
    assert again.read_bytes() == wacz[0].read_bytes()


def test_since_keeps_only_later_captures_and_whole_records(archive, tmp_path):
    times = [
        r[0] for r in _rows(archive / "archive.db", "select fetched_at from captures order by fetched_at")
    ]
    since = times[len(times) // 2]
    out = tmp_path / "late.wacz"
    proc = run_archiver("snapshot", str(archive), "--out", str(out), "--since", since, "--outlet", "demo")
    assert proc.returncode == 0, proc.stderr
    x = _extract(out, tmp_path / "x")
    packed = [r[0] for r in _rows(x / "data/archive.db", "select fetched_at from captures")]
    assert sorted(packed) == [t for t in times if t >= since]
    index = [parse_line(line) for line in (x / "indexes/index.cdx").read_text().splitlines()]
    assert len(index) == len(packed)
    # every article of the selection kept its conversion record and its capture
    assert _rows(
        x / "data/archive.db",
        "select count(*) from articles where capture_record_id not in (select record_id from captures)",
    ) == [(0,)]
    for warc in (x / "archive").iterdir():
        check = subprocess.run(
            [tool("warcio"), "check", str(warc)], capture_output=True, text=True, timeout=120
        )
        assert check.returncode == 0, check.stdout + check.stderr


def test_empty_selection_is_an_error(archive, tmp_path):
    proc = run_archiver(
        "snapshot", str(archive), "--out", str(tmp_path / "x.wacz"), "--outlet", "no-such-outlet"
    )
    assert proc.returncode == 1
    assert "no capture" in proc.stderr and "no-such-outlet" in proc.stderr
    assert not (tmp_path / "x.wacz").exists()


def test_pywb_replays_an_article_from_the_snapshot(wacz, archive, tmp_path):
    """pywb, given the package's WARCs and its CDXJ index as they are, serves the captured bytes."""
    x = _extract(wacz[0], tmp_path / "x")
    url, fetched_at, sha, warc_file, offset = _rows(
        archive / "archive.db",
        "select a.url, c.fetched_at, c.payload_sha256, c.warc_file, c.offset from articles a "
        "join captures c on c.record_id = a.capture_record_id order by a.id limit 1",
    )[0]
    captured = read_record_at(archive / "warcs" / warc_file, offset)
    ts = "".join(ch for ch in fetched_at if ch.isdigit())[:14]
    with pywb_serving(x, tmp_path / "pywb", timeout=60) as pywb:
        replay = f"{pywb}{ts}id_/{url}"
        status, headers, body = http_get(replay, {"Accept-Encoding": "gzip"})
        assert status == 200
        # as stored: the payload bytes that came off the wire (content-coding kept)
        assert hashlib.sha256(body).hexdigest() == sha
        assert body == captured.payload
        # and decoded by pywb: the entity the page was made of
        status, headers, body = http_get(replay)
        assert status == 200 and body == captured.decoded_body()
        assert headers.get("Memento-Datetime")


def test_revisits_bring_the_responses_they_repeat(demo_recrawl, tmp_path):
    """A snapshot of the second crawl alone still replays: each revisit's original response comes along."""
    archive = tmp_path / "archive"
    shutil.copytree(demo_recrawl["out"], archive)
    second_start = _rows(archive / "archive.db", "select started_at from crawls order by started_at")[-1][0]
    out = tmp_path / "second.wacz"
    proc = run_archiver("snapshot", str(archive), "--out", str(out), "--since", second_start)
    assert proc.returncode == 0, proc.stderr
    x = _extract(out, tmp_path / "x")
    packed = x / "data/archive.db"
    revisits = _rows(packed, "select count(*) from captures where record_type = 'revisit'")[0][0]
    assert revisits > 0
    assert _rows(
        packed,
        "select count(*) from captures r left join captures o on o.record_id = r.refers_to "
        "where r.record_type = 'revisit' and o.record_id is null",
    ) == [(0,)]
    # the originals are there for replay, not as captures of the selection's time span
    first_crawl = _rows(packed, "select count(*) from captures where fetched_at < ?", [second_start])[0][0]
    assert (
        0
        < first_crawl
        == _rows(packed, "select count(distinct refers_to) from captures where record_type = 'revisit'")[0][0]
    )
    check = run_archiver("verify", str(out))
    assert check.returncode == 0, check.stdout


def test_a_missing_checker_fails_the_test_rather_than_skipping_it(monkeypatch, tmp_path):
    monkeypatch.setenv("ARCHIVER_TOOLS_BIN", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match="make tools"):
        tool("wacz")
    (tmp_path / "wacz").write_text("#!/bin/sh\n")
    assert tool("wacz") == str(tmp_path / "wacz")
