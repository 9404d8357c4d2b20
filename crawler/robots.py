"""robots.txt obeyed for every request, also when several wait for the same file, and
a robots.txt that answers with a server error read as RFC 9309 says.

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

Scrapy also parses the body of a robots.txt answered with a 5xx status as rules: an error
page has none, so everything is allowed. RFC 9309 (2.3.1.4) asks the opposite: while
robots.txt is unreachable for a server error, assume complete disallow. The site's
requests are then refused with a reason that says so, and the site appears in the table
as an error ("robots.txt inaccessible (HTTP 503)…"), never as a site without findings.
A 4xx robots.txt still allows everything (2.3.1.3); a network error is left to the
site's own requests, which fail with it.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxt
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.middlewares import GuardRefused

#: What an unreachable robots.txt means (RFC 9309, 2.3.1.4): nothing may be fetched.
_DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class RobotsTxtMiddleware(ScrapyRobotsTxt):
    """Scrapy's middleware, with every request waiting for robots.txt given the parser,
    and a robots.txt in server error taken as forbidding everything."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._unreachable: dict[str, int] = {}  # netloc → the robots.txt's 5xx status

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self._unreachable[netloc] = response.status
            self._stats.inc_value("robotstxt/unreachable")
            response = response.replace(body=_DISALLOW_ALL)
        await super()._parse_robots(response, netloc, request)

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest:
            status = self._unreachable.get(urlparse_cached(request).netloc)
            if status is None:
                raise
            raise GuardRefused(
                f"HTTP {status}",
                f"robots.txt inaccessible (HTTP {status}) : site non exploré, par prudence "
                "(RFC 9309)",
            ) from None

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
