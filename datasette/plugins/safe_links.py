"""The ``web_url`` template filter: only http(s) URLs become links (archiver/weburl.py).

``{% if row.url|web_url %}<a href="{{ row.url|web_url }}">`` in the archive's
templates: a ``javascript:`` target URI from a hostile WARC is shown as text,
never as a clickable link in the archive's origin.
"""

from __future__ import annotations

from archiver.weburl import web_url
from datasette import hookimpl


@hookimpl
def prepare_jinja2_environment(env, datasette):
    env.filters["web_url"] = web_url
