"""The extraction benchmark's metrics (bench/extraction.py) score what they say they score.

The benchmark itself runs on shared data outside the repository; these checks
pin the metric on hand-made texts so a change to it cannot go unnoticed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "bench_extraction", Path(__file__).resolve().parent.parent / "bench" / "extraction.py"
)
bench = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench)


def test_shingles_are_bags_of_four_tokens():
    bag = bench.shingles("a b c d e a b c d")
    assert sum(bag.values()) == 6
    assert bag[("a", "b", "c", "d")] == 2


def test_page_precision_and_recall():
    gold = "one two three four five six seven eight"
    pred = "one two three four five six  menu login share"
    p, r = bench.page_pr(gold, pred)
    assert p == pytest.approx(3 / 6)  # 3 of 6 predicted shingles are in the gold
    assert r == pytest.approx(3 / 5)
    assert bench.page_pr(gold, "") == (0.0, 0.0)
    assert bench.page_pr(gold, gold) == (1.0, 1.0)


def test_snippet_counts():
    pages = [
        {"with": ["keep this  text"], "without": ["drop me"]},
        {"with": ["missing"], "without": ["absent"]},
    ]
    res = bench.score_set(
        "extraction-dev-trafilatura", pages, ["we keep this text and drop me too", "nothing"]
    )
    assert (res["tp"], res["fp"], res["fn"], res["tn"]) == (1, 1, 1, 1)
    assert res["f1"] == pytest.approx(0.5)


def test_metadata_comparisons():
    assert bench.title_ok("Hello, World!", "hello world")
    assert bench.author_ok("Jane Doe and John Roe", ["John Roe", "Jane Doe"])
    assert not bench.author_ok("Jane Doe", ["Jane Doe", "Site Staff Bot"])
    assert bench.date_ok("2024-03-05", "2024-03-05T09:30:00+01:00")
    assert not bench.date_ok("2024-03-05", None)


def test_folds_keep_every_site_in_one_fold():
    import folds  # bench/folds.py, put on the path by bench/extraction.py

    pages = [
        {"id": "a", "url": "https://news.example.co.uk/1"},
        {"id": "b", "url": "https://www.example.co.uk/2"},
        {"id": "c", "url": "https://other.test/3"},
        {"id": "d", "url": "", "key": "hard::third.example.com-story.html"},
        {"id": "e", "url": "https://fourth.org/x"},
        {"id": "f", "url": "https://blog.fifth.net/y"},
    ]
    assert folds.site_of(pages[0]) == folds.site_of(pages[1]) == "example.co.uk"
    assert folds.site_of(pages[3]) == "example.com"
    fold = folds.assign_folds(pages, 3)
    assert fold[0] == fold[1]  # one site, one fold
    assert sorted(set(fold)) == [1, 2, 3]
    assert fold == folds.assign_folds(pages, 3)  # stable across runs
    mean, spread = folds.summary([0.9, 0.95, 1.0])
    assert mean == pytest.approx(0.95) and spread > 0
