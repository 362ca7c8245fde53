"""The outlet page's crawl-health charts: what each crawl found, over time (``crawl_stats``).

Two charts of the last :data:`CRAWLS` crawls of an outlet, drawn with
:func:`archiver.ui.charts.stacked_bars_svg`: new and changed articles per
crawl, and fetch errors, walls and drift alarms per crawl. An archive written
before crawl health existed has no ``crawl_stats`` table: no charts, no error.
"""

from __future__ import annotations

import json
from typing import Any

from archiver.serve.charts import stacked_bars_svg

__all__ = ["CRAWLS", "HEALTH_SQL", "crawl_health_charts"]

#: Crawls drawn at most (the newest).
CRAWLS = 60
HEALTH_SQL = (
    "select crawl_id, finished_at, pages, articles_new, articles_changed, errors, walls, drift_alarms, problems "
    "from crawl_stats where outlet = :name order by finished_at desc limit :crawls"
)
ARTICLE_COLORS = {"new": "#0072B2", "changed": "#E69F00"}
TROUBLE_COLORS = {"fetch errors": "#D55E00", "walls": "#CC79A7", "drift alarms": "#000000"}


def crawl_health_charts(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """SVG charts and the last crawl's problems from ``crawl_stats`` rows (newest first).

    ``{}`` (no crawl-health section) for an outlet with no such row: its articles came
    by ``ingest``, or before crawls were recorded.
    """
    if not rows:
        return {}
    rows = sorted(rows, key=lambda r: r["finished_at"] or "")
    labels = [(r["finished_at"] or "")[:16].replace("T", " ") for r in rows]
    articles = stacked_bars_svg(
        labels,
        {
            "new": [r["articles_new"] or 0 for r in rows],
            "changed": [r["articles_changed"] or 0 for r in rows],
        },
        title=f"New and changed articles per crawl, {name}",
        colors=ARTICLE_COLORS,
    )
    trouble = stacked_bars_svg(
        labels,
        {
            "fetch errors": [r["errors"] or 0 for r in rows],
            "walls": [r["walls"] or 0 for r in rows],
            "drift alarms": [r["drift_alarms"] or 0 for r in rows],
        },
        title=f"Fetch errors, walls and drift alarms per crawl, {name}",
        colors=TROUBLE_COLORS,
    )
    last = rows[-1]
    problems = [f"{p['kind']}: {p['message']}" for p in json.loads(last["problems"] or "[]")]
    return {
        "crawls_chart": articles,
        "trouble_chart": trouble,
        "crawl_count": len(rows),
        "last_crawl": last,
        "last_problems": problems,
    }
