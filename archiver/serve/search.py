"""The search page's SQL: FTS5 over title and text, filters, facets and sorting.

Built as (sql, params) pairs for Datasette's read-only connections. Filters
use ``published`` (indexed) for dates and months; facets count within the
current results, authors through ``json_each`` of the JSON array.
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
    def from_args(cls, args: Mapping[str, str]) -> "SearchForm":
        get = lambda key: (args.get(key) or "").strip()[:500]  # noqa: E731
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


#: Above this many word matches, a date-ordered page walks the date index testing membership
#: in the matches instead of looking up every matching row (whose texts make the rows large).
MANY_MATCHES = 5000
#: Above this many word matches (a word in most articles), results come newest first
#: instead of by relevance, and facets are not counted: either would take most of a second
#: on a 200,000-article archive. The page says so.
RANK_MAX_MATCHES = 30000
FACET_MAX_MATCHES = 10000
_COLUMNS = "a.rowid as rowid, a.id, a.title, a.outlet, a.published, a.authors, a.section, a.language, a.url, a.word_count"
_FTS_ROWIDS = "(select rowid from articles_fts where articles_fts match :match)"
FTS_COUNT_SQL = "select count(*) from articles_fts where articles_fts match :match"
#: Rows whose authors include :author (substring test over the authors index, then the exact JSON test).
AUTHOR_ROWIDS_SQL = (
    "select rowid from articles where instr(authors, :author_json) > 0 "
    "and exists (select 1 from json_each(authors) where value = :author)"
)


@dataclasses.dataclass
class Plan:
    """What two cheap lookups told about a search, which picks how its queries run."""

    fts_matches: int = 0  #: rows matching the words alone (FTS5 counts them in milliseconds)
    author_rowids: list[int] | None = None  #: rows by ``form.author``, resolved once per search

    @property
    def many(self) -> bool:
        return self.fts_matches > MANY_MATCHES

    @property
    def rankable(self) -> bool:
        """Whether ranking every match by relevance fits in a page's time (bm25 runs per match)."""
        return self.fts_matches <= RANK_MAX_MATCHES

    @property
    def countable(self) -> bool:
        """Whether counting facets over every match fits in a page's time."""
        return self.fts_matches <= FACET_MAX_MATCHES


def author_params(form: SearchForm) -> dict[str, str]:
    return {"author": form.author, "author_json": json.dumps(form.author, ensure_ascii=False)}


def filters(
    form: SearchForm, plan: Plan, *, words: bool = True, walk: bool = False
) -> tuple[list[str], dict[str, str]]:
    """WHERE terms and parameters of ``form`` (``words=False`` leaves the word match out).

    ``walk=True`` (date-ordered pages of a common word) makes SQLite walk the
    date index and test each row's membership in the matches, stopping after
    one page, instead of looking up and sorting every match; counts and facets
    look the matches up (faster below ~30,000 matches; above 10,000 facets are
    not counted at all, see :attr:`Plan.countable`).

    Section and language filters are written ``+a.col = :col`` so SQLite does
    not pick their one-column index and then read thousands of full rows: it
    scans the ``published, outlet, section, language, authors`` index
    (0003_ui_indexes) instead, which holds every column filters and facets need.
    """
    where: list[str] = []
    params: dict[str, str] = {}
    if words and form.match:
        where.append(("+a.rowid in " if walk else "a.rowid in ") + _FTS_ROWIDS)
        params["match"] = form.match
    if form.outlet:  # the (outlet, published, fetched_at) index holds an outlet's rows in date order
        where.append("a.outlet = :outlet")
        params["outlet"] = form.outlet
    for key in ("section", "language"):
        if getattr(form, key):
            where.append(f"+a.{key} = :{key}")
            params[key] = getattr(form, key)
    if form.author:
        where.append("a.rowid in (select value from json_each(:author_rowids))")
        params["author_rowids"] = json.dumps(plan.author_rowids or [])
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


def count_sql(form: SearchForm, plan: Plan) -> tuple[str, dict[str, str]] | None:
    """SQL counting the results, or ``None`` when ``plan.fts_matches`` is the count already."""
    where, params = filters(form, plan)
    if form.match and len(where) == 1:
        return None
    return f"select count(*) from articles a{_where(where)}", params


def search_sql(form: SearchForm, plan: Plan) -> tuple[str, dict[str, str]]:
    """SQL of one page (:data:`PAGE_SIZE`) of results.

    Relevance ranks inside FTS5 (over the rows the filters allow, found from
    indexes) and joins only the page's rows to their articles. Date order
    walks the published index and tests membership in the word matches, so a
    common word never sorts tens of thousands of rows.
    """
    page = f"limit {PAGE_SIZE} offset {(form.page - 1) * PAGE_SIZE}"
    if form.match and form.sort == "relevance" and plan.rankable:
        others, params = filters(form, plan, words=False)
        params["match"] = form.match
        allowed = f" and rowid in (select a.rowid from articles a{_where(others)})" if others else ""
        snippet = f"snippet(articles_fts, -1, '{MARK_START}', '{MARK_END}', ' … ', 24)"
        return (
            f"with top as (select rowid, rank, {snippet} as snippet from articles_fts "
            f"where articles_fts match :match{allowed} order by rank {page}) "
            f"select {_COLUMNS}, top.snippet from top join articles a on a.rowid = top.rowid "
            "order by top.rank"
        ), params
    where, params = filters(form, plan, walk=plan.many)
    direction = "" if form.sort == "oldest" else " desc"
    order = f"a.published{direction}, a.rowid{direction}"  # the order of the published indexes
    return (
        f"select {_COLUMNS}, substr(a.text, 1, 240) as snippet from articles a{_where(where)} "
        f"order by {order} {page}"
    ), params


def snippets_sql(rowids: list[int]) -> str:
    """SQL of highlighted snippets for the given rows of a word search (``:match`` bound)."""
    ids = ", ".join(str(int(r)) for r in rowids) or "null"
    return (
        f"select rowid, snippet(articles_fts, -1, '{MARK_START}', '{MARK_END}', ' … ', 24) as snippet "
        f"from articles_fts where articles_fts match :match and rowid in ({ids})"
    )


def facet_sql(form: SearchForm, plan: Plan, facet: str, *, limit: int = 10) -> tuple[str, dict[str, str]]:
    """SQL counting the current results by ``facet`` (top ``limit`` values)."""
    _label, expr = FACETS[facet]
    where, params = filters(form, plan)
    source = "articles a" + (", json_each(a.authors) j" if facet == "author" else "")
    # empty values are dropped by the caller: a "section is not null" term here would make SQLite
    # pick the one-column index and read the full rows for the other filters
    sql = (
        f"select {expr} as value, count(*) as n from {source}{_where(where)} "
        f"group by value order by n desc, value limit {limit + 1}"
    )
    return sql, params
