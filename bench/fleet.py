"""Many outlets at once: ``crawl --all`` of 20 polite outlets against the slowest one crawled alone.

    python bench/fleet.py [--outlets 20] [--pages 300] [--delay 0.25] [--alone 2] [--json FILE]

``--outlets`` generated news sites (archiver/demo/bigsite.py) of ``--pages``
pages each are served from one separate process, each on its own loopback
address (127.0.0.2, 127.0.0.3, ...: Linux answers on all of 127.0.0.0/8), so
each is its own host with its own politeness. Settings are polite:
``DOWNLOAD_DELAY`` ``--delay`` seconds, one request at a time per host,
AutoThrottle and robots.txt as by default. Then:

* **alone**: ``archiver crawl FILE`` of ``--alone`` outlets, one after the other,
  each alone in its process (the slowest counts);
* **all**: ``archiver crawl --all`` of every outlet in one process.

Prints each run's wall time (process start to exit), the politeness floor
(requests x delay for one outlet), all/slowest-alone (target <= 1.3),
alone/floor (target <= 1.05) and the sequential estimate (outlets x alone).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout: bench._common
from bench._common import REPO, child_env, save_json, start_site  # noqa: E402


def serve_child(outlets: int, pages: int) -> None:
    """Serve one generated site per loopback address; print ``URL <base>`` for each, then serve."""
    from archiver.demo.bigsite import build_pages, serve_fast

    site = build_pages(pages)

    async def main() -> None:
        ready: list[str] = []
        tasks = []
        for i in range(outlets):
            host = f"127.0.0.{i + 2}"
            tasks.append(
                asyncio.ensure_future(
                    serve_fast(site, host, 0, ready=lambda p, h=host: ready.append(f"http://{h}:{p}"))
                )
            )
        while len(ready) < outlets:
            await asyncio.sleep(0.05)
        for url in ready:
            print(f"URL {url}", flush=True)
        await asyncio.gather(*tasks)

    asyncio.run(main())


def polite(delay: float, extra: list[str] = ()) -> list[str]:
    settings = {
        "DOWNLOAD_DELAY": delay,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "ARCHIVER_ALLOW_PRIVATE_ADDRESSES": True,
        "ARCHIVER_SHAPE_BUDGET": 100000,
        "LOG_LEVEL": "WARNING",
    }
    args: list[str] = []
    for key, value in settings.items():
        args += ["--set", f"{key}={json.dumps(value)}"]
    for setting in extra:
        args += ["--set", setting]
    return args


def run(args: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "archiver.cli", *args],
        check=False,
        cwd=REPO,
        env=child_env(),
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"crawl failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr[-3000:]}")
    return seconds, proc.stdout


def crawl_seconds(out: Path) -> list[float]:
    """Each outlet's crawl time (spider open to close, as crawl_stats records it)."""
    import sqlite3

    with sqlite3.connect(out / "archive.db") as db:
        return [r[0] for r in db.execute("select seconds from crawl_stats")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outlets", type=int, default=20)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--delay", type=float, default=0.25)
    parser.add_argument("--alone", type=int, default=2, help="outlets crawled alone (the slowest counts)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--set", dest="extra", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--serve-child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_child:
        serve_child(*args.serve_child)
        return 0
    from archiver.demo.bigsite import outlet_toml

    server, urls = start_site([__file__, "--serve-child", str(args.outlets), str(args.pages)], args.outlets)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
            work = Path(tmp)
            folder = work / "outlets"
            folder.mkdir()
            for i, url in enumerate(urls):
                (folder / f"site{i + 2:02d}.toml").write_text(outlet_toml(url, name=f"site{i + 2:02d}"))
            alone, alone_crawl = [], []
            for i in range(min(args.alone, args.outlets)):
                out = work / f"alone{i}"
                toml = str(folder / f"site{i + 2:02d}.toml")
                seconds, _ = run(
                    ["crawl", toml, "--out", str(out), "--quiet", *polite(args.delay, args.extra)]
                )
                alone.append(seconds)
                alone_crawl.append(max(crawl_seconds(out)))
            every = ["crawl", "--all", "--outlets-dir", str(folder), "--out", str(work / "all")]
            all_seconds, summary = run(every + polite(args.delay, args.extra))
            all_crawl = max(crawl_seconds(work / "all"))
    finally:
        server.terminate()
        server.wait()
    floor = (args.pages + 1) * args.delay  # robots.txt too
    slowest, slowest_crawl = max(alone), max(alone_crawl)
    print(summary.strip().splitlines()[-1])
    print(
        f"{args.outlets} outlets x {args.pages} pages, delay {args.delay} s, 1 request at a time per host; "
        f"politeness floor of one outlet {floor:.1f} s"
    )
    print("wall: process start to exit; crawl: the slowest outlet's crawl (spider open to close)")
    print(f"{'run':<26} {'wall s':>8} {'crawl s':>8} {'crawl/floor':>12}")
    for i, seconds in enumerate(alone):
        name = f"one outlet alone #{i + 1}"
        print(f"{name:<26} {seconds:>8.1f} {alone_crawl[i]:>8.1f} {alone_crawl[i] / floor:>12.2f}")
    print(f"{'--all, one process':<26} {all_seconds:>8.1f} {all_crawl:>8.1f} {all_crawl / floor:>12.2f}")
    print(f"{'one after another (est.)':<26} {slowest * args.outlets:>8.1f}")
    print(f"--all / slowest alone, wall: {all_seconds / slowest:.2f} (target <= 1.30)")
    print(f"--all / slowest alone, crawl: {all_crawl / slowest_crawl:.2f}")
    print(f"slowest alone, crawl / politeness floor: {slowest_crawl / floor:.2f} (target <= 1.05)")
    save_json(
        args.json,
        {
            "outlets": args.outlets,
            "pages": args.pages,
            "delay": args.delay,
            "floor_s": round(floor, 2),
            "alone_wall_s": [round(s, 2) for s in alone],
            "alone_crawl_s": [round(s, 2) for s in alone_crawl],
            "all_wall_s": round(all_seconds, 2),
            "all_crawl_s": round(all_crawl, 2),
            "all_over_slowest_alone_wall": round(all_seconds / slowest, 3),
            "all_over_slowest_alone_crawl": round(all_crawl / slowest_crawl, 3),
            "alone_crawl_over_floor": round(slowest_crawl / floor, 3),
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
