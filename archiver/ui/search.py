"""The search page's SQL: FTS5 over title and text, filters, facets and sorting.

Built as (sql, params) pairs for Datasette's read-only connections. Filters
use ``published`` (indexed) for dates and months; facets count within the
current results, authors through ``json_each`` of the JSON array.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

PAGE_SIZE = 20
MAX_PAGE = 50
SORTS = ("relevance", "newest", "oldest")
#: Private-use characters marking matches in snippets (escaped HTML is then given <mark> tags).
MARK_START, MARK_END = "\ue000", "\ue001"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")

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
            q=get("q"), outlet=get("outlet"), author=get("author"), section=get("section"),
            language=get("language"),
            month=get("month") if _MONTH.match(get("month")) else "",
            since=get("since") if _DAY.match(get("since")) else "",
            until=get("until") if _DAY.match(get("until")) else "",
            sort=get("sort") if get("sort") in SORTS else "relevance",
            page=page,
        )

    @property
    def match(self) -> str:
        return fts_query(self.q)

    def params(self, **changes: object) -> dict[str, str]:
        """Non-empty parameters (for links), with ``changes`` applied; page resets unless changed."""
        values = {**dataclasses.asdict(self), "page": 1, **changes}
        return {k: str(v) for k, v in values.items() if v not in ("", None) and not (k == "page" and v == 1)
                and not (k == "sort" and v == "relevance")}

    def filters(self) -> tuple[list[str], dict[str, str]]:
        where: list[str] = []
        params: dict[str, str] = {}
        for key in ("outlet", "section", "language"):
            if getattr(self, key):
                where.append(f"a.{key} = :{key}")
                params[key] = getattr(self, key)
        if self.author:
            where.append("exists (select 1 from json_each(a.authors) j2 where j2.value = :author)")
            params["author"] = self.author
        if self.month:
            where.append("a.published >= :month and a.published < :month || '~'")
            params["month"] = self.month
        if self.since:
            where.append("a.published >= :since")
            params["since"] = self.since
        if self.until:
            where.append("a.published < :until || '~'")  # '~' sorts after any time suffix of that day
            params["until"] = self.until
        if self.match:
            where.insert(0, "articles_fts match :match")
            params["match"] = self.match
        return where, params


def _from(form: SearchForm) -> str:
    if form.match:
        return "articles_fts join articles a on a.rowid = articles_fts.rowid"
    return "articles a"


def search_sql(form: SearchForm) -> tuple[str, str, dict[str, str]]:
    """(results SQL, count SQL, params) for ``form``; results are one page of :data:`PAGE_SIZE`."""
    where, params = form.filters()
    clause = (" where " + " and ".join(where)) if where else ""
    if form.match:
        snippet = f"snippet(articles_fts, -1, '{MARK_START}', '{MARK_END}', ' … ', 24)"
    else:
        snippet = "substr(a.text, 1, 240)"
    if form.sort == "oldest":
        order = "a.published is null, a.published, a.id"
    elif form.sort == "newest" or not form.match:
        order = "a.published desc, a.id"
    else:
        order = "articles_fts.rank"
    results = (
        "select a.id, a.title, a.outlet, a.published, a.authors, a.section, a.language, a.url, "
        f"a.word_count, {snippet} as snippet from {_from(form)}{clause} order by {order} "
        f"limit {PAGE_SIZE} offset {(form.page - 1) * PAGE_SIZE}"
    )
    count = f"select count(*) from {_from(form)}{clause}"
    return results, count, params


def facet_sql(form: SearchForm, facet: str, *, limit: int = 10) -> tuple[str, dict[str, str]]:
    """SQL counting the current results by ``facet`` (top ``limit`` values)."""
    _label, expr = FACETS[facet]
    where, params = form.filters()
    source = _from(form) + (", json_each(a.authors) j" if facet == "author" else "")
    where = where + [f"{expr} is not null", f"{expr} != ''"]
    sql = (f"select {expr} as value, count(*) as n from {source} where {' and '.join(where)} "
           f"group by value order by n desc, value limit {limit}")
    return sql, params
