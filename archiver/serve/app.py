"""Serve an archive database with Datasette, read-only, with the project's configuration.

:func:`make_datasette` builds the exact app that :func:`serve` runs, so the
tests exercise the served configuration. The plugins, templates and static files
come from the installed package's ``datasette`` entry points (see
:mod:`archiver.web`), as in any ``datasette archive.db``; ``metadata.yml`` is
read from the project's ``datasette/`` folder (``archiver/web/site/`` in a
wheel) or from the folder ``ARCHIVER_DATASETTE_DIR`` names.
"""

from __future__ import annotations

import inspect
import os
import sqlite3
import sys
import webbrowser
from pathlib import Path
from typing import Any

import yaml
from datasette.app import Datasette

from archiver.store import database_path
from archiver.web import PLUGIN_MODULES, site_dir

__all__ = ["ServeError", "config_dir", "is_being_written", "load_metadata", "make_datasette", "serve"]

#: Database name the shipped metadata.yml is keyed under (the stem of archive.db).
METADATA_DB_NAME = "archive"

#: Datasette settings: read-only SQL stays on, facet suggestions off (slow on big archives).
SETTINGS: dict[str, Any] = {
    "default_allow_sql": True,
    "suggest_facets": False,
    "truncate_cells_html": 400,
    "sql_time_limit_ms": 3000,
}

#: Used only when the datasette/ folder cannot be found (an installed wheel without it).
FALLBACK_METADATA: dict[str, Any] = {
    "title": "News archive",
    "license": "Apache-2.0",
    "license_url": "https://www.apache.org/licenses/LICENSE-2.0",
    "source": "news-archiver",
    "source_url": "https://github.com/news-archiver/news-archiver",
}


class ServeError(Exception):
    """The archive cannot be served; the message says what to do."""


def config_dir() -> Path | None:
    """The folder holding ``metadata.yml``, or ``None`` when there is none.

    ``ARCHIVER_DATASETTE_DIR`` wins; otherwise the package's own (see
    :func:`archiver.web.site_dir`: the checkout's ``datasette/`` or the
    wheel's ``archiver/web/site/``).
    """
    override = os.environ.get("ARCHIVER_DATASETTE_DIR")
    if override and (Path(override) / "metadata.yml").is_file():
        return Path(override)
    return site_dir()


def plugins_installed() -> bool:
    """Whether Datasette loaded the archive's plugins through their entry points."""
    from datasette.plugins import pm

    return all(pm.get_plugin(f"archiver_{name}") is not None for name in PLUGIN_MODULES)


def load_metadata(db_name: str, directory: Path | None = None) -> dict[str, Any]:
    """metadata.yml, its ``archive`` database block re-keyed to ``db_name``.

    Datasette keys database metadata by name (the file stem); re-keying lets an
    archive saved as ``other.db`` get the same descriptions and canned queries.
    """
    directory = directory if directory is not None else config_dir()
    if directory is None:
        print(
            "warning: datasette/metadata.yml not found; serving without table descriptions "
            "and canned queries (set ARCHIVER_DATASETTE_DIR to the project's datasette/ folder)",
            file=sys.stderr,
        )
        return dict(FALLBACK_METADATA)
    path = directory / "metadata.yml"
    try:
        metadata = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ServeError(f"cannot read {path}: {exc}; fix the file or restore it from git") from exc
    databases = metadata.get("databases") or {}
    if METADATA_DB_NAME in databases and db_name != METADATA_DB_NAME:
        databases = dict(databases)
        databases[db_name] = databases.pop(METADATA_DB_NAME)
        metadata["databases"] = databases
    return metadata


#: Table keys that Datasette 1.0 reads from its configuration (``datasette.yaml``), not from metadata.
CONFIG_TABLE_KEYS = frozenset(
    {"facets", "facet_size", "sort", "sort_desc", "sortable_columns", "label_column", "hidden", "size"}
    | {"fts_table", "fts_pk", "searchmode", "units"}
)


