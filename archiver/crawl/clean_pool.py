"""Cleaning off the crawl's thread: a process pool sized to the cores, with a bounded queue.

Cleaning a page (:func:`clean_page`: :func:`archiver.clean.extract`, then the
script-built-shell check of :func:`archiver.crawl.browser.shell.needs_browser`, which parses
the page again) is pure CPU work: in the reactor thread nothing else would move meanwhile,
and the other cores would idle. :class:`CleanPool` runs it in worker processes, one pipe
each and no helper threads, while the crawl awaits the result (``pipelines/clean.py``),
at most ``queue`` pages at a time (back-pressure). One pool serves every crawl of the
process (:func:`acquire`, :func:`release`). Back-pressure, workers that die, shutdown and
orphans: "Many outlets" in ``docs/architecture.md``.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import multiprocessing
import os
import threading
import time
from typing import Any

from archiver.article import Article

__all__ = ["CleanPool", "Cleaned", "WorkerDied", "acquire", "clean_page", "release", "worker_count"]


def worker_count(setting: Any) -> int:
    """Workers for ``ARCHIVER_CLEAN_WORKERS``: ``"auto"`` is the number of cores this process may use."""
    if setting in (None, "", "auto"):
        try:
            return len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            return os.cpu_count() or 1
    return max(0, int(setting))


def _watch_parent(parent: int) -> None:
    """Leave when the crawl process is gone (its pipes stay open in sibling workers, so no EOF comes)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def _init_worker(parent: int) -> None:
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="parent-watch").start()
    import archiver.clean  # noqa: F401 - import the cleaner once, before the first page


@dataclasses.dataclass
class Cleaned:
    """One cleaned page: its article, and the signs that scripts built it (``[]``: none, or not asked)."""

    article: Article
    shell_evidence: list[str]


def clean_page(
    body: bytes,
    url: str,
    keep: tuple[str, ...] = (),
    remove: tuple[str, ...] = (),
    check_shell: bool = False,
) -> Cleaned:
    """Clean one page; with ``check_shell``, also judge whether it is a script-built shell.

    A paywall's teaser is short because of its wall, not because scripts build
    it: its shell is never judged.
    """
    from archiver.clean import extract
    from archiver.crawl.browser.shell import needs_browser

    article = extract(body, url, keep_selectors=keep, remove_selectors=remove)
    shell = needs_browser(body, article.text) if check_shell and not article.partial else []
    return Cleaned(article, shell)


class WorkerDied(RuntimeError):
    """A cleaning process ended while it held a page (a crash on that page, or a kill); it is replaced."""


def _serve(conn: Any, parent: int) -> None:
    """A worker's loop: a page's arguments in, ``("ok", Cleaned)`` or ``("error", exception)`` out."""
    _init_worker(parent)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the crawl closed its end: done
            return
        try:
            reply: tuple[str, Any] = ("ok", clean_page(*job))
        except Exception as exc:  # the crawl reports it for this page; the worker goes on
            reply = ("error", exc)
        try:
            conn.send(reply)
        except (TypeError, AttributeError, ValueError) as exc:  # an exception that does not pickle
            conn.send(("error", RuntimeError(f"{type(reply[1]).__name__}: {reply[1]} ({exc})")))


_Job = tuple[tuple[Any, ...], "asyncio.Future[Cleaned]"]


class _Worker:
    """One cleaning process and the crawl's end of its pipe; ``sent``: its pages, oldest first.

    The oldest is the page it cleans; the others wait in its pipe.
    """

    def __init__(self, context: Any, parent: int) -> None:
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(
            target=_serve, args=(child, parent), daemon=True, name="archiver-clean"
        )
        self.process.start()
        child.close()  # only the worker holds its end: the crawl's close is the worker's EOF
        self.sent: collections.deque[_Job] = collections.deque()


