"""robots.txt obeyed for every request, also when several wait for the same file.

Scrapy's ``RobotsTxtMiddleware`` (2.13 to 2.19 at least) makes the requests that arrive
while a site's robots.txt is being fetched await the shared ``Deferred`` through
``maybe_deferred_to_future``; Twisted's ``Deferred.asFuture`` passes ``None`` down the
callback chain, so the first waiter gets the parser and every later one gets ``None`` —
"no robots.txt", everything allowed (scrapy/scrapy#6802 replaced the per-waiter relay
that avoided it; its review noted the path had no test). A fresh crawl rarely shows it,
its first request to a site being alone, but a resumed run or a distributed worker
releases many requests to a site at once, and the disallowed ones among them were
fetched. This subclass gives each waiter a ``Deferred`` of its own, fed by a callback
that passes the parser on unchanged.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxt
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtMiddleware(ScrapyRobotsTxt):
    """Scrapy's middleware, with every request waiting for robots.txt given the parser."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        mine: Deferred[RobotParser | None] = Deferred()

        def relay(parser: RobotParser | None) -> RobotParser | None:
            mine.callback(parser)
            return parser  # the next waiter gets it too

        pending.addCallback(relay)
        return await maybe_deferred_to_future(mine)
