"""Where recall is lost against trafilatura, grouped by the rule that cut the text.

For every page where trafilatura keeps gold text that we drop, the dropped text
is matched to the cleaner's decisions (``archiver.clean.explain``): the element
or line a rule cut, or ``not-chosen`` when the text sat outside the chosen body.
Prints the worst pages and a table of rules by pages and shingles lost::

    python bench/recall_loss.py --data ../shared/data --folds 5 --fold 1 --fold 2 --top 20
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import extraction as bench  # noqa: E402
import folds  # noqa: E402


def _gold_bags(name: str, page: dict) -> list[Counter]:
    """What the page should keep: gold body shingles, or each "with" snippet's shingles."""
    if name == "extraction-dev-trafilatura":
        return [bench.shingles(s) for s in page["with"]]
    return [bench.shingles(page["gold"])]


def _lost(name: str, page: dict, ours: str, traf: str) -> Counter:
    """Gold shingles trafilatura kept and we did not."""
    o, t = bench.shingles(ours), bench.shingles(traf)
    lost: Counter = Counter()
    for g in _gold_bags(name, page):
        lost += (g & t) - o
    return lost


def _blame(lost: Counter, decisions: list) -> Counter:
    """Shingles lost per rule: each lost shingle goes to the first decision whose text holds it."""
    by_rule: Counter = Counter()
    left = Counter(lost)
    for d in decisions:
        if d.rule.startswith("body:"):
            continue
        hit = bench.shingles(d.full) & left
        if hit:
            by_rule[d.rule] += sum(hit.values())
            left -= hit
    if left:
        by_rule["not-chosen"] += sum(left.values())
    return by_rule


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=bench.REPO.parent / "shared" / "data")
    ap.add_argument("--set", dest="sets", action="append", choices=bench.SETS)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--fold", dest="only", type=int, action="append", help="folds to look at (default: all)")
    ap.add_argument("--top", type=int, default=15, help="worst pages to list per set")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    import logging

    logging.disable(logging.CRITICAL)
    from archiver.clean._extract import _decision, _run

    traf = bench.FACTORIES["trafilatura"]()
    for name in args.sets or bench.SETS:
        pages = bench.load(args.data, name, None)
        fold_of = folds.assign_folds(pages, args.folds)
        pages = [p for p, f in zip(pages, fold_of) if not args.only or f in args.only]
        rules: Counter = Counter()
        rule_pages: dict[str, set] = defaultdict(set)
        worst = []
        for page in pages:
            trace: list = []
            art = _run(page["html"], page["url"], (), (), trace)
            lost = _lost(name, page, art.text, traf(page["html"], page["url"]) or "")
            if not lost:
                continue
            decisions = []
            for rule, what in trace:
                d = _decision(rule, what)
                d.full = what.text if hasattr(what, "kind") else bench.norm_ws(" ".join(what.itertext()))
                decisions.append(d)
            blame = _blame(lost, decisions)
            for r, n in blame.items():
                rules[r] += n
                rule_pages[r].add(page["id"])
            worst.append((sum(lost.values()), page["id"], page["url"], blame.most_common(3)))
        print(f"\n== {name}: {len(pages)} pages, {len(worst)} lose text trafilatura keeps")
        print(f"{'rule':<34} {'pages':>5} {'shingles':>9}")
        for r, n in rules.most_common():
            print(f"{r:<34} {len(rule_pages[r]):>5} {n:>9}")
        print("worst pages (shingles lost: rules)")
        for n, pid, url, blame in sorted(worst, reverse=True)[: args.top]:
            print(f"  {n:>6} {pid[:40]:<40} {', '.join(f'{r}={k}' for r, k in blame)}  {url[:60]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
