"""Crawl throughput and memory: bare Scrapy against the full archiving pipeline.

    python bench/crawl.py [--pages 5000] [--json FILE] [--profile FILE]

A generated news site (archiver/demo/bigsite.py) of ``--pages`` pages is
served from a separate process on 127.0.0.1. It is crawled twice, each crawl
in its own process with the same concurrency and no politeness delay:

* **bare**: a minimal Scrapy spider that follows every link (Scrapy's own
  defaults, robots.txt obeyed, none of our middlewares or pipelines);
* **inline**: ``archiver crawl`` with cleaning in the reactor thread
  (``ARCHIVER_CLEAN_WORKERS=0``, the behaviour before issue 15);
* **full**: ``archiver crawl`` (tee download handler, WARC capture, cleaning
  in a process pool, SQLite + FTS5, conversion records, everything).

For both archiver runs it prints the CPU the crawl's process tree used per
wall second ("cores used") and each core's busy share (whole machine).

A probe extension in both processes records resident memory (VmRSS, Linux
/proc) when the 1,000th page arrives and at the end, and the wall time from
the first response to the last (and the CPU time the crawl process used
meanwhile: pages per CPU-second is steadier than pages/s on a shared
machine). Prints pages/s for both, their ratio,
and RSS at 1,000 pages and at the end; ``--json`` writes ``bare_pages_per_s``,
``full_pages_per_s``, ``ratio``, ``rss_mb_at_1000``, ``rss_mb_at_end`` (full
pipeline) and the bare figures. ``--profile FILE`` runs the full crawl under
cProfile and prints its hottest functions.

Targets: full >= 0.5 x bare pages/s; RSS grows < 10% from 1,000
pages to the end.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout: bench._common
from bench._common import REPO, child_env, save_json, start_site  # noqa: E402

CONCURRENCY = 16
COMMON = {
    "CONCURRENT_REQUESTS": CONCURRENCY,
    "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": True,
    "LOG_LEVEL": "WARNING",
    "TELNETCONSOLE_ENABLED": False,
}


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class RssProbe:
    """Scrapy extension: memory at the 1,000th response and at the end, and crawl wall time."""

    def __init__(self, crawler: Any) -> None:
        from scrapy import signals

        self.crawler = crawler
        self.out = crawler.settings.get("BENCH_PROBE_OUT")
        self.html_only = crawler.settings.getbool("BENCH_PROBE_HTML_ONLY")  # count pages, not requisites
        self.count = 0
        self.responses = 0  # every exchange, requisites included
        self.first = self.last = None
        self.cpu_first = self.cpu_last = 0.0
        self.rss_at_1000 = None
        crawler.signals.connect(self.response, signal=signals.response_received)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "RssProbe":
        return cls(crawler)

    def response(self, response: Any, request: Any, spider: Any) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.responses += 1
        if self.html_only and not response.headers.get(b"Content-Type", b"").startswith(b"text/html"):
            return
        if self.first is None:
            self.first, self.cpu_first = now, cpu
        self.last, self.cpu_last = now, cpu
        self.count += 1
        if self.count == 1000:
            self.rss_at_1000 = _rss_mb()

    def closed(self, spider: Any, reason: str) -> None:
        result = {
            "pages": self.count,
            "responses": self.responses,
            "seconds": (self.last - self.first) if self.first and self.last else 0.0,
            "cpu_seconds": self.cpu_last - self.cpu_first,
            "rss_mb_at_1000": self.rss_at_1000,
            "rss_mb_at_end": _rss_mb(),
            "reason": reason,
        }
        Path(self.out).write_text(json.dumps(result))


def bare_main(url: str, probe_out: str, requisites: bool = False) -> None:
    """The bare crawl: a minimal spider in this process (run as a subprocess).

    With ``requisites`` it also fetches what each page names for its face (``img``
    ``src``/``srcset``, stylesheets, CSS ``url()``), each once (Scrapy's dupefilter),
    with no archive: the floor of what fetching requisites costs Scrapy itself.
    Only HTML pages are counted.
    """
    import re

    import scrapy
    from scrapy.crawler import CrawlerProcess

    css_refs = re.compile(rb"""(?:url\(\s*["']?|@import\s+["'])([^"')\s]+)""")  # url(...), @import "..."

    class Bare(scrapy.Spider):
        name = "bare"
        allowed_domains = ["127.0.0.1"]
        start_urls = [url + "/"]

        def parse(self, response: Any) -> Any:
            if not isinstance(response, scrapy.http.TextResponse):
                return
            for href in response.xpath("//a/@href").getall():
                yield response.follow(href, self.parse)
            if requisites:
                names = response.xpath("//img/@src | //link[@rel='stylesheet' or @rel='icon']/@href").getall()
                for srcset in response.xpath("//img/@srcset | //source/@srcset").getall():
                    names += [part.split()[0] for part in srcset.split(",") if part.strip()]
                for name in names:
                    yield response.follow(name, self.requisite)

        def requisite(self, response: Any) -> Any:
            if b"text/css" in response.headers.get(b"Content-Type", b""):
                for name in css_refs.findall(response.body):
                    yield response.follow(name.decode(), self.requisite)

    settings = dict(
        COMMON,
        EXTENSIONS={"bench.crawl.RssProbe": 0},
        BENCH_PROBE_OUT=probe_out,
        BENCH_PROBE_HTML_ONLY=requisites,
    )
    process = CrawlerProcess(settings)
    process.crawl(Bare)
    process.start()


def run_bare(url: str, work: Path, *, requisites: bool = False) -> dict[str, Any]:
    """Figures of :func:`bare_main` run in a child process (its own reactor)."""
    probe = work / ("bare-requisites.json" if requisites else "bare.json")
    child = [sys.executable, __file__, "--bare-child", url, str(probe)]
    subprocess.run(
        child + (["--bare-requisites"] if requisites else []), cwd=REPO, env=child_env(), check=True
    )
    return json.loads(probe.read_text())


def run_full(
    url: str,
    work: Path,
    pages: int,
    profile: Path | None,
    *,
    out: Path | None = None,
    name: str = "full",
    clean_workers: str = "auto",
    **extra: Any,
) -> dict[str, Any]:
    """``archiver crawl`` of the site into ``out`` (default WORK/archive-NAME), ``extra`` settings added.

    ``clean_workers`` 0 cleans in the reactor thread (the behaviour before cleaning moved to a pool).
    """
    from archiver.demo.bigsite import outlet_toml

    outlet = work / "bigsite.toml"
    outlet.write_text(outlet_toml(url, max_pages=pages * 2))
    probe = work / f"{name}.json"
    settings = dict(
        COMMON,
        # EXTENSIONS replaces the project's: keep the one that opens the archive.
        EXTENSIONS={"archiver.extensions.archive.ArchiveExtension": -1, "bench.crawl.RssProbe": 0},
        BENCH_PROBE_OUT=str(probe),
        ARCHIVER_ALLOW_PRIVATE_ADDRESSES=True,
        ARCHIVER_SHAPE_BUDGET=pages * 2,
        ARCHIVER_CLEAN_WORKERS=clean_workers,
        **extra,
    )
    args = [
        "-m",
        "archiver.cli",
        "crawl",
        str(outlet),
        "--out",
        str(out or work / f"archive-{name}"),
        "--quiet",
    ]
    for key, value in settings.items():
        args += ["--set", f"{key}={json.dumps(value) if not isinstance(value, str) else value}"]
    prefix = [sys.executable] + (["-m", "cProfile", "-o", str(profile)] if profile else [])
    with CpuMeter() as meter:
        subprocess.run(prefix + args, cwd=REPO, env=child_env(), check=True)
    return {**json.loads(probe.read_text()), **meter.figures()}


class CpuMeter:
    """CPU use of a child run: the crawl process tree's CPU-seconds per wall second, and each core's busy share.

    The cores' figures are the whole machine's (other work shows too); the
    process tree's is the crawl's own (its cleaning workers included).
    """

    def __enter__(self) -> "CpuMeter":
        self.wall, self.children, self.cores = time.perf_counter(), _children_cpu(), _core_ticks()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.children = _children_cpu() - self.children
        after = _core_ticks()
        self.busy = [
            (a_busy - b_busy) / ((a_busy + a_idle) - (b_busy + b_idle))
            if (a_busy + a_idle) > (b_busy + b_idle)
            else 0.0
            for (b_busy, b_idle), (a_busy, a_idle) in zip(self.cores, after)
        ]

    def figures(self) -> dict[str, Any]:
        return {
            "process_wall_s": round(self.wall, 2),
            "tree_cpu_s": round(self.children, 2),
            "cores_used": round(self.children / self.wall, 2) if self.wall else 0.0,
            "core_busy": [round(b, 2) for b in self.busy],
        }


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _core_ticks() -> list[tuple[int, int]]:
    """(busy, idle) jiffies of each core, from /proc/stat."""
    out = []
    with open("/proc/stat") as f:
        for line in f:
            name, *values = line.split()
            if name.startswith("cpu") and name != "cpu":
                ticks = [int(v) for v in values[:8]]
                idle = ticks[3] + ticks[4]
                out.append((sum(ticks) - idle, idle))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=5000, help="size of the generated site (default 5000)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--profile", type=Path, help="run the full crawl under cProfile, stats to this file")
    parser.add_argument("--bare-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--bare-requisites", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_child:
        bare_main(*args.bare_child, requisites=args.bare_requisites)
        return 0
    server, (url,) = start_site(["-m", "archiver.demo.bigsite", "--pages", str(args.pages)])
    try:
        with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
            work = Path(tmp)
            bare = run_bare(url, work)
            inline = run_full(url, work, args.pages, None, clean_workers="0", name="inline")
            full = run_full(url, work, args.pages, args.profile)
    finally:
        server.terminate()
        server.wait()
    bare_rate = bare["pages"] / bare["seconds"] if bare["seconds"] else 0.0
    full_rate = full["pages"] / full["seconds"] if full["seconds"] else 0.0
    ratio = full_rate / bare_rate if bare_rate else 0.0
    growth = ((full["rss_mb_at_end"] / full["rss_mb_at_1000"]) - 1) if full["rss_mb_at_1000"] else None
    print(f"site: {args.pages} pages at {url}, concurrency {CONCURRENCY}")
    print(
        f"{'':>6} {'pages':>7} {'seconds':>8} {'pages/s':>8} {'pages/CPU-s':>12} {'RSS@1000 MB':>12} "
        f"{'RSS@end MB':>11}"
    )
    inline_rate = inline["pages"] / inline["seconds"] if inline["seconds"] else 0.0
    for name, r, rate in (
        ("bare", bare, bare_rate),
        ("inline", inline, inline_rate),
        ("full", full, full_rate),
    ):
        at1000 = f"{r['rss_mb_at_1000']:.1f}" if r["rss_mb_at_1000"] else "-"
        per_cpu = r["pages"] / r["cpu_seconds"] if r["cpu_seconds"] else 0.0
        print(
            f"{name:>6} {r['pages']:>7} {r['seconds']:>8.2f} {rate:>8.1f} {per_cpu:>12.1f} {at1000:>12} "
            f"{r['rss_mb_at_end']:>11.1f}"
        )
    print(f"full/bare pages/s: {ratio:.2f} (target >= 0.50)")
    for name, r in (("inline", inline), ("full", full)):
        print(
            f"{name}: cleaning {'in the reactor thread' if name == 'inline' else 'in a process pool'}: "
            f"crawl process tree used {r['cores_used']:.2f} cores; each core busy "
            + ", ".join(f"{b * 100:.0f}%" for b in r["core_busy"])
        )
    print(
        f"full (pool) / inline (reactor thread) pages/s: {full_rate / inline_rate if inline_rate else 0:.2f}"
    )
    if growth is not None:
        print(f"full RSS growth from 1,000 pages to the end: {growth * 100:.1f}% (target < 10%)")
    save_json(
        args.json,
        {
            "pages": args.pages,
            "bare_pages_per_s": round(bare_rate, 1),
            "full_pages_per_s": round(full_rate, 1),
            "inline_pages_per_s": round(inline_rate, 1),
            "full_cores_used": full["cores_used"],
            "inline_cores_used": inline["cores_used"],
            "full_core_busy": full["core_busy"],
            "inline_core_busy": inline["core_busy"],
            "ratio": round(ratio, 3),
            "rss_mb_at_1000": full["rss_mb_at_1000"] and round(full["rss_mb_at_1000"], 1),
            "rss_mb_at_end": round(full["rss_mb_at_end"], 1),
            "rss_growth": growth and round(growth, 3),
            "bare_rss_mb_at_1000": bare["rss_mb_at_1000"] and round(bare["rss_mb_at_1000"], 1),
            "bare_rss_mb_at_end": round(bare["rss_mb_at_end"], 1),
            "bare_pages_per_cpu_s": round(bare["pages"] / bare["cpu_seconds"], 1)
            if bare["cpu_seconds"]
            else None,
            "full_pages_per_cpu_s": round(full["pages"] / full["cpu_seconds"], 1)
            if full["cpu_seconds"]
            else None,
        },
    )
    if args.profile:
        import pstats

        pstats.Stats(str(args.profile)).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
