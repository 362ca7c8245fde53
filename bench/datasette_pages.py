"""Page speed of the archive in Datasette as it grows: synthetic archives of several sizes.

For each size in ``--articles`` (a comma-separated list, e.g. ``100000,1000000``)
an archive is built once by :mod:`bench.synthetic_archive` (realistic outlets,
authors and texts; fixed seed) and cached in ``--db-dir/N/``, so a rerun only
measures (``--rebuild`` builds again). Each file is read once into the OS page
cache when it fits (``--cold``: not), so the sizes differ in the work their
pages do, not in how much of each file the disk still has to give. Then
``archiver serve`` runs in a subprocess on 127.0.0.1 and every route is
requested ``--requests`` times (varied articles, words and filters; one
warm-up request per route first).
Printed: p50/p95 per route per size, and the ratio of the largest size's p95
to the smallest's. Targets (issue 18): p95 < 200 ms on every route at
1,000,000 articles, and p95(largest) <= 1.5 x p95(smallest).

It also measures how fast articles are stored into an empty archive and into
the largest one (target: a ratio >= 0.8), two ways, interleaved, medians of rounds:

* the crawl rate (``--crawl`` pages): ``archiver crawl`` of a generated site
  (archiver/demo/bigsite.py, served from its own process) into an empty folder,
  then into a folder whose ``archive.db`` links to the big archive: the articles
  a daily crawl stores per second, fetching and cleaning included;
* the store rate (``--store`` articles): the store alone, as a crawl's session
  writes (transactions of about a second, FTS and summary triggers included,
  the closing checkpoint timed): how much dearer each article's rows get.

What either stored into the cached archive is deleted again.

    python bench/datasette_pages.py --articles 100000,1000000 --db-dir /work/bench-cache
    python bench/datasette_pages.py --articles 20000 --requests 20 --db-dir /tmp/bench-ui
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from synthetic_archive import DAYS, SECTIONS, START, Generator, build  # noqa: E402

from archiver.article import Article  # noqa: E402
from archiver.capture import Capture  # noqa: E402
from archiver.crawl.session import ArchiveSession  # noqa: E402
from archiver.serve.capture import record_slug  # noqa: E402
from archiver.store import Archive  # noqa: E402
from archiver.timestamps import new_record_id  # noqa: E402
from bench._common import child_env  # noqa: E402

#: Bump when the generator changes: a cached archive built by another version is rebuilt.
GENERATOR_VERSION = 2
SEED = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float = 20) -> tuple[float, int | str]:
    """(milliseconds, HTTP status or "timeout") of one GET, body read to the end."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            status: int | str = response.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    except TimeoutError:
        status = "timeout"
    return (time.perf_counter() - start) * 1000, status


def _sample(conn: sqlite3.Connection, sql: str, n: int, rng: random.Random) -> list:
    """Values of ``sql`` (one ``?`` for a rowid) at ``n`` random rowids: no ``order by random()`` scan."""
    top = conn.execute("select max(rowid) from articles").fetchone()[0] or 1
    out: list = []
    for _ in range(n * 20):
        row = conn.execute(sql, [rng.randint(1, top)]).fetchone()
        if row and row[0] is not None:
            out.append(row[0])
        if len(out) >= n:
            break
    return out


