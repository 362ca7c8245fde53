"""Page speed of the archive in Datasette on a synthetic 200,000-article archive.

Builds the archive once (cached in ``--db-dir``, rebuilt with ``--rebuild``):
the schema comes from :class:`archiver.store.Archive` (all migrations), rows
are bulk-inserted with the same columns (FTS triggers included), and the
captures of ``--real`` articles are real WARC records so the snapshot routes
read real bytes. Then ``archiver serve`` runs in a subprocess on 127.0.0.1
and every route is requested ``--requests`` times (varied articles, words and
filters; one warm-up request per route first), and p50/p95 per route are
printed. Target: p95 < 200 ms on every route::

    python bench/datasette_pages.py                    # 200,000 articles, 40 requests per route
    python bench/datasette_pages.py --articles 20000 --requests 20 --db-dir /tmp/bench-ui
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from archiver.store import Archive, article_id  # noqa: E402
from archiver.serve.capture import record_slug  # noqa: E402
from archiver.warc import WarcWriter  # noqa: E402

OUTLETS = [
    "daily-post",
    "evening-star",
    "morning-herald",
    "city-news",
    "the-tribune",
    "nasha-niva",
    "border-times",
    "capital-review",
]
SECTIONS = [
    "Politics",
    "Business",
    "Sport",
    "Culture",
    "World",
    "Science",
    "Opinion",
    "Health",
    "Local",
    "Tech",
]
LANGUAGES = ["en", "en", "en", "ru", "be"]
START = datetime(2024, 11, 1, tzinfo=timezone.utc)
DAYS = 730
REQUEST = b"GET / HTTP/1.1\r\nHost: bench.example\r\n\r\n"


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    syllables = [
        "ka",
        "lo",
        "mi",
        "ne",
        "ro",
        "sta",
        "ber",
        "vin",
        "tu",
        "dor",
        "pel",
        "gra",
        "shi",
        "mon",
        "zal",
        "ex",
        "qui",
        "fa",
        "len",
        "dra",
    ]
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def zipf_words(rng: random.Random, vocab: list[str], n: int) -> list[str]:
    # rank ~ 1/u: common words are very common, as in real text
    return [vocab[min(int(len(vocab) * rng.random() ** 3), len(vocab) - 1)] for _ in range(n)]


def build(db_dir: Path, *, articles: int, real: int, seed: int = 5) -> Path:
    """Write ``db_dir/archive.db`` (+ ``warcs/``) with ``articles`` synthetic articles."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    authors = [f"{rng.choice(vocab).title()} {rng.choice(vocab).title()}" for _ in range(3000)]
    db_dir.mkdir(parents=True, exist_ok=True)
    for old in [db_dir / "archive.db", db_dir / "archive.db-wal", db_dir / "archive.db-shm"]:
        old.unlink(missing_ok=True)
    for warc in (db_dir / "warcs").glob("*.warc.gz") if (db_dir / "warcs").is_dir() else []:
        warc.unlink()
    Archive(db_dir).close()  # schema and migrations exactly as a crawl makes them
    conn = sqlite3.connect(db_dir / "archive.db")
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    columns = {
        t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")]
        for t in ("crawls", "captures", "articles", "article_versions")
    }

    def insert(table: str, rows: list[dict]) -> None:
        if not columns.get(table) or not rows:
            return
        cols = [c for c in columns[table] if c in rows[0]]
        conn.executemany(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [[row.get(c) for c in cols] for row in rows],
        )

    insert(
        "crawls",
        [
            {
                "id": f"crawl-{o}",
                "outlet": o,
                "started_at": START.isoformat(),
                "software": "bench",
                "settings_digest": "0" * 64,
                "settings": "{}",
                "stats": "{}",
            }
            for o in OUTLETS
        ],
    )
    writer = WarcWriter(db_dir / "warcs", "bench", warcinfo={"software": "bench"})
    t0 = time.perf_counter()
    batch_caps: list[dict] = []
    batch_arts: list[dict] = []
    batch_versions: list[dict] = []
    for i in range(articles):
        outlet = OUTLETS[i % len(OUTLETS)]
        day = START + timedelta(days=rng.randrange(DAYS), seconds=rng.randrange(86400))
        url = f"https://{outlet}.example/{rng.choice(SECTIONS).lower()}/{i:07d}-story"
        title = " ".join(zipf_words(rng, vocab, rng.randint(5, 10))).capitalize()
        paragraphs = [
            " ".join(zipf_words(rng, vocab, rng.randint(15, 40))).capitalize() + "."
            for _ in range(rng.randint(3, 6))
        ]
        text = "\n\n".join(paragraphs)
        fetched = (day + timedelta(hours=rng.randint(1, 48))).strftime("%Y-%m-%dT%H:%M:%SZ")
        if i < real:
            html = (
                f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
                + "".join(f"<p>{p}</p>" for p in paragraphs)
                + "</body></html>"
            )
            body = gzip.compress(html.encode(), mtime=0)
            response = (
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body)
            ) + body
            cap = writer.write_exchange(
                url=url,
                request_bytes=REQUEST,
                response_bytes=response,
                fetched_at=datetime.strptime(fetched, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc),
            )
            capture = cap.to_dict()
        else:
            capture = {
                "record_id": f"<urn:uuid:{hashlib.md5(url.encode()).hexdigest()}>",
                "url": url,
                "fetched_at": fetched,
                "status": 200,
                "reason": "OK",
                "content_type": "text/html",
                "payload_sha256": hashlib.sha256(url.encode()).hexdigest(),
                "payload_length": 5000,
                "warc_file": "bench-synthetic.warc.gz",
                "offset": i * 5000,
                "length": 5000,
                "record_type": "response",
            }
        capture.update(crawl_id=f"crawl-{outlet}", outlet=outlet)
        batch_caps.append(capture)
        if rng.random() < 0.1:  # redirects, missing pages and errors for the status chart
            status = rng.choice([301, 302, 404, 404, 500, 503])
            extra_url = url + "/x"
            batch_caps.append(
                {
                    **capture,
                    "record_id": f"<urn:uuid:{hashlib.md5(extra_url.encode()).hexdigest()}>",
                    "url": extra_url,
                    "status": status,
                }
            )
        ident = article_id(url)
        text_sha = hashlib.sha256(text.encode()).hexdigest()
        row = {
            "id": ident,
            "url": url,
            "canonical_url": url,
            "outlet": outlet,
            "title": title,
            "authors": json.dumps(rng.sample(authors, rng.choice([0, 1, 1, 1, 2, 3]))),
            "published": day.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "modified": None,
            "language": rng.choice(LANGUAGES),
            "description": paragraphs[0][:160],
            "section": rng.choice(SECTIONS),
            "tags": json.dumps(rng.sample(vocab[:200], 2)),
            "image": None,
            "site_name": outlet.title(),
            "text": text,
            "markdown": text,
            "text_sha256": text_sha,
            "word_count": len(text.split()),
            "capture_record_id": capture["record_id"],
            "fetched_at": fetched,
            "extractor": "archiver.clean",
            "extractor_version": "bench",
            "conversion_record_id": None,
            "crawl_id": f"crawl-{outlet}",
            "current_version": 1,
            "versions": 1,
        }
        batch_arts.append(row)
        batch_versions.append(
            {
                **row,
                "id": f"{ident}-v1",
                "article_id": ident,
                "version": 1,
                "metadata": json.dumps({"authors": json.loads(row["authors"])}),
            }
        )
        if len(batch_arts) >= 5000:
            insert("captures", batch_caps)
            insert("articles", batch_arts)
            insert("article_versions", batch_versions)
            batch_caps, batch_arts, batch_versions = [], [], []
            print(f"  {i + 1:,} articles ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
    insert("captures", batch_caps)
    insert("articles", batch_arts)
    insert("article_versions", batch_versions)
    writer.close()
    conn.commit()  # no ANALYZE: a crawled archive has no statistics either
    conn.close()
    Archive(db_dir).close()  # apply any migration added since, and leave the file in WAL-free state
    return db_dir / "archive.db"


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


def routes(db: Path, n: int, rng: random.Random) -> dict[str, list[str]]:
    """Route name -> ``n`` paths to request (different articles, words and filters)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)  # leaves no -wal file behind
    ids = [r[0] for r in conn.execute("select id from articles order by random() limit ?", [n])]
    real = [
        r[0]
        for r in conn.execute(
            "select record_id from captures where warc_file != 'bench-synthetic.warc.gz' and status = 200 "
            "order by random() limit ?",
            [n],
        )
    ]
    words = [
        w
        for (t,) in conn.execute("select title from articles order by random() limit ?", [n])
        for w in t.split()[:1]
    ]
    authors = [
        json.loads(a)[0]
        for (a,) in conn.execute(
            "select authors from articles where authors != '[]' order by random() limit ?", [n]
        )
    ]
    urls = [
        u
        for (u,) in conn.execute(  # URLs whose captures are real records, for the Memento routes
            "select url from captures where warc_file != 'bench-synthetic.warc.gz' and status = 200 "
            "order by random() limit ?",
            [n],
        )
    ]
    conn.close()
    pick = lambda seq, i: seq[i % len(seq)]  # noqa: E731
    q = urllib.parse.quote
    out = {
        "index /": ["/"] * n,
        "database /archive": ["/archive"] * n,
        "table /archive/articles": ["/archive/articles"] * n,
        "table /archive/captures": ["/archive/captures"] * n,
        "article /archive/articles/<id>": [f"/archive/articles/{pick(ids, i)}" for i in range(n)],
        "canned /archive/search?q=": [f"/archive/search?q={q(pick(words, i))}" for i in range(n)],
        "search /-/search (no words)": ["/-/search"] * n,
        "search /-/search?q=": [f"/-/search?q={q(pick(words, i))}" for i in range(n)],
        "search ?q=&outlet=&sort=newest": [
            f"/-/search?q={q(pick(words, i))}&outlet={pick(OUTLETS, i)}&sort=newest" for i in range(n)
        ],
        "search ?author=": [f"/-/search?author={q(pick(authors, i))}" for i in range(n)],
        "search ?since=&until=&section=": [
            f"/-/search?since=2025-0{1 + i % 9}-01&until=2025-0{1 + i % 9}-28&section={pick(SECTIONS, i)}"
            for i in range(n)
        ],
        "outlets /-/outlets": ["/-/outlets"] * n,
        "outlet /-/outlet/<name>": [f"/-/outlet/{pick(OUTLETS, i)}" for i in range(n)],
        "snapshot /-/capture/<id>": [f"/-/capture/{record_slug(pick(real, i))}" for i in range(n)],
        "snapshot raw /-/capture/<id>/raw": [
            f"/-/capture/{record_slug(pick(real, i))}/raw" for i in range(n)
        ],
        "timemap /timemap/<url> (issue 4)": [f"/timemap/{pick(urls, i)}" for i in range(n)],
        "memento /<14 digits>/<url> (issue 4)": [f"/20250601000000/{pick(urls, i)}" for i in range(n)],
    }
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--real", type=int, default=500, help="articles whose capture is a real WARC record")
    parser.add_argument("--requests", type=int, default=40, help="requests per route (after one warm-up)")
    parser.add_argument("--db-dir", type=Path, default=Path("/tmp/archiver-bench-ui"))
    parser.add_argument("--rebuild", action="store_true", help="rebuild the database even if it exists")
    args = parser.parse_args()
    db = args.db_dir / "archive.db"
    count = None
    if db.exists() and not args.rebuild:
        count = (
            sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
            .execute("select count(*) from articles")
            .fetchone()[0]
        )
    if count != args.articles:
        print(f"building {args.articles:,} articles in {args.db_dir} ...", file=sys.stderr)
        t0 = time.perf_counter()
        build(args.db_dir, articles=args.articles, real=args.real)
        print(f"built in {time.perf_counter() - t0:.0f} s, {db.stat().st_size / 1e6:.0f} MB", file=sys.stderr)
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    server = subprocess.Popen(
        [sys.executable, "-m", "archiver.cli", "serve", str(db), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                fetch(base + "/-/versions.json")
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    print(server.stdout.read() if server.stdout else "", file=sys.stderr)
                    raise SystemExit("archiver serve did not start")
                time.sleep(0.3)
        rng = random.Random(7)
        print(
            f"{args.articles:,} articles, {args.requests} requests per route (after 1 warm-up), "
            f"sequential, one client, server at {base}"
        )
        print(f"{'route':<40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  statuses")
        worst = 0.0
        for name, paths in routes(db, args.requests, rng).items():
            fetch(base + paths[0])  # warm-up (template compilation, first page of the file)
            times, statuses = [], {}
            for path in paths:
                ms, status = fetch(base + path)
                times.append(ms)
                statuses[status] = statuses.get(status, 0) + 1
            p95 = percentile(times, 95)
            if all(s == 200 for s in statuses):
                worst = max(worst, p95)
            flag = "" if p95 < 200 else "  <-- over 200 ms"
            print(
                f"{name:<40} {percentile(times, 50):8.1f} {p95:8.1f} {max(times):8.1f}  "
                f"{','.join(f'{k}x{v}' for k, v in sorted(statuses.items()))}{flag}",
                flush=True,
            )
        print(f"worst p95 over routes answering 200: {worst:.1f} ms (target < 200 ms)")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
