"""The search page's SQL: FTS5 over title and text, filters, facets and sorting, bounded at any size.

Built as (sql, params) pairs for Datasette's read-only connections. No statement reads a
number of rows that grows with the archive (issue 18): one *candidates* query gives the
first :data:`SAMPLE` results in page order from indexes, FTS5 counts, ranks or sorts at
most :data:`MATCH_LIMIT` matches, counts come from :mod:`archiver.store.summaries` where a
filter allows, and facets of a search are counted over :data:`FACET_SAMPLE` results.
How each bound shows on the page: "The archive in Datasette" in ``docs/architecture.md``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping

PAGE_SIZE = 20
MAX_PAGE = 50
SORTS = ("relevance", "newest", "oldest")
#: Private-use characters marking matches in snippets (escaped HTML is then given <mark> tags).
MARK_START, MARK_END = "\ue000", "\ue001"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"\d{4}-\d{2}")

#: facet name -> (label, SQL expression of one article's value, needs json_each)
FACETS: dict[str, tuple[str, str]] = {
    "outlet": ("Outlet", "a.outlet"),
    "author": ("Author", "j.value"),
    "section": ("Section", "a.section"),
    "language": ("Language", "a.language"),
    "month": ("Publication month", "substr(a.published, 1, 7)"),
}


def fts_query(text: str) -> str:
    """An FTS5 MATCH expression for what a person typed: every word required, "quoted phrases" kept.

    Each term is quoted, so FTS5 syntax characters (``-``, ``:``, ``*``,
    unbalanced quotes) never make a query error; a trailing ``*`` on a word
    stays a prefix search.
    """
    terms = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', text):
        if phrase.strip():
            terms.append('"' + phrase.strip().replace('"', "") + '"')
        elif word:
            prefix = word.endswith("*") and len(word.strip('*"')) > 0
            core = word.replace('"', "").rstrip("*")
            if core:
                terms.append(f'"{core}"' + ("*" if prefix else ""))
    return " ".join(terms)


@dataclasses.dataclass
class SearchForm:
    """The search page's parameters, validated (bad values are dropped, not errors)."""

    q: str = ""
    outlet: str = ""
    author: str = ""
    section: str = ""
    language: str = ""
    month: str = ""
    since: str = ""
    until: str = ""
    sort: str = "relevance"
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> SearchForm:
        def get(key: str) -> str:
            return (args.get(key) or "").strip()[:500]

        try:
            page = min(max(int(get("page") or 1), 1), MAX_PAGE)
        except ValueError:
            page = 1
        return cls(
            q=get("q"),
            outlet=get("outlet"),
            author=get("author"),
            section=get("section"),
            language=get("language"),
            month=get("month") if _MONTH.fullmatch(get("month")) else "",
            since=get("since") if _DAY.fullmatch(get("since")) else "",
            until=get("until") if _DAY.fullmatch(get("until")) else "",
            sort=get("sort") if get("sort") in SORTS else "relevance",
            page=page,
        )

    @property
    def match(self) -> str:
        return fts_query(self.q)

    def params(self, **changes: object) -> dict[str, str]:
        """Non-empty parameters (for links), with ``changes`` applied; page resets unless changed."""
        values = {**dataclasses.asdict(self), "page": 1, **changes}
        return {
            k: str(v)
            for k, v in values.items()
            if v not in ("", None) and not (k == "page" and v == 1) and not (k == "sort" and v == "relevance")
        }


#: Most word matches a search counts, ranks by relevance or sorts by date (FTS5 reads this many rowids).
MATCH_LIMIT = 1000
#: Results a search reads in page order: every page a visitor can reach.
SAMPLE = PAGE_SIZE * MAX_PAGE
#: Facets of a search are counted over its first FACET_SAMPLE results (labelled when there are more).
FACET_SAMPLE = 200
_COLUMNS = (
    "a.rowid as rowid, a.id, a.title, a.outlet, a.published, a.authors, a.section, a.language, a.url, "
    "a.word_count, a.wall, a.partial"
)
_FACET_COLUMNS = "a.rowid as rowid, a.outlet, a.section, a.language, a.published, a.authors"


def fts_count_sql() -> str:
    """SQL counting a search's word matches (``:match``) up to MATCH_LIMIT + 1, as ``n``."""
    return (
        "select count(*) as n from (select rowid from articles_fts where articles_fts match :match "
        f"limit {MATCH_LIMIT + 1})"
    )


ARCHIVE_COUNT_SQL = "select n from archive_counts where name = 'articles'"
FACET_COUNT_SQL = "select n from article_facets where facet = :facet and value = :value"
#: facet name -> the facet's top values over the whole archive, from the summary table (:limit bound).
ARCHIVE_FACET_SQL = "select value, n from article_facets where facet = :facet and n > 0 order by n desc, value desc limit :limit"


