"""Downloader guard rails: no private targets unless allowed, no crawler traps, and
per-site politeness shared by every worker of a distributed crawl.

The response-size cap is Scrapy's own (``DOWNLOAD_MAXSIZE``); this middleware adds what
Scrapy does not have: an SSRF guard (a seed list is user input, and a public site may
redirect to an internal address) and the trap rules of :mod:`crawler.scope`, applied to
every request, redirects included.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from crawler.addresses import PrivateAddresses
from crawler.scope import trap_reason


class GuardRefused(IgnoreRequest):
    """A request refused by Vigie's guard rails; ``kind`` classifies it for the store."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


class GuardRailsMiddleware:
    def __init__(
        self,
        allow_private: bool,
        max_url_length: int,
        max_repeated: int,
        shared: Any = None,
        delay: float = 0.0,
    ) -> None:
        self.allow_private = allow_private
        self.max_url_length = max_url_length
        self.max_repeated = max_repeated
        self.shared = shared  # crawler.distributed.Coordinator when several workers run
        self.delay = delay
        self.private = PrivateAddresses()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GuardRailsMiddleware:
        s = crawler.settings
        shared = None
        if s.get("VIGIE_REDIS_URL"):
            from crawler.distributed import Coordinator

            shared = Coordinator.from_settings(s)
        return cls(
            allow_private=s.getbool("VIGIE_ALLOW_PRIVATE"),
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
        if self.allow_private:
            return None
        reason = await self.private.refusal(request.url)
        if reason:
            raise GuardRefused("adresse privée", reason)
        return None
