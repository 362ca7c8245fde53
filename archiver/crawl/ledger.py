"""What a distributed worker has taken off the shared queue, and who is still working (Redis, no Scrapy).

:class:`Ledger` keeps, per worker, every request it took from the shared queue until the
request is finished, so a worker killed and started again with the same id runs them
again itself, first (nothing lost, nothing archived twice). :class:`WorkerRegistry` holds
each worker's heartbeat, so a worker whose queue runs dry waits while another may still
add requests. Both take a redis-py client and use plain commands (and ``EVAL``), so any
redis-py from 2.10 on and any Redis from 2.6 on work. The story: "Crawling at scale" in
``docs/architecture.md``.
"""

from __future__ import annotations

import json
import time
from typing import Any

__all__ = ["HEARTBEAT_TIMEOUT", "RECHECK_META_KEY", "TAKEN_META_KEY", "Ledger", "WorkerRegistry"]

#: request.meta key: the ledger token of a request a worker took off the shared queue.
TAKEN_META_KEY = "archiver_taken"
#: request.meta key: a request taken over from a killed predecessor: look in the archive before fetching.
RECHECK_META_KEY = "archiver_recheck"

#: A worker whose heartbeat is older than this is taken for gone.
HEARTBEAT_TIMEOUT = 30.0

# KEYS[1] the queue (sorted set), KEYS[2] the ledger (hash token -> "<score> <member>").
_TAKE = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return nil end
redis.call('ZREM', KEYS[1], r[1])
local token = redis.sha1hex(r[1])
redis.call('HSET', KEYS[2], token, r[2] .. ' ' .. r[1])
return {token, r[1]}
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Ledger:
    """One worker's requests taken from ``queue_key`` and not yet finished (hash ``ledger_key``)."""

    def __init__(self, server: Any, queue_key: str, ledger_key: str) -> None:
        self.server = server
        self.queue_key = queue_key
        self.key = ledger_key
        self._finished: list[str] = []

    def take(self) -> tuple[str, bytes] | None:
        """Move the queue's first request onto the ledger: ``(token, serialised request)`` or None."""
        result = self.server.eval(_TAKE, 2, self.queue_key, self.key)
        if not result:
            return None
        token, member = result
        return _text(token), member

    def entries(self) -> list[tuple[str, bytes]]:
        """Everything on the ledger (what a killed predecessor held), highest priority first."""
        found = []
        for token, value in (self.server.hgetall(self.key) or {}).items():
            score, _, member = value.partition(b" ")
            found.append((float(score), _text(token), member))
        return [(token, member) for _, token, member in sorted(found)]

    def finished(self, token: str) -> None:
        """Note ``token`` as done; it leaves the ledger at :meth:`release_finished` (after the commit)."""
        self._finished.append(token)

    def release_finished(self) -> int:
        """Remove the finished tokens from the ledger (call once their rows are committed)."""
        tokens, self._finished = self._finished, []
        if tokens:
            self.server.hdel(self.key, *tokens)
        return len(tokens)

    def clear(self) -> None:
        """Forget everything (the worker finished: nothing is in flight)."""
        self._finished = []
        self.server.delete(self.key)


class WorkerRegistry:
    """Heartbeats of the workers of one crawl (hash ``key``: worker id -> JSON state)."""

    def __init__(self, server: Any, key: str, worker_id: str, timeout: float = HEARTBEAT_TIMEOUT) -> None:
        self.server = server
        self.key = key
        self.worker_id = worker_id
        self.timeout = timeout
        self.busy = False
        self.last_beat = 0.0

    def beat(self, busy: bool, **extra: Any) -> None:
        """Say this worker is alive, busy (fetching) or idle."""
        self.busy = busy
        self.last_beat = time.time()
        self.server.hset(self.key, self.worker_id, json.dumps({"busy": busy, "at": self.last_beat, **extra}))

    def others_busy(self) -> list[str]:
        """The other workers whose fresh heartbeat says busy."""
        now = time.time()
        busy = []
        for worker, raw in (self.server.hgetall(self.key) or {}).items():
            name = _text(worker)
            if name == self.worker_id:
                continue
            state = json.loads(raw)
            if state.get("busy") and now - state.get("at", 0) < self.timeout:
                busy.append(name)
        return busy
