"""Shared fixtures: the demo outlet on a local port and one crawl of it."""

from __future__ import annotations

import pytest

from support import crawl_demo, serve_demo

#: Fixtures that crawl in a subprocess: a test using one is ``slow``.
CRAWL_FIXTURES = {"demo_crawl", "demo_recrawl"}
#: Modules whose tests crawl, start servers in subprocesses or build archives the long way.
SLOW_MODULES = {
    "test_capture_crawl",
    "test_cdxj",
    "test_cite",
    "test_clean_bench",
    "test_cli_quiet",
    "test_corrupt_archives",
    "test_faults",
    "test_hostile_crawl",
    "test_memento",
    "test_outlet_rules",
    "test_packaging",
    "test_pipeline_e2e",
    "test_progress",
    "test_recrawl",
    "test_resume",
    "test_snapshot",
    "test_verify",
    "test_versions",
    "test_walls_crawl",
}


def pytest_collection_modifyitems(config, items):
    """Mark the slow tests (pyproject.toml registers the markers; ``make test-fast`` leaves them out)."""
    for item in items:
        if item.path.stem in SLOW_MODULES or CRAWL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def demo_server():
    """The demo outlet served on a free port of 127.0.0.1 for the whole session."""
    yield from serve_demo()


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


@pytest.fixture
def no_lookups(monkeypatch):
    """Fail the test if the address guard resolves a name or starts a thread."""
    from archiver.downloadermiddlewares import address_guard

    def forbidden(*args, **kwargs):
        raise AssertionError(f"unexpected lookup {args!r}")

    monkeypatch.setattr(address_guard.socket, "getaddrinfo", forbidden)
    monkeypatch.setattr(address_guard.threads, "deferToThread", forbidden)
