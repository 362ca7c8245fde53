"""Datasette's own table pages, bounded for big tables: the settings come from metadata.yml.

A table page counts every row and suggests facets by counting values over the whole
table: seconds on a million articles. A table whose metadata says ``plugins:
archiver-ui: table_page: {count: false, suggest_facets: false}`` gets ``?_nocount=1`` and
``?_nosuggest=1`` added to its page requests (HTML and JSON) unless the visitor asked for
them. :func:`startup` names an immutable database by path, size and modification time
instead of the sha256 of its whole file (over 20 s for 16 GB). See "The archive in
Datasette" in ``docs/architecture.md``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode

from archiver.serve.site import PLUGIN_NAME
from datasette import hookimpl

#: table_page setting -> the query parameter that turns the costly part off
_SWITCHES = {"count": "_nocount", "suggest_facets": "_nosuggest", "facets": "_nofacet"}


def bounded_params(datasette, path: str) -> list[str]:
    """Query parameters to add to a request for ``path`` (``/db/table`` or ``/db/table.json``)."""
    parts = path.strip("/").split("/")
    if len(parts) != 2:
        return []
    database, table = (unquote(p) for p in parts)
    for suffix in (".json", ".csv"):
        table = table.removesuffix(suffix)
    if database not in datasette.databases:
        return []
    config = datasette.plugin_config(PLUGIN_NAME, database=database, table=table, fallback=False) or {}
    settings = config.get("table_page") or {}
    return [param for key, param in _SWITCHES.items() if settings.get(key) is False]


def file_identity(path: str) -> str:
    """A hash of a file's path, size and modification time (not of its bytes)."""
    stat = Path(path).stat()
    return hashlib.sha256(f"{Path(path).resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()


@hookimpl
def startup(datasette):
    for db in datasette.databases.values():
        if not db.is_mutable and not db.is_memory and db.path and db.cached_hash is None:
            db.cached_hash = file_identity(db.path)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def bounded(scope, receive, send):
            if scope.get("type") == "http" and scope.get("method") in ("GET", "HEAD"):
                params = bounded_params(datasette, scope.get("path", ""))
                if params:
                    query = parse_qsl(
                        scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True
                    )
                    given = {k for k, _v in query}
                    query += [(p, "1") for p in params if p not in given]
                    scope = {**scope, "query_string": urlencode(query).encode("latin-1")}
            await app(scope, receive, send)

        return bounded

    return wrap
