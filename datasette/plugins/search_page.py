"""``/-/search``: full-text search with snippets, facets, date filters and sorting.

The SQL is :mod:`archiver.serve.search`, bounded at any archive size: one
candidates query (the first 1,000 results in page order), one page of rows,
the count from counters, the FTS5 matches or the candidates themselves, and facets from the summary table
(whole archive) or over the candidates (labelled). This view runs it, turns
the snippet markers into ``<mark>`` (after escaping the text) and renders
``templates/search.html``.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from datasette.database import QueryInterrupted
from datasette.utils.asgi import Response
from markupsafe import Markup

from archiver.serve import search
from archiver.serve.search import (
    ARCHIVE_FACET_SQL,
    FACETS,
    MARK_END,
    MARK_START,
    MAX_PAGE,
    PAGE_SIZE,
    Plan,
    SearchForm,
    Total,
    candidates_sql,
    count_facets,
    facet_rows_sql,
    fts_count_sql,
    page_sql,
    snippets_sql,
    total_sql,
)
from archiver.serve.site import archive_database, cached_rows, not_found
from archiver.store.columns import json_list
from datasette import hookimpl

FACET_VALUES = 10
SEARCH_TIME_LIMIT_MS = 2000


def highlight(snippet: str | None) -> Markup:
    """Escaped snippet text with the FTS match markers turned into ``<mark>`` elements."""
    text = escape(snippet or "")
    return Markup(text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


async def _archive_facets(db) -> dict[str, list[tuple[str, int]]]:
    """Top values of each facet over the whole archive, from the summary table ``article_facets``."""
    out = {}
    for name in FACETS:
        rows = await cached_rows(db, ARCHIVE_FACET_SQL, {"facet": name, "limit": FACET_VALUES})
        out[name] = [(r["value"], r["n"]) for r in rows]
    return out


def _facet_blocks(form: SearchForm, counted: dict[str, list[tuple[str, int]]]) -> list[dict]:
    blocks = []
    for name, (label, _expr) in FACETS.items():
        selected = getattr(form, name)
        blocks.append(
            {
                "name": name,
                "label": label,
                "selected": selected,
                "values": [
                    {
                        "value": value,
                        "count": n,
                        "selected": value == selected,
                        "url": "?" + urlencode(form.params(**{name: value})),
                    }
                    for value, n in counted.get(name, [])
                ][:FACET_VALUES],
                "clear_url": "?" + urlencode(form.params(**{name: ""})),
            }
        )
    return blocks


async def _total(db, form: SearchForm, plan: Plan, candidates: int) -> Total:
    found = total_sql(form, plan)
    if found is None and not form.match:  # the candidates hold every result, or the first SAMPLE
        return Total(search.SAMPLE, "more than") if candidates >= search.SAMPLE else Total(candidates)
    if found is None:
        return Total(search.MATCH_LIMIT, "more than") if plan.many else Total(plan.fts_matches)
    sql, params, how = found
    rows = await cached_rows(db, sql, params, time_limit_ms=SEARCH_TIME_LIMIT_MS)
    return Total.counted(int(rows[0]["n"] or 0) if rows else 0, how)


async def search_view(datasette, request):
    db = await archive_database(datasette)
    if db is None:
        return await not_found(
            datasette, request, "This Datasette serves no archive database (no articles table)."
        )
    form = SearchForm.from_args(request.args)
    error = note = None
    plan = Plan()
    try:
        if form.match:
            rows = await cached_rows(
                db, fts_count_sql(), {"match": form.match}, time_limit_ms=SEARCH_TIME_LIMIT_MS
            )
            plan.fts_matches = rows[0]["n"]
        candidates = await cached_rows(db, *candidates_sql(form, plan), time_limit_ms=SEARCH_TIME_LIMIT_MS)
        total = await _total(db, form, plan, len(candidates))
    except QueryInterrupted:
        error = "The search took too long; add words or filters to narrow it."
        candidates, total = [], Total(0)
    if plan.many:
        note = (
            f"More than {search.MATCH_LIMIT:,} articles match: showing the newest among the {search.MATCH_LIMIT:,} most "
            "recently archived matches"
            + (" (too many to rank by relevance)." if form.sort == "relevance" else ".")
        )
    offset = (form.page - 1) * PAGE_SIZE
    page_ids = [r["rowid"] for r in candidates[offset : offset + PAGE_SIZE]]
    rows: list[dict] = []
    if page_ids:
        by_rowid = {r["rowid"]: dict(r) for r in await cached_rows(db, page_sql(page_ids), {})}
        rows = [by_rowid[i] for i in page_ids if i in by_rowid]
        if form.match:
            snippets = await cached_rows(db, snippets_sql(page_ids), {"match": form.match})
            marked = {s["rowid"]: s["snippet"] for s in snippets}
            rows = [{**r, "snippet": marked.get(r["rowid"], r["snippet"])} for r in rows]
    whole_archive = not form.match and not filters_chosen(form)
    if whole_archive:
        counted = await _archive_facets(db)
    else:
        sample = candidates[: search.FACET_SAMPLE]
        if sample and "outlet" not in sample[0]:  # rowids only (an author's index): read their facet columns
            sample = await cached_rows(db, facet_rows_sql([r["rowid"] for r in sample]), {})
        counted = count_facets(sample, limit=FACET_VALUES)
    sampled = not whole_archive and len(candidates) > search.FACET_SAMPLE
    for row in rows:
        row["snippet_html"] = highlight(row["snippet"])
        row["author_list"] = json_list(row["authors"])
        row["url_in_archive"] = datasette.urls.row(db.name, "articles", row["id"])
    reachable = min(len(candidates), search.SAMPLE)
    pages = (reachable + PAGE_SIZE - 1) // PAGE_SIZE
    context = {
        "form": form,
        "rows": rows,
        "total": total.n,
        "total_text": str(total),
        "facets": _facet_blocks(form, counted),
        "facets_note": f"Counted over the first {search.FACET_SAMPLE:,} results." if sampled else None,
        "error": error,
        "note": note,
        "database": db.name,
        "sort_urls": {s: "?" + urlencode(form.params(sort=s)) for s in ("relevance", "newest", "oldest")},
        "prev_url": "?" + urlencode(form.params(page=form.page - 1)) if form.page > 1 else None,
        "next_url": "?" + urlencode(form.params(page=form.page + 1))
        if form.page < min(pages, MAX_PAGE)
        else None,
        "first_result": offset + 1,
    }
    return Response.html(await datasette.render_template("search.html", context, request=request))


def filters_chosen(form: SearchForm) -> bool:
    """Whether any filter (not words, not sort) narrows the search."""
    return any(getattr(form, k) for k in (*FACETS, "since", "until"))


@hookimpl
def startup(datasette):
    """Count the unfiltered facets once at startup, so the search page opens fast on a big immutable archive."""

    async def warm():
        db = await archive_database(datasette)
        if db is not None and not db.is_mutable:
            await _archive_facets(db)

    return warm


@hookimpl
def register_routes():
    return [(r"^/-/search\Z", search_view)]