@dataclasses.dataclass
class Plan:
    """What the bounded word count told about a search, which picks how its queries run."""

    fts_matches: int = 0  #: rows matching the words, counted up to MATCH_LIMIT + 1

    @property
    def many(self) -> bool:
        """More matches than a page may rank or sort: use the most recently stored ones."""
        return self.fts_matches > MATCH_LIMIT


@dataclasses.dataclass
class Total:
    """How many results a search has: ``n``, with ``qualifier`` "more than" or "at least" when not exact."""

    n: int
    qualifier: str = ""

    def __str__(self) -> str:
        return f"{self.qualifier} {self.n:,}".strip()

    @classmethod
    def counted(cls, n: int, how: str) -> Total:
        """The total of a count made by :func:`total_sql` (``how``: exact or at least)."""
        return cls(n, "at least" if how == "at least" else "")


#: Filters whose index walks a date range in order, the preferred first: the section's and the
#: language's indexes hold every facet column (no table row read), the outlet's holds rowids.
LEAD_ORDER = ("section", "language", "outlet")


def lead_filter(form: SearchForm) -> str:
    """The filter whose index the date walk follows ('' when none of LEAD_ORDER is chosen)."""
    return next((key for key in LEAD_ORDER if getattr(form, key)), "")


def filters(form: SearchForm, *, author: bool = True) -> tuple[list[str], dict[str, str]]:
    """WHERE terms and parameters of ``form``'s filters (not its words).

    The first of section, language and outlet chosen (:func:`lead_filter`)
    leads: its ``(column, published, ...)`` index holds its rows in date order,
    so the walk reads only matching rows. The others are written ``+a.col =
    :col`` (no index: tested on each row of that walk, which stops after the sample).
    """
    where: list[str] = []
    params: dict[str, str] = {}
    lead = lead_filter(form)
    for key in LEAD_ORDER:
        if getattr(form, key):
            where.append(f"{'' if key == lead else '+'}a.{key} = :{key}")
            params[key] = getattr(form, key)
    if form.author and author:
        where.append("a.rowid in (select article from article_authors where author = :author)")
        params["author"] = form.author
    if form.month:
        where.append("a.published >= :month and a.published < :month || '~'")
        params["month"] = form.month
    if form.since:
        where.append("a.published >= :since")
        params["since"] = form.since
    if form.until:
        where.append("a.published < :until || '~'")  # '~' sorts after any time suffix of that day
        params["until"] = form.until
    return where, params


def _where(terms: list[str]) -> str:
    return f" where {' and '.join(terms)}" if terms else ""


def _single_facet(form: SearchForm) -> tuple[str, str] | None:
    """(facet, value) when the search is exactly one facet filter (its count is in ``article_facets``)."""
    chosen = [(name, getattr(form, name)) for name in FACETS if getattr(form, name)]
    if len(chosen) == 1 and not (form.match or form.since or form.until):
        return chosen[0]
    return None


def total_sql(form: SearchForm, plan: Plan) -> tuple[str, dict[str, str], str] | None:
    """(SQL giving the result count as ``n``, params, how it counts: exact or at least).

    "at least" counts among the MATCH_LIMIT most recently stored matches of a word with more.
    ``None`` when no query is needed: words alone (``plan.fts_matches``) or filters without words
    (the candidates: all results, or more than :data:`SAMPLE`; a separate count would walk every
    row of a date range).
    ``None`` when ``plan.fts_matches`` is the answer already (words, no filters).
    """
    where, params = filters(form)
    if not form.match and not where:
        return ARCHIVE_COUNT_SQL, {}, "exact"
    single = _single_facet(form)
    if single:
        return FACET_COUNT_SQL, {"facet": single[0], "value": single[1]}, "exact"
    if form.match and not where:
        return None
    if form.match:  # count among the matches (all of them, or the MATCH_LIMIT most recently stored)
        params["match"] = form.match
        order = " order by rowid desc" if plan.many else ""
        sql = (
            f"select count(*) as n from (select rowid from articles_fts where articles_fts match :match"
            f"{order} limit {MATCH_LIMIT}) m cross join articles a on a.rowid = m.rowid{_where(where)}"
        )
        return sql, params, "at least" if plan.many else "exact"
    return None  # the candidates are the count: all of them, or "more than SAMPLE"


