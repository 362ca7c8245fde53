"""Security headers on every response of the app: nosniff, CSP, framing.

One ASGI wrapper covers every route, Datasette's own and the plugins', error pages
included: ``X-Content-Type-Options: nosniff`` (archived bytes keep their captured type; a
browser must never guess another), :data:`PAGE_CSP` with ``X-Frame-Options: DENY`` on the
archive's own pages, and ``frame-ancestors 'self'`` with ``SAMEORIGIN`` on responses
that bring their own sandbox CSP (captures, Mementos). Why each header and why
``script-src`` keeps ``'unsafe-inline'``: "The archive in Datasette" in ``docs/architecture.md``.
"""

from __future__ import annotations

from datasette import hookimpl

from archiver.serve.site import asgi_gate

NOSNIFF = (b"x-content-type-options", b"nosniff")
PAGE_CSP = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-src 'self'; "
    b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_CSP = b"content-security-policy"
_XFO = b"x-frame-options"


def secured(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with nosniff, a CSP with ``frame-ancestors`` and ``X-Frame-Options`` set."""
    out = [h for h in headers if h[0].lower() not in (NOSNIFF[0], _XFO)]
    own = [value for name, value in out if name.lower() == _CSP]
    if not own:
        out.append((_CSP, PAGE_CSP))
        out.append((_XFO, b"DENY"))
    else:
        out = [
            (
                name,
                value if b"frame-ancestors" in value else value.rstrip(b"; ") + b"; frame-ancestors 'self'",
            )
            if name.lower() == _CSP
            else (name, value)
            for name, value in out
        ]
        out.append((_XFO, b"SAMEORIGIN"))
    return out + [NOSNIFF]


async def _with_security_headers(app, scope, receive, send):
    async def send_with_headers(message):
        if message["type"] == "http.response.start":
            message = {**message, "headers": secured(list(message.get("headers", [])))}
        await send(message)

    await app(scope, receive, send_with_headers)


@hookimpl
def asgi_wrapper(datasette):
    return asgi_gate(lambda scope: True, _with_security_headers)
