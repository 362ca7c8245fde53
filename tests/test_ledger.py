"""The distributed worker's ledger and registry (archiver/crawl/ledger.py) on a real redis-server; kill-point specs."""

from __future__ import annotations

import pytest
from redis_support import redis_server, requires_redis

from archiver.crawl import killpoint
from archiver.crawl.ledger import Ledger, WorkerRegistry


@pytest.fixture
def server(tmp_path):
    import redis

    with redis_server(tmp_path) as url:
        yield redis.StrictRedis.from_url(url)


@requires_redis
def test_take_moves_the_first_request_onto_the_ledger_in_one_step(server):
    server.execute_command("ZADD", "q", -5, b"high", 0, b"low")
    ledger = Ledger(server, "q", "taken:w1")
    token, member = ledger.take()
    assert member == b"high" and server.zcard("q") == 1
    assert server.hget("taken:w1", token) == b"-5 high"  # priority kept for whoever runs it again
    assert ledger.take()[1] == b"low"
    assert ledger.take() is None
    # A killed worker's successor finds both, highest priority first; they stay on the ledger.
    again = Ledger(server, "q", "taken:w1")
    assert [m for _, m in again.entries()] == [b"high", b"low"]
    assert server.hlen("taken:w1") == 2


@requires_redis
def test_finished_requests_leave_the_ledger_only_when_released(server):
    server.execute_command("ZADD", "q", 0, b"a", 0, b"b")
    ledger = Ledger(server, "q", "taken:w1")
    first, _ = ledger.take()
    ledger.take()
    ledger.finished(first)
    assert server.hlen("taken:w1") == 2, "finished is not released before the rows are committed"
    assert ledger.release_finished() == 1
    assert [m for _, m in ledger.entries()] == [b"b"]
    ledger.clear()
    assert not server.exists("taken:w1")


@requires_redis
def test_registry_sees_other_busy_workers_with_fresh_heartbeats(server):
    w1 = WorkerRegistry(server, "workers", "w1")
    w2 = WorkerRegistry(server, "workers", "w2", timeout=30)
    w1.beat(True)
    assert w2.others_busy() == ["w1"] and w1.others_busy() == []
    w1.beat(False)
    assert w2.others_busy() == []
    stale = WorkerRegistry(server, "workers", "w2", timeout=0)
    w1.beat(True)
    assert stale.others_busy() == [], "a heartbeat older than the timeout is a worker gone"


def test_kill_point_spec():
    assert killpoint.parse(None) is None and killpoint.parse("") is None
    assert killpoint.parse("warc_written") == ("warc_written", 1)
    assert killpoint.parse("mid_parse:4") == ("mid_parse", 4)
    for bad in ("nowhere", "taken:0", "taken:x"):
        with pytest.raises(ValueError, match="ARCHIVER_TEST_KILL_AT"):
            killpoint.parse(bad)
    assert not killpoint.armed(), "the test process itself has no kill point"
