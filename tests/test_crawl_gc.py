"""The crawl process runs with the cyclic collector's youngest-generation threshold raised."""

import gc

from archiver.spiders.runner import GC_THRESHOLD, start


class _Process:
    def start(self):
        self.threshold = gc.get_threshold()


def test_a_crawl_runs_with_the_raised_threshold_and_never_a_lower_one():
    saved = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        process = _Process()
        start(process)
        assert process.threshold == (GC_THRESHOLD, 10, 10)
        gc.set_threshold(GC_THRESHOLD * 2, 5, 5)  # a caller's own higher threshold is kept
        start(process)
        assert process.threshold == (GC_THRESHOLD * 2, 5, 5)
    finally:
        gc.set_threshold(*saved)
