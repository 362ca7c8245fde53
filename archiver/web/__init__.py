"""Where the archive's Datasette files are, in a checkout and in an installed wheel.

The project keeps its Datasette plugins, templates, static files and
``metadata.yml`` in the top-level ``datasette/`` folder. The build maps that
folder into this package (``pyproject.toml``, ``[tool.setuptools.package-dir]``):
``datasette/plugins/`` installs as :mod:`archiver.web.plugins` (each plugin a
``datasette`` entry point) and the rest of ``datasette/`` as the data folder
``archiver/web/site/``. (The outlet files of ``outlets/`` install the same
way, as ``archiver/bundled_outlets/``: see :func:`archiver.outlets.outlet_dirs`.)
In a checkout (editable install included) the folders are read where they are.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PLUGIN_MODULES", "site_dir"]

_HERE = Path(__file__).resolve().parent
_CHECKOUT = _HERE.parent.parent

#: The plugin modules of ``datasette/plugins/``, each registered as a ``datasette`` entry point
#: named ``archiver_<module>`` in ``pyproject.toml``.
PLUGIN_MODULES = (
    "article_page",
    "big_tables",
    "capture",
    "csv_safe",
    "memento",
    "outlet_page",
    "read_only",
    "replay",
    "safe_links",
    "screenshot",
    "search_page",
    "security_headers",
    "site_files",
    "sql_guard",
)


def site_dir() -> Path | None:
    """The folder holding ``metadata.yml``, ``templates/`` and ``static/``, or ``None``.

    An installed wheel has it as ``archiver/web/site/``; a checkout as ``datasette/``
    beside the ``archiver`` package (checked by a file of ours: beside an installed
    ``archiver`` that name is the real Datasette package).
    """
    for candidate in (_HERE / "site", _CHECKOUT / "datasette"):
        if (candidate / "metadata.yml").is_file() and (candidate / "templates").is_dir():
            return candidate
    return None
