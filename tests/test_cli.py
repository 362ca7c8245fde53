"""The ``archiver`` command's small subcommands: extract and outlets."""

from __future__ import annotations

import json

from support import REPO, run_archiver

SEED = REPO / "tests" / "fixtures" / "seed"
SEED_URL = "http://127.0.0.1:8000/2024/06/21/belarus-posed-for-covert-military-campaign-in-chilling-ukraine-war-escalation/"


def test_extract_prints_title_and_clean_text_of_a_saved_page():
    proc = run_archiver("extract", str(SEED / "page.html"), "--url", SEED_URL)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == (SEED / "expected.txt").read_text(encoding="utf-8").strip()


def test_extract_json_has_text_and_metadata():
    proc = run_archiver("extract", str(SEED / "page.html"), "--url", SEED_URL, "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["title"].startswith("Belarus posed for 'covert' military campaign")
    assert "Please enter your comment!" not in doc["text"]
    assert doc["language"].lower().startswith("en")
    assert doc["published"].startswith("2024-06-21")
    assert doc["extractor"] == "archiver.clean" and doc["extractor_version"]


def test_extract_explain_prints_each_decision_and_the_same_text():
    plain = run_archiver("extract", str(SEED / "page.html"), "--url", SEED_URL)
    proc = run_archiver("extract", str(SEED / "page.html"), "--url", SEED_URL, "--explain")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == plain.stdout  # the decisions go to stderr, the text is unchanged
    rules = [line.split()[0] for line in proc.stderr.splitlines() if line.strip()]
    assert rules[0] == "body:chosen"
    assert any(r.startswith(("prune:", "line:")) for r in rules)  # the comment form, the share bar...


def test_extract_of_a_missing_file_is_a_clear_error(tmp_path):
    proc = run_archiver("extract", str(tmp_path / "nope.html"), "--url", "http://x.example/")
    assert proc.returncode != 0
    assert "does not exist" in proc.stderr and "Traceback" not in proc.stderr


def test_extract_of_binary_garbage_returns_without_crashing(tmp_path):
    page = tmp_path / "garbage.html"
    page.write_bytes(bytes(range(256)) * 50)
    proc = run_archiver("extract", str(page), "--url", "http://x.example/", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["reason"]


def test_outlets_lists_and_validates(tmp_path):
    proc = run_archiver("outlets")
    assert proc.returncode == 0 and "demo" in proc.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nhome = "ftp://x.example/"\n')
    proc = run_archiver("outlets", str(bad))
    assert proc.returncode != 0
    assert str(bad) in proc.stderr and "'home'" in proc.stderr
