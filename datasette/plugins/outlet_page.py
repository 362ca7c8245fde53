"""Outlet pages: ``/-/outlets`` lists the outlets, ``/-/outlet/<name>`` charts one.

Two server-side SVG charts (:func:`archiver.serve.charts.stacked_bars_svg`):
articles per day, and captures per day by HTTP status class. The last
``DAYS`` days with data are drawn, so a years-long archive stays readable.
Counts and charts read the summary tables the store keeps at write time
(:mod:`archiver.store.summaries`), first and last dates one end of the
``outlet, published`` index: no query grows with the archive.
"""

from __future__ import annotations

from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup

from archiver.serve.charts import stacked_bars_svg
from archiver.serve.crawl_charts import CRAWLS, HEALTH_SQL, crawl_health_charts
from archiver.serve.site import archive_database, cached_rows, not_found

DAYS = 120
STATUS_COLORS = {"2xx": "#009E73", "3xx": "#0072B2", "4xx": "#E69F00", "5xx": "#D55E00", "other": "#999999"}


#: Every outlet with its article count (summary table) and newest article (end of an index).
OUTLETS_SQL = (
    "select o.outlet, o.articles, (select max(published) from articles where outlet = o.outlet) as latest "
    "from outlet_counts o where o.outlet != '' and o.articles > 0 order by o.outlet"
)
#: One outlet's counts and first and last publication dates.
OUTLET_SQL = (
    "select coalesce((select articles from outlet_counts where outlet = :name), 0) as n, "
    "coalesce((select captures from outlet_counts where outlet = :name), 0) as captures, "
    "(select min(published) from articles where outlet = :name) as first, "
    "(select max(published) from articles where outlet = :name) as last"
)
ARTICLE_DAYS_SQL = (
    "select day, n from article_days where outlet = :name and n > 0 order by day desc limit :days"
)
#: Captures per day and status over the outlet's last :days days with captures.
CAPTURE_DAYS_SQL = (
    "with days as (select distinct day from capture_days where outlet = :name and n > 0 "
    "order by day desc limit :days) "
    "select day, status, n from capture_days where outlet = :name and n > 0 "
    "and day >= (select min(day) from days)"
)


def _status_class(status: int | None) -> str:
    return f"{status // 100}xx" if status and 200 <= status < 600 else "other"


async def outlets_view(datasette, request):
    db = await archive_database(datasette)
    if db is None:
        return await not_found(
            datasette, request, "This Datasette serves no archive database (no articles table)."
        )
    rows = await cached_rows(
        db,
        OUTLETS_SQL,
        {},
    )
    context = {"outlets": rows, "database": db.name}
    return Response.html(await datasette.render_template("outlets.html", context, request=request))


async def outlet_view(datasette, request):
    db = await archive_database(datasette)
    name = request.url_vars["name"]
    if db is None:
        return await not_found(
            datasette, request, "This Datasette serves no archive database (no articles table)."
        )
    articles = (await cached_rows(db, OUTLET_SQL, {"name": name}))[0]
    captures_total = articles["captures"]
    if not articles["n"] and not captures_total:
        return await not_found(datasette, request, f"No outlet {name!r} in this archive.")
    per_day = await cached_rows(db, ARTICLE_DAYS_SQL, {"name": name, "days": DAYS})
    days = sorted(r["day"] for r in per_day)
    counts = {r["day"]: r["n"] for r in per_day}
    articles_svg = stacked_bars_svg(
        days, {"articles": [counts[d] for d in days]}, title=f"Articles per day, {name}"
    )
    status_rows = await cached_rows(db, CAPTURE_DAYS_SQL, {"name": name, "days": DAYS})
    cap_days = sorted({r["day"] for r in status_rows})[-DAYS:]
    status_rows = [r for r in status_rows if r["day"] >= (cap_days[0] if cap_days else "")]
    classes: dict[str, dict[str, int]] = {c: {} for c in STATUS_COLORS}
    for r in status_rows:
        bucket = classes[_status_class(r["status"])]
        bucket[r["day"]] = bucket.get(r["day"], 0) + r["n"]
    series = {c: [classes[c].get(d, 0) for d in cap_days] for c in STATUS_COLORS if classes[c]}
    status_svg = stacked_bars_svg(
        cap_days, series, title=f"Captures per day by HTTP status, {name}", colors=STATUS_COLORS
    )
    health: dict = {}
    if await db.table_exists("crawl_stats"):  # crawl health (archiver/tools/health.py), charted per crawl
        health = crawl_health_charts(
            name, await cached_rows(db, HEALTH_SQL, {"name": name, "crawls": CRAWLS})
        )
        for chart in ("crawls_chart", "trouble_chart"):
            if chart in health:  # no crawl of this outlet recorded: no section
                health[chart] = Markup(health[chart])
    context = {
        **health,
        "name": name,
        "database": db.name,
        "article_count": articles["n"],
        "first_published": articles["first"],
        "last_published": articles["last"],
        "capture_count": captures_total,
        "articles_chart": Markup(articles_svg),
        "status_chart": Markup(status_svg),
        "search_url": datasette.urls.path("/-/search") + "?" + urlencode({"outlet": name}),
    }
    return Response.html(await datasette.render_template("outlet.html", context, request=request))


@hookimpl
def register_routes():
    return [
        (r"^/-/outlets\Z", outlets_view),
        (r"^/-/outlet/(?P<name>[^/]+)\Z", outlet_view),
    ]