def split_config(metadata: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``metadata.yml`` as Datasette 1.0 takes it: (configuration, metadata).

    Datasette 1.0 moves plugin settings, canned queries and the table options
    above to ``datasette.yaml``; descriptions, license and source stay
    metadata. One file serves both: Datasette 0.x takes it whole.
    """
    metadata = dict(metadata)
    config: dict[str, Any] = {"plugins": metadata.pop("plugins")} if "plugins" in metadata else {}
    databases: dict[str, Any] = {}
    for db_name, db_meta in (metadata.get("databases") or {}).items():
        db_config, databases[db_name] = _split_database(db_meta)
        if db_config:
            config.setdefault("databases", {})[db_name] = db_config
    if databases:
        metadata["databases"] = databases
    return config, metadata


def _split_database(db_meta: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """One database's part of :func:`split_config`: its canned queries and table options are configuration."""
    db_meta = dict(db_meta)
    db_config: dict[str, Any] = {"queries": db_meta.pop("queries")} if "queries" in db_meta else {}
    tables: dict[str, Any] = {}
    for table, table_meta in (db_meta.get("tables") or {}).items():
        options = {k: v for k, v in table_meta.items() if k in CONFIG_TABLE_KEYS}
        if options:
            tables[table] = options
        db_meta.setdefault("tables", {})[table] = {
            k: v for k, v in table_meta.items() if k not in CONFIG_TABLE_KEYS
        }
    if tables:
        db_config["tables"] = tables
    return db_config, db_meta


def is_being_written(db_path: Path) -> bool:
    """Whether a writer (a running crawl) has the database open.

    The store uses WAL mode, and SQLite removes the ``-wal`` file when the last
    writer closes; a database without one can be opened immutable, which is
    faster and cannot be written. A read-only reader (``archiver cite``,
    ``verify``) leaves a ``-wal`` file behind, though: so when there is one,
    a connection is opened and closed, and SQLite removes the file if no one
    else has the database open (a read-only folder keeps the file: mutable).
    """
    wal = Path(f"{db_path}-wal")
    if not wal.exists():
        return False
    try:
        conn = sqlite3.connect(db_path, timeout=1)
        try:
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        finally:
            conn.close()  # the last connection to close checkpoints and deletes the -wal file
    except sqlite3.Error:
        return True
    return wal.exists()


def make_datasette(db_path: str | Path, *, immutable: bool | None = None) -> Datasette:
    """The Datasette app for ``db_path``, configured as :func:`serve` serves it.

    ``db_path`` is an ``archive.db`` file or the archive folder holding one.
    ``immutable=None`` picks immutable mode unless the database is being
    written; a mutable database is still opened read-only by Datasette. No
    write query is configured, and the ``read_only`` plugin in
    ``datasette/plugins/`` answers 405 to every method but GET, HEAD and OPTIONS.
    """
    db_path = database_path(db_path)
    if not db_path.is_file():
        raise ServeError(
            f"no archive database at {db_path}: crawl first (archiver crawl OUTLET --out DIR) "
            "or give the path of an existing archive.db"
        )
    if immutable is None:
        immutable = not is_being_written(db_path)
    directory = config_dir()
    extra: dict[str, Any] = {}
    site = site_dir()
    if not plugins_installed() and site is not None:
        # The package is importable but not installed (no entry points): load the plugin files.
        extra["plugins_dir"] = str(site / "plugins")
    if directory is not None and directory != site and (directory / "templates").is_dir():
        extra["template_dir"] = str(directory / "templates")  # a custom folder's templates win
    metadata = load_metadata(db_path.stem, directory)
    if "config" in inspect.signature(Datasette.__init__).parameters:  # Datasette 1.0
        extra["config"], metadata = split_config(metadata)
    return Datasette(
        files=[] if immutable else [str(db_path)],
        immutables=[str(db_path)] if immutable else [],
        metadata=metadata,
        settings=SETTINGS,
        cors=False,
        **extra,
    )


def serve(
    db_path: str | Path,
    *,
    port: int = 8001,
    host: str = "127.0.0.1",
    open_browser: bool = False,
    immutable: bool | None = None,
) -> None:
    """Serve ``db_path`` (a file or an archive folder) read-only at ``http://host:port/`` until interrupted."""
    import uvicorn

    datasette = make_datasette(db_path, immutable=immutable)
    mode = "read-only" if datasette.get_database(database_path(db_path).stem).is_mutable else "immutable"
    url = f"http://{host}:{port}/"
    print(f"Serving {db_path} ({mode}) at {url}  (Ctrl-C to stop)", flush=True)
    if open_browser:
        webbrowser.open(url)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning", lifespan="on", workers=1)
