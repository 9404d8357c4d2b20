"""robots.txt obeyed as RFC 9309 says, by every request, on Scrapy's public API only.

Vigie's own downloader middleware, in place of Scrapy's ``RobotsTxtMiddleware`` (2.19),
which it cannot be built on without its private methods (``_parse_robots``, ``_parsers``,
``_stats``) and which reads robots.txt otherwise than the RFC:

- the requests that arrive while a host's robots.txt is being fetched await one shared
  ``Deferred``; Twisted's ``Deferred.asFuture`` passes ``None`` down its callback chain, so
  the first waiter gets the parser and every later one ``None`` — everything allowed
  (scrapy/scrapy#6802). A resumed run or a distributed worker releases many requests to a
  site at once, and the disallowed ones among them were fetched. Here each waiter has a
  ``Deferred`` of its own, fired with the host's rules;
- a robots.txt larger than ``DOWNLOAD_MAXSIZE`` is cancelled, and any download error leaves
  no parser: everything allowed. RFC 9309 asks to parse at least the first 500 KiB (2.5),
  and, while robots.txt is unreachable for a server or network error, to assume complete
  disallow (2.3.1.4);
- the body of a 5xx robots.txt is parsed as rules (an error page has none: everything
  allowed).

What each answer means here:

- **2xx**: the first ``VIGIE_ROBOTSTXT_PARSE_BYTES`` (500 KiB) are parsed, cut at their last
  complete line (a half rule could widen what is allowed). The download itself stops there
  (Scrapy's ``bytes_received`` signal and ``StopDownload(fail=False)``, its documented way):
  a 10 MB robots.txt costs 500 KiB. The parser is ``ROBOTSTXT_PARSER`` (Protego, Scrapy's
  default), built as Scrapy builds it;
- **4xx** (but 429): no rules, everything allowed (2.3.1.3);
- **5xx, 429** (the server asks to slow down; read as Google reads it), **a network error,
  a timeout, an address refused by the guard rails**: unreachable, complete disallow. Each
  request to the host is refused with a French reason that says why, and the site appears
  in the table as an error ("robots.txt inaccessible (délai de réponse dépassé)…"), never as
  a site without findings.

Size: Scrapy cancels a download whose announced ``Content-Length`` exceeds its
``download_maxsize`` before reading a byte, and bounds decompression by it. robots.txt
requests carry their own (``VIGIE_ROBOTSTXT_MAXSIZE``, 16 MiB), larger than the pages' cap
so that a large file is read up to the parse limit rather than dropped; one announced
larger than that, or inflating beyond it, is unreachable (complete disallow).

Once a host's rules are known, Scrapy's ``robots_parsed`` signal is sent with the parser
in force (the spider reads the ``Sitemap:`` lines from it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured, StopDownload
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler import error_kinds
from crawler.middlewares import GuardRefused

log = logging.getLogger(__name__)

#: What an unreachable robots.txt means (RFC 9309, 2.3.1.4): nothing may be fetched.
_DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
#: Marks a robots.txt request in its meta, for the size watch.
_ROBOTS_META = "vigie_robotstxt"
#: Below 500, yet unreachable: Too Many Requests.
_UNREACHABLE_STATUSES = frozenset({429})

#: The kind of a request refused by a host's robots.txt (``crawl_errors.kind``).
FORBIDDEN = error_kinds.ROBOTS_FORBIDDEN


def unreachable(status: int) -> bool:
    """Whether a robots.txt answered with ``status`` counts as unreachable (nothing may be
    fetched, RFC 9309 2.3.1.4), rather than unavailable (no rules, 2.3.1.3)."""
    return status >= 500 or status in _UNREACHABLE_STATUSES


@dataclass(frozen=True)
class RobotsRules:
    """A host's robots.txt as read: the parser in force and, when robots.txt was
    unreachable, why every request is refused (kind, French reason)."""

    parser: RobotParser
    refused: tuple[str, str] | None = None


class RobotsTxtMiddleware:
    """Fetches each host's robots.txt once, and refuses what it forbids."""

    #: Scrapy's own priority for robots.txt requests: ahead of the pages that wait for it.
    DOWNLOAD_PRIORITY = 1000

    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        if not s.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler
        self.user_agent: str = s.get("ROBOTSTXT_USER_AGENT") or s.get("USER_AGENT")
        self.parse_limit = s.getint("VIGIE_ROBOTSTXT_PARSE_BYTES")
        self.maxsize = s.getint("VIGIE_ROBOTSTXT_MAXSIZE")
        if self.parse_limit <= 0 or self.maxsize < self.parse_limit:
            raise ValueError(
                "VIGIE_ROBOTSTXT_PARSE_BYTES doit être > 0 et ≤ VIGIE_ROBOTSTXT_MAXSIZE"
            )
        self.parser_class = load_object(s.get("ROBOTSTXT_PARSER"))
        # host (netloc) → its rules, or the Deferreds of the requests waiting for them
        self._rules: dict[str, RobotsRules | list[Deferred[RobotsRules]]] = {}
        self._received: WeakKeyDictionary[Request, int] = WeakKeyDictionary()
        crawler.signals.connect(self._watch_size, signal=signals.bytes_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsTxtMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        if request.meta.get("dont_obey_robotstxt"):
            return None
        if urlparse_cached(request).scheme not in ("http", "https"):
            return None
        rules = await self.rules_for(request)
        if rules.refused is not None:
            raise GuardRefused(*rules.refused)
        if not rules.parser.allowed(request.url, self.user_agent):
            self._stat("robotstxt/forbidden")
            raise GuardRefused(FORBIDDEN, "exploration interdite par robots.txt")
        return None

    async def rules_for(self, request: Request) -> RobotsRules:
        """The rules of ``request``'s host: fetched by the first request to ask, awaited by
        the others (each through a ``Deferred`` of its own)."""
        netloc = urlparse_cached(request).netloc
        known = self._rules.get(netloc)
        if isinstance(known, RobotsRules):
            return known
        if known is not None:
            mine: Deferred[RobotsRules] = Deferred()
            known.append(mine)
            return await maybe_deferred_to_future(mine)
        waiters: list[Deferred[RobotsRules]] = []
        self._rules[netloc] = waiters
        rules: RobotsRules | None = None
        try:
            rules = await self._fetch(request)
        except Exception as exc:  # a failure here must neither hang the waiters nor allow all
            log.exception("lecture de robots.txt impossible pour %s", netloc)
            rules = self._unreachable(
                error_kinds.ROBOTS_UNREACHABLE, f"{type(exc).__name__}: {exc}"
            )
        finally:
            if rules is None:  # cancelled (the crawl stops): the waiters are released too
                rules = self._unreachable(error_kinds.ROBOTS_UNREACHABLE, "lecture interrompue")
            self._rules[netloc] = rules
            for waiter in waiters:
                waiter.callback(rules)
        return rules

    async def _fetch(self, request: Request) -> RobotsRules:
        url = urlparse_cached(request)
        robots = Request(
            f"{url.scheme}://{url.netloc}/robots.txt",
            priority=self.DOWNLOAD_PRIORITY,
            meta={
                "dont_obey_robotstxt": True,
                _ROBOTS_META: True,
                "download_maxsize": self.maxsize,
            },
            callback=NO_CALLBACK,
        )
        self._stat("robotstxt/request_count")
        try:
            response = await self.crawler.engine.download_async(robots)
        except Exception as exc:
            self._stat(f"robotstxt/exception_count/{type(exc)}")
            kind, detail = _classify(exc)
            log.info("robots.txt inaccessible pour %s : %s", url.netloc, detail)
            rules = self._unreachable(kind, detail)
        else:
            rules = self._read(response)
        await self.crawler.signals.send_catch_log_async(
            signal=signals.robots_parsed, robotparser=rules.parser, request=request
        )
        return rules

    def _read(self, response: Response) -> RobotsRules:
        status = response.status
        self._stat("robotstxt/response_count")
        self._stat(f"robotstxt/response_status_count/{status}")
        if unreachable(status):
            return self._unreachable(error_kinds.http(status), f"HTTP {status}")
        if not 200 <= status < 300:
            return RobotsRules(self._parser(b""))  # unavailable: no rules (RFC 9309, 2.3.1.3)
        body = response.body
        if len(body) > self.parse_limit or "download_stopped" in response.flags:
            self._stat("robotstxt/truncated")
            body = first_lines(body, self.parse_limit)
        return RobotsRules(self._parser(body))

    def _unreachable(self, kind: str, detail: str) -> RobotsRules:
        self._stat("robotstxt/unreachable")
        reason = f"robots.txt inaccessible ({detail}) : site non exploré, par prudence (RFC 9309)"
        return RobotsRules(self._parser(_DISALLOW_ALL), refused=(kind, reason))

    def _parser(self, body: bytes) -> RobotParser:
        return build_from_crawler(self.parser_class, self.crawler, body)

    def _watch_size(self, data: bytes, request: Request, **kwargs: Any) -> None:
        """``bytes_received`` handler: stop a robots.txt download at the parse limit."""
        if not request.meta.get(_ROBOTS_META):
            return
        received = self._received.get(request, 0) + len(data)
        self._received[request] = received
        if received >= self.parse_limit:
            raise StopDownload(fail=False)

    def _stat(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)


def first_lines(body: bytes, limit: int) -> bytes:
    """The first ``limit`` bytes of ``body`` up to their last line end (CR or LF): a line
    cut in its middle (``Allow: /a`` of ``Allow: /admin-public``) could widen a rule."""
    head = body[:limit]
    end = max(head.rfind(b"\n"), head.rfind(b"\r"))
    return head[: end + 1] if end >= 0 else head


def _classify(exc: Exception) -> tuple[str, str]:
    """The kind and French reason of a failed robots.txt download, as for any request
    (the spider's classification, so that the site's error reads the same), but for the
    responses Scrapy's own middlewares drop: their message names robots.txt's URL, which
    the spider would read as "forbidden by robots.txt"."""
    if isinstance(exc, IgnoreRequest) and not isinstance(exc, GuardRefused):
        text = str(exc)
        if "MAXSIZE" in text:  # HttpCompressionMiddleware: inflated past the cap
            return error_kinds.TOO_LARGE, "robots.txt trop volumineux une fois décompressé"
        if "redirect" in text.lower():
            return error_kinds.REDIRECT_LOOP, "boucle ou excès de redirections"
        return error_kinds.IGNORED, f"requête ignorée : {text}"
    from crawler.spiders.sites import classify_failure  # lazily: the spider is another layer

    return classify_failure(Failure(exc))
