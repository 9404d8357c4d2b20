"""Downloader guard rails: no private targets unless allowed, no crawler traps, and
per-site politeness shared by every worker of a distributed crawl.

The response-size cap is Scrapy's own (``DOWNLOAD_MAXSIZE``); this middleware adds what
Scrapy does not have: an SSRF guard (a seed list is user input, and a public site may
redirect to an internal address) and the trap rules of :mod:`crawler.scope`, applied to
every request, redirects included.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

from crawler.scope import is_private_host, trap_reason


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
        self._resolved: dict[str, bool] = {}

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
        host = urlparse_cached(request).hostname or ""
        if is_private_host(host) or await self._resolves_private(host):
            raise GuardRefused(
                "adresse privée",
                f"adresse privée ou locale refusée : {host} (VIGIE_ALLOW_PRIVATE=False)",
            )
        return None

    async def _resolves_private(self, host: str) -> bool:
        """Whether a host name resolves to a non-public address (cached per host)."""
        if host in self._resolved:
            return self._resolved[host]
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None)
        except (OSError, UnicodeError):
            # Unresolvable: let the download fail and report the DNS error itself.
            self._resolved[host] = False
            return False
        private = any(_not_global(info) for info in infos)
        self._resolved[host] = private
        return private


def _not_global(info: tuple[Any, ...]) -> bool:
    family, _, _, _, sockaddr = info
    if family not in (socket.AF_INET, socket.AF_INET6):
        return False
    return not ipaddress.ip_address(sockaddr[0].split("%", 1)[0]).is_global
