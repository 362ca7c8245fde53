"""Cleaning off the crawl's thread: a process pool sized to the cores, with a bounded queue.

Cleaning a page (:func:`clean_page`: :func:`archiver.clean.extract`, then the
script-built-shell check of :func:`archiver.crawl.browser.shell.needs_browser`, which parses
the page again) is pure CPU work: in the reactor thread nothing else would move meanwhile,
and the other cores would idle. :class:`CleanPool` runs it in worker processes while the
crawl awaits the result (``pipelines/clean.py``),
at most ``queue`` pages at a time (back-pressure). One pool serves every crawl of the
process (:func:`acquire`, :func:`release`). Back-pressure, shutdown and orphans:
"Many outlets" in ``docs/architecture.md``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import multiprocessing
import os
import threading
import time
from typing import Any

from archiver.article import Article

__all__ = ["CleanPool", "Cleaned", "acquire", "clean_page", "release", "worker_count"]


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


class CleanPool:
    """``workers`` cleaning processes; at most ``queue`` pages in flight."""

    def __init__(self, workers: int, queue: int | None = None) -> None:
        self.workers = workers
        self.queue = queue or 4 * workers
        # spawn, not fork (the reactor's threads and sockets must not be copied) nor forkserver
        # (it outlives a SIGKILLed parent): the workers are the crawl process's own children.
        context = multiprocessing.get_context("spawn")
        self.executor = concurrent.futures.ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(os.getpid(),)
        )
        self._slots: asyncio.Semaphore | None = None
        self.waited = 0  # pages that waited for a free place (back-pressure happened)

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
            future = self.executor.submit(
                clean_page, body, url, tuple(keep_selectors), tuple(remove_selectors), check_shell
            )
            return await asyncio.wrap_future(future)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


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
