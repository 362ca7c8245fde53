"""A WACZ snapshot with page requisites: ReplayWeb.page's layout, and pywb replaying the page's face.

ReplayWeb.page reads a WACZ (https://replayweb.page/docs/wacz-format) from
``datapackage.json`` (every resource with its path, size and hash),
``archive/*.warc.gz``, a CDXJ index in ``indexes/`` and ``pages/pages.jsonl``
(the pages to list: articles here, never their stylesheets or images). pywb,
given the package's WARCs and index as they are, must serve the article, one
of its images and one of its stylesheets with the archived bytes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest

from archiver.demo import face
from archiver.warc.reader import read_record_at
from support import run_archiver
from tools import http_get, pywb_serving, tool


@pytest.fixture(scope="module")
def snapshot(demo_crawl, tmp_path_factory):
    """A WACZ of the whole demo crawl (a private copy: snapshots are logged in the archive folder)."""
    archive = tmp_path_factory.mktemp("req-snap") / "archive"
    shutil.copytree(demo_crawl[0], archive)
    out = archive.parent / "demo.wacz"
    proc = run_archiver("snapshot", str(archive), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    x = archive.parent / "x"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(x)
    return archive, out, x


def captured(archive: Path, url: str):
    """The archived response record of ``url`` (following a revisit to its original)."""
    with sqlite3.connect(archive / "archive.db") as conn:
        row = conn.execute(
            "select warc_file, offset, record_type, refers_to from captures where url = ? order by fetched_at limit 1",
            [url],
        ).fetchone()
        assert row, f"{url} is not archived"
        if row[2] == "revisit":
            row = conn.execute(
                "select warc_file, offset, record_type, refers_to from captures where record_id = ?", [row[3]]
            ).fetchone()
    return read_record_at(archive / "warcs" / row[0], row[1])


def test_layout_meets_replaywebpage_requirements(snapshot, demo_server):
    _archive, wacz, x = snapshot
    names = set(zipfile.ZipFile(wacz).namelist())
    assert "datapackage.json" in names and "pages/pages.jsonl" in names
    assert any(n.startswith("archive/") and n.endswith(".warc.gz") for n in names)
    assert any(n.startswith("indexes/") and n.endswith((".cdx", ".cdxj", ".idx")) for n in names)
    package = json.loads((x / "datapackage.json").read_text())
    assert package["profile"] == "data-package" and package["wacz_version"] == "1.1.1"
    for resource in package["resources"]:
        data = (x / resource["path"]).read_bytes()
        assert (
            resource["bytes"] == len(data)
            and resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        )
    index = (x / "indexes/index.cdx").read_text()
    for path in (face.STYLESHEET_PATH, face.FONT_PATH, face.MASTHEAD_PATH):
        assert f'"url": "{demo_server.cdn.url}{path}"' in index, path
    pages = [json.loads(line) for line in (x / "pages/pages.jsonl").read_text().splitlines()]
    assert pages[0]["format"] == "json-pages-1.0"
    listed = {p["url"] for p in pages[1:]}
    assert listed == {a.url for a in demo_server.site.articles}, "pages.jsonl must list the articles only"
    validate = subprocess.run(
        [tool("wacz"), "validate", "--file", str(wacz)], capture_output=True, text=True, timeout=300
    )
    assert validate.returncode == 0, validate.stdout + validate.stderr


def test_pywb_replays_the_article_with_its_image_and_stylesheet(snapshot, demo_server, tmp_path):
    archive, _wacz, x = snapshot
    article = demo_server.site.articles[0]
    image = f"{demo_server.cdn.url}/assets/img/{article.section}-696.png"
    stylesheet = demo_server.cdn.url + face.STYLESHEET_PATH
    with sqlite3.connect(archive / "archive.db") as conn:
        (fetched_at,) = conn.execute(
            "select fetched_at from articles where url = ?", [article.url]
        ).fetchone()
    ts = "".join(ch for ch in fetched_at if ch.isdigit())[:14]
    with pywb_serving(x, tmp_path / "pywb") as replay:
        for url in (article.url, image, stylesheet):
            status, _headers, body = http_get(f"{replay}{ts}id_/{url}")
            record = captured(archive, url)
            assert status == 200, (url, status)
            assert body == record.decoded_body(), f"pywb served other bytes for {url}"
        assert body.startswith(b"@import")  # the stylesheet, as the CDN sent it


def test_the_package_database_lists_each_page_requisites(snapshot):
    archive, _wacz, x = snapshot
    query = "select page_record_id, url, source, status from requisites order by 1, 2"
    with sqlite3.connect(archive / "archive.db") as source, sqlite3.connect(x / "data/archive.db") as packed:
        assert packed.execute(query).fetchall() == source.execute(query).fetchall()
