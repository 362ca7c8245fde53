"""The archive pages' templates and static files, for any Datasette the package is installed in.

Datasette finds a plugin's ``templates/`` and ``static/`` only beside a plugin
that is a package; ours live in the project's ``datasette/`` folder (the
wheel's ``archiver/web/site/``), so this plugin adds them: the templates
after any ``--template-dir`` of the user's (which still wins) and before
Datasette's own, and the static files under ``/archive-static/``, the path the
templates link to.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import asgi_static

from archiver.web import site_dir

#: URL prefix of the static files (``/archive-static/archive.css``).
STATIC_MOUNT = "archive-static"


@hookimpl
def prepare_jinja2_environment(env, datasette):
    site = site_dir()
    if site is None:
        return
    templates = str(site / "templates")
    for loader in getattr(env.loader, "loaders", [env.loader]):
        searchpath = getattr(loader, "searchpath", None)
        if isinstance(searchpath, list) and templates not in searchpath:
            searchpath.insert(1 if datasette.template_dir else 0, templates)
            break


@hookimpl
def register_routes():
    site = site_dir()
    if site is None or not (site / "static").is_dir():
        return []
    return [(rf"^/{STATIC_MOUNT}/(?P<path>.*)$", asgi_static(str(site / "static")))]
