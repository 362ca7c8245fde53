"""Run tests N times in a row and report each test that failed, with its count (flaky-test hunt).

    python bench/repeat_tests.py -n 30 tests/test_resume.py tests/test_distributed.py
    python bench/repeat_tests.py -n 5                      # the whole suite
    python bench/repeat_tests.py -n 30 --json out.json -- -k kill   # after --: passed on to pytest

Each run is a fresh ``python -m pytest`` process with its own JUnit XML
report (and its own ``--basetemp``, kept for failed runs so their logs can be
read). Exit status 1 when any test failed in any run. A flaky test is fixed
at its cause, never by retrying: this script only counts.
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def failures(junit_xml: Path) -> dict[str, str]:
    """``{test id: first line of its failure}`` from a JUnit XML report."""
    found: dict[str, str] = {}
    root = ET.parse(junit_xml).getroot()
    for case in root.iter("testcase"):
        for kind in ("failure", "error"):
            node = case.find(kind)
            if node is not None:
                name = f"{case.get('classname', '').replace('.', '/')}.py::{case.get('name')}"
                found[name] = (node.get("message") or kind).splitlines()[0][:300]
    return found


def run_once(
    paths: list[str], extra: list[str], workdir: Path, index: int
) -> tuple[int, dict[str, str], float]:
    report = workdir / f"run-{index}.xml"
    basetemp = workdir / f"tmp-{index}"
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"]
        + [f"--basetemp={basetemp}", *extra, *paths],
        cwd=REPO,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    elapsed = time.monotonic() - started
    found = failures(report) if report.exists() else {"<pytest run>": f"exit {proc.returncode}, no report"}
    if proc.returncode not in (0, 1) and not found:
        found["<pytest run>"] = f"exit {proc.returncode}"
    if not found:
        shutil.rmtree(basetemp, ignore_errors=True)  # keep only what a failed run left, to read its logs
    return proc.returncode, found, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", "--runs", type=int, default=5, help="how many runs (default 5)")
    parser.add_argument("--json", type=Path, help="also write the counts here")
    parser.add_argument("paths", nargs="*", help="test files or ids (default: the whole suite)")
    args, extra = parser.parse_known_args(argv)
    extra = [a for a in extra if a != "--"]
    workdir = Path(tempfile.mkdtemp(prefix="repeat-tests-"))
    counts: collections.Counter[str] = collections.Counter()
    messages: dict[str, str] = {}
    for index in range(1, args.runs + 1):
        _, found, elapsed = run_once(args.paths, extra, workdir, index)
        counts.update(found.keys())
        for name, message in found.items():
            messages.setdefault(name, message)
        status = "ok" if not found else f"{len(found)} failed: {', '.join(sorted(found))}"
        print(f"run {index}/{args.runs}: {status} ({elapsed:.0f} s)", flush=True)
    print(
        f"\n{args.runs} runs of {' '.join(args.paths) or 'the whole suite'}: {sum(counts.values())} failures"
    )
    for name, count in counts.most_common():
        print(f"  {count:3d}/{args.runs}  {name}\n          {messages[name]}")
    print(f"reports and the temp folders of failed runs: {workdir}")
    if args.json:
        args.json.write_text(
            json.dumps({"runs": args.runs, "paths": args.paths, "failures": dict(counts)}, indent=2)
        )
    return 1 if counts else 0


if __name__ == "__main__":
    sys.exit(main())
