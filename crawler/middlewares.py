"""Downloader guard rails: no private targets unless allowed, no crawler traps, and
per-site politeness shared by every worker of a distributed crawl.

The response-size cap is Scrapy's own (``DOWNLOAD_MAXSIZE``); these middlewares add what
Scrapy does not have: an SSRF guard (a seed list is user input, and a public site may
redirect, or its name resolve, to an internal address; :mod:`crawler.addresses`) and the
trap rules of :mod:`crawler.scope`, applied to every request, redirects, robots.txt and
sitemaps included.

The SSRF guard has two halves. :class:`GuardRailsMiddleware`, first in the chain, refuses a
request before it leaves when its host is a refused literal address or its name resolves
to a refused address now (through the reactor's resolver, the one the connection uses):
an intranet host is spared the request. That lookup proves nothing about the connection
made afterwards, though (a name can answer otherwise the next time: DNS rebinding), so
:class:`PeerAddressMiddleware`, last in the chain (nearest the download handler), checks
the address each response actually came from (``Response.ip_address``, the peer of the
connection) before any other middleware, the robots.txt parser or the spider reads a byte
of it, and refuses the response when that address is not allowed or not known.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

from crawler.addresses import AddressRule, literal_addresses
from crawler.scope import trap_reason

log = logging.getLogger(__name__)

#: The kind under which an address refusal is stored (``crawl_errors.kind``).
PRIVATE_ADDRESS = "adresse privée"


class GuardRefused(IgnoreRequest):
    """A request refused by Vigie's guard rails; ``kind`` classifies it for the store."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


class GuardRailsMiddleware:
    def __init__(
        self,
        rule: AddressRule,
        max_url_length: int,
        max_repeated: int,
        shared: Any = None,
        delay: float = 0.0,
    ) -> None:
        self.rule = rule
        self.max_url_length = max_url_length
        self.max_repeated = max_repeated
        self.shared = shared  # crawler.distributed.Coordinator when several workers run
        self.delay = delay

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GuardRailsMiddleware:
        s = crawler.settings
        shared = None
        if s.get("VIGIE_REDIS_URL"):
            from crawler.distributed import Coordinator

            shared = Coordinator.from_settings(s)
        return cls(
            rule=AddressRule.from_settings(s),
            max_url_length=s.getint("VIGIE_MAX_URL_LENGTH"),
            max_repeated=s.getint("VIGIE_MAX_REPEATED_SEGMENT"),
            shared=shared,
            delay=s.getfloat("DOWNLOAD_DELAY"),
        )

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        reason = trap_reason(request.url, self.max_url_length, self.max_repeated)
        if reason:
            raise GuardRefused("piège", f"piège à robots évité : {reason}")
        if self.shared is not None and "site_id" in request.meta:
            # Politeness per site across every worker, not only inside this process.
            await self.shared.polite(request.meta["site_id"], self.delay)
        if self.rule.allow_private:
            return None
        reason = await self._early_refusal(urlparse_cached(request).hostname or "")
        if reason:
            raise GuardRefused(PRIVATE_ADDRESS, reason)
        return None

    async def _early_refusal(self, host: str) -> str | None:
        """Why ``host`` is refused before any connection: a refused literal address, or a
        name that the reactor's resolver (the connections' own, with Scrapy's DNS cache)
        resolves to a refused address now. A name that does not resolve goes on: its
        download fails with its DNS error, or :class:`PeerAddressMiddleware` refuses it."""
        if not host:
            return None
        if literal_addresses(host) is not None:
            return self.rule.host_refusal(host)  # nothing to look up
        from twisted.internet import reactor

        try:
            address = await maybe_deferred_to_future(reactor.resolve(host))
        except Exception as exc:  # the download reports the DNS error itself
            log.debug("résolution de %s impossible avant la requête : %s", host, exc)
            return None
        return self.rule.address_refusal(host, address, peer=False)


class PeerAddressMiddleware:
    """Refuses a response whose peer address is not allowed or not known (DNS rebinding,
    a redirect or a name leading to the intranet), before anything reads it.

    Placed nearest the download handler (``DOWNLOADER_MIDDLEWARES`` 950): its
    ``process_response`` runs first, before redirects are followed, bodies decompressed,
    errors retried, robots.txt parsed or pages analysed. Off (``NotConfigured``) when
    private addresses are allowed altogether.
    """

    def __init__(self, rule: AddressRule, crawler: Crawler | None = None) -> None:
        self.rule = rule
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PeerAddressMiddleware:
        rule = AddressRule.from_settings(crawler.settings)
        if rule.allow_private:
            raise NotConfigured("VIGIE_ALLOW_PRIVATE")
        return cls(rule, crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        host = urlparse_cached(request).hostname or ""
        reason = self.rule.address_refusal(host, response.ip_address, peer=True)
        if reason is None:
            return response
        log.warning("réponse refusée pour %s : %s", request.url, reason)
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value("vigie/peer_address_refused")
        raise GuardRefused(PRIVATE_ADDRESS, reason)
