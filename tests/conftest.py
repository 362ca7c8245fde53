"""Shared fixtures: the demo outlet on a local port and one crawl of it."""

from __future__ import annotations

import pytest

from support import crawl_demo


@pytest.fixture(scope="session")
def demo_server():
    """The demo outlet served on a free port of 127.0.0.1 for the whole session."""
    from archiver.demo.server import DemoServer

    with DemoServer() as server:
        yield server


@pytest.fixture(scope="session")
def demo_crawl(demo_server, tmp_path_factory):
    """One real crawl of the demo outlet: (archive folder, server, crawl process)."""
    out = tmp_path_factory.mktemp("demo-archive")
    before = len(demo_server.requests)
    proc = crawl_demo(demo_server.url, out)
    return out, demo_server.requests[before:], proc


#: Text that replaces one demo article between the two crawls of ``demo_recrawl``.
EDITED_TEXT = (
    "Correction: the council vote on the harbour plan was postponed to next spring, "
    "not cancelled as this article first said.\n\n"
    "The committee will publish its revised figures before the vote, a spokesperson said on Tuesday.\n\n"
    "Residents can comment on the plan at the public library until the end of the month."
)


@pytest.fixture(scope="session")
def demo_recrawl(tmp_path_factory):
    """Two crawls of a private demo server into one folder, one article edited in between.

    A server of its own, so the edit never reaches tests of ``demo_server``.
    Yields a dict: out, server, edited (the article), first/second (request
    logs), seconds (of the second crawl), procs.
    """
    import time

    from archiver.demo.server import DemoServer

    out = tmp_path_factory.mktemp("demo-recrawl")
    with DemoServer() as server:
        first = crawl_demo(server.url, out)
        first_requests = list(server.requests)
        edited = server.site.articles[1]
        server.edit_article(edited.path, EDITED_TEXT)
        server.clear_requests()
        started = time.monotonic()
        second = crawl_demo(server.url, out)
        seconds = time.monotonic() - started
        yield {
            "out": out,
            "server": server,
            "edited": edited,
            "first": first_requests,
            "second": list(server.requests),
            "seconds": seconds,
            "procs": (first, second),
        }