def routes(db: Path, n: int, rng: random.Random) -> dict[str, list[str]]:
    """Route name -> ``n`` paths to request (different articles, words, outlets and filters)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)  # leaves no -wal file behind
    ids = _sample(conn, "select id from articles where rowid = ?", n, rng)
    titles = _sample(conn, "select title from articles where rowid = ?", n, rng)
    words = [rng.choice(t.split()).lower() for t in titles]  # common and rare words, as people type
    outlets = _sample(conn, "select outlet from articles where rowid = ?", n, rng)  # big outlets more often
    authors = [
        json.loads(a)[0]
        for a in _sample(conn, "select authors from articles where rowid = ? and authors != '[]'", n, rng)
    ]
    real = [
        r
        for (r,) in conn.execute(
            "select record_id from captures where warc_file != 'bench-synthetic.warc.gz' and status = 200 limit ?",
            [n],
        )
    ]
    urls = [
        u
        for (u,) in conn.execute(  # URLs whose captures are real records, for the Memento routes
            "select url from captures where warc_file != 'bench-synthetic.warc.gz' and status = 200 limit ?",
            [n],
        )
    ]
    conn.close()

    def pick(seq, i):
        return seq[i % len(seq)]

    q = urllib.parse.quote
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    return {
        "index /": ["/"] * n,
        "database /archive": ["/archive"] * n,
        "table /archive/articles": ["/archive/articles"] * n,
        "table /archive/captures": ["/archive/captures"] * n,
        "article /archive/articles/<id>": [f"/archive/articles/{pick(ids, i)}" for i in range(n)],
        "canned /archive/search?q=": [f"/archive/search?q={q(pick(words, i))}" for i in range(n)],
        "canned /archive/latest_articles": ["/archive/latest_articles"] * n,
        "search /-/search (no words)": ["/-/search"] * n,
        "search /-/search?q=": [f"/-/search?q={q(pick(words, i))}" for i in range(n)],
        "search ?q=&outlet=&sort=newest": [
            f"/-/search?q={q(pick(words, i))}&outlet={q(pick(outlets, i))}&sort=newest" for i in range(n)
        ],
        "search ?author=": [f"/-/search?author={q(pick(authors, i))}" for i in range(n)],
        "search ?since=&until=&section=": [
            f"/-/search?since={pick(months, i)}-01&until={pick(months, i)}-28&section={pick(SECTIONS, i)}"
            for i in range(n)
        ],
        "search ?outlet=&page=3": [f"/-/search?outlet={q(pick(outlets, i))}&page=3" for i in range(n)],
        "outlets /-/outlets": ["/-/outlets"] * n,
        "outlet /-/outlet/<name>": [f"/-/outlet/{q(pick(outlets, i))}" for i in range(n)],
        "capture /-/capture/<id>": [f"/-/capture/{record_slug(pick(real, i))}" for i in range(n)],
        "capture raw /-/capture/<id>/raw": [f"/-/capture/{record_slug(pick(real, i))}/raw" for i in range(n)],
        "timemap /timemap/<url>": [f"/timemap/{pick(urls, i)}" for i in range(n)],
        "memento /<14 digits>/<url>": [f"/20250601000000/{pick(urls, i)}" for i in range(n)],
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def cached_archive(db_dir: Path, articles: int, real: int, rebuild: bool) -> tuple[Path, dict]:
    """The archive of ``articles`` articles under ``db_dir/articles``, built unless cached; and its build info."""
    folder = db_dir / str(articles)
    db, info_file = folder / "archive.db", folder / "build.json"
    want = {"articles": articles, "real": real, "seed": SEED, "generator": GENERATOR_VERSION}
    if db.exists() and info_file.exists() and not rebuild:
        info = json.loads(info_file.read_text())
        if {k: info.get(k) for k in want} == want:
            Archive(folder).close()  # apply migrations added since it was built
            return db, info
    print(f"building {articles:,} articles in {folder} ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    build(folder, articles=articles, real=real, seed=SEED)
    info = {**want, "build_seconds": round(time.perf_counter() - t0), "bytes": db.stat().st_size}
    info_file.write_text(json.dumps(info))
    return db, info


def warm(db: Path) -> str:
    """Read ``db`` once into the OS page cache, when it fits in the memory available: what was done.

    The smallest archive is still cached from its build, the largest only in
    part; without this the ratio between them would measure the disk, not the
    work each page does (``--cold`` measures what the cache holds).
    """
    available = 0
    for line in Path("/proc/meminfo").read_text().splitlines() if Path("/proc/meminfo").exists() else []:
        if line.startswith("MemAvailable:"):
            available = int(line.split()[1]) * 1024
    size = db.stat().st_size
    if size > 0.8 * available:
        return f"not read into memory ({size / 1e9:.1f} GB, {available / 1e9:.1f} GB available)"
    start = time.perf_counter()
    with db.open("rb") as f:
        while f.read(1 << 24):
            pass
    return f"read into memory in {time.perf_counter() - start:.0f} s"


def _store_batch(path: Path, items: list[tuple[Article, Capture, str]]) -> float:
    """Seconds to store ``items`` as a crawl's session does, closing the database included.

    Rows are grouped into transactions of about a second
    (``ArchiveSession.COMMIT_INTERVAL``, FTS and summary triggers in each), and
    the close's final WAL checkpoint is timed too: nothing is left for later.
    Opening is not timed (an empty archive's is creating its schema).
    """
    archive = Archive(path)
    conn, batch_start = archive.db.conn, 0.0
    start = time.perf_counter()
    for article, capture, outlet in items:
        now = time.perf_counter()
        if conn.in_transaction and now - batch_start >= ArchiveSession.COMMIT_INTERVAL:
            conn.execute("COMMIT")
        if not conn.in_transaction:
            conn.execute("BEGIN")
            batch_start = now
        archive.add_article(article, capture, outlet=outlet, crawl_id=None, conversion_record_id=None)
    conn.execute("COMMIT")
    archive.close()
    return time.perf_counter() - start


def _remove(path: Path, items: list[tuple[Article, Capture, str]]) -> None:
    """Delete what :func:`_store_batch` stored (triggers put the FTS index and counters back)."""
    with Archive(path) as archive, archive.transaction():
        for article, capture, _outlet in items:
            archive.db.execute(
                "delete from article_versions where article_id in (select id from articles where url = ?)",
                [article.url],
            )
            archive.db.execute("delete from articles where url = ?", [article.url])
            archive.db.execute("delete from captures where record_id = ?", [capture.record_id])
        _drop_zero_summaries(archive)


def store_items(n: int, seed: int) -> list[tuple[Article, Capture, str]]:
    """``n`` new articles with their captures, as a daily crawl brings them (none of them stored yet).

    Published and fetched after the archive's newest article (today's news), with
    record ids as the WARC writer makes them (time-ordered) and random payload digests.
    """
    gen = Generator(20_000, seed)
    items = []
    for i in range(n):
        outlet = gen.outlet()
        url = f"https://{outlet}.example/news/store-rate-{seed}-{i:06d}"
        text, _paragraphs = gen.text()
        published = START + timedelta(days=DAYS, seconds=i * 40)
        record_id = new_record_id()
        article = Article(
            url=url, text=text, markdown=text, title=" ".join(gen._words(8)).capitalize(),
            authors=gen.article_authors(), published=published.isoformat(), language="en",
            section=gen.rng.choice(SECTIONS), extractor="archiver.clean", extractor_version="bench",
        )  # fmt: skip
        capture = Capture(
            record_id=record_id, url=url, fetched_at=f"{published + timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}",
            warc_file="bench-store-rate.warc.gz", offset=i * 5000, length=5000, status=200, reason="OK",
            content_type="text/html", payload_sha256=hashlib.sha256(url.encode()).hexdigest(),
            payload_length=len(text) * 3, outlet=outlet,
        )  # fmt: skip
        items.append((article, capture, outlet))
    return items


def store_rate(big: Path, *, n: int, rounds: int) -> tuple[float, float]:
    """(articles/s into an empty archive, articles/s into ``big``): medians of interleaved rounds."""
    empty_rates, big_rates = [], []
    for r in range(rounds):
        items = store_items(n, seed=1000 + r)
        with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
            empty_rates.append(n / _store_batch(Path(tmp), items))
        big_rates.append(n / _store_batch(big, items))
        _remove(big, items)
    return statistics.median(empty_rates), statistics.median(big_rates)


def _drop_zero_summaries(archive: Archive) -> None:
    """Summary rows counted down to zero by a removal (the triggers keep them): new outlets, days, authors."""
    for sql in (
        "delete from outlet_counts where articles = 0 and captures = 0",
        "delete from article_days where n = 0",
        "delete from capture_days where n = 0",
        "delete from article_facets where n = 0",
    ):
        archive.db.execute(sql)


def _remove_crawl(db: Path, crawl_id: str) -> None:
    """Delete what crawl ``crawl_id`` stored in ``db`` (triggers put the FTS index and counters back)."""
    with Archive(db) as archive, archive.transaction():
        for sql in (
            "delete from requisites where page_record_id in (select record_id from captures where crawl_id = ?)",
            "delete from article_versions where crawl_id = ?",
            "delete from articles where crawl_id = ?",
            "delete from captures where crawl_id = ?",
            "delete from crawls where id = ?",
            "delete from crawl_stats where crawl_id = ?",
        ):
            archive.db.execute(sql, [crawl_id])
        _drop_zero_summaries(archive)


def _crawl_once(url: str, work: Path, out: Path, pages: int, name: str) -> tuple[float, str, int]:
    """Articles/s of one ``archiver crawl`` of the site at ``url`` into ``out``, the crawl's id, its articles."""
    from bench.crawl import run_full

    result = run_full(url, work, pages, None, out=out, name=name)
    with sqlite3.connect(out / "archive.db") as conn:
        crawl_id = conn.execute(
            "select id from crawls where outlet = 'bigsite' order by started_at desc limit 1"
        ).fetchone()[0]
        stored = conn.execute("select count(*) from articles where crawl_id = ?", [crawl_id]).fetchone()[0]
    return stored / result["seconds"], crawl_id, stored


