"""Cleaning in worker processes (archiver/crawl/clean_pool.py): same results, bounded queue, no orphans."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from archiver.clean import extract
from archiver.crawl.clean_pool import CleanPool, worker_count
from support import LOCAL, REPO


def _demo_pages() -> list[tuple[str, bytes]]:
    from archiver.demo.bigsite import build_pages

    site = build_pages(40)
    return [(f"http://127.0.0.1:8000{path}", body) for path, body in site.items() if path.endswith("/")]


def test_pool_gives_the_same_articles_as_the_crawl_thread():
    pages = _demo_pages()

    async def run() -> list:
        pool = CleanPool(2, queue=3)
        try:
            return await asyncio.gather(
                *(pool.clean(body, url, remove_selectors=(".related",)) for url, body in pages)
            ), pool.waited
        finally:
            pool.shutdown()

    cleaned, waited = asyncio.run(run())
    direct = [extract(body, url, remove_selectors=(".related",)).to_dict() for url, body in pages]
    assert [c.article.to_dict() for c in cleaned] == direct
    assert waited >= len(pages) - 3  # the queue holds 3: every other page waited for a place


def test_worker_count_auto_is_the_usable_cores():
    assert worker_count("auto") == len(os.sched_getaffinity(0))
    assert worker_count(0) == 0 and worker_count("3") == 3


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def test_workers_leave_when_the_crawl_is_killed(tmp_path):
    from archiver.demo.server import DemoServer

    with DemoServer(delay=0.05) as site:
        args = [
            sys.executable,
            "-m",
            "archiver.cli",
            "crawl",
            "demo",
            "--out",
            str(tmp_path),
            "--home",
            site.url,
        ]
        for setting in LOCAL:
            args += ["--set", setting]
        log = open(tmp_path / "crawl.log", "wb")
        proc = subprocess.Popen(
            args, cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), stdout=log, stderr=log
        )
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while len(workers) < 2:  # the forkserver and at least one worker
            assert proc.poll() is None, (tmp_path / "crawl.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "no cleaning workers started"
            workers = _descendants(proc.pid)
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 60
        while any(Path(f"/proc/{pid}").exists() and "(Z)" not in _state(pid) for pid in workers):
            assert time.monotonic() < deadline, f"cleaning workers outlived the crawl: {workers}"
            time.sleep(0.2)


def _state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "(Z)"
    return "(Z)" if stat.rsplit(")", 1)[1].split()[0] == "Z" else "alive"


def test_a_worker_that_dies_fails_its_page_and_is_replaced():
    """A cleaning process killed while it holds a page: that page fails, the next ones are cleaned."""
    from archiver.crawl.clean_pool import WorkerDied

    (url, body), *rest = _demo_pages()

    async def run() -> tuple:
        pool = CleanPool(1, queue=2)
        try:
            first = asyncio.ensure_future(pool.clean(body, url))
            await asyncio.sleep(0)  # handed to the worker
            (worker,) = pool._all
            os.kill(worker.process.pid, signal.SIGKILL)
            outcome = await asyncio.gather(first, return_exceptions=True)
            after = await asyncio.gather(*(pool.clean(b, u) for u, b in rest[:3]))
            return outcome[0], after, pool.replaced
        finally:
            pool.shutdown()

    died, after, replaced = asyncio.run(run())
    assert isinstance(died, WorkerDied) and replaced == 1
    assert [c.article.to_dict() for c in after] == [extract(b, u).to_dict() for u, b in rest[:3]]


def test_a_worker_gets_its_next_page_while_it_cleans_and_a_death_fails_only_the_page_it_cleaned():
    """Two pages in one worker's pipe: killed, the page it cleaned fails; the one waiting is cleaned after all."""
    from archiver.crawl.clean_pool import WorkerDied

    (url, body), (url2, body2), *_ = _demo_pages()

    async def run() -> tuple:
        pool = CleanPool(1, queue=4)
        try:
            first = asyncio.ensure_future(pool.clean(body, url))
            second = asyncio.ensure_future(pool.clean(body2, url2))
            await asyncio.sleep(0)  # both handed to the one worker
            (worker,) = pool._all
            in_pipe = len(worker.sent)
            os.kill(worker.process.pid, signal.SIGKILL)
            outcome = await asyncio.gather(first, second, return_exceptions=True)
            return in_pipe, outcome, pool.replaced
        finally:
            pool.shutdown()

    in_pipe, (died, cleaned), replaced = asyncio.run(run())
    assert in_pipe == CleanPool.DEPTH == 2
    assert isinstance(died, WorkerDied) and replaced == 1
    assert cleaned.article.to_dict() == extract(body2, url2).to_dict()
