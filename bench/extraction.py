"""Main-text extraction benchmark: our cleaner beside trafilatura, readability and a floor.

Runs every extractor over the same pages in the same process and prints, per
data set, precision / recall / F1, pages per CPU second (so that other jobs on a
shared machine do not skew the ratio) and the ratios to
trafilatura; on ``extraction-dev-wcxb`` also the accuracy of title, author and
publication date against the gold fields (with htmldate's date beside ours).

Data (never copied into the repository) is read from ``--data``
(default ``../shared/data`` relative to the repository root)::

    python bench/extraction.py                       # all three sets
    python bench/extraction.py --set extraction-dev --limit 40 --json out.json
    python bench/extraction.py --folds 5             # by-site cross-validation (the headline)
    python bench/extraction.py --folds 5 --fold 1 --fold 2 --fold 3 --fold 4   # tune on four

``--folds K`` deals whole sites (registered domains) into K folds and prints
F1 per fold, the mean and the spread, ours beside trafilatura (``bench/folds.py``).

Metrics:
* gold-body sets: tokens are ``\\w+`` matches, each text a bag of 4-token
  shingles; per page P = matched/predicted, R = matched/gold; P and R averaged
  over pages, F1 their harmonic mean (scrapinghub article-extraction-benchmark);
* snippet set: a "with" snippet found in the text is a TP, missing a FN; a
  "without" snippet found is a FP; counts summed over all pages (whitespace
  normalised substring matching).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import folds  # noqa: E402  (bench/folds.py, beside this script)

SETS = ("extraction-dev", "extraction-dev-wcxb", "extraction-dev-trafilatura")
EXTRACTORS = ("ours", "trafilatura", "readability", "naive")
_TOKEN = re.compile(r"\w+")
_WS = re.compile(r"\s+")


# --------------------------------------------------------------------- data sets
def load(data: Path, name: str, limit: int | None, half: str | None = None) -> list[dict]:
    """Pages of one set as dicts: id, html (bytes), url, and the gold fields.

    ``half`` ("odd" or "even") keeps the pages at odd or even positions of the
    sorted ids: tune on one half, check that a change holds on the other.
    """
    root = data / name
    if not root.is_dir():
        raise SystemExit(
            f"data set {name!r} not found under {data}: pass --data DIR "
            "(the folder holding extraction-dev/, extraction-dev-wcxb/, ...)"
        )
    pages: list[dict] = []
    if name == "extraction-dev":
        gold = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
        for pid in sorted(gold):
            pages.append(
                {
                    "id": pid,
                    "url": gold[pid].get("url") or "",
                    "gold": gold[pid]["articleBody"],
                    "path": root / "html" / f"{pid}.html.gz",
                }
            )
    elif name == "extraction-dev-wcxb":
        for f in sorted((root / "ground-truth").glob("*.json")):
            g = json.loads(f.read_text(encoding="utf-8"))
            gt = g["ground_truth"]
            pages.append(
                {
                    "id": f.stem,
                    "url": g.get("url") or "",
                    "gold": gt.get("main_content") or "",
                    "title": gt.get("title"),
                    "author": gt.get("author"),
                    "date": gt.get("publish_date"),
                    "path": root / "html" / f"{f.stem}.html.gz",
                }
            )
    else:
        ev = json.loads((root / "evaldata.json").read_text(encoding="utf-8"))
        for url in sorted(ev):
            e = ev[url]
            pages.append(
                {
                    "id": e["file"],
                    "url": url if url.startswith("http") else "",
                    "key": url,
                    "with": e.get("with") or [],
                    "without": e.get("without") or [],
                    "path": root / "html" / f"{e['file']}.gz",
                }
            )
    pages = [p for p in pages if p["path"].exists()]
    if half:
        pages = sorted(pages, key=lambda p: p["id"])[half == "odd" :: 2]
    if limit:
        pages = pages[:limit]
    for p in pages:
        p["html"] = gzip.decompress(p.pop("path").read_bytes())
    return pages


# --------------------------------------------------------------------- extractors
def _ours() -> Callable[[bytes, str], str]:
    from archiver.clean import extract

    return lambda html, url: extract(html, url).text


def _trafilatura() -> Callable[[bytes, str], str]:
    import trafilatura

    return lambda html, url: trafilatura.extract(html, url=url or None, include_comments=False) or ""


def _readability() -> Callable[[bytes, str], str]:
    import lxml.html
    from readability import Document

    def run(html: bytes, url: str) -> str:
        try:
            summary = Document(html, url=url or None).summary(html_partial=True)
        except Exception:
            return ""
        return lxml.html.fromstring(summary).text_content() if summary.strip() else ""

    return run


def _naive() -> Callable[[bytes, str], str]:
    from bs4 import BeautifulSoup

    return lambda html, url: BeautifulSoup(html, "lxml").get_text("\n")


FACTORIES = {"ours": _ours, "trafilatura": _trafilatura, "readability": _readability, "naive": _naive}


# --------------------------------------------------------------------- metrics
def shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def page_pr(gold: str, pred: str) -> tuple[float, float]:
    g, p = shingles(gold), shingles(pred)
    matched = sum((g & p).values())
    gp, pp = sum(g.values()), sum(p.values())
    precision = matched / pp if pp else (1.0 if not gp else 0.0)
    recall = matched / gp if gp else 1.0
    return precision, recall


def word_f1(gold: str, pred: str) -> float:
    """WCXB's headline figure: F1 of lower-cased word bags."""
    g = Counter(_TOKEN.findall((gold or "").lower()))
    p = Counter(_TOKEN.findall((pred or "").lower()))
    m = sum((g & p).values())
    if not m:
        return 1.0 if not g and not p else 0.0
    pr, rc = m / sum(p.values()), m / sum(g.values())
    return 2 * pr * rc / (pr + rc)


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def norm_ws(s: str) -> str:
    return _WS.sub(" ", s or "").strip()