def crawl_rate(big: Path, *, pages: int, rounds: int) -> tuple[float, float, int]:
    """(articles/s of a crawl into an empty archive, into ``big``, articles per crawl): medians of interleaved rounds.

    The whole pipeline, as a daily crawl runs it (``archiver crawl`` of a
    generated site served from its own process: fetch, WARC, cleaning, store).
    Into ``big`` the crawl's folder holds a link to the big database, so it
    writes beside its million articles; what it stored is deleted afterwards.
    """
    from bench._common import start_site

    server, (url,) = start_site(["-m", "archiver.demo.bigsite", "--pages", str(pages)])
    empty_rates, big_rates, stored = [], [], 0
    try:
        for r in range(rounds):
            with tempfile.TemporaryDirectory(prefix="bench-crawl-rate-") as tmp:
                work = Path(tmp)
                rate, _crawl_id, stored = _crawl_once(url, work, work / "empty", pages, f"empty{r}")
                empty_rates.append(rate)
                (work / "big").mkdir()
                (work / "big" / "archive.db").symlink_to(big)
                rate, crawl_id, _stored = _crawl_once(url, work, work / "big", pages, f"big{r}")
                big_rates.append(rate)
                _remove_crawl(big, crawl_id)
    finally:
        server.terminate()
        server.wait()
    return statistics.median(empty_rates), statistics.median(big_rates), stored


