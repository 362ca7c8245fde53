"""Scrapy's robots.txt middleware, with every request that waits for a host's rules getting them.

Scrapy 2.13-2.19 (asyncio reactor) parks the requests that reach a host while
its robots.txt is being fetched on one Deferred; the first waiter consumes the
parsed rules and the others get ``None``, which Scrapy reads as "no rules":
they pass unchecked. A crawl whose first requests to a host come at once (a
start list, a sitemap naming another host, a page's CDN files) could fetch
pages the site forbids. Each waiter here gets its own Deferred fed from the
shared one, which passes the rules on unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as _ScrapyRobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from scrapy.http import Request
    from scrapy.robotstxt import RobotParser


class RobotsTxtMiddleware(_ScrapyRobotsTxtMiddleware):
    """``ROBOTSTXT_OBEY`` as Scrapy implements it, and the same rules for every waiting request."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):  # unseen host (Scrapy fetches), or rules already known
            return await super().robot_parser(request)
        mine: Deferred[RobotParser | None] = Deferred()

        def relay(parser: RobotParser | None) -> RobotParser | None:
            mine.callback(parser)
            return parser  # the next waiter's relay gets the rules too

        pending.addCallback(relay)
        return await maybe_deferred_to_future(mine)
