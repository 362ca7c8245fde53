"""A synthetic archive that looks like a real one, built fast, for bench/datasette_pages.py.

Shaped like a year of a real archivist's crawls, at any size:

- outlets: a few big outlets hold most articles (Zipf weights over 60 outlets);
- authors: many people with a few articles each (a pool of ``articles / 6`` names per
  archive, drawn with a long tail), 0-3 per article;
- texts: 150-2,000 words (log-normal, median about 320), sentences drawn from a Zipf
  vocabulary of 40,000 words whose top ranks are English function words;
- captures: one per article, plus redirects and errors for one page in ten.

Built for speed (the benchmark's 1,000,000-article archive): the schema comes from
:class:`archiver.store.Archive` (all migrations), then indexes and triggers are
dropped, rows go in with ``executemany`` under ``synchronous=OFF`` (this build
only), and indexes, the FTS5 index and the summary tables are built once at the
end, with the same SQL the migrations wrote. A fixed seed gives the same archive.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import random
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from archiver.store import Archive, article_id, summaries
from archiver.warc import HttpExchange, WarcWriter

START = datetime(2024, 11, 1, tzinfo=UTC)
DAYS = 730
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
LANGUAGES = ["en"] * 6 + ["ru", "be", "uk", "de"]
REQUEST = b"GET / HTTP/1.1\r\nHost: bench.example\r\n\r\n"
FUNCTION_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "it",
    "as",
    "was",
    "with",
    "be",
    "by",
    "on",
    "not",
    "he",
    "i",
    "this",
    "are",
    "or",
    "his",
    "from",
    "at",
    "which",
    "but",
    "have",
    "an",
    "they",
    "you",
    "were",
    "her",
    "she",
    "there",
    "been",
    "one",
    "all",
    "we",
    "their",
    "has",
    "would",
    "when",
    "if",
    "more",
    "no",
    "out",
    "so",
    "said",
    "what",
    "up",
    "its",
    "about",
    "into",
    "than",
    "them",
    "can",
    "only",
    "other",
    "new",
    "some",
    "could",
    "time",
    "these",
    "two",
    "may",
    "then",
    "do",
    "first",
]
SYLLABLES = [
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
    "cor",
    "an",
    "tel",
    "mar",
    "is",
]
BATCH = 5000


def outlet_names(rng: random.Random, n: int = 60) -> list[str]:
    """``n`` outlet names, biggest first."""
    first = ["daily", "evening", "morning", "city", "the", "border", "capital", "north", "south", "free"]
    second = ["post", "star", "herald", "news", "tribune", "times", "review", "courier", "voice", "ledger"]
    names = [f"{a}-{b}" for a in first for b in second]
    rng.shuffle(names)
    return names[:n]


def vocabulary(rng: random.Random, size: int = 40_000) -> list[str]:
    """Function words first, then made-up words of 1-5 syllables (rank order = frequency order)."""
    words = list(FUNCTION_WORDS)
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 5)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def zipf_cumulative(n: int, s: float = 1.05) -> list[float]:
    total, out = 0.0, []
    for rank in range(1, n + 1):
        total += 1 / rank**s
        out.append(total)
    return out


class Generator:
    """Deterministic rows of one synthetic archive (same seed, same rows)."""

    def __init__(self, articles: int, seed: int = 5) -> None:
        self.rng = rng = random.Random(seed)
        self.vocab = vocabulary(rng)
        self.cum_words = zipf_cumulative(len(self.vocab))
        self.outlets = outlet_names(rng)
        self.cum_outlets = zipf_cumulative(len(self.outlets), 1.3)
        pool = max(500, articles // 6)
        self.authors = [
            f"{rng.choice(self.vocab[200:5000]).title()} {rng.choice(self.vocab[200:20000]).title()}"
            for _ in range(pool)
        ]
        # sentences are drawn from a pool (drawing 400 million words one by one takes minutes)
        self.sentences = [self._sentence() for _ in range(min(200_000, max(20_000, articles // 5)))]

    def _words(self, k: int) -> list[str]:
        return self.rng.choices(self.vocab, cum_weights=self.cum_words, k=k)

    def _sentence(self) -> str:
        return " ".join(self._words(self.rng.randint(6, 28))).capitalize() + "."

    def text(self) -> tuple[str, list[str]]:
        """(text, paragraphs) of 150-2,000 words."""
        rng = self.rng
        words = min(2000, max(150, int(rng.lognormvariate(math.log(320), 0.55))))
        sentences = rng.choices(self.sentences, k=max(1, words // 17))
        paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
        return "\n\n".join(paragraphs), paragraphs

    def outlet(self) -> str:
        return self.rng.choices(self.outlets, cum_weights=self.cum_outlets)[0]

    def article_authors(self) -> list[str]:
        rng = self.rng
        count = rng.choice([0, 1, 1, 1, 1, 2, 2, 3])
        # a long tail: most of the pool writes a handful of articles, a few write many
        return sorted({self.authors[int(len(self.authors) * rng.random() ** 1.6)] for _ in range(count)})


def _schema_objects(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(type, name, sql) of the indexes and triggers on the bulk-loaded tables."""
    return conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL "
        "AND tbl_name IN ('captures', 'articles', 'article_versions')"
    ).fetchall()


