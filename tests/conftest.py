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
