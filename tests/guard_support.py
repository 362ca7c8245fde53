"""The address guard called directly, as tests/test_security*.py call it: no crawl, no reactor."""

from __future__ import annotations

from scrapy.utils.test import get_crawler

from archiver.downloadermiddlewares.address_guard import AddressGuardMiddleware


def run(coro):
    """Drive a coroutine that must finish without waiting on the reactor."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("the guard waited on something (a connection? a lookup?)")


def guard(allow=False) -> AddressGuardMiddleware:
    return AddressGuardMiddleware.from_crawler(
        get_crawler(settings_dict={"ARCHIVER_ALLOW_PRIVATE_ADDRESSES": allow})
    )
