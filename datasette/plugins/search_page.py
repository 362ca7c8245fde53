"""``/-/search``: full-text search with snippets, facets, date filters and sorting.

The SQL is :mod:`archiver.ui.search`; this view runs it on the archive
database, turns the snippet markers into ``<mark>`` (after escaping the
text) and renders ``templates/search.html``. A facet that takes too long is
left out rather than slowing the page (``FACET_TIME_LIMIT_MS``).
"""

from __future__ import annotations

import json
from html import escape
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils.asgi import Response
from markupsafe import Markup

from archiver.ui.search import FACETS, MARK_END, MARK_START, PAGE_SIZE, SearchForm, facet_sql, search_sql
from archiver.ui.site import archive_database, not_found

FACET_TIME_LIMIT_MS = 150
SEARCH_TIME_LIMIT_MS = 2000


def highlight(snippet: str | None) -> Markup:
    """Escaped snippet text with the FTS match markers turned into ``<mark>`` elements."""
    text = escape(snippet or "")
    return Markup(text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


async def search_view(datasette, request):
    db = await archive_database(datasette)
    if db is None:
        return await not_found(datasette, request, "This Datasette serves no archive database (no articles table).")
    form = SearchForm.from_args(request.args)
    results_sql, count_sql, params = search_sql(form)
    error = None
    rows: list[dict] = []
    total = 0
    try:
        rows = [dict(r) for r in (await db.execute(results_sql, params, custom_time_limit=SEARCH_TIME_LIMIT_MS)).rows]
        total = (await db.execute(count_sql, params, custom_time_limit=SEARCH_TIME_LIMIT_MS)).single_value()
    except QueryInterrupted:
        error = "The search took too long; add words or filters to narrow it."
    for row in rows:
        row["snippet_html"] = highlight(row["snippet"])
        try:
            row["author_list"] = [str(a) for a in json.loads(row["authors"] or "[]")]
        except ValueError:
            row["author_list"] = []
        row["url_in_archive"] = datasette.urls.row(db.name, "articles", row["id"])
    facets = []
    for name, (label, _expr) in FACETS.items():
        sql, fparams = facet_sql(form, name)
        try:
            values = (await db.execute(sql, fparams, custom_time_limit=FACET_TIME_LIMIT_MS)).rows
        except QueryInterrupted:
            facets.append({"name": name, "label": label, "values": [], "timed_out": True})
            continue
        selected = getattr(form, name)
        facets.append({
            "name": name, "label": label, "timed_out": False, "selected": selected,
            "clear_url": "?" + urlencode(form.params(**{name: ""})),
            "values": [{
                "value": v["value"], "count": v["n"], "selected": v["value"] == selected,
                "url": "?" + urlencode(form.params(**{name: v["value"]})),
            } for v in values],
        })
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    context = {
        "form": form,
        "rows": rows,
        "total": total,
        "facets": facets,
        "error": error,
        "database": db.name,
        "sort_urls": {s: "?" + urlencode(form.params(sort=s)) for s in ("relevance", "newest", "oldest")},
        "prev_url": "?" + urlencode(form.params(page=form.page - 1)) if form.page > 1 else None,
        "next_url": "?" + urlencode(form.params(page=form.page + 1)) if form.page < min(pages, 50) else None,
        "first_result": (form.page - 1) * PAGE_SIZE + 1,
    }
    return Response.html(await datasette.render_template("search.html", context, request=request))


@hookimpl
def register_routes():
    return [(r"^/-/search$", search_view)]
