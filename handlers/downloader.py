"""Scrapy's downloader, with each slot's concurrency held for requests that skip the scheduler.

Scrapy 2.19's ``Downloader._process_queue`` starts a dequeued request as an asyncio task
and counts it as transferring only once that task runs, so one call (with no delay to
space requests) drains the whole slot queue at once. Page requisites go straight to the
downloader (``downloadermiddlewares/requisites.py``) and queue deep: a page naming ten
images opened ten connections to the host at once. :class:`Downloader` counts a request
as transferring from the moment it leaves the queue. Enabled by the ``DOWNLOADER``
setting; why and what it cost: ``handlers/downloader.py`` in ``docs/architecture.md``.
"""

from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader as ScrapyDownloader
from scrapy.core.downloader import Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro

__all__ = ["Downloader"]


class Downloader(ScrapyDownloader):
    """Scrapy's ``Downloader``; a request holds its slot's place from the moment it is dequeued."""

    def _process_queue(self, slot: Slot) -> None:
        """Scrapy's own, but for the line that marks a dequeued request as transferring.

        Scrapy marks it when its task starts: until then, this loop and any call
        before the task runs count its place as free.
        """
        if slot.latercall:
            return  # a delay is running; its call comes back here
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # _download adds it again (a set) and removes it when done
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:  # one request per delay: the next one waits for its turn
                self._process_queue(slot)
                break
