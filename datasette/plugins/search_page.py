"""``/-/search``: full-text search with snippets, facets, date filters and sorting.

The SQL is :mod:`archiver.serve.search`; this view runs it on the archive
database, turns the snippet markers into ``<mark>`` (after escaping the
text) and renders ``templates/search.html``. Facets that take too long are
left out rather than slowing the page (``FACET_TIME_LIMIT_MS``); on an immutable
archive every answer is cached, and the unfiltered facets are counted at startup.
"""

from __future__ import annotations

import asyncio
import dataclasses
from html import escape
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils.asgi import Response
from markupsafe import Markup

from archiver.serve.search import (
    AUTHOR_ROWIDS_SQL,
    FACETS,
    FTS_COUNT_SQL,
    MARK_END,
    MARK_START,
    MAX_PAGE,
    PAGE_SIZE,
    Plan,
    SearchForm,
    author_params,
    count_sql,
    facet_sql,
    search_sql,
    snippets_sql,
)
from archiver.serve.site import archive_database, cached_rows, not_found
from archiver.store.columns import json_list

#: Longest a facet may count before it is left out (facets run side by side).
FACET_TIME_LIMIT_MS = 90
FACET_VALUES = 10
SEARCH_TIME_LIMIT_MS = 2000
#: Ranking by relevance that takes longer falls back to newest first (a word in most articles).
RANK_TIME_LIMIT_MS = 120


def highlight(snippet: str | None) -> Markup:
    """Escaped snippet text with the FTS match markers turned into ``<mark>`` elements."""
    text = escape(snippet or "")
    return Markup(text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


async def _facets(db, form: SearchForm, plan: Plan, *, time_limit_ms: int | None) -> list[dict]:
    """Counts by each facet within the results, run side by side on Datasette's SQL threads.

    A facet that takes longer than ``time_limit_ms`` is shown as not counted
    (a common word over a large archive), so the page stays fast.
    """

    async def one(name: str, label: str) -> dict:
        sql, fparams = facet_sql(form, plan, name)
        selected = getattr(form, name)
        facet = {
            "name": name,
            "label": label,
            "timed_out": False,
            "selected": selected,
            "values": [],
            "clear_url": "?" + urlencode(form.params(**{name: ""})),
        }
        try:
            if not plan.countable:
                raise QueryInterrupted(None, sql, fparams)
            values = await cached_rows(db, sql, fparams, time_limit_ms=time_limit_ms)
        except QueryInterrupted:
            facet["timed_out"] = True
            return facet
        facet["values"] = [
            {
                "value": v["value"],
                "count": v["n"],
                "selected": v["value"] == selected,
                "url": "?" + urlencode(form.params(**{name: v["value"]})),
            }
            for v in values
            if v["value"] not in (None, "")
        ][:FACET_VALUES]
        return facet

    return list(await asyncio.gather(*(one(name, label) for name, (label, _expr) in FACETS.items())))


async def _plan(db, form: SearchForm) -> Plan:
    """The two cheap lookups a search starts with: how many rows match the words, which rows the author has."""
    plan = Plan()
    if form.match:
        rows = await cached_rows(db, FTS_COUNT_SQL, {"match": form.match}, time_limit_ms=SEARCH_TIME_LIMIT_MS)
        plan.fts_matches = rows[0]["count(*)"]
    if form.author:
        rows = await cached_rows(
            db, AUTHOR_ROWIDS_SQL, author_params(form), time_limit_ms=SEARCH_TIME_LIMIT_MS
        )
        plan.author_rowids = [r["rowid"] for r in rows]
    return plan


async def search_view(datasette, request):
    db = await archive_database(datasette)
    if db is None:
        return await not_found(
            datasette, request, "This Datasette serves no archive database (no articles table)."
        )
    form = SearchForm.from_args(request.args)
    error = None
    try:
        plan = await _plan(db, form)
    except QueryInterrupted:
        form, plan = SearchForm(), Plan()  # an empty search page, with the reason
        error = "The search took too long; add words or filters to narrow it."

    async def total() -> int:
        counting = count_sql(form, plan)
        if counting is None:
            return plan.fts_matches
        return (await cached_rows(db, *counting, time_limit_ms=SEARCH_TIME_LIMIT_MS))[0]["count(*)"]

    async def page_rows() -> tuple[list[dict], str | None]:
        note = None
        if form.match and form.sort == "relevance" and not plan.rankable:
            note = (
                f"{plan.fts_matches:,} matches are too many to rank by relevance; showing the newest first."
            )
        try:
            rows = await cached_rows(db, *search_sql(form, plan), time_limit_ms=RANK_TIME_LIMIT_MS)
        except QueryInterrupted:  # too many matches to rank in time: newest first instead, and say so
            note = "Too many matches to rank by relevance quickly; showing the newest first."
            form_by_date = dataclasses.replace(form, sort="newest")
            rows = await cached_rows(db, *search_sql(form_by_date, plan), time_limit_ms=SEARCH_TIME_LIMIT_MS)
        if form.match and rows and (form.sort != "relevance" or note):  # date plans have no FTS snippet
            snippets = await cached_rows(db, snippets_sql([r["rowid"] for r in rows]), {"match": form.match})
            by_rowid = {s["rowid"]: s["snippet"] for s in snippets}
            rows = [{**r, "snippet": by_rowid.get(r["rowid"], r["snippet"])} for r in rows]
        return rows, note

    counted, found, facets = await asyncio.gather(
        total(),
        page_rows(),
        _facets(db, form, plan, time_limit_ms=FACET_TIME_LIMIT_MS),
        return_exceptions=True,
    )
    for outcome in (counted, found, facets):
        if isinstance(outcome, BaseException) and not isinstance(outcome, QueryInterrupted):
            raise outcome
    if any(isinstance(o, QueryInterrupted) for o in (counted, found)):
        error = "The search took too long; add words or filters to narrow it."
    total_count = counted if isinstance(counted, int) else 0
    rows, note = found if isinstance(found, tuple) else ([], None)
    facets = facets if isinstance(facets, list) else []
    rows = [dict(r) for r in rows]
    for row in rows:
        row["snippet_html"] = highlight(row["snippet"])
        row["author_list"] = json_list(row["authors"])
        row["url_in_archive"] = datasette.urls.row(db.name, "articles", row["id"])
    pages = (total_count + PAGE_SIZE - 1) // PAGE_SIZE
    context = {
        "form": form,
        "rows": rows,
        "total": total_count,
        "facets": facets,
        "error": error,
        "note": note,
        "database": db.name,
        "sort_urls": {s: "?" + urlencode(form.params(sort=s)) for s in ("relevance", "newest", "oldest")},
        "prev_url": "?" + urlencode(form.params(page=form.page - 1)) if form.page > 1 else None,
        "next_url": "?" + urlencode(form.params(page=form.page + 1))
        if form.page < min(pages, MAX_PAGE)
        else None,
        "first_result": (form.page - 1) * PAGE_SIZE + 1,
    }
    return Response.html(await datasette.render_template("search.html", context, request=request))


@hookimpl
def startup(datasette):
    """Count the unfiltered facets once at startup, so the search page opens fast on a big immutable archive."""

    async def warm():
        db = await archive_database(datasette)
        if db is not None and not db.is_mutable:
            await _facets(db, SearchForm(), Plan(), time_limit_ms=None)

    return warm


@hookimpl
def register_routes():
    return [(r"^/-/search\Z", search_view)]