def score_set(name: str, pages: list[dict], texts: list[str]) -> dict:
    if name == "extraction-dev-trafilatura":
        tp = fn = fp = tn = 0
        for page, text in zip(pages, texts):
            t = norm_ws(text)
            for s in page["with"]:
                if norm_ws(s) in t:
                    tp += 1
                else:
                    fn += 1
            for s in page["without"]:
                if norm_ws(s) in t:
                    fp += 1
                else:
                    tn += 1
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return {"precision": p, "recall": r, "f1": f1(p, r), "tp": tp, "fp": fp, "fn": fn, "tn": tn}
    prs = [page_pr(page["gold"], text) for page, text in zip(pages, texts)]
    p = sum(x for x, _ in prs) / len(prs)
    r = sum(y for _, y in prs) / len(prs)
    out = {"precision": p, "recall": r, "f1": f1(p, r)}
    if name == "extraction-dev-wcxb":
        out["word_f1"] = sum(word_f1(pg["gold"], t) for pg, t in zip(pages, texts)) / len(pages)
    return out


# --------------------------------------------------------------------- metadata
def _words(s: str | None) -> list[str]:
    return _TOKEN.findall((s or "").lower())


def title_ok(gold: str, got: str | None) -> bool:
    return bool(got) and _words(gold) == _words(got)


_AUTHOR_NOISE = {"and", "by", "und", "et", "von", "staff", "writer"}


def author_ok(gold: str, got: list[str] | str | None) -> bool:
    if isinstance(got, list):
        got = " ".join(got)
    g = set(_words(gold)) - _AUTHOR_NOISE
    o = set(_words(got)) - _AUTHOR_NOISE
    return bool(o) and g == o


def date_ok(gold: str, got: str | None) -> bool:
    return bool(got) and got[:10] == gold[:10]


def metadata_checks(page: dict) -> dict[str, dict[str, bool]]:
    """Which fields each tool got right on one page (only fields the gold has)."""
    import trafilatura
    from htmldate import find_date

    from archiver.clean import extract

    ours = extract(page["html"], page["url"])
    try:
        tm = trafilatura.extract_metadata(page["html"], default_url=page["url"] or None)
    except Exception:
        tm = None
    out: dict[str, dict[str, bool]] = {"ours": {}, "trafilatura": {}, "htmldate": {}}
    if page.get("title"):
        out["ours"]["title"] = title_ok(page["title"], ours.title)
        out["trafilatura"]["title"] = title_ok(page["title"], tm and tm.title)
    if page.get("author"):
        out["ours"]["author"] = author_ok(page["author"], ours.authors)
        out["trafilatura"]["author"] = author_ok(page["author"], tm and tm.author)
    if page.get("date"):
        out["ours"]["date"] = date_ok(page["date"], ours.published)
        out["trafilatura"]["date"] = date_ok(page["date"], tm and tm.date)
        try:
            hd = find_date(page["html"], url=page["url"] or None, original_date=True)
        except Exception:
            hd = None
        out["htmldate"]["date"] = date_ok(page["date"], hd)
    return out