class CleanPool:
    """``workers`` cleaning processes; at most ``queue`` pages in flight.

    Each worker has a pipe of its own, written by the crawl's thread and read by its
    event loop: no feeder or manager threads (``concurrent.futures``' process pool
    has two) compete with the reactor for the GIL. Each worker is sent its next page
    while it still cleans one (:attr:`DEPTH`): it then seldom waits in ``recv``, and
    the crawl's write seldom has to wake it. On this project's 2-core VM a write that
    woke an idle worker blocked the reactor thread for about a millisecond, 8% of a
    crawl's thread time (``bench/requisites.py``). A worker that dies fails the page
    it was cleaning (:class:`WorkerDied`), its waiting pages go to the others, and it
    is replaced.
    """

    #: Pages handed to one worker at once: the one it cleans and the next.
    DEPTH = 2

    def __init__(self, workers: int, queue: int | None = None) -> None:
        self.workers = workers
        self.queue = queue or 4 * workers
        # spawn, not fork (the reactor's threads and sockets must not be copied) nor forkserver
        # (it outlives a SIGKILLed parent): the workers are the crawl process's own children.
        self._context = multiprocessing.get_context("spawn")
        self._all = [_Worker(self._context, os.getpid()) for _ in range(workers)]
        self._jobs: collections.deque[_Job] = collections.deque()
        self._slots: asyncio.Semaphore | None = None
        self.waited = 0  # pages that waited for a free place (back-pressure happened)
        self.replaced = 0  # workers that died and were started again
        # The event loop whose readers watch the pipes: the first page's.
        self._loop: asyncio.AbstractEventLoop | None = None

    async def clean(
        self,
        body: bytes,
        url: str,
        *,
        keep_selectors: tuple[str, ...] = (),
        remove_selectors: tuple[str, ...] = (),
        check_shell: bool = False,
    ) -> Cleaned:
        """:func:`clean_page` in a worker; waits for a free place when ``queue`` pages are in flight."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.queue)
        if self._slots.locked():
            self.waited += 1
        async with self._slots:
            if self._loop is None:
                self._loop = asyncio.get_running_loop()
                for worker in self._all:
                    self._listen(worker)
            future: asyncio.Future[Cleaned] = self._loop.create_future()
            self._jobs.append(
                ((body, url, tuple(keep_selectors), tuple(remove_selectors), check_shell), future)
            )
            self._dispatch()
            return await future

    def _listen(self, worker: _Worker) -> None:
        assert self._loop is not None
        self._loop.add_reader(worker.conn.fileno(), self._receive, worker)

    def _dispatch(self) -> None:
        """Hand queued pages to the least busy workers, up to :attr:`DEPTH` each."""
        while self._jobs:
            worker = min(self._all, key=lambda w: len(w.sent), default=None)
            if worker is None or len(worker.sent) >= self.DEPTH:
                return
            job, future = self._jobs.popleft()
            if future.done():  # cancelled while it waited
                continue
            worker.sent.append((job, future))
            try:
                worker.conn.send(job)
            except OSError:  # the worker is gone: its reader replaces it and fails its page
                return

    def _receive(self, worker: _Worker) -> None:
        """The event loop's reader: a worker answered, or its pipe closed (it died)."""
        try:
            kind, value = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker)
            if worker.sent:
                _job, future = worker.sent.popleft()  # the page it was cleaning
                if not future.done():
                    future.set_exception(
                        WorkerDied(f"a cleaning process ended (exit code {worker.process.exitcode})")
                    )
            self._jobs.extendleft(reversed(worker.sent))  # the pages waiting in its pipe: to the others
            worker.sent.clear()
        else:
            _job, future = worker.sent.popleft()
            if not future.done():
                if kind == "ok":
                    future.set_result(value)
                else:
                    future.set_exception(value)
        self._dispatch()

    def _replace(self, worker: _Worker) -> None:
        self._forget(worker)
        fresh = _Worker(self._context, os.getpid())
        self._all.append(fresh)
        self.replaced += 1
        self._listen(fresh)  # a worker dies only after the first page, so the loop is known

    def _forget(self, worker: _Worker) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(worker.conn.fileno())
        worker.conn.close()  # the worker's recv ends: it leaves
        self._all.remove(worker)

    def shutdown(self) -> None:
        """Close every worker's pipe (each then leaves) and cancel what still waits."""
        for worker in list(self._all):
            for _job, future in worker.sent:
                future.cancel()
            self._forget(worker)
        while self._jobs:
            self._jobs.popleft()[1].cancel()


_POOL: list[Any] = [None, 0]  # [CleanPool, users]


def acquire(workers: int, queue: int | None = None) -> CleanPool:
    """The process's pool (created by its first user with ``workers`` workers)."""
    if _POOL[0] is None:
        _POOL[0] = CleanPool(workers, queue)
    _POOL[1] += 1
    return _POOL[0]


def release(pool: CleanPool) -> None:
    """One user is done; the last one shuts the pool down."""
    if _POOL[0] is pool:
        _POOL[1] -= 1
        if _POOL[1] <= 0:
            _POOL[0], _POOL[1] = None, 0
            pool.shutdown()
