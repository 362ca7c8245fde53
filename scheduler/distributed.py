"""Distributed crawls on scrapy-redis: one frontier and one dupefilter in Redis, many workers.

``archiver crawl NAME --out DIR --redis redis://HOST:PORT/DB --worker-id W``
runs one worker. Workers on any number of machines share, in Redis,

* the request queue (a sorted set by priority; scrapy-redis' ``Scheduler``
  with our :class:`RedisQueue`),
* the dupefilter (a set of request fingerprints; :class:`RedisDupeFilter`),
  so a URL is scheduled once across all workers (start requests too: every
  worker yields them, the first one to reach Redis wins),
* the crawl id (the first worker picks it) and each worker's heartbeat, so a
  worker that runs out of requests waits while others may still add some,
  and leaves when the queue is empty and nobody is busy;
* what each worker has taken off the queue and not yet downloaded
  (``archiver:<outlet>:taken:<W>``): a worker killed and started again with
  the same id puts those requests back first.

Each worker writes its own WARCs (prefix ``<outlet>-<W>``) and database under
``DIR/workers/<W>/``; ``archiver ingest`` merges them.

Why glue and not scrapy-redis alone: scrapy-redis 0.7.x imports
``scrapy.utils.reqser`` and ``request_fingerprint``, both gone from current
Scrapy (2.19); its dupefilter would also ignore Scrapy's configured request
fingerprinter. Our queue serialises with ``Request.to_dict`` and our
dupefilter asks the crawler's fingerprinter, so any scrapy-redis from 0.7 on
works, with redis-py 2.10 to 5.x+ (only plain commands are used).
"""

from __future__ import annotations

import json
import logging
import pickle
import re
import time
from typing import Any

from scrapy import signals
from scrapy.dupefilters import BaseDupeFilter
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.misc import load_object
from scrapy.utils.request import request_from_dict
from scrapy_redis.scheduler import Scheduler

__all__ = ["RedisDupeFilter", "RedisQueue", "RedisScheduler", "distributed_settings", "shared_crawl_id"]

logger = logging.getLogger(__name__)
#: A worker whose heartbeat is older than this is taken for gone.
HEARTBEAT_TIMEOUT = 30.0
#: request.meta key: the token of a request this worker took off the shared queue.
TAKEN_META_KEY = "archiver_taken"
#: Seconds between looks at the shared queue while this worker is idle.
IDLE_POLL = 0.2
_WORKER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # fullmatch: no trailing newline


def key_prefix(outlet: str) -> str:
    return f"archiver:{outlet}"


def check_worker_id(worker_id: str) -> str:
    """A worker id goes into file names: letters, digits, ``_.-`` only."""
    if not _WORKER_ID.fullmatch(worker_id or ""):
        raise ValueError(
            f"worker id {worker_id!r}: use 1-64 letters, digits, '_', '.' or '-' "
            "(it becomes part of WARC file names), e.g. --worker-id $(hostname)"
        )
    return worker_id


def distributed_settings(redis_url: str, worker_id: str, outlet: str) -> dict[str, Any]:
    """The Scrapy settings that turn a crawl into worker ``worker_id`` of a Redis-backed crawl."""
    prefix = key_prefix(outlet)
    return {
        "SCHEDULER": "archiver.scheduler.distributed.RedisScheduler",
        "SCHEDULER_QUEUE_CLASS": "archiver.scheduler.distributed.RedisQueue",
        "DUPEFILTER_CLASS": "archiver.scheduler.distributed.RedisDupeFilter",
        "SCHEDULER_PERSIST": True,  # the queue outlives any one worker
        "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
        "REDIS_URL": redis_url,
        "ARCHIVER_REDIS_URL": redis_url,
        "ARCHIVER_WORKER_ID": check_worker_id(worker_id),
        "ARCHIVER_WARC_PREFIX": f"{outlet}-{worker_id}",
    }


def _redis(url: str) -> Any:
    import redis

    return redis.StrictRedis.from_url(url, socket_timeout=30, socket_connect_timeout=30)


def reset(redis_url: str, outlet: str) -> int:
    """Delete a distributed crawl's keys (queue, dupefilter, crawl id, workers) to start anew."""
    server = _redis(redis_url)
    keys = [f"{key_prefix(outlet)}:{name}" for name in ("requests", "dupefilter", "crawl", "workers")]
    keys += server.keys(f"{key_prefix(outlet)}:taken:*")
    return server.delete(*keys)