def build(db_dir: Path, *, articles: int, real: int, seed: int = 5) -> Path:
    """Write ``db_dir/archive.db`` (+ ``warcs/``) with ``articles`` synthetic articles."""
    gen = Generator(articles, seed)
    rng = gen.rng
    db_dir.mkdir(parents=True, exist_ok=True)
    for old in [db_dir / "archive.db", db_dir / "archive.db-wal", db_dir / "archive.db-shm"]:
        old.unlink(missing_ok=True)
    for warc in (db_dir / "warcs").glob("*.warc.gz") if (db_dir / "warcs").is_dir() else []:
        warc.unlink()
    Archive(db_dir).close()  # schema and migrations exactly as a crawl makes them
    conn = sqlite3.connect(db_dir / "archive.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")  # this bulk build only: a crash just means a rebuild
    conn.execute("PRAGMA cache_size = -400000")
    objects = _schema_objects(conn)
    for kind, name, _sql in objects:
        conn.execute(f'DROP {kind.upper()} "{name}"')
    conn.execute("BEGIN")
    columns = {
        t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")]
        for t in ("crawls", "captures", "articles", "article_versions")
    }

    def insert(table: str, rows: list[dict]) -> None:
        if not rows:
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
            for o in gen.outlets
        ],
    )
    writer = WarcWriter(db_dir / "warcs", "bench", warcinfo={"software": "bench"})
    t0 = time.perf_counter()
    caps: list[dict] = []
    arts: list[dict] = []
    versions: list[dict] = []
    # stored in crawl order: roughly by date, as a crawl that runs every day stores them
    offsets = sorted(rng.randrange(DAYS * 86400) for _ in range(articles))
    for i in range(articles):
        outlet = gen.outlet()
        day = START + timedelta(seconds=offsets[i])
        section = rng.choice(SECTIONS)
        url = f"https://{outlet}.example/{section.lower()}/{i:07d}-story"
        title = " ".join(gen._words(rng.randint(6, 12))).capitalize()
        text, paragraphs = gen.text()
        fetched = (day + timedelta(minutes=rng.randint(5, 600))).strftime("%Y-%m-%dT%H:%M:%SZ")
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
            capture = writer.write(
                HttpExchange(
                    url=url,
                    request_bytes=REQUEST,
                    response_bytes=response,
                    fetched_at=datetime.strptime(fetched, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC),
                )
            ).to_dict()
        else:
            capture = {
                "record_id": f"<urn:uuid:{hashlib.md5(url.encode()).hexdigest()}>",
                "url": url,
                "fetched_at": fetched,
                "status": 200,
                "reason": "OK",
                "content_type": "text/html",
                "payload_sha256": hashlib.sha256(url.encode()).hexdigest(),
                "payload_length": len(text) * 3,
                "warc_file": "bench-synthetic.warc.gz",
                "offset": i * 5000,
                "length": 5000,
                "record_type": "response",
            }
        capture.update(crawl_id=f"crawl-{outlet}", outlet=outlet)
        caps.append(capture)
        if rng.random() < 0.1:  # redirects, missing pages and errors for the status chart
            extra_url = url + "/x"
            caps.append(
                {
                    **capture,
                    "record_id": f"<urn:uuid:{hashlib.md5(extra_url.encode()).hexdigest()}>",
                    "url": extra_url,
                    "status": rng.choice([301, 302, 404, 404, 500, 503]),
                }
            )
        ident = article_id(url)
        authors = json.dumps(gen.article_authors(), ensure_ascii=False)
        row = {
            "id": ident,
            "url": url,
            "canonical_url": url,
            "outlet": outlet,
            "title": title,
            "authors": authors,
            "published": day.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "language": rng.choice(LANGUAGES),
            "description": paragraphs[0][:160],
            "section": section,
            "tags": json.dumps(rng.sample(gen.vocab[100:400], 2)),
            "site_name": outlet.title(),
            "text": text,
            "markdown": text,
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "word_count": len(text.split()),
            "capture_record_id": capture["record_id"],
            "fetched_at": fetched,
            "extractor": "archiver.clean",
            "extractor_version": "bench",
            "crawl_id": f"crawl-{outlet}",
            "current_version": 1,
            "versions": 1,
        }
        arts.append(row)
        versions.append(
            {
                **row,
                "id": f"{ident}-v1",
                "article_id": ident,
                "version": 1,
                "metadata": json.dumps({"authors": json.loads(authors)}),
            }
        )
        if len(arts) >= BATCH:
            insert("captures", caps)
            insert("articles", arts)
            insert("article_versions", versions)
            caps, arts, versions = [], [], []
            if (i + 1) % (BATCH * 20) == 0:
                print(f"  {i + 1:,} articles ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
    insert("captures", caps)
    insert("articles", arts)
    insert("article_versions", versions)
    writer.close()
    conn.execute("COMMIT")
    print(f"  rows in ({time.perf_counter() - t0:.0f} s); indexes ...", file=sys.stderr, flush=True)
    for kind, _name, sql in objects:
        if kind == "index":
            conn.execute(sql)
    print(f"  indexes ({time.perf_counter() - t0:.0f} s); full-text index ...", file=sys.stderr, flush=True)
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
    print(f"  FTS ({time.perf_counter() - t0:.0f} s); summary tables ...", file=sys.stderr, flush=True)
    conn.execute("BEGIN")
    summaries.rebuild(conn)
    conn.execute("COMMIT")
    for kind, _name, sql in objects:
        if kind == "trigger":
            conn.execute(sql)
    print(f"  summaries ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
    conn.close()  # no ANALYZE: a crawled archive has no statistics either
    Archive(db_dir).close()  # apply any migration added since
    return db_dir / "archive.db"
