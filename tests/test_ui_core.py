"""archiver.serve without a server: word diff, SVG charts, FTS query building and snapshot headers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from archiver.serve import RAW_CSP, CaptureView, record_slug, slug_record_id, stacked_bars_svg, word_diff
from archiver.serve.search import SearchForm, fts_query


def test_word_diff_rebuilds_both_texts():
    old, new = "The cat sat on the mat.\n\nIt slept.", "The dog sat on the red mat.\n\nIt slept well."
    ops = word_diff(old, new)
    assert "".join(t for op, t in ops if op != "insert") == old
    assert "".join(t for op, t in ops if op != "delete") == new
    assert ("delete", "cat") in ops and ("insert", "dog") in ops
    assert word_diff("same", "same") == [("equal", "same")]


def test_chart_is_valid_svg_with_one_bar_per_nonzero_count_and_escaped_labels():
    svg = stacked_bars_svg(["d1", "d2", "d3"], {"2xx": [3, 0, 1], "<4xx>": [1, 2, 0]}, title="T & <b>")
    root = ET.fromstring(svg)  # well-formed XML
    bars = root.findall("{http://www.w3.org/2000/svg}rect[@class='bar']")
    assert len(bars) == 4
    heights = {b.find("{http://www.w3.org/2000/svg}title").text: float(b.get("height")) for b in bars}
    assert heights["d1 2xx: 3"] == pytest.approx(3 * heights["d3 2xx: 1"], abs=0.2)
    assert "T &amp; &lt;b&gt;" in svg and "<4xx>" not in svg
    assert "No data" in stacked_bars_svg([], {}, title="empty")


def test_fts_query_quotes_every_term():
    assert fts_query('border "stays open" -x pol* NEAR(') == '"border" "stays open" "-x" "pol"* "NEAR("'
    assert fts_query("   ") == "" and fts_query('"') == ""


def test_search_form_drops_bad_values():
    form = SearchForm.from_args(
        {"since": "2026-13", "until": "2026-11-30", "sort": "drop table", "page": "x", "month": "2026-11"}
    )
    assert (form.since, form.until, form.sort, form.page, form.month) == (
        "",
        "2026-11-30",
        "relevance",
        1,
        "2026-11",
    )
    assert SearchForm.from_args({"page": "100000"}).page == 50


def test_record_slug_round_trip():
    assert record_slug("<urn:uuid:1234-ab>") == "1234-ab"
    assert "<urn:uuid:1234-ab>" in slug_record_id("1234-ab")
    odd = "<urn:x:/a b>"
    assert odd in slug_record_id(record_slug(odd))


def test_snapshot_headers_never_echo_captured_ones():
    snap = CaptureView(
        capture={"url": "https://x.example/files/a b.JSON?x=1"},
        status=200,
        reason="OK",
        headers=[("Content-Type", "application/json\r\nSet-Cookie: x"), ("Set-Cookie", "s=1")],
        body=b"{}",
        record_offset=0,
        warc_path="w",
    )
    headers = dict(snap.raw_headers())
    assert headers["content-type"] == "application/octet-stream"  # malformed media type is not passed on
    assert headers["content-disposition"] == 'attachment; filename="a_b.JSON"'
    assert headers["content-security-policy"] == RAW_CSP and "set-cookie" not in headers
