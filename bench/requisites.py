"""Page requisites: what they cost a crawl, and what per-crawl dedup and revisits save.

    python bench/requisites.py [--pages 1000] [--rounds 3] [--json FILE]

A generated news site (archiver/demo/bigsite.py) whose pages share their
assets the way news sites do: one stylesheet that imports a font stylesheet
(the demo's web font) and names a logo and a background, a favicon, and per
article a lead image with two ``srcset`` widths. Served from a separate
process on 127.0.0.1, it is crawled by these, each in its own process, same
concurrency, no politeness delay:

* **bare**: bench/crawl.py's minimal Scrapy spider (follows links, fetches no requisite),
  and the same spider fetching each page's images, stylesheets and CSS `url()`s once (no archive);
* **with requisites**: ``archiver crawl`` as shipped.

Those three run interleaved ``--rounds`` times (rates are medians); then

* **pages only**: ``archiver crawl`` with ``ARCHIVER_REQUISITES_ENABLED=false``;
* **re-crawl**: the first round's crawl again into the same folder.

Prints exchanges per page with and without requisites, WARC bytes per
article, the share of requisite references answered by per-crawl dedup (no
fetch), the share of re-crawl requisite fetches written as revisits (no
payload stored again), and pages/s (pages counted, not requisites) of the
full pipeline with requisites beside bare Scrapy's, as a ratio (target >= 0.5).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from statistics import median
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout: bench.*

from bench._common import save_json, start_site
from bench.crawl import run_bare, run_full

STYLE = b"""@import url("/assets/fonts.css");
body { background: #fafafa url("/assets/bg.png") repeat-x; font-family: Georgia, serif; }
header { background: url("/assets/logo.png") no-repeat; height: 64px; }
h1 { font-family: "Meridian Display", Georgia, serif; }
"""
FONTS = b"""@font-face { font-family: "Meridian Display"; src: url("/assets/meridian-display.ttf") format("truetype"); }"""


def asset_site(pages: int) -> dict[str, bytes]:
    """bigsite's pages, each naming the shared assets; articles name their own lead image too."""
    from archiver.demo import face
    from archiver.demo.bigsite import build_pages

    site = build_pages(pages)
    shared = b'<link rel="stylesheet" href="/assets/site.css"><link rel="icon" href="/favicon.png">'
    for path, body in list(site.items()):
        if not body.startswith(b"<!DOCTYPE html>"):
            continue
        head = shared
        if path.startswith("/news/"):
            n = path.strip("/").split("/")[1]
            head += f'<link rel="preload" as="image" href="/img/{n}-696.png">'.encode()
            body = body.replace(
                b"<h1>",
                f'<img src="/img/{n}-696.png" srcset="/img/{n}-348.png 348w, /img/{n}-696.png 696w" '
                f'width="696" height="464" alt=""><h1>'.encode(),
                1,
            )
        site[path] = body.replace(b"</head>", head + b"</head>", 1)
    site["/assets/site.css"] = STYLE
    site["/assets/fonts.css"] = FONTS
    site["/assets/meridian-display.ttf"] = face._font()
    site["/assets/logo.png"] = face._image("world", 240, 64, stripes=True)
    site["/assets/bg.png"] = face._image("map", 8, 200, stripes=False)
    site["/favicon.png"] = face._image("business", 64, 64, stripes=True)
    for path in [p for p in site if p.startswith("/news/")]:
        n = int(path.strip("/").split("/")[1])
        for width in (348, 696):  # small distinct images (a colour per story)
            site[f"/img/{n}-{width}.png"] = face._image(
                ("world", "politics", "business", "science")[n % 4],
                width // 8,
                width // 12,
                stripes=n % 2 == 0,
            ) + n.to_bytes(4, "big")
    return site


def serve_child(pages: int) -> None:
    import asyncio

    from archiver.demo.bigsite import serve_fast

    site = asset_site(pages)
    asyncio.run(serve_fast(site, ready=lambda port: print(f"URL http://127.0.0.1:{port}", flush=True)))


def crawl(url: str, out: Path, work: Path, pages: int, name: str, **extra: Any) -> dict[str, Any]:
    """One ``archiver crawl`` of the site into ``out``; the probe's figures plus the crawl's rows."""
    result = run_full(url, work, pages, None, out=out, name=name, **extra)
    with sqlite3.connect(out / "archive.db") as conn:
        crawl_id, stats = conn.execute(
            "select id, stats from crawls order by started_at desc limit 1"
        ).fetchone()
        result["stats"] = json.loads(stats)
        result["exchanges"] = conn.execute(
            "select count(*) from captures where crawl_id = ?", [crawl_id]
        ).fetchone()[0]
        result["html_pages"] = conn.execute(
            "select count(*) from captures where crawl_id = ? and content_type like 'text/html%'", [crawl_id]
        ).fetchone()[0]
        result["articles"] = conn.execute("select count(*) from articles").fetchone()[0]
        result["requisite_revisits"] = conn.execute(
            "select count(*) from captures where crawl_id = ? and record_type = 'revisit' "
            "and content_type not like 'text/html%' and url not like '%/robots.txt'",
            [crawl_id],
        ).fetchone()[0]
    result["warc_bytes"] = sum(p.stat().st_size for p in (out / "warcs").glob("*.warc.gz"))
    return result


def _rounds(url: str, work: Path, pages: int, rounds: int) -> list[dict[str, Any]]:
    """Bare Scrapy, bare Scrapy with requisites and the full pipeline, interleaved ``rounds`` times.

    Each is a fresh crawl into a fresh folder. Interleaving puts the three side
    by side in each stretch of the machine's load: on this shared 2-core VM bare
    Scrapy alone varied from 85 to 231 pages/s within one run.
    """
    out = []
    for n in range(rounds):
        bare = run_bare(url, work)
        bare_req = run_bare(url, work, requisites=True)
        full = crawl(url, work / f"full-{n}", work, pages, f"full-{n}")
        rate = full["html_pages"] / full["seconds"]
        out.append(
            {
                "bare": bare["pages"] / bare["seconds"],
                "bare_req": bare_req["pages"] / bare_req["seconds"],
                "bare_req_exchanges": bare_req["responses"] / max(1, bare_req["pages"]),
                "full": rate,
                "full_run": full,
            }
        )
        print(
            f"round {n + 1}: bare {out[-1]['bare']:.1f}, bare with requisites {out[-1]['bare_req']:.1f}, "
            f"pipeline with requisites {rate:.1f} pages/s; with/bare {rate / out[-1]['bare']:.2f}",
            flush=True,
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="pages of the generated site (default 1000)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="interleaved rounds of the rate crawls; medians reported (default 3)",
    )
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--serve-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_child:
        serve_child(args.serve_child)
        return 0
    server, (url,) = start_site([__file__, "--serve-child", str(args.pages)])
    try:
        with tempfile.TemporaryDirectory(prefix="bench-requisites-") as tmp:
            work = Path(tmp)
            rounds = _rounds(url, work, args.pages, max(1, args.rounds))
            plain = crawl(url, work / "plain", work, args.pages, "plain", ARCHIVER_REQUISITES_ENABLED=False)
            full = rounds[0]["full_run"]  # the first round's crawl: dedup figures, then a re-crawl into it
            plain_bytes = plain["warc_bytes"]
            first_bytes = full["warc_bytes"]
            again = crawl(url, work / "full-0", work, args.pages, "again")
            again_bytes = again["warc_bytes"] - first_bytes
    finally:
        server.terminate()
        server.wait()
    pages = full["html_pages"]
    bare_rate = median(r["bare"] for r in rounds)
    bare_req_rate = median(r["bare_req"] for r in rounds)
    full_rate = median(r["full"] for r in rounds)
    ratios = sorted(r["full"] / r["bare"] for r in rounds)
    plain_rate = plain["html_pages"] / plain["seconds"]
    s = full["stats"]
    scheduled, dedup = s.get("archiver/requisites/scheduled", 0), s.get("archiver/requisites/deduplicated", 0)
    re_fetched = again["stats"].get("archiver/requisites/scheduled", 0)
    figures = {
        "pages": pages,
        "exchanges_per_page_without": round(plain["exchanges"] / plain["html_pages"], 3),
        "exchanges_per_page_with": round(full["exchanges"] / pages, 3),
        "warc_bytes_per_article_without": round(plain_bytes / max(1, plain["articles"])),
        "warc_bytes_per_article_with": round(first_bytes / max(1, full["articles"])),
        "requisite_references": scheduled + dedup,
        "requisite_fetches": scheduled,
        "saved_by_dedup": round(dedup / max(1, scheduled + dedup), 4),
        "recrawl_requisite_fetches": re_fetched,
        "saved_by_revisits": round(again["requisite_revisits"] / max(1, re_fetched), 4),
        "recrawl_warc_bytes_per_article": round(again_bytes / max(1, again["articles"])),
        "bare_pages_per_s": round(bare_rate, 1),
        "plain_pages_per_s": round(plain_rate, 1),
        "full_pages_per_s": round(full_rate, 1),
        "ratio_full_to_bare": round(median(ratios), 3),
        "ratio_full_to_bare_per_round": [round(r, 3) for r in ratios],
        "bare_with_requisites_pages_per_s": round(bare_req_rate, 1),
        "ratio_bare_with_requisites_to_bare": round(median(r["bare_req"] / r["bare"] for r in rounds), 3),
        "ratio_full_to_bare_with_requisites": round(median(r["full"] / r["bare_req"] for r in rounds), 3),
    }
    print(f"site: {args.pages} pages at {url}; {pages} HTML pages crawled")
    print(
        f"exchanges per page: {figures['exchanges_per_page_without']} without requisites, "
        f"{figures['exchanges_per_page_with']} with"
    )
    print(
        f"WARC bytes per article: {figures['warc_bytes_per_article_without']} without, "
        f"{figures['warc_bytes_per_article_with']} with; re-crawl adds {figures['recrawl_warc_bytes_per_article']}"
    )
    print(
        f"requisite references {scheduled + dedup}, fetched {scheduled}: per-crawl dedup saved "
        f"{figures['saved_by_dedup']:.1%} of fetches"
    )
    print(
        f"re-crawl: {re_fetched} requisite fetches (conditional), {figures['saved_by_revisits']:.1%} written as "
        "revisits (no payload stored again)"
    )
    print(
        f"pages/s: bare Scrapy {bare_rate:.1f}, pipeline without requisites {plain_rate:.1f}, "
        f"with requisites {full_rate:.1f} (medians of {len(rounds)} rounds); with/bare = "
        f"{figures['ratio_full_to_bare']:.2f}, the median of the rounds' ratios "
        f"{', '.join(f'{r:.2f}' for r in ratios)} (target >= 0.50)"
    )
    print(
        f"bare Scrapy fetching the same requisites (no archive, "
        f"{rounds[0]['bare_req_exchanges']:.3f} exchanges per page): {bare_req_rate:.1f} pages/s, "
        f"{figures['ratio_bare_with_requisites_to_bare']:.2f}x bare; the pipeline with requisites runs at "
        f"{figures['ratio_full_to_bare_with_requisites']:.2f}x it"
    )
    save_json(args.json, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
