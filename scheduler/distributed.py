"""Distributed crawls on scrapy-redis: one frontier and one dupefilter in Redis, many workers.

``archiver crawl NAME --out DIR --redis redis://HOST:PORT/DB --worker-id W`` runs one
worker. Workers on any number of machines share in Redis the request queue
(:class:`RedisQueue`), the dupefilter (:class:`RedisDupeFilter`), the crawl id, heartbeats
and each worker's ledger of taken requests; each writes its own WARCs and database under
``DIR/workers/<W>/``, which ``archiver ingest`` merges. Glue rather than scrapy-redis
alone because scrapy-redis 0.7.x no longer works with current Scrapy as is; the keys,
the reasons and the versions: "Crawling at scale" in ``docs/architecture.md``.
"""

from __future__ import annotations

import logging
import pickle
import re
import time
from typing import Any

from scrapy import Request, signals
from scrapy.dupefilters import BaseDupeFilter
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.misc import load_object
from scrapy.utils.request import request_from_dict
from scrapy_redis.scheduler import Scheduler

from archiver.crawl import killpoint
from archiver.extensions.archive import session_or_none
from archiver.crawl.ledger import HEARTBEAT_TIMEOUT, RECHECK_META_KEY, TAKEN_META_KEY, Ledger, WorkerRegistry

__all__ = [
    "HEARTBEAT_TIMEOUT",
    "RedisDupeFilter",
    "RedisQueue",
    "RedisScheduler",
    "distributed_settings",
    "finished",
    "shared_crawl_id",
]

logger = logging.getLogger(__name__)
#: request.meta key of the request that only wakes the engine (dropped by the scheduler).
WAKE_META_KEY = "archiver_wake"
#: Seconds between looks at the shared queue while this worker is idle.
IDLE_POLL = 0.2
_WORKER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # fullmatch: no trailing newline


def finished(crawler: Any, token: str) -> None:
    """Tell this worker's ledger that the request it took (``token``) is finished.

    The middlewares that see a request's end call this; outside a distributed
    crawl there is no ledger and it does nothing.
    """
    engine = getattr(crawler, "engine", None)
    scheduler = engine.scheduler if engine is not None else None  # None before the spider opens
    if isinstance(scheduler, RedisScheduler):
        scheduler.finished(token)


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
    """scrapy-redis' scheduler, with a ledger of taken requests and heartbeats so workers leave together.

    Every request comes off the shared queue onto this worker's ledger in one
    step (:class:`archiver.crawl.ledger.Ledger`) and leaves it only once finished:
    its callback's output handed on (``spiders/ledger.py`` and ``downloadermiddlewares/ledger.py`` tell), a redirect
    or retry queued in its place, or its failure archived, and then only after
    the session has committed the rows. Started again with the same id, the
    worker first runs what its killed predecessor left on the ledger, checking
    the archive before fetching (``downloadermiddlewares/replay.py``).

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
        prefix = scheduler.queue_key.rsplit(":", 1)[0]
        scheduler.ledger = Ledger(
            scheduler.server, scheduler.queue_key, f"{prefix}:taken:{scheduler.worker_id}"
        )
        scheduler.workers = WorkerRegistry(scheduler.server, f"{prefix}:workers", scheduler.worker_id)
        scheduler.restored = []
        crawler.signals.connect(scheduler._on_idle, signal=signals.spider_idle)
        return scheduler

    def _decode(self, member: bytes) -> Any:
        return request_from_dict(self.queue.serializer.loads(member), spider=self.spider)

    def _restore(self) -> int:
        """Take over what a killed predecessor with this worker id left on the ledger."""
        self.restored = self.ledger.entries()
        if self.restored:
            logger.warning(
                "worker %s: put back %d requests it had taken before it was stopped "
                "(archived ones are parsed again from the WARC, the others fetched)",
                self.worker_id,
                len(self.restored),
            )
        return len(self.restored)

    def open(self, spider: Any) -> None:
        # scrapy-redis' open(), minus its deprecated Spider.log() call.
        self.spider = spider
        self.queue = load_object(self.queue_cls)(
            server=self.server,
            spider=spider,
            key=self.queue_key % {"spider": spider.name},
            serializer=self.serializer,
        )
        self.ledger.queue_key = self.queue.key
        self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        session = session_or_none(self.crawler)
        if session is not None:
            session.after_commit.append(self.ledger.release_finished)
        self._restore()
        if len(self.queue):
            logger.info(
                "worker %s joins a crawl with %d requests in the shared queue",
                self.worker_id,
                len(self.queue),
            )
        self.workers.beat(True)

    def finished(self, token: str) -> None:
        """``token``'s request is done; it leaves the ledger once the rows are committed."""
        self.ledger.finished(token)
        if session_or_none(self.crawler) is None:
            self.ledger.release_finished()

    def enqueue_request(self, request: Any) -> bool:
        if request.meta.get(WAKE_META_KEY):
            return False  # only there to make the engine look at the queue again (see _wake)
        # A redirect or retry of a request this worker took carries its token: once it is
        # queued (or filtered as a duplicate), the request it replaces is finished.
        token = request.meta.pop(TAKEN_META_KEY, None)
        request.meta.pop(RECHECK_META_KEY, None)
        try:
            if not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                return False
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/redis")
            self.queue.push(request)
            return True
        finally:
            if token:
                self.finished(token)

    def next_request(self) -> Any:
        if self.restored:
            token, member = self.restored.pop(0)
            request = self._decode(member)
            request.meta[RECHECK_META_KEY] = True
        else:
            taken = self.ledger.take()
            if taken is None:
                return None
            killpoint.reached("taken")
            token, member = taken
            request = self._decode(member)
        request.meta[TAKEN_META_KEY] = token
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        if not self.workers.busy or time.time() - self.workers.last_beat > 5:
            self.workers.beat(True)
        return request

    def has_pending_requests(self) -> bool:
        return bool(self.restored) or len(self.queue) > 0

    def _on_idle(self, spider: Any) -> None:
        if self.workers.busy:
            self.workers.beat(False)
            session = session_or_none(self.crawler)
            if session is not None:
                session.flush()  # do not hold the database's write lock while waiting
        if len(self.queue) > 0:
            self._wake_soon()
            raise DontCloseSpider("requests are waiting in the shared queue")
        others = self.workers.others_busy()
        if others:
            logger.debug("queue empty; waiting for busy workers %s", others)
            self._wake_soon()
            raise DontCloseSpider(f"workers {', '.join(others)} may add requests")

    def _wake_soon(self) -> None:
        """Look at the shared queue again shortly, not at Scrapy's 5-second idle heartbeat."""
        from twisted.internet import reactor

        reactor.callLater(IDLE_POLL, self._wake)  # type: ignore[arg-type]  # zope-typed reactor

    def _wake(self) -> None:
        """Make the engine ask for the next request now, through its public ``crawl()``.

        The request is a token that :meth:`enqueue_request` drops: scheduling it
        is what makes the engine try :meth:`next_request` again.
        """
        engine = getattr(self.crawler, "engine", None)
        if engine is None or getattr(engine, "spider", None) is None:
            return
        try:
            engine.crawl(Request("data:,", meta={WAKE_META_KEY: True}, dont_filter=True))
        except RuntimeError:
            pass  # the spider is closing

    def close(self, reason: str) -> None:
        session = session_or_none(self.crawler)
        if session is not None:
            session.flush()  # commits, so the finished requests leave the ledger
        if reason == "finished":
            self.ledger.clear()  # nothing is in flight: whatever is left was finished too
        self.workers.beat(False, closed=reason)
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