def metadata_scores(pages: list[dict], checks: list[dict] | None = None) -> dict:
    """Accuracy of title/author/date (pages whose gold has the field) for us and peers."""
    rows = {"ours": Counter(), "trafilatura": Counter(), "htmldate": Counter()}
    n = Counter()
    for _page, check in zip(pages, checks or [metadata_checks(p) for p in pages]):
        for who, fields in check.items():
            for f, ok in fields.items():
                rows[who][f] += ok
                if who == "ours":
                    n[f] += 1
    return {
        "n": dict(n),
        **{
            k: {
                f: v[f] / n[f] if n[f] else None
                for f in ("title", "author", "date")
                if k != "htmldate" or f == "date"
            }
            for k, v in rows.items()
        },
    }


# --------------------------------------------------------------------- driver
def _per_page(name: str, pages: list[dict], texts: list[str]) -> list[dict]:
    """Per-page figures (for finding the worst pages): P/R, or the snippets missed and leaked."""
    rows = []
    for page, text in zip(pages, texts):
        if name == "extraction-dev-trafilatura":
            t = norm_ws(text)
            rows.append(
                {
                    "id": page["id"],
                    "missed": [s for s in page["with"] if norm_ws(s) not in t],
                    "leaked": [s for s in page["without"] if norm_ws(s) in t],
                }
            )
        else:
            p, r = page_pr(page["gold"], text)
            rows.append({"id": page["id"], "p": round(p, 4), "r": round(r, 4)})
    return rows


def run_set(
    name: str, pages: list[dict], extractors: list[str], per_page: bool = False, keep_texts: bool = False
) -> dict:
    """Every extractor on every page, page by page in turn, each one's CPU seconds summed.

    Taking turns on each page puts the extractors side by side in every stretch of
    the machine's speed: run one after the other, on this shared VM the same code's
    CPU time per page moved by a third from one minute to the next.
    """
    fns = {ex: FACTORIES[ex]() for ex in extractors}
    texts: dict[str, list[str]] = {ex: [] for ex in extractors}
    seconds = dict.fromkeys(extractors, 0.0)
    for page in pages:
        for ex, fn in fns.items():
            start = time.process_time()  # CPU time: the machine may be shared with other jobs
            try:
                text = fn(page["html"], page["url"]) or ""
            except Exception as exc:  # a peer crashing on a page scores an empty text
                print(f"  {ex} failed on {page['id']}: {exc}", file=sys.stderr)
                text = ""
            seconds[ex] += time.process_time() - start
            texts[ex].append(text)
    result: dict = {"pages": len(pages), "extractors": {}}
    for ex in extractors:
        res = score_set(name, pages, texts[ex])
        if per_page:
            res["per_page"] = _per_page(name, pages, texts[ex])
        res["seconds"] = seconds[ex]
        res["pages_per_s"] = len(pages) / seconds[ex] if seconds[ex] else 0.0
        if keep_texts:
            res["texts"] = texts[ex]
        result["extractors"][ex] = res
    return result


def print_set(name: str, res: dict) -> None:
    exs = res["extractors"]
    ref = exs.get("trafilatura")
    print(f"\n== {name} ({res['pages']} pages)")
    extra = " word-F1" if name == "extraction-dev-wcxb" else ""
    print(
        f"{'extractor':<12} {'P':>6} {'R':>6} {'F1':>6} {'pages/s':>8} {'F1/traf':>8} "
        f"{'speed/traf':>10}{extra}"
    )
    for ex, r in exs.items():
        f1r = f"{r['f1'] / ref['f1']:.3f}" if ref and ref["f1"] else "-"
        spr = f"{r['pages_per_s'] / ref['pages_per_s']:.2f}" if ref and ref["pages_per_s"] else "-"
        wf = f" {r['word_f1']:.3f}" if "word_f1" in r else ""
        print(
            f"{ex:<12} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} "
            f"{r['pages_per_s']:8.1f} {f1r:>8} {spr:>10}{wf}"
        )
    if "metadata" in res:
        md = res["metadata"]
        print(f"metadata accuracy (pages with gold: {md['n']})")
        for who in ("ours", "trafilatura", "htmldate"):
            cells = "  ".join(f"{f}={v:.3f}" for f, v in md[who].items() if v is not None)
            print(f"  {who:<12} {cells}")


