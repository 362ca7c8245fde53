"""Glue the plugins share: which database is the archive, where its WARCs are, plugin config.

Datasette may serve several databases; the archive is the first one with an
``articles`` table (``archiver serve`` serves exactly one).
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any, Awaitable, Callable

from archiver.timestamps import timestamp14  # noqa: F401 (its old home; plugins import it from archiver.timestamps)

PLUGIN_NAME = "archiver-ui"


async def archive_database(datasette: Any, prefer: str | None = None) -> Any | None:
    """The Datasette ``Database`` holding ``articles`` (``prefer``'s if it does), or ``None``."""
    names = ([prefer] if prefer else []) + list(datasette.databases)
    for name in names:
        db = datasette.databases.get(name)
        if db is None or name.startswith("_"):
            continue
        if await db.table_exists("articles"):
            return db
    return None


def archive_dir(db: Any) -> Path:
    """The archive folder (holding ``warcs/``) of a database file."""
    return Path(db.path).resolve().parent


def plugin_config(datasette: Any) -> dict[str, Any]:
    """``plugins: archiver-ui:`` of metadata.yml (e.g. ``replay_url``), or ``{}``."""
    return datasette.plugin_config(PLUGIN_NAME) or {}


def replay_link(datasette: Any, *, url: str, timestamp: str) -> str | None:
    """Link to the same capture in pywb / ReplayWeb.page when ``replay_url`` is configured.

    ``replay_url`` is a template with ``{timestamp}`` and ``{url}``, e.g.
    ``http://localhost:8080/archive/{timestamp}/{url}`` for a local pywb.
    """
    template = plugin_config(datasette).get("replay_url")
    if not template:
        return None
    return str(template).replace("{timestamp}", timestamp).replace("{url}", url)


def has_plugin(module_name: str) -> bool:
    """Whether a plugin module called ``module_name`` (e.g. ``memento.py``) is loaded.

    Pages link to routes of other plugins (the Memento routes)
    only when those plugins are there.
    """
    from datasette.plugins import pm

    stem = module_name.removesuffix(".py")
    for plugin in pm.get_plugins():
        name = (getattr(plugin, "__name__", "") or "").rsplit("/", 1)[-1]
        # "memento.py" from a --plugins-dir, "archiver.web.plugins.memento" from the entry point
        if name.removesuffix(".py") == stem or name.endswith(f".plugins.{stem}"):
            return True
    return False


async def not_found(datasette: Any, request: Any, message: str, status: int = 404) -> Any:
    """Datasette's error page with ``status`` (raising NotFound from a route view logs a traceback)."""
    from datasette.utils.asgi import Response

    html = await datasette.render_template(
        "error.html",
        {"ok": False, "error": message, "status": status, "title": "Not found" if status == 404 else "Error"},
        request=request,
    )
    return Response.html(html, status=status)


#: (database name, content hash, sql, params) -> rows, for immutable databases only.
_CACHE: "OrderedDict[tuple, list]" = OrderedDict()
CACHE_SIZE = 512


async def cached_rows(db: Any, sql: str, params: dict[str, Any], *, time_limit_ms: int | None = None) -> list:
    """Rows of ``sql``, remembered when the database is immutable (its answers never change).

    Counting facets over a whole 200,000-article archive takes a good part of a
    second; an immutable archive pays that once per distinct query. A mutable
    database (a crawl is writing) is always queried afresh. Raises Datasette's
    ``QueryInterrupted`` when ``time_limit_ms`` is exceeded (nothing is cached then).
    """
    key = None
    if not db.is_mutable and db.path:
        stat = Path(db.path).stat()  # not db.hash: Datasette would read the whole file to compute it
        key = (db.path, stat.st_size, stat.st_mtime_ns, sql, tuple(sorted(params.items())))
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    rows = [dict(r) for r in (await db.execute(sql, params, custom_time_limit=time_limit_ms)).rows]
    if key is not None:
        _CACHE[key] = rows
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return rows


#: What an ASGI gate does with a request it takes: ``handle(app, scope, receive, send)``.
GateHandler = Callable[[Any, dict[str, Any], Any, Any], Awaitable[None]]


def asgi_gate(applies: Callable[[dict[str, Any]], bool], handle: GateHandler) -> Callable[[Any], Any]:
    """The wrapper an ``asgi_wrapper`` hook returns: ``handle`` takes the HTTP requests ``applies`` to.

    Every other request, and every event that is not HTTP (lifespan), reaches the app untouched.
    """

    def wrap(app: Any) -> Any:
        async def gate(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http" or not applies(scope):
                await app(scope, receive, send)
                return
            await handle(app, scope, receive, send)

        return gate

    return wrap


async def send_text(
    send: Any, status: int, body: bytes, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    """Answer an ASGI request with a short plain-text ``body`` (the refusals of the ASGI wrappers).

    ``nosniff`` on every one: whichever wrapper runs first answers, before the
    security-headers wrapper can add it.
    """
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                *headers,
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"x-content-type-options", b"nosniff"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