def candidates_sql(form: SearchForm, plan: Plan) -> tuple[str, dict[str, str]]:
    """SQL of the first :data:`SAMPLE` results in page order: rowid and the facet columns.

    - relevance (at most MATCH_LIMIT matches): FTS5 ranks the matches (rowids only when there is no
      filter: the facets' sample is read after), the filters are tested on each;
    - words by date: the matches (or the MATCH_LIMIT most recently stored) are looked up and sorted;
      ``cross join`` keeps FTS5 the outer loop (SQLite would otherwise walk a whole outlet's rows
      and test each against the FTS index);
    - an author by date: ``article_authors`` is walked in date order;
    - otherwise the ``published`` or ``outlet, published`` index is walked, filters tested on each row.
    """
    where, params = filters(form)
    desc = "" if form.sort == "oldest" else " desc"
    limit = f" limit {SAMPLE}"
    if form.match:
        params["match"] = form.match
        if form.sort == "relevance" and not plan.many and not where:  # FTS5 alone: rowids in rank order
            return (
                f"select rowid from articles_fts where articles_fts match :match order by rank{limit}",
                params,
            )
        if form.sort == "relevance" and not plan.many:
            return (
                f"select {_FACET_COLUMNS} from (select rowid, rank from articles_fts "
                f"where articles_fts match :match) m cross join articles a on a.rowid = m.rowid"
                f"{_where(where)} order by m.rank{limit}"
            ), params
        recent = f" order by rowid desc limit {MATCH_LIMIT}" if plan.many else ""
        return (
            f"select {_FACET_COLUMNS} from (select rowid from articles_fts where articles_fts match :match"
            f"{recent}) m cross join articles a on a.rowid = m.rowid{_where(where)} "
            f"order by a.published{desc}, a.rowid{desc}{limit}"
        ), params
    if form.author and not where[1:]:  # the author alone: rowids from the index, no table rows read
        return (
            "select aa.article as rowid from article_authors aa where aa.author = :author "
            f"order by aa.published{desc}, aa.article{desc}{limit}"
        ), params
    if form.author:
        where, params = filters(form, author=False)
        params["author"] = form.author
        return (
            f"select {_FACET_COLUMNS} from article_authors aa join articles a on a.rowid = aa.article "
            f"where aa.author = :author{''.join(' and ' + w for w in where)} "
            f"order by aa.published{desc}, aa.article{desc}{limit}"
        ), params
    # the (published, outlet, section, language, authors) index, or a section's or a language's
    # (column, published, ...) index, gives this order and holds every column read: the walk reads
    # no table row; an outlet's (outlet, published, fetched_at) index gives rowids only, and the
    # facets' sample is read after
    columns = "a.rowid as rowid" if lead_filter(form) == "outlet" else _FACET_COLUMNS
    return f"select {columns} from articles a{_where(where)} order by a.published{desc}{limit}", params


def facet_rows_sql(rowids: list[int]) -> str:
    """SQL of the facet columns of the given rows (candidates that carry rowids only)."""
    ids = ", ".join(str(int(r)) for r in rowids) or "null"
    return f"select {_FACET_COLUMNS} from articles a where a.rowid in ({ids})"


def page_sql(rowids: list[int]) -> str:
    """SQL of the full rows of one page (given rowids), with the start of each text as its snippet."""
    ids = ", ".join(str(int(r)) for r in rowids) or "null"
    return f"select {_COLUMNS}, substr(a.text, 1, 240) as snippet from articles a where a.rowid in ({ids})"


def search_sql(form: SearchForm, plan: Plan) -> tuple[str, dict[str, str]]:
    """The candidates query (kept under its old name: :mod:`archiver.serve` exports it)."""
    return candidates_sql(form, plan)


def snippets_sql(rowids: list[int]) -> str:
    """SQL of highlighted snippets for the given rows of a word search (``:match`` bound)."""
    ids = ", ".join(str(int(r)) for r in rowids) or "null"
    return (
        f"select rowid, snippet(articles_fts, -1, '{MARK_START}', '{MARK_END}', ' … ', 24) as snippet "
        f"from articles_fts where articles_fts match :match and rowid in ({ids})"
    )


def facet_value(facet: str, row: Mapping[str, object]) -> list[str]:
    """The values one candidate row counts under ``facet`` (authors: each name once)."""
    if facet == "author":
        try:
            names = json.loads(str(row.get("authors") or "[]"))
        except ValueError:
            return []
        return sorted({n for n in names if isinstance(n, str) and n}) if isinstance(names, list) else []
    value = row.get("published") if facet == "month" else row.get(facet)
    if facet == "month":
        value = str(value)[:7] if value else None
    return [str(value)] if value else []


def count_facets(rows: list[Mapping[str, object]], *, limit: int = 10) -> dict[str, list[tuple[str, int]]]:
    """Top ``limit`` (value, count) per facet over candidate rows, most frequent first."""
    out: dict[str, list[tuple[str, int]]] = {}
    for facet in FACETS:
        counts: dict[str, int] = {}
        for row in rows:
            for value in facet_value(facet, row):
                counts[value] = counts.get(value, 0) + 1
        out[facet] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return out
