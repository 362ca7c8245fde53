"""Incremental daily re-crawl: requests per new or edited article, against a full conditional re-crawl.

    python bench/daily_recrawl.py [--articles 5000] [--new 50] [--edited 10] [--json FILE]

A generated outlet (archiver/demo/dailysite.py: home, section pages, a
sitemap with ``lastmod``) of ``--articles`` articles is crawled whole; then it
gains ``--new`` articles and ``--edited`` are changed (their ``lastmod`` moves
on). The same archive is copied and re-crawled twice:

* **incremental** (``--incremental``, the default of ``crawl --all``):
  archived articles whose ``lastmod`` is not newer than their capture, and
  that are not due by the revisit schedule, are not asked for;
* **full**: every page again with conditional requests (``--full``: what a
  re-crawl did before issue 15).

Prints the requests each re-crawl sent (the server counts them), requests per
new or edited article (target <= 3), and whether every new article was stored
and every edit became a version.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout: archiver, bench._common
from bench._common import REPO, save_json  # noqa: E402

FAST = [
    "DOWNLOAD_DELAY=0",
    "AUTOTHROTTLE_ENABLED=false",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "ARCHIVER_ALLOW_PRIVATE_ADDRESSES=true",
    "ARCHIVER_SHAPE_BUDGET=1000000",
    "LOG_LEVEL=WARNING",
]


def crawl(outlet: Path, out: Path, *flags: str) -> float:
    import subprocess

    args = [sys.executable, "-m", "archiver.cli", "crawl", str(outlet), "--out", str(out), "--quiet", *flags]
    for setting in FAST:
        args += ["--set", setting]
    started = time.perf_counter()
    proc = subprocess.run(args, check=False, cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"crawl failed:\n{proc.stdout}\n{proc.stderr[-3000:]}")
    return time.perf_counter() - started


def outcome(out: Path, articles: int, new: int, edited: list[int]) -> dict[str, object]:
    with sqlite3.connect(out / "archive.db") as db:
        stored = db.execute("select count(*) from articles").fetchone()[0]
        versions = {
            int(url.rstrip("/").rsplit("/", 1)[1])
            for (url,) in db.execute("select url from articles where versions > 1")
        }
    return {"all_new_stored": stored == articles + new, "all_edits_versioned": versions == set(edited)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--new", type=int, default=50)
    parser.add_argument("--edited", type=int, default=10)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    from archiver.demo.bigsite import BigSiteServer
    from archiver.demo.dailysite import daily_pages, outlet_toml, with_base

    step = max(1, args.articles // max(1, args.edited))
    edited = [i * step for i in range(args.edited)]
    changed = args.new + len(edited)
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-incremental-") as tmp, BigSiteServer(pages=10) as site:
        work = Path(tmp)
        site.pages.clear()
        site.pages.update(with_base(daily_pages(args.articles), site.url))
        outlet = work / "daily.toml"
        outlet.write_text(outlet_toml(site.url))
        first = crawl(outlet, work / "base")
        first_requests = sum(site.hits.values())
        site.pages.update(with_base(daily_pages(args.articles, new=args.new, edited=edited), site.url))
        for mode in ("incremental", "full"):
            out = work / mode
            shutil.copytree(work / "base", out)
            site.hits.clear()
            seconds = crawl(outlet, out, f"--{mode}")
            requests = sum(site.hits.values())
            results[mode] = {
                "requests": requests,
                "per_changed_article": round(requests / changed, 2),
                "seconds": round(seconds, 1),
                **outcome(out, args.articles, args.new, edited),
            }
    print(
        f"outlet of {args.articles} archived articles (first crawl: {first_requests} requests, {first:.0f} s); "
        f"then {args.new} new and {len(edited)} edited"
    )
    print(
        f"{'re-crawl':<12} {'requests':>9} {'per new/edited':>15} {'seconds':>8}  all new stored, all edits versioned"
    )
    for mode, r in results.items():
        print(
            f"{mode:<12} {r['requests']:>9} {r['per_changed_article']:>15} {r['seconds']:>8}  "
            f"{r['all_new_stored']}, {r['all_edits_versioned']}"
        )
    inc, full = results["incremental"], results["full"]
    print(f"incremental requests per new/edited article: {inc['per_changed_article']} (target <= 3)")
    print(f"incremental / full requests: {inc['requests'] / full['requests']:.3f}")
    save_json(args.json, {"articles": args.articles, "new": args.new, "edited": len(edited), **results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
