"""Refuse every request that could change something: the archive is read-only.

Datasette 0.65 answers a POST to a read-only canned query with a server
error, and plugins or later versions may add write endpoints (``/-/insert``,
write canned queries). One ASGI wrapper in front of the whole app answers
``405 Method Not Allowed`` to any method other than GET, HEAD and OPTIONS,
so no endpoint can write, whatever Datasette or a plugin offers.
"""

from __future__ import annotations

from datasette import hookimpl

from archiver.serve.site import asgi_gate, send_text

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BODY = b"This archive is read-only: only GET, HEAD and OPTIONS requests are served.\n"


def _writes(scope: dict) -> bool:
    return scope.get("method", "GET") not in SAFE_METHODS


async def _refuse(app, scope, receive, send):
    await send_text(send, 405, BODY, ((b"allow", b"GET, HEAD, OPTIONS"),))


@hookimpl
def asgi_wrapper(datasette):
    return asgi_gate(_writes, _refuse)
