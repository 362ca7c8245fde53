"""Two distributed workers on a real redis-server; one is SIGKILLed twice at random moments.

    python bench/kill_workers.py [--pages 300] [--seed N] [--json FILE]

The generated site (archiver/demo/bigsite.py) is served on 127.0.0.1 with a
hit log. Workers w1 and w2 crawl it; w1 is killed (SIGKILL) at a random
moment, started again with the same ``--worker-id``, killed again, started
again. At the end the site's hit log is checked against the merged archive
(every worker's WARCs, and ``archiver ingest`` of them): every page archived
exactly once, every article stored once. Beside it, a single-process crawl
of the same site in the same run: the distributed, twice-killed crawl should
archive the same pages (ratio 1.00).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from redis_support import redis_server, start_worker  # noqa: E402
from support import LOCAL  # noqa: E402


def archived(warc_dirs: list[Path]) -> collections.Counter[str]:
    """Response records per URL (robots.txt left out) across ``warc_dirs``."""
    from archiver.warc.reader import iter_records

    found: collections.Counter[str] = collections.Counter()
    for folder in warc_dirs:
        for path in folder.glob("*.warc.gz"):
            for record in iter_records(path):
                if record.rec_type == "response" and not record.target_uri.endswith("/robots.txt"):
                    found[record.target_uri] += 1
    return found


def single_process(site: object, root: Path) -> collections.Counter[str]:
    outlet = site.write_outlet(root / "single.toml", name="single")
    out = root / "single"
    args = [sys.executable, "-m", "archiver.cli", "crawl", str(outlet), "--out", str(out)]
    args += ["--set", "ARCHIVER_SHAPE_BUDGET=100000"]
    for setting in LOCAL:
        args += ["--set", setting]
    subprocess.run(
        args, cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), check=True, capture_output=True
    )
    return archived([out / "warcs"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    from archiver.demo.bigsite import BigSiteServer, article_paths

    root = Path(tempfile.mkdtemp(prefix="kill-workers-"))
    started = time.monotonic()
    with redis_server(root) as redis_url, BigSiteServer(args.pages) as site:
        outlet = site.write_outlet(root / "bench.toml", name="bench")
        out = root / "crawl"
        out.mkdir()
        w1 = start_worker(outlet, out, redis_url, "w1", "w1-0")
        w2 = start_worker(outlet, out, redis_url, "w2")
        kills = []
        for kill in (1, 2):
            # A random moment: after a random share of the pages has been served.
            target = sum(site.hits.values()) + rng.randint(5, max(6, args.pages // 4))
            deadline = time.monotonic() + 300
            while sum(site.hits.values()) < target and w1.poll() is None and time.monotonic() < deadline:
                time.sleep(rng.uniform(0.001, 0.02))
            if w1.poll() is None:
                w1.send_signal(signal.SIGKILL)
                kills.append(sum(site.hits.values()))
            w1.wait()
            w1 = start_worker(outlet, out, redis_url, "w1", f"w1-{kill}")
        codes = (w1.wait(timeout=600), w2.wait(timeout=600))
        hits = {site.url + p: n for p, n in site.hits.items() if p != "/robots.txt"}
        pages = {site.url + p for p in site.pages if p != "/robots.txt"}
        articles = {site.url + p for p in article_paths(site.pages)}
        distributed_seconds = time.monotonic() - started
        single = single_process(site, root)
    merged = root / "merged.db"
    subprocess.run(
        [sys.executable, "-m", "archiver.cli", "ingest", str(out), "--db", str(merged)],
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        check=True,
        capture_output=True,
    )
    with sqlite3.connect(merged) as db:
        stored = collections.Counter(r[0] for r in db.execute("select url from articles"))
    records = archived([out / "workers" / w / "warcs" for w in ("w1", "w2")])
    result = {
        "seed": seed,
        "pages": len(pages),
        "kills_at_hits": kills,
        "exit_codes": codes,
        "served": len(hits),
        "fetched_again": sum(n - 1 for n in hits.values()),
        "archived": len(records),
        "archived_twice": sorted(u for u, n in records.items() if n > 1),
        "lost": sorted(pages - set(records)),
        "served_not_archived": sorted(set(hits) - set(records)),
        "articles": len(articles),
        "articles_stored": len(stored),
        "articles_twice": sorted(u for u, n in stored.items() if n > 1),
        "articles_missing": sorted(articles - set(stored)),
        "single_process_archived": len(single),
        "seconds": round(distributed_seconds, 1),
    }
    ok = (
        codes == (0, 0)
        and len(kills) == 2
        and not (result["archived_twice"] or result["lost"] or result["served_not_archived"])
        and not (result["articles_twice"] or result["articles_missing"])
    )
    print(
        f"two workers, w1 SIGKILLed twice (at {kills} pages served) and restarted, seed {seed}: "
        f"{len(records)}/{len(pages)} pages archived, {len(result['archived_twice'])} twice, "
        f"{len(result['lost'])} lost, {result['fetched_again']} fetched again (in flight at a kill); "
        f"articles {len(stored)}/{len(articles)} ({len(result['articles_twice'])} twice); "
        f"single-process crawl of the same site: {len(single)} pages; "
        f"ratio {len(records) / max(1, len(single)):.2f}; {distributed_seconds:.0f} s"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    print("OK: every page archived exactly once" if ok else f"FAILED: {json.dumps(result)[:2000]} ({root})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
