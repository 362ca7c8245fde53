"""Crawl progress: the live line on a terminal, --quiet and --json-log for cron, the summary."""

from __future__ import annotations

import json
import logging
import os
import pty
import select
import subprocess
import sys

from archiver.extensions.progress import JsonFormatter, Snapshot, format_line, progress_settings, summary_rows
from support import LOCAL, REPO, crawl_demo


def _crawl_args(site_url: str, out) -> list[str]:
    args = [sys.executable, "-m", "archiver.cli", "crawl", "demo", "--out", str(out), "--home", site_url]
    for setting in LOCAL:
        args += ["--set", setting]
    return args


def test_line_and_json_formatter():
    line = format_line(
        Snapshot(pages=1204, articles=311, warc_bytes=48_200_000, errors=2, rate=23.46, queue=87)
    )
    assert line == "pages 1,204 | articles 311 | 48.2 MB | errors 2 | 23.5 pages/s | queue 87"
    assert "queue ?" in format_line(Snapshot(0, 0, 0, 0, 0.0, None))
    record = logging.LogRecord(
        "scrapy.core.engine", logging.INFO, __file__, 1, "Crawled %d pages", (3,), None
    )
    doc = json.loads(JsonFormatter().format(record))
    assert doc["message"] == "Crawled 3 pages" and doc["level"] == "INFO" and doc["time"].endswith("+00:00")
    assert progress_settings(quiet=True) == {"LOG_LEVEL": "WARNING", "ARCHIVER_PROGRESS": False}
    rows = dict(summary_rows({"response_received_count": 50}, 10.0, 2_500_000))
    assert rows["pages/s"] == 5.0 and rows["MB archived"] == 2.5


def test_live_line_on_a_terminal(demo_server, tmp_path):
    """With stderr on a TTY the crawl redraws one progress line (carriage return + erase)."""
    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    args = _crawl_args(demo_server.url, tmp_path / "a") + ["--set", "ARCHIVER_PROGRESS_INTERVAL=0.2"]
    proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    seen = bytearray()
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        assert ready, "no output from the crawl for a minute"
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    stdout = proc.stdout.read().decode()
    assert proc.wait(60) == 0
    text = seen.decode("utf-8", "replace")
    lines = [part for part in text.split("\r\x1b[K") if part.startswith("pages ")]
    assert lines, text[-2000:]
    final = lines[-1].splitlines()[0]
    assert "articles" in final and "MB" in final and "pages/s" in final and "queue" in final
    assert "pages/s:" in stdout and "MB archived:" in stdout  # the summary table
    summary_pages = next(
        line.split(":")[1].strip() for line in stdout.splitlines() if line.strip().startswith("pages:")
    )
    assert final.split(" | ")[0] == f"pages {int(summary_pages):,}"  # the last line shows the final count


def test_quiet_prints_nothing_on_success(demo_server, tmp_path):
    proc = crawl_demo(demo_server.url, tmp_path / "q", "--quiet")
    assert proc.stdout == ""
    assert " INFO: " not in proc.stderr and "pages " not in proc.stderr


def test_json_log_lines_and_summary(demo_server, tmp_path):
    proc = crawl_demo(demo_server.url, tmp_path / "j", "--json-log")
    records = [json.loads(line) for line in proc.stderr.splitlines() if line.strip()]
    assert records and all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert any(r["message"].startswith("Spider closed") for r in records)
    summary = json.loads(proc.stdout)
    assert (
        summary["pages"] > 100 and summary["articles_stored"] > 0 and summary["finish_reason"] == "finished"
    )