def shared_crawl_id(crawler: Any, outlet: str, new_id: str) -> str:
    """The crawl id every worker uses: ``new_id`` if this worker is the first, else the first's."""
    server = _redis(crawler.settings.get("ARCHIVER_REDIS_URL"))
    key = f"{key_prefix(outlet)}:crawl"
    server.setnx(key, new_id)
    value = server.get(key)
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisQueue:
    """Priority queue in a Redis sorted set; requests serialised with ``Request.to_dict``."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        self.server = server
        self.spider = spider
        self.key = key % {"spider": spider.name} if "%(" in key else key
        self.serializer = serializer or pickle

    def _encode(self, request: Any) -> bytes:
        return (
            self.serializer.dumps(request.to_dict(spider=self.spider), protocol=4)
            if self.serializer is pickle
            else self.serializer.dumps(request.to_dict(spider=self.spider))
        )

    def __len__(self) -> int:
        return self.server.zcard(self.key)

    def push(self, request: Any) -> None:
        # execute_command: zadd's signature changed between redis-py 2.x and 3.x.
        self.server.execute_command("ZADD", self.key, -request.priority, self._encode(request))

    def pop(self, timeout: int = 0) -> Any:
        pipe = self.server.pipeline()
        pipe.multi()
        pipe.zrange(self.key, 0, 0).zremrangebyrank(self.key, 0, 0)
        results, _ = pipe.execute()
        if results:
            return request_from_dict(self.serializer.loads(results[0]), spider=self.spider)
        return None

    def clear(self) -> None:
        self.server.delete(self.key)


class RedisDupeFilter(BaseDupeFilter):
    """Request fingerprints (the crawler's fingerprinter) in a Redis set shared by all workers."""

    def __init__(self, server: Any, key: str, fingerprinter: Any) -> None:
        self.server = server
        self.key = key
        self.fingerprinter = fingerprinter

    @classmethod
    def from_spider(cls, spider: Any) -> "RedisDupeFilter":
        settings = spider.settings
        key = settings.get("SCHEDULER_DUPEFILTER_KEY") % {"spider": spider.name}
        return cls(_redis(settings.get("REDIS_URL")), key, spider.crawler.request_fingerprinter)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "RedisDupeFilter":
        settings = crawler.settings
        return cls(
            _redis(settings.get("REDIS_URL")),
            settings.get("SCHEDULER_DUPEFILTER_KEY"),
            crawler.request_fingerprinter,
        )

    def request_seen(self, request: Any) -> bool:
        return self.server.sadd(self.key, self.fingerprinter.fingerprint(request).hex()) == 0

    def clear(self) -> None:
        self.server.delete(self.key)

    def close(self, reason: str = "") -> None:
        pass  # persistent: other workers still use it

    def log(self, request: Any, spider: Any) -> None:
        logger.debug("filtered duplicate request %s", request)


class RedisScheduler(Scheduler):
    """scrapy-redis' scheduler, plus heartbeats so workers leave together.

    Scrapy closes a spider as soon as its own scheduler is empty; here another
    worker may still be fetching pages whose links refill the shared queue. So
    on ``spider_idle`` the worker stays while the queue has requests or any
    other worker's heartbeat says busy (and is fresh).
    """

    @classmethod
    def from_crawler(cls, crawler: Any) -> "RedisScheduler":
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.worker_id = crawler.settings.get("ARCHIVER_WORKER_ID") or "worker"
        scheduler.busy = True
        crawler.signals.connect(scheduler._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(scheduler._left_downloader, signal=signals.request_left_downloader)
        return scheduler

    # -- requests a worker has taken: put back if it was killed holding them ----

    @property
    def _taken_key(self) -> str:
        return self.queue_key.rsplit(":", 1)[0] + f":taken:{self.worker_id}"

    def _take(self, request: Any) -> None:
        """Note a request this worker took off the shared queue, until it leaves the downloader."""
        token = self.crawler.request_fingerprinter.fingerprint(request).hex()
        request.meta[TAKEN_META_KEY] = token
        self.server.hset(self._taken_key, token, self.queue._encode(request))

    def _left_downloader(self, request: Any, spider: Any) -> None:
        token = request.meta.get(TAKEN_META_KEY)
        if token:
            self.server.hdel(self._taken_key, token)

    def _put_back(self) -> int:
        """Requests a killed predecessor with this worker id had taken but not fetched go back to the queue."""
        taken = self.server.hgetall(self._taken_key) or {}
        for encoded in taken.values():
            request = request_from_dict(self.queue.serializer.loads(encoded), spider=self.spider)
            request.meta.pop(TAKEN_META_KEY, None)
            self.queue.push(request)
        self.server.delete(self._taken_key)
        if taken:
            logger.warning(
                "worker %s: put back %d requests it had taken before it was stopped",
                self.worker_id,
                len(taken),
            )
        return len(taken)

    @property
    def _workers_key(self) -> str:
        return self.queue_key.rsplit(":", 1)[0] + ":workers"

    def _beat(self, busy: bool) -> None:
        self.busy = busy
        self.server.hset(self._workers_key, self.worker_id, json.dumps({"busy": busy, "at": time.time()}))

    def open(self, spider: Any) -> None:
        # scrapy-redis' open(), minus its deprecated Spider.log() call.
        self.spider = spider
        self.queue = load_object(self.queue_cls)(
            server=self.server,
            spider=spider,
            key=self.queue_key % {"spider": spider.name},
            serializer=self.serializer,
        )
        self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        self._put_back()
        if len(self.queue):
            logger.info(
                "worker %s joins a crawl with %d requests in the shared queue",
                self.worker_id,
                len(self.queue),
            )
        self._beat(True)

    def enqueue_request(self, request: Any) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Any:
        request = self.queue.pop(0)
        if request is None:
            return None
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        self._take(request)
        if not self.busy or time.time() - self._last_beat > 5:
            self._beat(True)
            self._last_beat = time.time()
        return request

    _last_beat = 0.0

    def has_pending_requests(self) -> bool:
        return len(self.queue) > 0

    def _others_busy(self) -> list[str]:
        now = time.time()
        busy = []
        for worker, raw in (self.server.hgetall(self._workers_key) or {}).items():
            name = worker.decode() if isinstance(worker, bytes) else worker
            if name == self.worker_id:
                continue
            state = json.loads(raw)
            if state.get("busy") and now - state.get("at", 0) < HEARTBEAT_TIMEOUT:
                busy.append(name)
        return busy

    def _on_idle(self, spider: Any) -> None:
        if self.busy:
            self._beat(False)
            from archiver.extensions.archive import session_or_none

            session = session_or_none(self.crawler)
            if session is not None:
                session.flush()  # do not hold the database's write lock while waiting
        if len(self.queue) > 0:
            self._wake_soon()
            raise DontCloseSpider("requests are waiting in the shared queue")
        others = self._others_busy()
        if others:
            logger.debug("queue empty; waiting for busy workers %s", others)
            self._wake_soon()
            raise DontCloseSpider(f"workers {', '.join(others)} may add requests")

    def _wake_soon(self) -> None:
        """Look at the shared queue again shortly, not at Scrapy's 5-second idle heartbeat."""
        from twisted.internet import reactor

        reactor.callLater(IDLE_POLL, self._wake)  # type: ignore[arg-type]  # zope-typed reactor

    def _wake(self) -> None:
        slot = getattr(self.crawler.engine, "_slot", None)  # Scrapy 2.19: engine._slot.nextcall
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def close(self, reason: str) -> None:
        self.server.hset(
            self._workers_key,
            self.worker_id,
            json.dumps({"busy": False, "at": time.time(), "closed": reason}),
        )
        super().close(reason)


def worker_setup(
    redis_url: str, worker_id: str | None, outlet: str, out_dir: Any, *, fresh: bool = False
) -> tuple[Any, dict[str, Any]]:
    """(worker's archive folder ``DIR/workers/<W>``, its settings); checks Redis answers first.

    ``fresh`` deletes the outlet's queue and dupefilter in Redis first: give it
    to the first worker of a new crawl only.
    """
    from pathlib import Path

    if not worker_id:
        raise ValueError("--redis needs --worker-id W (unique per worker, e.g. the host name)")
    settings = distributed_settings(redis_url, worker_id, outlet)
    try:
        _redis(redis_url).ping()
    except Exception as exc:  # redis-py's errors differ between versions
        raise ValueError(
            f"cannot reach Redis at {redis_url}: {exc}. Start redis-server there or fix --redis "
            "(redis://HOST:PORT/DB)."
        ) from None
    if fresh:
        reset(redis_url, outlet)
    return Path(out_dir) / "workers" / worker_id, settings