def start_server(db: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """``archiver serve`` of ``db`` on a free loopback port, once it answers; its output goes to ``log``.

    A file, not a pipe: nobody reads a pipe while requests run, and a server
    that logged a traceback per request filled it and then stopped answering.
    """
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "archiver.cli", "serve", str(db), "--port", str(port)],
            env=child_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180
    while True:
        try:
            fetch(base + "/-/versions.json")
            return server, base
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                server.terminate()
                print(log.read_text(errors="replace")[-5000:], file=sys.stderr)
                raise SystemExit("archiver serve did not start") from None
            time.sleep(0.3)


def measure(dbs: dict[int, Path], requests: int) -> dict[int, dict[str, tuple[float, float, float, dict]]]:
    """Size -> route -> (p50, p95, max ms, statuses), against one ``archiver serve`` per size.

    The sizes are requested in turn, route by route and request by request, so
    they share the machine's load alike (a busy machine slows both, not one).
    """
    servers = {size: start_server(db, db.with_name("serve.log")) for size, db in dbs.items()}
    paths = {size: routes(db, requests, random.Random(7)) for size, db in dbs.items()}
    out: dict[int, dict] = {size: {} for size in dbs}
    try:
        for name in paths[next(iter(dbs))]:
            times: dict[int, list[float]] = {size: [] for size in dbs}
            statuses: dict[int, dict] = {size: {} for size in dbs}
            for size in dbs:
                fetch(servers[size][1] + paths[size][name][0])  # warm-up (templates, first pages of the file)
            for i in range(requests):
                for size in dbs:
                    ms, status = fetch(servers[size][1] + paths[size][name][i])
                    times[size].append(ms)
                    statuses[size][status] = statuses[size].get(status, 0) + 1
            for size in dbs:
                t = times[size]
                out[size][name] = (percentile(t, 50), percentile(t, 95), max(t), statuses[size])
            print(
                f"  {name:<40} "
                + "  ".join(
                    f"{size:,}: p50 {out[size][name][0]:.1f} p95 {out[size][name][1]:.1f}" for size in dbs
                ),
                file=sys.stderr,
                flush=True,
            )
    finally:
        for server, _base in servers.values():
            server.terminate()
            server.wait(timeout=10)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--articles", default="100000,1000000", help="archive sizes, comma-separated (e.g. 100000,1000000)"
    )
    parser.add_argument("--real", type=int, default=500, help="articles whose capture is a real WARC record")
    parser.add_argument(
        "--requests", type=int, default=40, help="requests per route (after one warm-up; 0: store rate only)"
    )
    parser.add_argument(
        "--db-dir", type=Path, default=Path("/tmp/archiver-bench-ui"), help="cache of built archives"
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the archives even if cached")
    parser.add_argument("--store", type=int, default=2000, help="articles per store-rate round (0: skip)")
    parser.add_argument("--store-rounds", type=int, default=3)
    parser.add_argument(
        "--crawl", type=int, default=2000, help="pages of the site each crawl-rate round crawls (0: skip)"
    )
    parser.add_argument("--crawl-rounds", type=int, default=3)
    parser.add_argument(
        "--cold",
        action="store_true",
        help="do not read the archives into memory first (measure the disk too)",
    )
    args = parser.parse_args()
    try:
        sizes = sorted({int(x.replace("_", "")) for x in args.articles.split(",") if x.strip()})
    except ValueError:
        parser.error(f"--articles {args.articles!r}: give sizes like 100000,1000000")
    dbs: dict[int, Path] = {}
    for size in sizes:
        db, info = cached_archive(args.db_dir, size, args.real, args.rebuild)
        dbs[size] = db
        cached = "" if args.cold else "; " + warm(db)
        print(
            f"{size:,} articles: {db.stat().st_size / 1e9:.2f} GB, built in {info['build_seconds']} s{cached}",
            flush=True,
        )
    if args.store:
        empty, big = store_rate(dbs[sizes[-1]], n=args.store, rounds=args.store_rounds)
        print(
            f"store rate: {empty:,.0f} articles/s into an empty archive, {big:,.0f} articles/s into "
            f"{sizes[-1]:,} articles: ratio {big / empty:.2f} (target >= 0.8)",
            flush=True,
        )
    if args.crawl:
        empty, big, stored = crawl_rate(dbs[sizes[-1]], pages=args.crawl, rounds=args.crawl_rounds)
        print(
            f"crawl rate ({stored:,} articles per crawl, fetch and cleaning included): {empty:,.0f} articles/s "
            f"into an empty archive, {big:,.0f} articles/s into {sizes[-1]:,} articles: ratio {big / empty:.2f} "
            "(target >= 0.8)",
            flush=True,
        )
    if not args.requests:
        return 0
    print(
        f"{args.requests} requests per route and size (after 1 warm-up), sequential, one client, sizes in turn"
    )
    results = measure(dbs, args.requests)
    small, large = sizes[0], sizes[-1]
    head = "".join(f" {f'p50 {s // 1000}k':>10} {f'p95 {s // 1000}k':>10}" for s in sizes)
    print(f"{'route':<40}{head} {'p95 ratio':>10}")
    worst, worst_ratio, failures = 0.0, 0.0, []
    for name in results[large]:
        cells = "".join(f" {results[s][name][0]:10.1f} {results[s][name][1]:10.1f}" for s in sizes)
        ratio = results[large][name][1] / max(results[small][name][1], 0.1)
        ok = all(k == 200 for s in sizes for k in results[s][name][3])
        flags = []
        if results[large][name][1] >= 200:
            flags.append("over 200 ms")
        if len(sizes) > 1 and ratio > 1.5:
            flags.append("grows > 1.5x")
        if not ok:
            flags.append(
                "statuses "
                + ",".join(f"{k}x{v}" for k, v in sorted(results[large][name][3].items(), key=str))
            )
        if flags:
            failures.append(name)
        worst = max(worst, results[large][name][1])
        worst_ratio = max(worst_ratio, ratio)
        print(f"{name:<40}{cells} {ratio:10.2f}" + (f"  <-- {', '.join(flags)}" if flags else ""), flush=True)
    print(
        f"worst p95 at {large:,}: {worst:.1f} ms (target < 200); worst p95 ratio {large:,}/{small:,}: "
        f"{worst_ratio:.2f} (target <= 1.5); routes off target: {len(failures)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
