"""``X-Content-Type-Options: nosniff`` on every response of the app.

Archived bytes are served with the content type they were captured with; a
browser must never guess a different one (a "text/plain" capture sniffed as
HTML would run in the archive's origin). One ASGI wrapper covers every route,
Datasette's own and the plugins', error pages included.
"""

from __future__ import annotations

from datasette import hookimpl

NOSNIFF = (b"x-content-type-options", b"nosniff")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def with_nosniff(scope, receive, send):
            if scope["type"] != "http":
                await app(scope, receive, send)
                return

            async def send_with_header(message):
                if message["type"] == "http.response.start":
                    headers = [h for h in message.get("headers", []) if h[0].lower() != NOSNIFF[0]]
                    message = {**message, "headers": headers + [NOSNIFF]}
                await send(message)

            await app(scope, receive, send_with_header)

        return with_nosniff

    return wrap
