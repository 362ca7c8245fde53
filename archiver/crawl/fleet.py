"""Many outlets in one run: which to crawl, and one summary row per outlet.

``archiver crawl --all`` (or several names or files) crawls the outlets
together in one process (``spiders/fleet.py`` runs them). This module is the
framework-free part: :func:`resolve` turns the command line into one
:class:`OutletRun` per outlet, a bad file becoming a run that failed before it
started (the others go on), and :func:`summary_lines` prints the table an
archivist reads at the end.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from archiver.tools.health import Problem, crawl_problems
from archiver.outlets import Outlet, OutletError, available_outlets, load_outlet

__all__ = ["OutletRun", "resolve", "summary_json", "summary_lines"]


@dataclasses.dataclass
class OutletRun:
    """One outlet of a many-outlet run: its definition, or why it could not start, then its stats."""

    name: str
    outlet: Outlet | None = None
    error: str | None = None
    stats: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        if self.error:
            return [Problem("failed", self.error)]
        if not self.stats:
            return [Problem("failed", "the crawl did not start (see the log above)")]
        return crawl_problems(self.stats)

    @property
    def ok(self) -> bool:
        return not any(p.kind == "failed" for p in self.problems)


def resolve(
    names: Iterable[str], *, all_outlets: bool = False, dirs: list[Path] | None = None
) -> list[OutletRun]:
    """One run per outlet named (a name or a .toml path), or per outlet file found with ``all_outlets``.

    A file that does not load is a failed run with the loader's message (it
    names the file, the key and the fix); two files naming the same outlet
    keep the first, the second fails (they would share a WARC prefix and state).
    """
    wanted = list(names)
    if all_outlets:
        found = available_outlets(dirs)
        wanted += [n for n in found if n not in wanted]
    runs: list[OutletRun] = []
    taken: set[str] = set()
    for name in wanted:
        try:
            outlet = load_outlet(name, dirs=dirs)
        except OutletError as exc:
            runs.append(OutletRun(name=Path(name).stem, error=str(exc)))
            continue
        if outlet.name in taken:
            runs.append(
                OutletRun(name=outlet.name, error=f"{name}: outlet {outlet.name!r} is already in this run")
            )
            continue
        taken.add(outlet.name)
        runs.append(OutletRun(name=outlet.name, outlet=outlet))
    return runs


def _seconds(stats: dict[str, Any]) -> float:
    return round(float(stats.get("elapsed_time_seconds") or 0.0), 1)


def _row(run: OutletRun) -> dict[str, Any]:
    s = run.stats
    problems = run.problems
    return {
        "outlet": run.name,
        "pages": s.get("response_received_count", 0),
        "new": s.get("archiver/articles/new", 0),
        "changed": s.get("archiver/articles/changed", 0),
        "errors": s.get("archiver/fetch/failed", 0),
        "seconds": _seconds(s),
        "result": "failed" if any(p.kind == "failed" for p in problems) else "ok",
        "problems": "; ".join(f"{p.kind}: {p.message}" for p in problems),
    }


def summary_lines(runs: list[OutletRun]) -> list[str]:
    """The end-of-run table: one row per outlet, then the totals."""
    rows = [_row(r) for r in runs]
    head = f"{'outlet':<20} {'pages':>7} {'new':>6} {'changed':>7} {'errors':>6} {'seconds':>8}  result"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['outlet'][:20]:<20} {r['pages']:>7} {r['new']:>6} {r['changed']:>7} {r['errors']:>6} "
            f"{r['seconds']:>8}  {r['result']}" + (f" ({r['problems']})" if r["problems"] else "")
        )
    failed = sum(1 for r in rows if r["result"] == "failed")
    lines.append(
        f"{len(rows)} outlets, {failed} failed; {sum(r['pages'] for r in rows)} pages, "
        f"{sum(r['new'] for r in rows)} new and {sum(r['changed'] for r in rows)} changed articles"
    )
    return lines


def summary_json(runs: list[OutletRun]) -> list[dict[str, Any]]:
    """The same rows for ``--json-log`` (one JSON object per outlet)."""
    return [_row(r) for r in runs]