def run_folds(name: str, args: argparse.Namespace, extractors: list[str]) -> dict:
    """Run a set once, then score each by-site fold apart (see ``bench/folds.py``)."""
    pages = load(args.data, name, None, args.half)
    fold_of = folds.assign_folds(pages, args.folds)
    keep = [i for i in range(len(pages)) if not args.only_folds or fold_of[i] in args.only_folds]
    if args.limit:
        keep = keep[: args.limit]
    pages = [pages[i] for i in keep]
    fold_of = [fold_of[i] for i in keep]
    if args.metadata_only:  # no text extraction: the metadata table alone
        extractors = []
        res: dict = {"pages": len(pages), "extractors": {}}
    else:
        res = run_set(name, pages, extractors, per_page=args.json is not None, keep_texts=True)
        print_set(name, res)
    checks = (
        [metadata_checks(p) for p in pages]
        if name == "extraction-dev-wcxb" and not args.no_metadata
        else None
    )
    table: dict = {"folds": {}, "summary": {}}
    for f in sorted(set(fold_of)):
        idx = [i for i, x in enumerate(fold_of) if x == f]
        sub = [pages[i] for i in idx]
        table["folds"][f] = {
            "pages": len(idx),
            "sites": len({folds.site_of(p) for p in sub}),
            "f1": {
                ex: score_set(name, sub, [res["extractors"][ex]["texts"][i] for i in idx])["f1"]
                for ex in extractors
            },
        }
        if checks:
            md = metadata_scores(sub, [checks[i] for i in idx])
            table["folds"][f]["metadata"] = {k: md[k] for k in ("ours", "trafilatura", "htmldate")}
    for ex in extractors:
        table["summary"][ex] = folds.summary([row["f1"][ex] for row in table["folds"].values()])
    if checks:
        per_fold = {f: row.pop("metadata") for f, row in table["folds"].items()}
        table["metadata"] = {
            "folds": per_fold,
            "summary": {
                who: {
                    field: folds.summary([m[who].get(field) or 0.0 for m in per_fold.values()])
                    for field in ("title", "author", "date")
                    if who != "htmldate" or field == "date"
                }
                for who in ("ours", "trafilatura", "htmldate")
            },
        }
    folds.print_folds(name, table, extractors)
    for ex in extractors:
        res["extractors"][ex].pop("texts")
    res["folds"] = table
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--data",
        type=Path,
        default=REPO.parent / "shared" / "data",
        help="folder holding the data sets (default: ../shared/data from the repo)",
    )
    ap.add_argument(
        "--set",
        dest="sets",
        action="append",
        choices=SETS,
        help="data set to run (repeatable; default: all three)",
    )
    ap.add_argument("--limit", type=int, default=None, help="first N pages of each set")
    ap.add_argument(
        "--extractor",
        dest="extractors",
        action="append",
        choices=EXTRACTORS,
        help="extractor to run (repeatable; default: all four)",
    )
    ap.add_argument("--no-metadata", action="store_true", help="skip the metadata comparison")
    ap.add_argument(
        "--metadata-only",
        action="store_true",
        help="only the metadata comparison (extraction-dev-wcxb): no text extraction, no F1",
    )
    ap.add_argument(
        "--half", choices=("odd", "even"), help="only the pages at odd (or even) positions of the sorted ids"
    )
    ap.add_argument("--json", type=Path, help="also write the figures (and per-page P/R) to this JSON file")
    ap.add_argument(
        "--folds",
        type=int,
        metavar="K",
        help="cross-validate by site: K folds of whole registered domains, F1 per fold, mean and spread "
        "(default extractors: ours and trafilatura)",
    )
    ap.add_argument(
        "--fold",
        dest="only_folds",
        type=int,
        action="append",
        metavar="N",
        help="with --folds: run only fold N (repeatable; tune on four, look at the fifth last)",
    )
    args = ap.parse_args(argv)
    if args.only_folds and not args.folds:
        ap.error("--fold needs --folds K")
    if args.metadata_only and args.no_metadata:
        ap.error("--metadata-only and --no-metadata exclude each other")
    warnings.filterwarnings("ignore")
    import logging

    logging.disable(logging.CRITICAL)
    extractors = args.extractors or (["ours", "trafilatura"] if args.folds else list(EXTRACTORS))
    out = {}
    sets = args.sets or (["extraction-dev-wcxb"] if args.metadata_only else SETS)
    for name in sets:
        if args.metadata_only and name != "extraction-dev-wcxb":
            continue  # only this set has gold metadata
        if args.folds:
            res = run_folds(name, args, extractors)
        else:
            pages = load(args.data, name, args.limit, args.half)
            if args.metadata_only:
                res = {"pages": len(pages), "extractors": {}}
            else:
                res = run_set(name, pages, extractors, per_page=args.json is not None)
            if name == "extraction-dev-wcxb" and not args.no_metadata:
                res["metadata"] = metadata_scores(pages)
            print_set(name, res)
        out[name] = res
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
