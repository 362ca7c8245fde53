"""Cross-validation by site for the extraction benchmark (``bench/extraction.py --folds K``).

Pages are grouped by registered domain (``news.example.co.uk`` and
``www.example.co.uk`` are one site), and whole sites are dealt into K folds, so
no site is in two folds: a fold's figure predicts pages of sites the rules were
not tuned on. Deal order is a hash of the domain (stable across runs and
machines), biggest sites first, each into the fold with fewest pages.

Tune on K-1 folds (``--fold 1 --fold 2 ...``), look at the held-out one last.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from urllib.parse import urlsplit


_GENERIC = frozenset({"com", "org", "net", "edu", "gov", "info", "news", "int", "mil", "biz", "io"})


def _tld_module_present() -> bool:
    try:
        import tld  # noqa: F401
    except ImportError:
        return False
    return True


_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go", "gv", "nic"})


def registered_domain(url: str, strict: bool = False) -> str | None:
    """``example.co.uk`` for ``https://news.example.co.uk/x`` (public suffix list via ``tld``).

    ``strict``: None unless the host ends in a known public suffix."""
    host = urlsplit(url).hostname if "://" in url else None
    if not host:
        return None
    try:
        from tld import get_fld

        fld = get_fld(f"http://{host}/", fail_silently=True)
    except ImportError:  # tld comes with trafilatura (the bench extra); fall back to two labels
        fld = None
    labels = host.split(".")
    if fld or (strict and _tld_module_present()):
        return fld
    if strict and not (
        len(labels) >= 2 and labels[-1].isalpha() and (len(labels[-1]) == 2 or labels[-1] in _GENERIC)
    ):
        return None
    # without the public suffix list: a two-letter country code under a generic second level
    # (co.uk, com.au, ne.jp) takes three labels
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def site_of(page: dict) -> str:
    """The page's site: the registered domain of its URL, else the domain its file is named after."""
    site = registered_domain(page.get("url") or "")
    if site:
        return site
    labels = re.split(r"[-_/]", str(page.get("key") or page["id"]).split("::")[-1])[0].split(".")
    for end in range(len(labels), 1, -1):  # "example.com.2023.01.story.html": longest real domain
        site = registered_domain("http://" + ".".join(labels[:end]) + "/", strict=True)
        if site:
            return site
    return "id:" + str(page["id"])  # nothing says its site: a site of its own


def assign_folds(pages: list[dict], k: int) -> list[int]:
    """Fold number (1..k) for each page, whole sites per fold, sizes balanced."""
    sites: dict[str, list[int]] = {}
    for i, page in enumerate(pages):
        sites.setdefault(site_of(page), []).append(i)
    order = sorted(sites, key=lambda s: (-len(sites[s]), hashlib.sha1(s.encode()).hexdigest()))
    sizes = [0] * k
    fold = [0] * len(pages)
    for s in order:
        f = min(range(k), key=lambda j: (sizes[j], j))
        sizes[f] += len(sites[s])
        for i in sites[s]:
            fold[i] = f + 1
    return fold


def summary(values: list[float]) -> tuple[float, float]:
    """Mean and spread (population standard deviation) of per-fold figures."""
    if not values:
        return 0.0, 0.0
    return statistics.fmean(values), statistics.pstdev(values) if len(values) > 1 else 0.0


def print_folds(name: str, table: dict, extractors: list[str]) -> None:
    """Per-fold F1 of every extractor side by side, then the mean and the spread."""
    folds = sorted(table["folds"])
    print(f"\n== {name}: by-site folds (no site in two folds)")
    if extractors:  # none with --metadata-only
        head = f"{'fold':<6} {'pages':>5} {'sites':>5} " + " ".join(f"{ex:>12}" for ex in extractors)
        if "trafilatura" in extractors and "ours" in extractors:
            head += f" {'ours-traf':>10}"
        print(head)
        for f in folds:
            row = table["folds"][f]
            line = f"{f:<6} {row['pages']:>5} {row['sites']:>5} " + " ".join(
                f"{row['f1'][ex]:>12.3f}" for ex in extractors
            )
            if "trafilatura" in extractors and "ours" in extractors:
                line += f" {row['f1']['ours'] - row['f1']['trafilatura']:>+10.3f}"
            print(line)
        for label, idx in (("mean", 0), ("spread", 1)):
            cells = " ".join(f"{table['summary'][ex][idx]:>12.3f}" for ex in extractors)
            print(f"{label:<6} {'':>5} {'':>5} {cells}")
    if "metadata" in table:
        md = table["metadata"]
        print("metadata accuracy by fold (ours; trafilatura in brackets)")
        for field in ("title", "author", "date"):
            cells = "  ".join(
                f"{md['folds'][f]['ours'].get(field, 0):.3f}({md['folds'][f]['trafilatura'].get(field, 0):.3f})"
                for f in folds
            )
            m_ours, s_ours = md["summary"]["ours"][field]
            m_traf = md["summary"]["trafilatura"][field][0]
            print(f"  {field:<7} {cells}   mean {m_ours:.3f} ± {s_ours:.3f} (trafilatura {m_traf:.3f})")
        if "htmldate" in md["summary"]:
            m_hd, s_hd = md["summary"]["htmldate"]["date"]
            print(f"  date by htmldate (original_date=True): mean {m_hd:.3f} ± {s_hd:.3f}")
